import LeadsCore

enum AssignCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let (ids, userText) = try LeadUpdate.idsAndLast(invocation)
        let owner = try FieldParser.name(userText, field: "USER")
        let now = try context.now()
        try LeadUpdate.apply(ids, in: context) { lead, writer in
            let previous = lead.owner
            guard previous != owner else { return nil }
            lead.owner = owner
            // The previous owner's open follow-ups go with the lead, so cron reminds the
            // new owner rather than someone who no longer has it.
            for i in lead.reminders.indices where lead.reminders[i].isOpen && lead.reminders[i].owner == (previous ?? "") {
                lead.reminders[i].owner = owner
            }
            var details: [String: JSONValue] = ["to": .string(owner)]
            if let previous { details["from"] = .string(previous) }
            return ActivityEntry(time: now, user: writer.actor.user, action: .assign, lead: lead.id, details: details)
        }
        return ExitStatus.success
    }
}
