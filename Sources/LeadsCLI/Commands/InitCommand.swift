import LeadsCore

enum InitCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let path = try invocation.positionals.first ?? context.dataDirectory()
        let store = try context.store(at: path)
        let shared = invocation.flag("shared")
        let existed = store.exists
        let wroteConfig = try store.writeDefaultConfig(sharedGroup: shared)
        let what = shared ? "a group-shared data directory" : "a data directory"
        if !existed {
            Output.standardError("leads: created \(what) in \(path)")
        } else if wroteConfig {
            Output.standardError("leads: initialised \(what) in \(path)")
        } else {
            Output.standardError("leads: \(path) is already initialised")
        }
        return ExitStatus.success
    }
}
