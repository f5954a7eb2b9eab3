import LeadsCore

/// `leads suppress EMAIL|PHONE…`: puts people on the suppression list without a lead to
/// delete (a "do not contact me" by phone, a bounce list). SuppressionList says what is kept.
enum SuppressCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let now = try context.now()
        let store = try context.store()
        let home = try PrivacySettings(try store.config()).country
        // Every argument is checked before anything is written.
        var keys: [(SuppressionList.Kind, String)] = []
        for raw in invocation.positionals {
            if raw.contains("@"), let email = ContactKeys.email(raw) {
                keys.append((.email, email))
            } else if !raw.contains("@"), let phone = ContactKeys.phone(raw, home: home) {
                keys.append((.phone, phone))
            } else {
                throw UsageError.invalidArgument(argument: "ADDRESS", value: raw, reason: "neither an e-mail address (name@domain) nor a phone number")
            }
        }
        let outcome = try store.write { writer -> (added: [SuppressionList.Entry], known: [SuppressionList.Entry], leads: [Int]) in
            var list = try writer.suppressionList() ?? writer.newSuppressionList()
            var added: [SuppressionList.Entry] = [], known: [SuppressionList.Entry] = []
            for (kind, key) in keys {
                let result = list.add(kind, key, at: now, by: writer.actor.user)
                if result.isNew { added.append(result.entry) } else { known.append(result.entry) }
            }
            if !added.isEmpty {
                try writer.saveSuppression(list, log: [ActivityEntry(time: now, user: writer.actor.user, action: .suppress,
                                                                     details: ["entries": .array(added.map { .integer($0.number) })])])
            }
            // Leads that still hold a suppressed address: said, not touched (erasing is
            // a decision for `delete --suppress`).
            let holding = try writer.allLeads().leads.filter { list.entry(for: $0, home: home) != nil }.map(\.id)
            return (added, known, holding.sorted())
        }
        for entry in outcome.added { ErrorReport.notice("added \(entry.rule)") }
        for entry in outcome.known { ErrorReport.notice("already listed as \(entry.rule)") }
        if !outcome.leads.isEmpty {
            let ids = outcome.leads.map(String.init).joined(separator: " ")
            ErrorReport.notice("\(outcome.leads.count == 1 ? "lead \(ids) still holds" : "leads \(ids) still hold") a suppressed address; 'leads delete \(ids) --suppress' erases \(outcome.leads.count == 1 ? "it" : "them")")
        }
        return ExitStatus.success
    }
}
