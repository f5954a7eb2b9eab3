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
            ErrorReport.notice("created \(what) in \(path)")
        } else if wroteConfig {
            ErrorReport.notice("initialised \(what) in \(path)")
        } else {
            ErrorReport.notice("\(path) is already initialised")
        }
        return ExitStatus.success
    }
}
