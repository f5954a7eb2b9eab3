import LeadsCore

/// `leads subject-access EMAIL|ID [--json]`: everything the store holds on one person
/// (Docs/privacy.md). Which records belong to the person is decided in Core
/// (SubjectAccessReport); this file reads the store and renders.
enum SubjectAccessCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let raw = invocation.positionals[0]
        let subject: SubjectAccessReport.Subject
        if raw.contains("@") {
            guard ContactKeys.email(raw) != nil else {
                throw UsageError.invalidArgument(argument: "PERSON", value: raw, reason: "not an e-mail address (name@domain) or a lead ID")
            }
            subject = .email(raw)
        } else {
            subject = .lead(try IDList.single(raw))
        }
        let store = try context.store()
        let config = try store.config()
        let now = try context.now()
        var anchor: Lead?
        if case .lead(let id) = subject { anchor = try leadOrWhereItWent(id, store) }
        var report = SubjectAccessReport(subject, anchor: anchor)
        var problems = try store.scan(notes: true) { report.add($0) }
        for record in try store.mergedLeads() { report.add(record) }
        let (customers, customerProblems) = try store.allCustomers()
        problems += customerProblems
        for customer in customers { report.add(customer) }
        for entry in try store.activity() { report.add(entry) }
        for message in try store.keptMessages(naming: report.addresses) { report.add(message) }

        let out = context.output
        if invocation.flag("json") {
            let asked: JSONValue
            switch subject {
            case .email(let address): asked = .object(["email": .string(address)])
            case .lead(let id): asked = .object(["lead": .integer(id)])
            }
            try out.write(bytes: JSONWriter.pretty(.object([
                "subject": asked,
                "as_of": .string(now.iso8601),
                "leads": .array(report.leads.map { LeadView.json($0, config: config, now: now) }),
                "merged": .array(report.merged.map { mergedJSON($0, config: config, now: now) }),
                "customers": .array(report.customers.map(\.json)),
                "activity": .array(report.activity.map { LeadView.entryJSON($0, name: nil) }),
                "files": .array(report.leads.flatMap { lead in lead.files.map { file -> JSONValue in
                    guard case .object(var object) = FilesCommand.json(file, of: lead, store: store) else { return .null }
                    object["lead"] = .integer(lead.id)
                    return .object(object)
                } }),
                "mail": .array(report.mail.map(mailJSON)),
            ])))
        } else {
            let color = context.environment.colorOnStdout
            let who: String
            switch subject {
            case .email(let address): who = address
            case .lead(let id): who = "lead #\(id)" + (report.addressKey.map { " (\($0))" } ?? "")
            }
            func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
            let files = report.leads.reduce(0) { $0 + $1.files.count }
            try out.line(printable("Subject access for \(who), as of \(LeadView.time(now)): "
                                   + count(report.leads.count, "lead", "leads") + ", "
                                   + (report.merged.isEmpty ? "" : count(report.merged.count, "merged lead", "merged leads") + ", ")
                                   + (files == 0 ? "" : count(files, "file", "files") + ", ")
                                   + count(report.customers.count, "customer", "customers") + ", "
                                   + count(report.activity.count, "log record", "log records")
                                   + (report.mail.isEmpty ? "" : ", " + count(report.mail.count, "unmatched message", "unmatched messages"))))
            if report.isEmpty { try out.line("The store holds nothing on this person.") }
            for lead in report.leads {
                try out.line()
                try ShowCommand.render(lead, history: report.activity.filter { $0.lead == lead.id }, config: config, now: now, context)
            }
            for record in report.merged {
                try out.line()
                try out.line("Merged into #\(record.into) on \(LeadView.time(record.at)) by \(printable(record.by)), kept for 'leads unmerge':")
                try ShowCommand.render(record.other, history: report.activity.filter { $0.lead == record.other.id }, config: config, now: now, context)
            }
            for customer in report.customers {
                try out.line()
                try out.line(Style.apply(Style.bold, printable("Customer \(customer.id) \(customer.name)") + (customer.organization ? " (organization)" : ""), if: color))
                var rows: [(String, String)] = []
                for (label, value) in [("company", customer.company), ("email", customer.email), ("phone", customer.phone), ("address", customer.address)] {
                    if let value { rows.append((label, value)) }
                }
                if !customer.leads.isEmpty { rows.append(("leads", customer.leads.map { "#\($0)" }.joined(separator: ", "))) }
                for project in customer.projects { rows.append(("project", "\(project.name) (lead #\(project.lead), \(LeadView.time(project.at)))")) }
                rows.append(("created", "\(LeadView.time(customer.createdAt)) by \(customer.createdBy)"))
                rows.append(("updated", "\(LeadView.time(customer.updatedAt)) by \(customer.updatedBy)"))
                let width = rows.map { displayWidth($0.0) }.max() ?? 0
                for (label, value) in rows { try out.line("  " + label.padding(to: width) + "  " + printable(value)) }
                let history = report.activity.filter { $0.customer == customer.id && $0.lead == nil }
                for entry in history { try out.line(printable("  \(LeadView.time(entry.time))  \(entry.user)  \(LeadView.describe(entry))")) }
            }
        }
        if !report.mail.isEmpty && !invocation.flag("json") {
            try out.line()
            try out.line(Style.apply(Style.bold, "Mail kept unmatched (in no lead) that names the person", if: context.environment.colorOnStdout))
            for kept in report.mail {
                try out.line("  " + keptPath(kept))
                guard let message = kept.message else {
                    try out.line("    (unreadable: kept as it arrived, \(kept.bytes.count) bytes)")
                    continue
                }
                for (label, value) in [("From", MailFiling.format(message.from)), ("To", MailFiling.format(message.to)),
                                       ("Cc", MailFiling.format(message.cc)), ("Date", message.date.map(LeadView.time)),
                                       ("Subject", message.subject)] {
                    if let value { try out.line(printable("    \(label): \(value)")) }
                }
            }
        }
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }

    /// A lead merged away is asked for through the lead it went into.
    static func leadOrWhereItWent(_ id: Int, _ store: LeadStore) throws -> Lead {
        do { return try store.lead(id) } catch {
            guard case .mergedAway(_, let into) = error else { throw error }
            return try store.lead(into)
        }
    }

    static func keptPath(_ kept: KeptMessage) -> String { "mail/unmatched/" + kept.key + ".eml" }

    /// A kept message for a controller: its headers as read and its text; the file holds
    /// the message as it arrived.
    static func mailJSON(_ kept: KeptMessage) -> JSONValue {
        var object: [String: JSONValue] = ["file": .string(keptPath(kept)), "bytes": .integer(kept.bytes.count)]
        guard let message = kept.message else {
            object["unreadable"] = .bool(true)
            return .object(object)
        }
        func list(_ addresses: [MailAddress]) -> JSONValue { .array(addresses.map { .string($0.address) }) }
        object["from"] = list(message.from)
        object["to"] = list(message.to)
        if !message.cc.isEmpty { object["cc"] = list(message.cc) }
        if let subject = message.subject { object["subject"] = .string(subject) }
        if let date = message.date { object["date"] = .string(date.iso8601) }
        if let id = message.messageID { object["message_id"] = .string(id) }
        object["text"] = .string(message.text)
        if !message.attachments.isEmpty { object["attachments"] = .array(message.attachments.map { .string($0.filename ?? MailFiling.fallbackName($0)) }) }
        return .object(object)
    }

    static func mergedJSON(_ record: MergedLead, config: StoreConfig, now: Timestamp) -> JSONValue {
        guard case .object(var object) = LeadView.json(record.other, config: config, now: now) else { return .null }
        object["merged_into"] = .integer(record.into)
        object["merged_at"] = .string(record.at.iso8601)
        return .object(object)
    }
}
