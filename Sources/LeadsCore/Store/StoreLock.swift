import Glibc

// The lock protocol, whole. Other programs (backup scripts, `leads lock -- CMD`,
// Python's fcntl.lockf) take part by locking the same file the same way.
//
// - The lock is a POSIX record lock over the whole of DIR/.lock (l_start 0, l_len 0):
//   exclusive (F_WRLCK) for every writer, shared (F_RDLCK) for readers that scan all
//   leads, so they never see half of an import. The file is never deleted, so every
//   process locks the same inode.
// - We use the open-file-description variant (F_OFD_SETLK): a classic fcntl lock is
//   dropped when the process closes *any* descriptor of the file, an OFD lock only when
//   its own description is closed. Both conflict with each other, so a classic
//   `lockf` holder excludes us and we exclude it. Kernels without OFD locks (EINVAL)
//   get the classic variant; we then never open the lock file a second time.
// - The kernel drops the lock when its holder dies: a `kill -9` leaves no stale lock.
//   NFS (v4, or v3 with lockd) forwards both variants to the server.
// - Waiting polls F_OFD_SETLK with a short back-off rather than sleeping in F_SETLKW,
//   which would need a signal to time out. After LEADS_LOCK_TIMEOUT seconds we give up
//   (exit 75 in the CLI); nothing has been written at that point.
// - An exclusive holder writes one line about itself into the file (pid, host, user,
//   command, time) and truncates it before unlocking, so a waiter can name it, and so
//   the next exclusive holder that finds a line there knows its writer died holding the
//   lock (`abandonedBy`): it settles what a commit of that writer left before it reads
//   anything (UnfinishedChanges.swift). A reader that finds such a line (`holderLineLeft`
//   under its shared lock, `holderDied` without a lock) lets go, takes the exclusive
//   lock to settle the same way, and then takes its own again (LeadStore.acquireLock). OFD
//   locks report no pid, classic ones do: for a classic holder (another program) we
//   name it from F_GETLK and /proc instead.

private let F_OFD_GETLK: Int32 = 36
private let F_OFD_SETLK: Int32 = 37

public enum LockMode: Sendable { case shared, exclusive }

/// The lock a whole command takes, as its row in the command table declares it. A
/// store told the command's kind (`LeadStore.commandLock`) takes exactly that mode for
/// every lock it needs; needing more than declared is a bug in the table, caught by
/// the first test that runs the command.
public enum LockKind: String, Sendable, CaseIterable {
    /// Reads single files (replaced atomically) or nothing of the store: `show`, `log`, `help`.
    /// Like `shared`, it takes the exclusive lock for a moment when a writer died holding
    /// it, to settle that writer's commit before reading (UnfinishedChanges.swift).
    case none
    /// Scans every lead, so must not see half of an import: `list`, `pipeline`, `fsck`.
    case shared
    /// Writes: every command that changes a file or the log.
    case exclusive

    /// The mode taken when the store needs `requested` for a command of this kind.
    func mode(for requested: LockMode) -> LockMode {
        switch (self, requested) {
        case (.exclusive, _): return .exclusive
        case (.shared, .shared): return .shared
        // A single-file read that must be current on a network file system takes the
        // shared lock (CurrentReads.swift) although its command needs none on a local disk.
        case (.none, .shared): return .shared
        default:
            preconditionFailure("a command declared with the \(rawValue) lock needs the \(requested) lock: fix its lock in CommandTable")
        }
    }
}

/// Who holds the lock, as far as can be told.
public struct LockHolder: Sendable, Equatable {
    public var pid: Int32?
    public var host: String?
    public var user: String?
    public var command: String?
    public var since: String?
    public var shared: Bool
}

public final class StoreLock {
    private let fd: Int32
    public let mode: LockMode
    /// Only a taken lock is released: a waiter that gave up must not empty the holder's line.
    private var held = false
    /// The line an exclusive holder left in the file and never truncated: it died
    /// holding the lock (killed, or its machine went down). Read as this lock is taken.
    public private(set) var abandonedBy: LockHolder?

