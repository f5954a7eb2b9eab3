import LeadsCore

enum AddCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let config = try store.config()
        let now = try context.now()
        let user = context.user

        // Everything is validated before the lock is taken: bad input changes nothing.
        let name = try FieldParser.name(invocation.positionals[0], field: "NAME")
        let stage = try invocation.value("stage").map { try FieldParser.stage($0, field: "--stage", config: config) } ?? config.stages[0]
        var lead = Lead(id: 0, name: name, stage: stage.name, createdAt: now, createdBy: user)
        lead.owner = try invocation.value("owner").map { try context.owner($0, field: "--owner") } ?? context.actingOwner()
        _ = try LeadEdits.apply(invocation, to: &lead, config: config, now: now)
        if let raw = invocation.value("note") {
            lead.notes.append(Note(at: now, by: user, text: try FieldParser.note(raw, field: "--note"), contacted: false))
        }
        if let raw = invocation.value("next") {
            let due = try FieldParser.when(raw, field: "--next", now: now)
            lead.reminders.append(Reminder(number: 1, due: due, text: "", owner: lead.owner ?? user, createdAt: now))
        }
        let allowDuplicate = invocation.flag("allow-duplicate")

        let id = try store.write { writer in
            // Before the duplicate check, and not waived by --allow-duplicate: the person
            // asked not to be contacted.
            if let list = try writer.suppressionList(), let entry = list.entry(for: lead, home: try PrivacySettings(writer.config).country) {
                throw PrivacyError.suppressed(rule: entry.rule)
            }
            if !allowDuplicate, let duplicate = try writer.duplicate(of: lead) {
                throw StoreError.duplicate(existing: duplicate.id, match: duplicate.match)
            }
            lead.id = try writer.newLeadID()
            var details = ActivityEntry.newLeadDetails(lead)
            if let reminder = lead.reminders.first { details["due"] = .string(reminder.due.stored) }
            try writer.save(lead, previous: nil, log: ActivityEntry(time: now, user: user, action: .add, lead: lead.id, details: details))
            return lead.id
        }
        try context.output.line(String(id))
        lead.id = id
        var facts = [lead.stage] + (lead.owner.map { [$0] } ?? [])
        if let value = lead.value { facts.append(Confirmation.money(value)) }
        if let reminder = lead.reminders.first { facts.append("follow-up " + Confirmation.due(reminder.due)) }
        try context.confirm(Confirmation.lead(lead, "added (" + facts.joined(separator: ", ") + ")"))
        return ExitStatus.success
    }
}
