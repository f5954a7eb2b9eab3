import LeadsCore

enum ShowCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let id = try IDList.single(invocation.positionals[0])
        let store = try context.store()
        let config = try store.config()
        let now = try context.now()
        let lead = try store.lead(id)
        let history = try store.activity(lead: id)
        let out = context.output

        if invocation.flag("json") {
            guard case .object(var object) = LeadView.json(lead, config: config, now: now) else { return ExitStatus.failure }
            object["history"] = .array(history.map { LeadView.entryJSON($0, name: nil) })
            try out.write(bytes: JSONWriter.pretty(.object(object)))
            return ExitStatus.success
        }
        try render(lead, history: history, config: config, now: now, context)
        return ExitStatus.success
    }

    /// The lead as `show` prints it: fields, reminders, notes, history. `subject-access`
    /// prints each of a person's leads the same way.
    static func render(_ lead: Lead, history: [ActivityEntry], config: StoreConfig, now: Timestamp, _ context: CommandContext) throws {
        let out = context.output
        let color = context.environment.colorOnStdout
        // Everything from the lead goes through printable(): no data may drive the terminal.
        let title = "#\(lead.id) \(printable(lead.name))" + (lead.organization ? " (organization)" : "")
        try out.line(Style.apply(Style.bold, title, if: color))
        var rows: [(String, String)] = []
        let probability = lead.effectiveProbability(config)
        rows.append(("stage", "\(lead.stage) (\(probability) %\(lead.probability == nil ? "" : ", set on the lead"))"))
        if let value = lead.value {
            let weighted = (try? lead.weightedValue(config)).flatMap { $0 }
            rows.append(("value", LeadView.money(value) + (weighted.map { "   weighted \(LeadView.money($0))" } ?? "")))
        }
        rows.append(("owner", lead.owner ?? ""))
        for (label, value) in [("company", lead.company), ("email", lead.email), ("phone", lead.phone),
                               ("address", lead.address), ("source", lead.source), ("campaign", lead.campaign)] {
            if let value { rows.append((label, value)) }
        }
        if !lead.labels.isEmpty { rows.append(("labels", lead.labels.joined(separator: ", "))) }
        if let close = lead.expectedClose { rows.append(("close", close.iso)) }
        if let reason = lead.lostReason { rows.append(("lost reason", reason)) }
        if let contact = lead.lastContact { rows.append(("last contact", "\(LeadView.time(contact.at)) by \(contact.by)")) }
        if let conversion = lead.conversion {
            var text = "customer \(conversion.customer) on \(LeadView.time(conversion.at)) by \(conversion.by)"
            if !conversion.projects.isEmpty { text += "; projects: " + conversion.projects.joined(separator: ", ") }
            rows.append(("converted", text))
        }
        for key in lead.fields.keys.sorted() { rows.append(("field:" + key, lead.fields[key]!)) }
        for key in lead.extra.keys.sorted() { rows.append((key, String(decoding: JSONWriter.compact(lead.extra[key]!), as: UTF8.self))) }
        rows.append(("created", "\(LeadView.time(lead.createdAt)) by \(lead.createdBy)"))
        rows.append(("updated", "\(LeadView.time(lead.updatedAt)) by \(lead.updatedBy)"))
        let width = rows.map { displayWidth($0.0) }.max() ?? 0
        for (label, value) in rows {
            let lines = value.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            try out.line("  " + label.padding(to: width) + "  " + printable(lines.first.map(String.init) ?? ""))
            for more in lines.dropFirst() { try out.line("  " + String(repeating: " ", count: width) + "  " + printable(String(more))) }
        }

        if !lead.reminders.isEmpty {
            try out.line()
            try out.line(Style.apply(Style.bold, "Reminders", if: color))
            for reminder in lead.reminders.sorted(by: { $0.number < $1.number }) {
                var line = "  \(lead.id).\(reminder.number)  \(LeadView.due(reminder.due))  \(printable(reminder.owner))"
                if !reminder.text.isEmpty { line += "  \(printable(reminder.text))" }
                if let done = reminder.doneAt {
                    line += "  (done \(LeadView.time(done)))"
                } else if !lead.isClosed && reminder.due.dueInstant <= now {
                    line += "  " + Style.apply(Style.red, "! " + LeadView.overdueText(reminder.due, now: now), if: color)
                }
                try out.line(line)
            }
        }
        if !lead.files.isEmpty {
            try out.line()
            try out.line(Style.apply(Style.bold, "Files", if: color))
            var table = TextTable([.init(title: "NAME", flexible: true), .init(title: "SIZE", alignment: .right), .init(title: "ADDED"), .init(title: "BY")])
            for file in lead.files { table.add([file.name, LeadView.size(file.size), LeadView.time(file.addedAt), file.addedBy]) }
            for line in table.render(width: context.environment.terminalColumns.map { $0 - 2 }, color: color, header: false) { try out.line("  " + line) }
        }
        if !lead.notes.isEmpty {
            try out.line()
            try out.line(Style.apply(Style.bold, "Notes", if: color))
            for note in lead.notes {
                try out.line("  \(LeadView.time(note.at))  \(printable(note.by))" + (note.contacted ? "  (contacted)" : ""))
                for line in note.text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) { try out.line("    " + printable(String(line))) }
            }
        }
        if !history.isEmpty {
            try out.line()
            try out.line(Style.apply(Style.bold, "History", if: color))
            for entry in history {
                try out.line(printable("  \(LeadView.time(entry.time))  \(entry.user)  \(LeadView.describe(entry))"))
            }
        }
    }
}