    /// Takes the lock on `name` in `directory`, waiting up to `timeout` seconds.
    /// `onWait` is called once, about a second into a wait, with the current holder.
    static func acquire(
        in directory: Directory, name: String = ".lock", mode: LockMode, timeout: Double,
        identity: String, groupShared: Bool = false, onWait: ((LockHolder?) -> Void)? = nil
    ) throws(StoreError) -> StoreLock {
        var flags = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW
        var fd = StaleHandle.retrying { openat(directory.fd, name, flags, 0o666) }
        if fd < 0 && mode == .shared && (errno == EACCES || errno == EROFS) {
            // A reader may lack write permission; a read lock needs only read access.
            flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW
            fd = openat(directory.fd, name, flags)
        }
        guard fd >= 0 else {
            if errno == ELOOP { throw .notARegularFile(directory.path(name)) }
            throw .system(SystemError("open", directory.path(name)))
        }
        // A team's members must all be able to open the lock file for writing.
        if groupShared && flags & O_RDWR != 0 { _ = fchmod(fd, 0o660) }
        let lock = StoreLock(fd: fd, mode: mode)
        let start = monotonicSeconds()
        var delay = 0.001
        var announced = false
        while true {
            switch lock.tryLock() {
            case .acquired:
                lock.held = true
                if mode == .exclusive {
                    lock.abandonedBy = lock.readRecordedHolder().map { LockHolder.parse($0, shared: false) }
                    lock.recordHolder(identity)
                }
                return lock
            case .busy:
                let waited = monotonicSeconds() - start
                if waited >= timeout {
                    throw .lockTimeout(lock.holder(), seconds: timeout)
                }
                if !announced && waited >= 1.0 {
                    announced = true
                    onWait?(lock.holder())
                }
                // Jitter keeps several waiters from retrying in lock-step.
                let pause = min(delay * Double.random(in: 0.5...1.5), max(0.0005, timeout - waited))
                sleepSeconds(pause)
                delay = min(delay * 2, 0.02)
            case .failed(let code):
                throw .system(SystemError("lock", directory.path(name), code))
            }
        }
    }

    private init(fd: Int32, mode: LockMode) {
        self.fd = fd
        self.mode = mode
    }

    deinit { release() }

    private enum Attempt { case acquired, busy, failed(Int32) }

    private var useClassic = false

    private static func request(_ type: Int32) -> flock {
        var request = flock()
        request.l_type = Int16(type)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0
        request.l_pid = 0
        return request
    }

    private func tryLock() -> Attempt {
        var want = Self.request(mode == .exclusive ? F_WRLCK : F_RDLCK)
        if !useClassic {
            if fcntl(fd, F_OFD_SETLK, &want) == 0 { return .acquired }
            if errno == EINVAL {
                useClassic = true
                return tryLock()
            }
        } else if fcntl(fd, F_SETLK, &want) == 0 {
            return .acquired
        }
        switch errno {
        case EAGAIN, EACCES, EINTR: return .busy
        default: return .failed(errno)
        }
    }

