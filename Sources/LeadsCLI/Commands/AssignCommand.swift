import LeadsCore

enum AssignCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let (ids, userText) = try LeadUpdate.idsAndLast(invocation)
        let owner = try context.owner(userText, field: "USER")
        let now = try context.now()
        let outcome = try LeadUpdate.apply(ids, in: context) { lead, writer in
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
        try context.confirm(Confirmation.leads(outcome.changed.map { ($0.after, change(from: $0.before, to: $0.after)) },
                                               summary: "owner → " + owner, unchanged: outcome.unchanged))
        return ExitStatus.success
    }

    /// "owner alice → bob", "owner → bob, 2 follow-ups moved".
    static func change(from before: Lead, to after: Lead) -> String {
        var text = "owner " + (before.owner.map { $0 + " " } ?? "") + "→ " + (after.owner ?? "")
        let moved = zip(before.reminders, after.reminders).filter { $0.owner != $1.owner }.count
        if moved > 0 { text += ", " + Confirmation.count(moved, "follow-up") + " moved" }
        return text
    }
}
