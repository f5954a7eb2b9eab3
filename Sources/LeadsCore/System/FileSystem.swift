import Glibc

// The few file-system primitives the store is built from, over Glibc rather than
// Foundation: Foundation's atomic write neither fsyncs the directory nor keeps the
// file mode and leaves temporary files behind after a kill, and `FileHandle` appends
// were measured losing records under concurrent writers.

/// A failed system call, with the store-relative path it concerned.
public struct SystemError: Error, Sendable, Equatable {
    public var call: String
    public var path: String
    public var code: Int32

    public init(_ call: String, _ path: String, _ code: Int32 = errno) {
        self.call = call
        self.path = path
        self.code = code
    }

    public var reason: String { String(cString: strerror(code)) }
}

@_silgen_name("syncfs") private func c_syncfs(_ fd: Int32) -> Int32

/// An open directory; every file operation of the store goes through one, by name,
/// so a lead ID can never turn into a path outside it.
public final class Directory: @unchecked Sendable {
    public let fd: Int32
    /// Path shown in messages, relative to the data directory ("" for the data directory itself).
    public let label: String
    /// The file system's kind, once asked (FileSystemKind.swift).
    var kind: FileSystemKind?

    init(fd: Int32, label: String) {
        self.fd = fd
        self.label = label
    }

    deinit { close(fd) }