    /// The holder's line is written into the lock file; truncated again before unlock.
    private func recordHolder(_ identity: String) {
        let bytes = Array(identity.utf8) + [10]
        _ = ftruncate(fd, 0)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Best-effort description of whoever blocks us now.
    func holder() -> LockHolder? {
        var probe = Self.request(mode == .exclusive ? F_WRLCK : F_RDLCK)
        let call = useClassic ? F_GETLK : F_OFD_GETLK
        guard fcntl(fd, call, &probe) == 0, probe.l_type != Int16(F_UNLCK) else { return nil }
        let shared = probe.l_type == Int16(F_RDLCK)
        if probe.l_pid > 0 {
            // A classic lock: another program. The kernel tells its pid.
            return LockHolder(pid: probe.l_pid, host: nil, user: processOwner(probe.l_pid),
                              command: processCommand(probe.l_pid), since: nil, shared: shared)
        }
        // An OFD lock, i.e. another leads process: it described itself in the file.
        if !shared, let line = readRecordedHolder() {
            return LockHolder.parse(line, shared: shared)
        }
        return LockHolder(pid: nil, host: nil, user: nil, command: nil, since: nil, shared: shared)
    }

    /// Whether an exclusive holder's line is left in the file while this lock is held
    /// shared: no exclusive holder can be alive then, so its writer died holding the lock.
    var holderLineLeft: Bool { mode == .shared && held && readRecordedHolder() != nil }

    /// Without taking the lock, for a reader that takes none: whether the file holds an
    /// exclusive holder's line while no process holds the lock exclusively, i.e. that
    /// holder died holding it. One open and read of an empty file when none did.
    static func holderDied(in directory: Directory, name: String = ".lock") -> Bool {
        let fd = openat(directory.fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var byte: UInt8 = 0
        guard pread(fd, &byte, 1, 0) == 1 else { return false }
        var want = request(F_RDLCK)
        if fcntl(fd, F_OFD_GETLK, &want) != 0 {
            want = request(F_RDLCK)
            guard errno == EINVAL, fcntl(fd, F_GETLK, &want) == 0 else { return false }
        }
        return want.l_type == Int16(F_UNLCK)
    }

    private func readRecordedHolder() -> String? {
        var buffer = [UInt8](repeating: 0, count: 1024)
        let n = buffer.withUnsafeMutableBytes { readFully(fd, into: $0, at: 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        return text.split(separator: "\n").first.map(String.init)
    }

    private var open = true

    /// Unlocks (if the lock was taken) and closes the lock file; once.
    public func release() {
        guard open else { return }
        open = false
        if held {
            held = false
            if mode == .exclusive { _ = ftruncate(fd, 0) }
            var unlock = Self.request(F_UNLCK)
            _ = fcntl(fd, useClassic ? F_SETLK : F_OFD_SETLK, &unlock)
        }
        close(fd)
    }
}

extension LockHolder {
    /// Identity line format: `pid=123 host=h user=u since=2026-11-22T09:30:00Z cmd=leads add X`
    /// (`cmd` last: it may contain spaces).
    static func identityLine(pid: Int32, host: String, user: String, since: String, command: String) -> String {
        "pid=\(pid) host=\(host) user=\(user) since=\(since) cmd=\(command)"
    }

    static func parse(_ line: String, shared: Bool) -> LockHolder {
        var holder = LockHolder(pid: nil, host: nil, user: nil, command: nil, since: nil, shared: shared)
        var rest = Substring(line)
        while !rest.isEmpty {
            if rest.hasPrefix("cmd=") {
                holder.command = String(rest.dropFirst(4))
                break
            }
            let field = rest.prefix { $0 != " " }
            rest = rest.dropFirst(field.count).drop { $0 == " " }
            guard let eq = field.firstIndex(of: "=") else { continue }
            let key = field[..<eq], value = String(field[field.index(after: eq)...])
            switch key {
            case "pid": holder.pid = Int32(value)
            case "host": holder.host = value
            case "user": holder.user = value
            case "since": holder.since = value
            default: break
            }
        }
        return holder
    }
}

private func processCommand(_ pid: Int32) -> String? {
    guard let raw = readWholeFile("/proc/\(pid)/cmdline", limit: 1 << 16), !raw.isEmpty else { return nil }
    var parts = raw.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
    // The program's name, not its path: "python3 -c …" rather than "/root/.pyenv/…/python3 -c …".
    if let program = parts.first?.split(separator: "/").last { parts[0] = String(program) }
    return parts.joined(separator: " ")
}

private func processOwner(_ pid: Int32) -> String? {
    var st = stat()
    guard stat("/proc/\(pid)", &st) == 0 else { return nil }
    if let entry = getpwuid(st.st_uid), let name = entry.pointee.pw_name { return String(cString: name) }
    return String(st.st_uid)
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func sleepSeconds(_ seconds: Double) {
    guard seconds > 0 else { return }
    var remaining = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var left = timespec()
    while nanosleep(&remaining, &left) != 0 && errno == EINTR { remaining = left }
}
