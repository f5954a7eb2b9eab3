import LeadsCore

enum SetCommand {
    static let editOptions = ["name", "company", "org", "no-org", "email", "phone", "address", "source", "campaign",
                              "value", "currency", "probability", "close", "label", "field"]

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let ids = try IDList.parse(invocation.positionals)
        guard editOptions.contains(where: invocation.flag) else { throw CommandError.nothingToChange(command: "set") }
        let config = try context.store().config()
        let now = try context.now()
        // Validate every value once before taking the lock, on a scratch lead. It has a
        // value, so that `--currency` alone is checked as a code here and refused under the
        // lock only for a named lead that has no value to give a currency.
        var scratch = Lead(id: 1, name: "x", stage: config.stages[0].name, createdAt: now, createdBy: "")
        scratch.value = Money(amount: .zero, currency: config.currency)
        _ = try LeadEdits.apply(invocation, to: &scratch, config: config, now: now)
        let outcome = try LeadUpdate.apply(ids, in: context) { lead, writer in
            let before = lead
            let changed = try LeadEdits.apply(invocation, to: &lead, config: config, now: now)
            guard !changed.isEmpty else { return nil }
            return ActivityEntry(time: now, user: writer.actor.user, action: .set, lead: lead.id,
                                 details: LeadEdits.logDetails(before: before, after: lead, changed: changed))
        }
        try context.confirm(Confirmation.leads(outcome.changed.map { ($0.after, LeadEdits.describe(before: $0.before, after: $0.after)) },
                                               summary: "fields changed", unchanged: outcome.unchanged))
        return ExitStatus.success
    }
}
