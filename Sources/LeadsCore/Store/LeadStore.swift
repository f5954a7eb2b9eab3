import Glibc

// The only code that knows the data directory's layout:
//
//   DIR/config.json          stages, default currency, users, shared mode
//   DIR/leads/<id>.json      one file per lead
//   DIR/customers/<id>.json  one file per customer
//   DIR/activity.log         append-only JSON lines
//   DIR/.lock                the lock file (StoreLock.swift); never deleted
//   DIR/.index/              derived files, rebuilt when missing (DuplicateKeys.swift,
//                            SummaryIndex.swift, LeadLogIndex.swift: log-offsets)
//   DIR/files/<id>/<name>    files kept on a lead (LeadFiles.swift; named in StoreLayout.swift)
//   DIR/mail/unmatched/      received mail filed on no lead (MailFiles.swift)
//
// The store by concern: this file opens the directory and takes the lock;
// StoreLayout.swift creates the layout and config.json; StoreReading.swift reads files
// and the log; StoreWriter.swift is what a writing command may do under the lock, each
// change going through the one commit protocol of StoreCommit.swift (single changes
// and import batches alike, StoreBatch.swift; a lead's files, LeadFiles.swift);
// DerivedStateRecovery.swift catches the derived files up; SpoolFile.swift holds a copy
// of standard input; StoreCheck.swift is `fsck`. Temporary names: System/TemporaryName.swift.

/// Who acts and when: recorded in files and the log.
public struct Actor: Sendable {
    public var user: String
    public var now: Timestamp
    /// The command line's command, for the lock holder line (never its arguments,
    /// which may hold personal data).
    public var command: String

    public init(user: String, now: Timestamp, command: String) {
        self.user = user
        self.now = now
        self.command = command
    }
}

public final class LeadStore {
    public static let leadsDirectory = "leads"
    public static let customersDirectory = "customers"
    public static let indexDirectory = ".index"
    public static let lockFile = ".lock"

    /// The data directory as given (for messages).
    public let path: String
    public let actor: Actor
    public let lockTimeout: Double
    /// Called about a second into a wait for the lock.
    public var onLockWait: ((LockHolder?) -> Void)?
    /// The lock the running command declared; nil for library use (each call's own).
    public var commandLock: LockKind?

    var root: Directory?
    var cachedConfig: StoreConfig?

    /// What went wrong after a change was committed: derived files (`.index/`) or a
    /// backup that could not be written or removed. The change itself is complete and on
    /// disk, so the command succeeds; the CLI shows these as warnings, and the next
    /// writer or `fsck --repair` mends what they name.
    public private(set) var warnings: [StoreError] = []

    func warn(_ error: StoreError) { warnings.append(error) }

    /// Called as soon as a writer has settled, before anything else, a commit that a
    /// killed command left (UnfinishedChanges.swift): the CLI says what was undone.
    /// `fsck --repair` reports it among its findings instead (`StoreWriter.settled`).
    public var onSettledKilledCommit: ((SettledKilledCommit) -> Void)?

    /// false for `fsck` without `--repair`, which reports a killed commit and changes
    /// nothing; every other reader settles one before it reads (`acquireLock`).
    public var readersSettleKilledCommits = true

    /// Opens the data directory without creating anything; a missing directory reads
    /// as an empty store.
    public init(path: String, actor: Actor, lockTimeout: Double) throws(StoreError) {
        self.path = path
        self.actor = actor
        self.lockTimeout = lockTimeout
        do {
            root = try Directory.open(path, label: "", followLinks: true)
        } catch {
            if error.code == ENOTDIR { throw .notADirectory(path) }
            throw .system(SystemError(error.call, path, error.code))
        }
    }

    public var exists: Bool { root != nil }

    func subdirectory(_ name: String) throws(StoreError) -> Directory? {
        guard let root else { return nil }
        do {
            return try Directory.open(name, relativeTo: root, label: name, followLinks: false)
        } catch {
            if error.code == ELOOP || error.code == ENOTDIR { throw .notADirectory(name) }
            throw .system(error)
        }
    }

    // MARK: Locking

    private func identity() -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        return LockHolder.identityLine(pid: getpid(), host: String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), user: actor.user,
                                       since: actor.now.iso8601, command: "leads " + actor.command)
    }

    func acquireLock(_ requested: LockMode) throws(StoreError) -> StoreLock {
        let mode = commandLock?.mode(for: requested) ?? requested
        let lock = try takeLock(mode)
        guard lock.holderLineLeft, readersSettleKilledCommits else { return lock }
        lock.release()
        try settleKilledCommitBeforeReading()
        return try takeLock(mode)
    }

    private func takeLock(_ mode: LockMode) throws(StoreError) -> StoreLock {
        try StoreLock.acquire(in: root!, name: Self.lockFile, mode: mode, timeout: lockTimeout, identity: identity(),
                              groupShared: (try? config())?.sharedGroup ?? false, onWait: onLockWait)
    }

    /// A reader that finds that a writer died holding the lock settles that writer's
    /// commit first, as the next writer would (UnfinishedChanges.swift), instead of
    /// showing a change that was never logged and that the next writer would undo
    /// (SQLite's readers roll back a hot journal the same way). For that it takes the
    /// exclusive lock, which a command declared shared or lock-free otherwise never does.
    /// A reader that may not write the store (the lock file cannot be opened for
    /// writing), or that does not get the exclusive lock within the lock timeout (another
    /// program holds a shared one), reads the files as they are: it must not fail for
    /// what it only tried to mend.
    func settleKilledCommitBeforeReading() throws(StoreError) {
        guard let root else { return }
        let config = try config()
        let lock: StoreLock
        do {
            lock = try StoreLock.acquire(in: root, name: Self.lockFile, mode: .exclusive, timeout: lockTimeout, identity: identity(),
                                         groupShared: config.sharedGroup, onWait: onLockWait)
        } catch .system(let error) where error.code == EACCES || error.code == EROFS || error.code == EPERM {
            return
        } catch .lockTimeout {
            return
        }
        defer { lock.release() }
        // Another writer may have settled it between the two locks.
        guard let holder = lock.abandonedBy else { return }
        try StoreWriter(store: self, root: root, config: config, abandonedBy: holder).finish()
    }

    /// Runs `body` holding the lock. A missing store needs no lock to be read.
    public func withLock<T>(_ mode: LockMode, _ body: () throws -> T) throws -> T {
        guard root != nil else { return try body() }
        let lock = try acquireLock(mode)
        defer { lock.release() }
        return try body()
    }

    /// Runs `body` with the exclusive lock and a writer; creates the layout first.
    public func write<T>(_ body: (StoreWriter) throws -> T) throws -> T {
        let config = try self.config()
        try createLayout(sharedGroup: config.sharedGroup)
        let lock = try acquireLock(.exclusive)
        defer { lock.release() }
        let writer = try StoreWriter(store: self, root: root!, config: config, abandonedBy: lock.abandonedBy)
        let result = try body(writer)
        writer.finish()
        return result
    }

    /// Runs `command` while holding the lock (`leads lock -- CMD`): the caller's closure
    /// starts and waits for the child.
    public func holdingLock<T>(_ mode: LockMode, _ body: () throws -> T) throws -> T {
        try createLayout(sharedGroup: try config().sharedGroup)
        let lock = try acquireLock(mode)
        defer { lock.release() }
        return try body()
    }

}
