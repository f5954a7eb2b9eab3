import LeadsCore

enum LogCommand {
    static let actionChoices = Choices(ActivityAction.names, reason: "actions are " + ActivityAction.names.joined(separator: ", "),
                                       suggesting: true)

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let id = try invocation.positionals.first.map { try IDList.single($0) }
        let store = try context.store()
        let since = try invocation.value("since").map { try FieldParser.instant($0, field: "--since", now: try context.now()) }
        let user = invocation.value("user")
        let wanted = Set(invocation.values("action"))
        let count = invocation.value("count").flatMap(ValueParser.count)

        var entries = try store.activity(lead: id).filter { entry in
            (since == nil || entry.time >= since!)
                && (user == nil || entry.user == user) && (wanted.isEmpty || wanted.contains(entry.action))
        }
        if let count { entries = Array(entries.suffix(count)) }

        // Names come from the current lead files: the log holds none. Only the leads
        // shown are read; a deleted lead has no name any more.
        var names: [Int: String] = [:]
        for lead in Set(entries.compactMap(\.lead)) {
            if let found = try? store.lead(lead) { names[lead] = found.name }
        }

        let out = context.output
        func hint() throws {
            guard entries.isEmpty else { return }
            let filtered = id != nil || since != nil || user != nil || !wanted.isEmpty || count != nil
            try context.hint(filtered ? "no log entries match" : "the log is empty: nothing has been changed yet")
        }
        if invocation.flag("json") {
            try out.write(bytes: JSONWriter.pretty(.array(entries.map { LeadView.entryJSON($0, name: $0.lead.flatMap { names[$0] }) })))
            try hint()
            return ExitStatus.success
        }
        var table = TextTable([.init(title: "TIME"), .init(title: "USER"), .init(title: "LEAD", flexible: true), .init(title: "ACTION", flexible: true)])
        for entry in entries {
            var subject = ""
            if let lead = entry.lead { subject = "#\(lead)" + (names[lead].map { " " + $0 } ?? "") }
            else if let customer = entry.customer { subject = "customer \(customer)" }
            table.add([LeadView.time(entry.time), entry.user, subject, LeadView.describe(entry)])
        }
        if !entries.isEmpty {
            for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout, header: false) {
                try out.line(line)
            }
        }
        try hint()
        return ExitStatus.success
    }
}
