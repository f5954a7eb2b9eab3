import LeadsCore

/// `remind` has five modes, chosen by a flag: add (none), --list, --done, --snooze, --due.
enum RemindCommand {
    /// Which options each mode accepts besides the mode flag itself.
    static let modeOptions: [(mode: String, allowed: Set<String>)] = [
        ("due", ["owner", "mine", "once", "json", "mail"]), ("list", ["json"]), ("done", []), ("snooze", []), ("", ["owner"]),
    ]

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let arguments = invocation.positionals
        let mode = modeOptions.first { !$0.mode.isEmpty && invocation.flag($0.mode) } ?? modeOptions.last!
        for option in ["owner", "mine", "once", "json", "mail"] where invocation.flag(option) && !mode.allowed.contains(option) {
            let modes = modeOptions.filter { $0.allowed.contains(option) }.map { $0.mode.isEmpty ? "adding a reminder" : "--" + $0.mode }
            throw UsageError.optionRequires(option: "--" + option, modes: modes)
        }
        if invocation.flag("due") {
            try expectArguments(arguments, max: 0, usage: "remind --due [--owner U | --mine] [--once] [--json | --mail]")
            if invocation.flag("mail") { return try RemindMail.run(invocation, context) }
            return try due(invocation, context)
        }
        if invocation.flag("list") {
            try expectArguments(arguments, max: 1, usage: "remind --list [ID]")
            return try list(lead: try arguments.first.map { try IDList.single($0) }, invocation, context)
        }
        if invocation.flag("done") {
            guard !arguments.isEmpty else { throw UsageError.missingArgument(command: "remind --done", name: "REF") }
            return try done(try arguments.map(IDList.reminderReference), context)
        }
        if invocation.flag("snooze") {
            guard arguments.count == 2 else {
                throw arguments.count < 2 ? UsageError.missingArgument(command: "remind --snooze", name: arguments.isEmpty ? "REF" : "WHEN")
                    : UsageError.unexpectedArgument(command: "remind --snooze", value: arguments[2])
            }
            return try snooze(try IDList.reminderReference(arguments[0]), arguments[1], context)
        }
        guard arguments.count >= 2 else {
            throw UsageError.missingArgument(command: "remind", name: arguments.isEmpty ? "ID" : "WHEN")
        }
        try expectArguments(arguments, max: 3, usage: "remind ID WHEN [TEXT]")
        // TEXT is optional: empty or all blank, it is no text (a note, which needs one,
        // refuses both alike).
        let text = arguments.count > 2 ? FieldParser.text(arguments[2]) ?? "" : ""
        return try add(lead: try IDList.single(arguments[0]), when: arguments[1], text: text,
                       owner: invocation.value("owner"), context)
    }

    static func expectArguments(_ arguments: [String], max: Int, usage: String) throws(UsageError) {
        if arguments.count > max { throw .unexpectedArgument(command: "remind", value: arguments[max]) }
    }

    // MARK: Modes

    static func add(lead id: Int, when: String, text: String, owner: String?, _ context: CommandContext) throws -> Int32 {
        let now = try context.now()
        let due = try FieldParser.when(when, field: "WHEN", now: now)
        let owner = try owner.map { try context.owner($0, field: "--owner") }
        var number = 0
        let outcome = try LeadUpdate.apply([id], in: context) { lead, writer in
            number = lead.nextReminderNumber
            lead.reminders.append(Reminder(number: number, due: due, text: text, owner: owner ?? lead.owner ?? writer.actor.user, createdAt: now))
            return ActivityEntry(time: now, user: writer.actor.user, action: .remind, lead: lead.id,
                                 details: ["reminder": .number(String(number)), "due": .string(due.stored)])
        }
        try context.output.line("\(id).\(number)")
        if let lead = outcome.changed.first?.after, let reminder = lead.reminders.last {
            try context.confirm(reminderLine(lead, reminder, "due " + Confirmation.due(reminder.due)))
        }
        return ExitStatus.success
    }

    static func done(_ references: [(lead: Int, number: Int)], _ context: CommandContext) throws -> Int32 {
        let now = try context.now()
        var byLead: [Int: [Int]] = [:]
        var order: [Int] = []
        for ref in references {
            if byLead[ref.lead] == nil { order.append(ref.lead) }
            byLead[ref.lead, default: []].append(ref.number)
        }
        let outcome = try LeadUpdate.apply(order, in: context) { lead, writer in
            var closed: [Int] = []
            for number in byLead[lead.id] ?? [] {
                guard let i = lead.reminders.firstIndex(where: { $0.number == number }) else {
                    throw StoreError.reminderNotFound(lead: lead.id, number: number)
                }
                if lead.reminders[i].doneAt == nil {
                    lead.reminders[i].doneAt = now
                    closed.append(number)
                }
            }
            guard !closed.isEmpty else { return nil }
            return ActivityEntry(time: now, user: writer.actor.user, action: .remindDone, lead: lead.id,
                                 details: ["reminders": .array(closed.map { .number(String($0)) })])
        }
        // One line: each closed reminder with its text when one was closed, else a count.
        var closed: [(lead: Lead, reminder: Reminder)] = []
        for (before, after) in outcome.changed {
            for (old, new) in zip(before.reminders, after.reminders) where old.doneAt == nil && new.doneAt != nil { closed.append((after, new)) }
        }
        var line: String
        if closed.count == 1 {
            line = reminderLine(closed[0].lead, closed[0].reminder, "done")
        } else {
            line = closed.prefix(Confirmation.namedLimit).map { "#\($0.lead.id).\($0.reminder.number)" }.joined(separator: ", ")
                + (closed.count > Confirmation.namedLimit ? " and \(closed.count - Confirmation.namedLimit) more" : "")
                + (closed.isEmpty ? "nothing changed" : ": done")
        }
        let already = references.filter { ref in !closed.contains { $0.lead.id == ref.lead && $0.reminder.number == ref.number } }
        if !already.isEmpty {
            line += (closed.isEmpty ? ": " : "; ") + already.prefix(Confirmation.namedLimit).map { "#\($0.lead).\($0.number)" }.joined(separator: ", ")
                + (already.count > Confirmation.namedLimit ? " and \(already.count - Confirmation.namedLimit) more" : "")
                + (already.count == 1 ? " was" : " were") + " already done"
        }
        try context.confirm(line)
        return ExitStatus.success
    }

    static func snooze(_ ref: (lead: Int, number: Int), _ whenText: String, _ context: CommandContext) throws -> Int32 {
        let now = try context.now()
        let due = try FieldParser.when(whenText, field: "WHEN", now: now)
        var previous: When?
        let outcome = try LeadUpdate.apply([ref.lead], in: context) { lead, writer in
            guard let i = lead.reminders.firstIndex(where: { $0.number == ref.number }) else {
                throw StoreError.reminderNotFound(lead: lead.id, number: ref.number)
            }
            guard lead.reminders[i].doneAt == nil else { throw CommandError.reminderDone("\(ref.lead).\(ref.number)") }
            previous = lead.reminders[i].due
            lead.reminders[i].due = due
            // Falling due again is news: announce it again.
            lead.reminders[i].announcedAt = nil
            return ActivityEntry(time: now, user: writer.actor.user, action: .remindSnooze, lead: lead.id,
                                 details: ["reminder": .number(String(ref.number)), "due": .string(due.stored)])
        }
        if let lead = outcome.changed.first?.after, let reminder = lead.reminders.first(where: { $0.number == ref.number }) {
            let was = previous.map { " (was \(Confirmation.due($0)))" } ?? ""
            try context.confirm(reminderLine(lead, reminder, "due " + Confirmation.due(reminder.due) + was))
        }
        return ExitStatus.success
    }

    /// "#7.2 due 2026-12-09: ask for the signed order"; the lead's name when the
    /// reminder has no text, so the line always says whom it is about.
    static func reminderLine(_ lead: Lead, _ reminder: Reminder, _ what: String) -> String {
        var line = "#\(lead.id).\(reminder.number) \(what)"
        if reminder.owner != lead.owner { line += " for \(reminder.owner)" }
        line += ": " + (reminder.text.isEmpty ? "follow-up on " + Confirmation.cut(lead.name) : Confirmation.cut(reminder.text, to: 60))
        return line
    }

    static func list(lead id: Int?, _ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let now = try context.now()
        let rows: [DueReminder]
        var problems: [StoreError] = []
        if let id {
            rows = DueReminders.sorted(DueReminders.open(in: try store.lead(id)))
        } else {
            var open: [DueReminder] = []
            problems = try store.scanSummaries(withOpenReminders: true, fields: [.name, .reminders]) { lead in
                if !lead.isClosed { open += DueReminders.open(in: lead) }
            }
            rows = DueReminders.sorted(open)
        }
        try render(rows, now: now, json: invocation.flag("json"), silentWhenEmpty: false, context)
        if rows.isEmpty { try context.hint("no open reminders") }
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }

    /// For cron: prints nothing at all when nothing is due, so cron sends no mail.
    static func due(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let now = try context.now()
        let owner = try invocation.flag("mine") ? context.actingOwner() : invocation.value("owner").map { try context.owner($0, field: "--owner") }
        var rows: [DueReminder]
        var problems: [StoreError]
        if invocation.flag("once") {
            // Under the exclusive lock: of two overlapping cron runs, the second finds them
            // announced and stays silent. They are marked announced only once their lines
            // are written and flushed, so a failed write (a full disk, a closed pipe)
            // loses none; a crash between the two prints them again next time: at least
            // once, never lost.
            problems = try store.write { writer in
                let scan = try writer.allLeads()
                let rows = DueReminders.collect(from: scan.leads, now: now, owner: owner, unannouncedOnly: true)
                try render(rows, now: now, json: invocation.flag("json"), silentWhenEmpty: true, context)
                try context.output.flush()
                var numbers: [Int: Set<Int>] = [:]
                for row in rows { numbers[row.lead, default: []].insert(row.reminder.number) }
                var changes: [(lead: Lead, previous: Lead?, entry: ActivityEntry)] = []
                for lead in scan.leads where numbers[lead.id] != nil {
                    var updated = lead
                    for i in updated.reminders.indices where numbers[lead.id]!.contains(updated.reminders[i].number) {
                        updated.reminders[i].announcedAt = now
                    }
                    let announced = numbers[lead.id]!.sorted().map { JSONValue.number(String($0)) }
                    changes.append((updated, lead, ActivityEntry(
                        time: now, user: writer.actor.user, action: .remindAnnounce, lead: lead.id,
                        details: ["reminders": .array(announced)])))
                }
                try writer.save(changes)
                return scan.problems
            }
            if !problems.isEmpty { throw CorruptFiles(problems: problems) }
            return ExitStatus.success
        } else {
            var due: [DueReminder] = []
            problems = try store.scanSummaries(withOpenReminders: true, fields: [.name, .reminders]) { lead in
                due += DueReminders.due(in: lead, now: now, owner: owner, unannouncedOnly: false)
            }
            rows = DueReminders.sorted(due)
        }
        try render(rows, now: now, json: invocation.flag("json"), silentWhenEmpty: true, context)
        // Only a person at a terminal hears it: cron's stderr is no terminal, so it still
        // gets no output and sends no mail.
        if rows.isEmpty { try context.hint("nothing is due") }
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }

    /// `silentWhenEmpty` is for --due: an empty array would still be output, and cron
    /// mails any output. Other readers get `[]`, like every other --json list.
    static func render(_ rows: [DueReminder], now: Timestamp, json: Bool, silentWhenEmpty: Bool, _ context: CommandContext) throws {
        let out = context.output
        if json {
            guard !rows.isEmpty || !silentWhenEmpty else { return }
            try out.write(bytes: JSONWriter.pretty(.array(rows.map { row in
                let late = DueReminders.lateness(of: row.reminder.due, now: now)
                return .object([
                    "ref": .string(row.reference), "lead": .number(String(row.lead)), "name": .string(row.leadName),
                    "owner": .string(row.reminder.owner), "due": .string(row.reminder.due.stored),
                    "text": .string(row.reminder.text), "overdue": .bool(late.seconds >= 0),
                    "overdue_days": .number(String(max(0, late.days))), "overdue_seconds": .number(String(max(0, late.seconds))),
                ])
            })))
            return
        }
        guard !rows.isEmpty else { return }
        var table = TextTable([.init(title: "REF"), .init(title: "DUE"), .init(title: "OVERDUE"), .init(title: "OWNER"),
                               .init(title: "LEAD", flexible: true), .init(title: "TEXT", flexible: true)])
        for row in rows {
            let late = DueReminders.lateness(of: row.reminder.due, now: now)
            table.add([row.reference, LeadView.due(row.reminder.due), late.seconds >= 0 ? late.text : "",
                       row.reminder.owner, "#\(row.lead) \(row.leadName)", row.reminder.text],
                      style: late.seconds >= 0 ? Style.red : nil)
        }
        for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout) {
            try out.line(line)
        }
    }
}
