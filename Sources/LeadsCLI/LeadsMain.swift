import Glibc
import LeadsCore

public enum LeadsMain {
    /// Runs one invocation and returns the process exit status.
    /// The process's own arguments. Swift's `CommandLine.arguments` repairs bytes that are
    /// not UTF-8 into U+FFFD, and a name typed in a Latin-1 terminal would be stored
    /// altered without a word; the raw bytes are checked first and such an argument refused.
    public static func main() -> Int32 {
        // The process ends after one command: what it built need not be freed.
        ProcessLifetime.keepUntilExit()
        var arguments: [String] = []
        for index in 0..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { break }
            let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return ErrorReport.report(UsageError.notUTF8(position: index, bytes: Array(bytes)))
            }
            arguments.append(text)
        }
        return run(arguments)
    }

    public static func run(_ arguments: [String]) -> Int32 {
        // A reader that stops early (`leads list | head -1`) must not kill us mid-write
        // with a signal: we see EPIPE and end quietly instead.
        signal(SIGPIPE, SIG_IGN)
        // A file-size limit (ulimit -f) must fail a write with EFBIG, not kill us mid-change.
        signal(SIGXFSZ, SIG_IGN)
        let output = Output()
        var context: CommandContext?
        // After a change is committed, nothing turns it into a failure: what the store
        // could not do after its commit point comes out as a warning, whatever the status.
        defer { if let warnings = context?.openedStoreWarnings { ErrorReport.warn(warnings) } }
        do {
            let invocation = try CommandLineParser.parse(arguments)
            if invocation.wantsVersion {
                try output.line("leads \(leadsVersion)")
            } else if invocation.wantsHelp || invocation.command == nil {
                // Phase one only: help never touches the environment or the data directory.
                try output.write(invocation.command.map(HelpText.command) ?? HelpText.general())
            } else if let command = invocation.command {
                // The table decides the lock: the context's store takes exactly this one.
                let commandContext = CommandContext(invocation: invocation, environment: .current(), output: output,
                                                    lock: command.lock.kind(for: invocation))
                context = commandContext
                let status = try command.run(invocation, commandContext)
                try output.flush()
                return status
            }
            try output.flush()
            return ExitStatus.success
        } catch {
            // Whatever was printed before a failure still goes out (e.g. rows before a
            // corrupt file was met); a write error there is reported too.
            let status = ErrorReport.report(error)
            do { try output.flush() } catch { return ErrorReport.report(error) == 0 ? status : ExitStatus.failure }
            return status
        }
    }
}