    /// Opens `path` as a directory. The data directory itself may be a symlink (a user's
    /// choice); directories inside it are opened without following links.
    static func openOnce(_ path: String, relativeTo parent: Directory? = nil, label: String, followLinks: Bool) throws(SystemError) -> Directory? {
        var flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC
        if !followLinks { flags |= O_NOFOLLOW }
        let fd = openat(parent?.fd ?? AT_FDCWD, path, flags)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SystemError("open", label)
        }
        return Directory(fd: fd, label: label)
    }

    func path(_ name: String) -> String { label.isEmpty ? name : label + "/" + name }

    /// Creates a subdirectory if missing; true when it was created.
    @discardableResult
    func makeDirectory(_ name: String, mode: mode_t) throws(SystemError) -> Bool {
        if mkdirat(fd, name, mode) == 0 { return true }
        if errno == EEXIST { return false }
        throw SystemError("mkdir", path(name))
    }

    func fileStatusOnce(_ name: String) throws(SystemError) -> stat? {
        var st = stat()
        if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 { return st }
        if errno == ENOENT { return nil }
        throw SystemError("stat", path(name))
    }

    func exists(_ name: String) throws(SystemError) -> Bool { try fileStatus(name) != nil }

    /// Reads a whole regular file; nil if it does not exist. Refuses symlinks and
    /// anything that is not a regular file, and files over `limit` bytes.
    func read(_ name: String, limit: Int = 64 << 20) throws(StoreError) -> [UInt8]? {
        try readWithStatus(name, limit: limit)?.bytes
    }

    func readWithStatusOnce(_ name: String, limit: Int) throws(StoreError) -> (bytes: [UInt8], status: stat)? {
        let fd = openat(self.fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            switch errno {
            case ENOENT: return nil
            case ELOOP: throw .notARegularFile(path(name))
            default: throw .system(SystemError("open", path(name)))
            }
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .system(SystemError("stat", path(name))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .notARegularFile(path(name)) }
        let size = Int(st.st_size)
        guard size <= limit else { throw .fileTooLarge(path(name), size: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        let done = bytes.withUnsafeMutableBytes { readFully(fd, into: $0) }
        guard done >= 0 else { throw .system(SystemError("read", path(name))) }
        if done < size { bytes.removeLast(size - done) }  // shrank under us: keep what is there
        return (bytes, st)
    }

    /// Names of the entries, without "." and "..".
    func entriesOnce() throws(SystemError) -> [String] {
        var names: [String] = []
        try forEachEntryNameOnce { names.append(String(decoding: $0, as: UTF8.self)) }
        return names
    }

    /// Hands each entry's name, without "." and "..", as the bytes readdir returned: a
    /// directory of 100,000 lead files is listed without making a string for each.
    func forEachEntryNameOnce(_ visit: (UnsafeBufferPointer<UInt8>) -> Void) throws(SystemError) {
        let dupFD = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dupFD >= 0, let stream = fdopendir(dupFD) else { throw SystemError("opendir", label.isEmpty ? "." : label) }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                let name = UnsafeBufferPointer(rebasing: bytes[0..<strnlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)])
                if name.count == 1 && name[0] == 0x2E || name.count == 2 && name[0] == 0x2E && name[1] == 0x2E { return }
                visit(name)
            }
        }
    }

    enum Backup {
        case absent
        case kept(String)
        /// The file system has no hard links: the old content, kept in memory, is
        /// written back to undo (which needs space again, about what the change freed).
        case copy([UInt8], mode: mode_t)
    }

    /// Hard-links `name` to a fresh hidden name, so a change can be undone without
    /// needing new space (a full disk is when undoing matters). Where links are not
    /// supported, the old content is read instead.
    /// `token`: the commit's (TemporaryName.commitToken), kept in the backup's name.
    func backup(_ name: String, token: String) throws(SystemError) -> Backup {
        let backupName = TemporaryName.backup(for: name, token: token)
        if linkat(fd, name, fd, backupName, 0) == 0 { return .kept(backupName) }
        switch errno {
        case ENOENT: return .absent
        case EPERM, EOPNOTSUPP, EMLINK, ENOSYS, EXDEV:
            let old: (bytes: [UInt8], status: stat)?
            do { old = try readWithStatus(name, limit: Int.max) } catch {
                if case .system(let system) = error { throw system }
                throw SystemError("read", path(name), EINVAL)
            }
            guard let old else { return .absent }
            return .copy(old.bytes, mode: old.status.st_mode & 0o7777)
        default: throw SystemError("link", path(name))
        }
    }

    /// Undoes a change after a failure: the old version comes back from its backup link
    /// (a rename needs no new space), a new file goes. If the change had not replaced the
    /// file yet, both names are links to the same file and rename does nothing, so the
    /// backup name is removed in any case. False when the old version could not be put
    /// back (only a kept copy can fail: it needs space).
    @discardableResult
    func restore(_ name: String, from backup: Backup) -> Bool {
        var restored = true
        switch backup {
        case .kept(let kept):
            _ = renameat(fd, kept, fd, name)
            _ = unlinkat(fd, kept, 0)
        case .absent: _ = unlinkat(fd, name, 0)
        case .copy(let bytes, let mode):
            do { try writeAtomically(name, bytes, durable: true, mode: mode, keepMode: true) } catch { restored = false }
        }
        _ = fsync(fd)
        return restored
    }

    /// An empty hidden file that says `name` is being created by the commit of `token`
    /// (UnfinishedChanges.swift); its name.
    func markCreation(_ name: String, token: String) throws(SystemError) -> String {
        let mark = TemporaryName.creationMark(for: name, token: token)
        let fd = openat(self.fd, mark, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SystemError("create", path(mark)) }
        close(fd)
        return mark
    }

    /// Drops a backup once the change is committed; a failure leaves a hidden file that
    /// `fsck --repair` removes.
    func discard(_ backup: Backup) throws(SystemError) {
        if case .kept(let kept) = backup { try remove(kept) }
    }

    func rename(_ from: String, to: String) throws(SystemError) {
        guard renameat(fd, from, fd, to) == 0 else { throw SystemError("rename", path(to)) }
    }

    func remove(_ name: String) throws(SystemError) {
        if unlinkat(fd, name, 0) != 0 && errno != ENOENT { throw SystemError("unlink", path(name)) }
    }

    func sync() throws(SystemError) {
        if fsync(fd) != 0 { throw SystemError("fsync", label.isEmpty ? "." : label) }
    }

    /// Flushes every file of this file system in one call: what a batched import uses
    /// instead of one fsync per file.
    func syncFileSystem() throws(SystemError) {
        if c_syncfs(fd) != 0 { throw SystemError("syncfs", label.isEmpty ? "." : label) }
    }

    /// Replaces (or creates) `name` atomically: a reader sees the old or the new file,
    /// never a part. The temporary name never ends in ".json" and starts with a dot, so
    /// scans ignore it; O_EXCL|O_NOFOLLOW means a planted file or symlink is never
    /// written through. With `durable`, the data and the directory entry are on disk
    /// when this returns.
    @discardableResult
    func writeAtomically(_ name: String, _ bytes: [UInt8], durable: Bool, mode: mode_t = 0o666, groupShared: Bool = false,
                         isStoreFile: Bool = false, keepMode: Bool = false, isNew: Bool = false) throws(SystemError) -> stat {
        try writeAtomically(name, durable: durable, mode: mode, groupShared: groupShared, isStoreFile: isStoreFile,
                            keepMode: keepMode, isNew: isNew) { fd, temp throws(SystemError) in try writeAll(fd, bytes, path: temp) }
    }

    /// As `writeAtomically(_:_:durable:)`, the content written in pieces by `body` (given
    /// the temporary file's descriptor and path, for messages): a file too big to hold in
    /// memory whole (the summary index an import compacts). A throw from `body` leaves
    /// `name` as it was and removes the temporary file.
    @discardableResult
    func writeAtomically(_ name: String, durable: Bool, mode: mode_t = 0o666, groupShared: Bool = false,
                         isStoreFile: Bool = false, keepMode: Bool = false, isNew: Bool = false,
                         writing body: (_ fd: Int32, _ path: String) throws(SystemError) -> Void) throws(SystemError) -> stat {
        let temp = TemporaryName.temporary(for: name)
        let fd = openat(self.fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SystemError("create", path(temp)) }
        var ok = false
        defer {
            if !ok {
                close(fd)
                unlinkat(self.fd, temp, 0)
            }
        }
        if groupShared { fchmod(fd, 0o660) } else if keepMode { fchmod(fd, mode) }
        try body(fd, path(temp))
        if isStoreFile { CrashPoint.hit(.afterTempWrite) }
        if durable, fsync(fd) != 0 { throw SystemError("fsync", path(temp)) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("stat", path(temp)) }
        if isStoreFile { CrashPoint.hit(.beforeRename) }
        guard renameat(self.fd, temp, self.fd, name) == 0 else { throw SystemError("rename", path(name)) }
        ok = true
        close(fd)
        if isStoreFile { CrashPoint.hit(.afterRename) }
        if durable {
            do { try sync() } catch {
                // A new file whose name may not be on disk is taken back, so that the
                // failed write leaves nothing; a replaced file is put back by its caller.
                if isNew { unlinkat(self.fd, name, 0) }
                throw error
            }
        }
        return st
    }

    /// Creates `name`, which must not exist, whole or not at all: the content is written
    /// to an unnamed file (O_TMPFILE) that is then linked in. One directory update instead
    /// of a temporary name's creation and rename (half the directory work of an import of
    /// thousands of leads), and a kill leaves nothing behind. Where the file system has no
    /// O_TMPFILE (NFS) or /proc is missing, a named temporary file is renamed instead.
    func createAtomically(_ name: String, _ bytes: [UInt8], durable: Bool, groupShared: Bool = false) throws(SystemError) {
        let fd = openat(self.fd, ".", Directory.O_TMPFILE | O_WRONLY | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            try writeAtomically(name, bytes, durable: durable, groupShared: groupShared, isStoreFile: true, isNew: true)
            return
        }
        defer { close(fd) }
        if groupShared { fchmod(fd, 0o660) }
        try writeAll(fd, bytes, path: path(name))
        CrashPoint.hit(.afterTempWrite)
        if durable, fsync(fd) != 0 { throw SystemError("fsync", path(name)) }
        CrashPoint.hit(.beforeRename)
        guard linkat(AT_FDCWD, "/proc/self/fd/\(fd)", self.fd, name, AT_SYMLINK_FOLLOW) == 0 else {
            if errno == EEXIST { throw SystemError("create", path(name), EEXIST) }
            try writeAtomically(name, bytes, durable: durable, groupShared: groupShared, isStoreFile: true, isNew: true)
            return
        }
        CrashPoint.hit(.afterRename)
        if durable {
            do { try sync() } catch {
                unlinkat(self.fd, name, 0)
                throw error
            }
        }
    }

    /// An unnamed file in this directory (O_TMPFILE) for a derived file written piece by
    /// piece and put in place by `publish`: a kill before that leaves nothing. nil where
    /// the file system has none (NFS).
    func unnamedFile(groupShared: Bool) -> Int32? {
        let fd = openat(self.fd, ".", Directory.O_TMPFILE | O_RDWR | O_CLOEXEC, 0o666)
        guard fd >= 0 else { return nil }
        if groupShared { fchmod(fd, 0o660) }
        return fd
    }

    /// Puts the unnamed file `fd` in place of `name`: linked to a temporary name, which is
    /// renamed over it. Not synced (derived files); on failure `name` is as it was.
    func publish(_ fd: Int32, as name: String) throws(SystemError) {
        let temp = TemporaryName.temporary(for: name)
        guard linkat(AT_FDCWD, "/proc/self/fd/\(fd)", self.fd, temp, AT_SYMLINK_FOLLOW) == 0 else {
            throw SystemError("link", path(temp))
        }
        guard renameat(self.fd, temp, self.fd, name) == 0 else {
            let error = SystemError("rename", path(name))
            unlinkat(self.fd, temp, 0)
            throw error
        }
    }

    /// Not exported by Swift's Glibc module: __O_TMPFILE | O_DIRECTORY.
    static let O_TMPFILE: Int32 = 0o20_000_000 | O_DIRECTORY
}

