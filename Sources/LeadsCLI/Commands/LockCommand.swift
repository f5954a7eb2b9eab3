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
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // We ignore SIGPIPE and SIGXFSZ for ourselves; the command gets the defaults.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGXFSZ)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var arguments: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in arguments { free(pointer) } }
        var pid: pid_t = 0
        let failure = posix_spawnp(&pid, command[0], nil, &attributes, &arguments, environ)
        if failure != 0 {
            throw CommandError.childFailed(command: command[0], reason: ErrorReport.reason(failure),
                                           status: failure == ENOENT ? 127 : 126)
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
