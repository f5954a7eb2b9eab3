import Glibc
import LeadsCore

enum DeleteCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let ids = try IDList.parse(invocation.positionals)
        let store = try context.store()
        if !invocation.flag("yes") {
            // Erasure cannot be undone: ask a person; refuse a script that did not say --yes.
            guard context.environment.stdinIsTerminal && context.environment.stderrIsTerminal,
                  !invocation.positionals.contains("-") else {
                throw CommandError.confirmationRequired(command: "delete")
            }
            var names: [String] = []
            for id in ids { names.append("\(id) \(try store.lead(id).name)") }
            let what = ids.count == 1 ? "lead " + names[0] : "\(ids.count) leads (" + names.joined(separator: ", ") + ")"
            guard confirm("delete \(what)? This cannot be undone. [y/N] ") else { throw CommandError.declined }
        }
        let now = try context.now()
        let withCustomer = invocation.flag("with-customer")
        let suppress = invocation.flag("suppress")
        var mail: [Int: Int] = [:]
        let deleted = try store.write { writer in
            let home = try PrivacySettings(writer.config).country
            var list = suppress ? try writer.suppressionList() ?? writer.newSuppressionList() : nil
            let leads = try ids.map { try writer.lead($0) }
            // A converted lead's customer record holds the same person: erasing the lead
            // alone would leave them in customers/. Everything is checked before anything
            // is erased, so a refusal changes nothing.
            var customers: [Int: Customer] = [:]
            for lead in leads {
                guard let id = lead.conversion?.customer else { continue }
                let customer: Customer
                do { customer = try writer.customer(id) } catch StoreError.customerNotFound { continue }
                guard withCustomer else { throw CommandError.convertedLeadHasCustomer(id: lead.id, customer: id) }
                let others = customer.leads.filter { !ids.contains($0) }
                guard others.isEmpty else { throw CommandError.customerHasOtherLeads(customer: id, leads: others) }
                customers[id] = customer
            }
            var erased: Set<Int> = []
            for lead in leads {
                let user = writer.actor.user
                var entries = [ActivityEntry(time: now, user: user, action: .delete, lead: lead.id)]
                var customer: Customer?
                if let id = lead.conversion?.customer, let found = customers[id], erased.insert(id).inserted {
                    customer = found
                    entries.append(ActivityEntry(time: now, user: user, action: .delete, customer: id))
                }
                if list != nil {
                    // The person stays recognisable, and only that: their addresses' keyed
                    // hashes, listed in the same commit as the erasure.
                    var added = list!.add(lead, home: home, at: now, by: user)
                    if let customer { added += list!.add(email: customer.email, phone: customer.phone, home: home, at: now, by: user) }
                    entries[0].details["suppressed"] = .array(added.map { .integer($0.number) })
                }
                mail[lead.id] = try writer.delete(lead, customer: customer, log: entries, suppressing: list)
            }
            return leads
        }
        try context.confirm(Confirmation.leads(deleted.map { ($0, "deleted") }, summary: "deleted"))
        for lead in deleted where mail[lead.id, default: 0] > 0 {
            let n = mail[lead.id]!
            try context.confirm("#\(lead.id): also erased \(Confirmation.count(n, "message")) kept in mail/unmatched/ that named the person")
        }
        return ExitStatus.success
    }

    static func confirm(_ question: String) -> Bool {
        let bytes = Array((ErrorReport.prefix + question).utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 && byte != 10 { answer.append(byte) }
        let text = String(decoding: answer, as: UTF8.self).lowercased()
        return text == "y" || text == "yes"
    }
}