/// A file anywhere on disk (`export-csv --output FILE`), written in pieces and replaced
/// atomically: the content goes to a temporary file beside the target, created with
/// O_EXCL|O_NOFOLLOW (a planted file or symlink is never written through), and only
/// `commit()` fsyncs it, renames it over the target and fsyncs the directory. Until then
/// the target is untouched; dropped without `commit()`, the temporary file is removed.
/// A new file gets mode 0666 minus the umask; a replaced regular file keeps its mode.
public final class AtomicFile {
    /// The target path as given, for messages.
    public let path: String
    private let directory: Directory
    private let name: String
    private let temporaryName: String
    private var fd: Int32

    public init(path: String) throws(SystemError) {
        self.path = path
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        let directoryPath = slash.map { String(path[...$0]) } ?? "."
        name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty, name != ".", name != ".." else { throw SystemError("create", path, EISDIR) }
        guard let directory = try Directory.open(directoryPath, label: directoryPath, followLinks: true) else {
            throw SystemError("create", path, ENOENT)
        }
        self.directory = directory
        var existing = stat()
        let exists = fstatat(directory.fd, name, &existing, AT_SYMLINK_NOFOLLOW) == 0
        // Refused before any work rather than when renaming at the end.
        if exists, (existing.st_mode & S_IFMT) == S_IFDIR { throw SystemError("create", path, EISDIR) }
        temporaryName = TemporaryName.temporary(for: name)
        fd = openat(directory.fd, temporaryName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SystemError("create", path) }
        // Replacing a file keeps its permissions: an export made private stays private.
        if exists, (existing.st_mode & S_IFMT) == S_IFREG { fchmod(fd, existing.st_mode & 0o7777) }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlinkat(directory.fd, temporaryName, 0)
        }
    }

    public func write(_ bytes: [UInt8]) throws(SystemError) {
        try writeAll(fd, bytes, path: path)
    }

    /// Makes the written content the target's, durably.
    public func commit() throws(SystemError) {
        if fsync(fd) != 0 { throw SystemError("fsync", path) }
        guard renameat(directory.fd, temporaryName, directory.fd, name) == 0 else { throw SystemError("rename", path) }
        close(fd)
        fd = -1
        try directory.sync()
    }
}

/// Test-only crash points: with LEADS_TEST_CRASH=<point> in a debug build, the process
/// kills itself there, so tests can check what a crash at each step leaves behind.
/// Release builds compile the hook away.
public enum CrashPoint: String, Sendable {
    case afterTempWrite = "after-temp-write"
    case beforeRename = "before-rename"
    case afterRename = "after-rename"
    case midLogWrite = "mid-log-write"
    case afterLeadWrite = "after-lead-write"
    /// Past the commit point, before the backups are dropped.
    case afterLogAppend = "after-log-append"

    @inline(__always)
    static func hit(_ point: CrashPoint) {
        #if DEBUG
        if let wanted = getenv("LEADS_TEST_CRASH"), String(cString: wanted) == point.rawValue {
            kill(getpid(), SIGKILL)
        }
        #endif
    }
}
