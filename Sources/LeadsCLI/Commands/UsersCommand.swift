import LeadsCore

/// `users`, `users add NAME --email E …`, `users remove NAME`: the users table of
/// config.json, read and changed under the store's lock.
enum UsersCommand {
    static let addOptions: Set<String> = ["email", "full-name", "alias", "language"]

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let arguments = invocation.positionals
        let action = arguments.first ?? "list"
        for option in addOptions where invocation.flag(option) && action != "add" {
            throw UsageError.optionRequires(option: "--" + option, modes: ["users add"])
        }
        if invocation.flag("json") && action != "list" {
            throw UsageError.optionRequires(option: "--json", modes: ["users (the list)"])
        }
        switch action {
        case "list":
            if arguments.count > 1 { throw UsageError.unexpectedArgument(command: "users", value: arguments[1]) }
            return try list(invocation, context)
        case "add", "remove":
            guard arguments.count >= 2 else { throw UsageError.missingArgument(command: "users " + action, name: "NAME") }
            if arguments.count > 2 { throw UsageError.unexpectedArgument(command: "users " + action, value: arguments[2]) }
            return action == "add" ? try add(arguments[1], invocation, context) : try remove(arguments[1], context)
        default:
            throw UsageError.unexpectedArgument(command: "users", value: action)
        }
    }

    static func list(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let users = try context.store().config().users.users
        let out = context.output
        if invocation.flag("json") {
            try out.write(bytes: JSONWriter.pretty(.array(users.map(\.json))))
            return ExitStatus.success
        }
        guard !users.isEmpty else { return ExitStatus.success }
        var table = TextTable([.init(title: "NAME"), .init(title: "EMAIL", flexible: true), .init(title: "FULL NAME", flexible: true),
                               .init(title: "ALIASES", flexible: true), .init(title: "LANG")])
        for user in users {
            table.add([user.name, user.email ?? "", user.fullName ?? "", user.aliases.joined(separator: ", "), user.language ?? ""])
        }
        for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout) {
            try out.line(line)
        }
        return ExitStatus.success
    }

    static func add(_ name: String, _ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        guard let email = invocation.value("email") else { throw UsageError.missingArgument(command: "users add", name: "--email") }
        let user = User(name: name, email: email, fullName: invocation.value("full-name"), aliases: invocation.values("alias"),
                        language: invocation.value("language"))
        _ = try context.store().updateConfig { config in try config.users.add(user) }
        ErrorReport.notice("user \(name) added (\(email))")
        return ExitStatus.success
    }

    static func remove(_ name: String, _ context: CommandContext) throws -> Int32 {
        _ = try context.store().updateConfig { config in try config.users.remove(name) }
        ErrorReport.notice("user \(name) removed")
        return ExitStatus.success
    }
}
