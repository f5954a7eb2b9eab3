import Glibc
import LeadsCore

public enum LeadsMain {
    /// Runs one invocation and returns the process exit status.
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
