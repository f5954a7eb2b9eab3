import LeadsCore

enum CustomersCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let (customers, problems) = try context.store().allCustomers()
        let out = context.output
        if invocation.flag("json") {
            try out.write(bytes: JSONWriter.pretty(.array(customers.map(\.json))))
        } else if !customers.isEmpty {
            var table = TextTable([.init(title: "ID", alignment: .right), .init(title: "NAME", flexible: true),
                                   .init(title: "EMAIL", flexible: true), .init(title: "LEADS"), .init(title: "PROJECTS", flexible: true)])
            for customer in customers {
                table.add([String(customer.id), customer.name, customer.email ?? "",
                           customer.leads.map(String.init).joined(separator: ","),
                           customer.projects.map(\.name).joined(separator: ", ")])
            }
            for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout) {
                try out.line(line)
            }
        }
        if customers.isEmpty { try context.hint("no customers yet: 'leads convert ID' makes one of a won lead") }
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }
}
