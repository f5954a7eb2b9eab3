import Glibc
import LeadsCore

/// `lock [--shared] -- CMD [ARGS]`: runs CMD while holding the store's lock, for
/// consistent backups and scripts that edit files by hand; exits with CMD's status.
enum LockCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let command = invocation.positionals
        let store = try context.store()
        // The table's lock rule reads --shared.
        let mode: LockMode = context.lock == .shared ? .shared : .exclusive
        return try store.holdingLock(mode) { () throws -> Int32 in
            try context.output.flush()
            return try spawnAndWait(command)
        }
    }

    static func spawnAndWait(_ command: [String]) throws -> Int32 {
        let pid: pid_t
        switch ChildProcess.spawn(command) {
        case .success(let started): pid = started
        case .failure(let error):
            throw CommandError.childFailed(command: command[0], reason: ErrorReport.reason(error.code),
                                           status: error.code == ENOENT ? 127 : 126)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw SystemError("wait", command[0]) }
        }
        // Exit status as a shell reports it: the code, or 128 + the signal.
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
