/// `leads completion bash|zsh|fish`: phase one only, like help (no store, no environment).
enum CompletionCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let shell = invocation.positionals[0]
        guard let script = Completions.script(for: shell) else {
            throw UsageError.invalidArgument(argument: "SHELL", value: shell,
                                             reason: "expected one of " + Completions.shells.joined(separator: ", "))
        }
        try context.output.write(script)
        return ExitStatus.success
    }
}
