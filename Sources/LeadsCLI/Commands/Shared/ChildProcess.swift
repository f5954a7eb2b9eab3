import Glibc
import LeadsCore

/// Starts another program the way `lock -- CMD` and `remind --due --mail` (sendmail) do:
/// looked up on PATH, with SIGPIPE and SIGXFSZ back at their defaults, since leads ignores
/// both for itself (LeadsMain) and a child must not inherit that.
enum ChildProcess {
    /// The child's PID, or the errno of a spawn that failed (ENOENT: no such program).
    static func spawn(_ command: [String], actions: UnsafePointer<posix_spawn_file_actions_t>? = nil) -> Result<pid_t, SystemError> {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGXFSZ)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var arguments: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in arguments { free(pointer) } }
        var pid: pid_t = 0
        let failure = posix_spawnp(&pid, command[0], actions, &attributes, &arguments, environ)
        return failure == 0 ? .success(pid) : .failure(SystemError("spawn", command[0], failure))
    }
}
