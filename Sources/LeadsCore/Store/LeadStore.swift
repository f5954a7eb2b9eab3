import Glibc

// The only code that knows the data directory's layout:
//
//   DIR/config.json          stages, default currency, users, shared mode
//   DIR/leads/<id>.json      one file per lead
//   DIR/customers/<id>.json  one file per customer
//   DIR/activity.log         append-only JSON lines
//   DIR/.lock                the lock file (StoreLock.swift); never deleted
//   DIR/.index/              derived files, rebuilt when missing (DuplicateKeys.swift)

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
    private var cachedConfig: StoreConfig?

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

    // MARK: Layout

    /// Creates the data directory (mode 0700: it holds personal data) and its layout.
    /// Zero set-up: every writing command calls this.
    @discardableResult
    public func createLayout(sharedGroup: Bool = false) throws(StoreError) -> Bool {
        var created = false
        if root == nil {
            try makeDirectories(path, finalMode: sharedGroup ? 0o2770 : 0o700)
            created = true
            do { root = try Directory.open(path, label: "", followLinks: true) } catch { throw .system(error) }
            guard root != nil else { throw .system(SystemError("open", path, ENOENT)) }
        }
        let root = root!
        let dirMode: mode_t = sharedGroup ? 0o2770 : 0o700
        do {
            for name in [Self.leadsDirectory, Self.customersDirectory, Self.indexDirectory] {
                if try root.makeDirectory(name, mode: dirMode) {
                    created = true
                    if sharedGroup { _ = fchmodat(root.fd, name, dirMode, 0) }
                }
            }
            if let index = try Directory.open(Self.indexDirectory, relativeTo: root, label: Self.indexDirectory, followLinks: false),
               try index.makeDirectory(DuplicateKeyIndex.directoryName, mode: dirMode), sharedGroup {
                _ = fchmodat(index.fd, DuplicateKeyIndex.directoryName, dirMode, 0)
            }
        } catch {
            throw .system(error)
        }
        return created
    }

    /// mkdir -p; only the last component gets `finalMode`.
    private func makeDirectories(_ path: String, finalMode: mode_t) throws(StoreError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        let parts = path.split(separator: "/")
        for (i, part) in parts.enumerated() {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            let last = i == parts.count - 1
            if mkdir(prefix, last ? finalMode : 0o755) != 0 {
                if errno == EEXIST {
                    var st = stat()
                    if stat(prefix, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR { throw .notADirectory(prefix) }
                    continue
                }
                throw .system(SystemError("mkdir", prefix))
            }
            if last && finalMode & 0o2000 != 0 { chmod(prefix, finalMode) }
        }
    }

    func subdirectory(_ name: String) throws(StoreError) -> Directory? {
        guard let root else { return nil }
        do {
            return try Directory.open(name, relativeTo: root, label: name, followLinks: false)
        } catch {
            if error.code == ELOOP || error.code == ENOTDIR { throw .notADirectory(name) }
            throw .system(error)
        }
    }

    // MARK: Configuration

    public func config() throws(StoreError) -> StoreConfig {
        if let cachedConfig { return cachedConfig }
        var config = StoreConfig.defaults
        if let root, let bytes = try root.read(StoreConfig.fileName, limit: 1 << 20) {
            do { config = try StoreConfig(bytes: bytes) } catch { throw .corrupt(path: StoreConfig.fileName, error) }
        }
        cachedConfig = config
        return config
    }

    /// `init`: writes config.json unless present; returns whether it wrote one.
    public func writeDefaultConfig(sharedGroup: Bool) throws -> Bool {
        try createLayout(sharedGroup: sharedGroup)
        return try withLock(.exclusive) { () throws -> Bool in
            let root = self.root!
            if var existing = try root.read(StoreConfig.fileName, limit: 1 << 20).map({ bytes throws(StoreError) -> StoreConfig in
                do throws(JSONError) { return try StoreConfig(bytes: bytes) } catch { throw .corrupt(path: StoreConfig.fileName, error) }
            }) {
                guard sharedGroup, !existing.sharedGroup else { return false }
                existing.sharedGroup = true
                try self.writeConfig(existing)
                try self.shareWithGroup()
                return true
            }
            var config = StoreConfig.defaults
            config.sharedGroup = sharedGroup
            try self.writeConfig(config)
            if sharedGroup { try self.shareWithGroup() }
            return true
        }
    }

    /// `init --shared` on an existing store: what git's `--shared=group` does to a
    /// repository. Directories become group-writable and setgid (new files get the
    /// directory's group); files become group-readable and -writable.
    private func shareWithGroup() throws(StoreError) {
        func share(_ dir: Directory) throws(StoreError) {
            _ = fchmod(dir.fd, 0o2770)
            for name in try system({ () throws(SystemError) in try dir.entries() }) {
                guard let st = try system({ () throws(SystemError) in try dir.fileStatus(name) }) else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    if let sub = try system({ () throws(SystemError) in
                        try Directory.open(name, relativeTo: dir, label: dir.path(name), followLinks: false) }) {
                        try share(sub)
                    }
                case S_IFREG: _ = fchmodat(dir.fd, name, (st.st_mode & 0o7777) | 0o660, 0)
                default: continue
                }
            }
        }
        try share(root!)
    }

    private func writeConfig(_ config: StoreConfig) throws(StoreError) {
        do {
            try root!.writeAtomically(StoreConfig.fileName, JSONWriter.pretty(config.json), durable: true, groupShared: config.sharedGroup)
        } catch { throw .system(error) }
        cachedConfig = config
    }

    // MARK: Locking

    private func identity() -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        return LockHolder.identityLine(pid: getpid(), host: String(cString: host), user: actor.user,
                                       since: actor.now.iso8601, command: "leads " + actor.command)
    }

    private func acquireLock(_ requested: LockMode) throws(StoreError) -> StoreLock {
        let mode = commandLock?.mode(for: requested) ?? requested
        return try StoreLock.acquire(in: root!, name: Self.lockFile, mode: mode, timeout: lockTimeout, identity: identity(),
                              groupShared: (try? config())?.sharedGroup ?? false, onWait: onLockWait)
    }

    /// Runs `body` holding the lock. A missing store needs no lock to be read.
    public func withLock<T>(_ mode: LockMode, _ body: () throws -> T) throws -> T {
        guard let root else { return try body() }
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
        let writer = try StoreWriter(store: self, root: root!, config: config)
        let result = try body(writer)
        try writer.finish()
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

    // MARK: Reading

    /// One lead, read without locking: files are replaced atomically, so a reader sees
    /// a whole old or a whole new file.
    public func lead(_ id: Int) throws(StoreError) -> Lead {
        guard let dir = try subdirectory(Self.leadsDirectory) else { throw .leadNotFound(id) }
        return try Self.readLead(id, in: dir)
    }

    static func readLead(_ id: Int, in dir: Directory, notes: Bool = true) throws(StoreError) -> Lead {
        let name = "\(id).json"
        guard let bytes = try dir.read(name) else { throw .leadNotFound(id) }
        do { return try Lead(bytes: bytes, expectedID: id, notes: notes) } catch { throw .corrupt(path: dir.path(name), error) }
    }

    public func customer(_ id: Int) throws(StoreError) -> Customer {
        guard let dir = try subdirectory(Self.customersDirectory) else { throw .customerNotFound(id) }
        return try Self.readCustomer(id, in: dir)
    }

    static func readCustomer(_ id: Int, in dir: Directory) throws(StoreError) -> Customer {
        let name = "\(id).json"
        guard let bytes = try dir.read(name) else { throw .customerNotFound(id) }
        do { return try Customer(bytes: bytes, expectedID: id) } catch { throw .corrupt(path: dir.path(name), error) }
    }

    /// The IDs named by files `<id>.json` in a store directory, ascending.
    static func fileIDs(in dir: Directory) throws(StoreError) -> [Int] {
        do {
            return try dir.entries().compactMap(Self.id(fromFileName:)).sorted()
        } catch { throw .system(error) }
    }

    /// "12.json" → 12; nothing else is a store file (temporary files start with a dot).
    static func id(fromFileName name: String) -> Int? {
        guard name.hasSuffix(".json") else { return nil }
        let digits = name.utf8.dropLast(5)
        guard let first = digits.first, first != UInt8(ascii: "0"), digits.count <= 18,
              digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    public func allCustomers() throws -> (customers: [Customer], problems: [StoreError]) {
        try withLock(.shared) { () throws -> ([Customer], [StoreError]) in
            guard let dir = try subdirectory(Self.customersDirectory) else { return ([], []) }
            var customers: [Customer] = []
            var problems: [StoreError] = []
            for id in try Self.fileIDs(in: dir) {
                do throws(StoreError) { customers.append(try Self.readCustomer(id, in: dir)) } catch {
                    if case .customerNotFound = error { continue }
                    problems.append(error)
                }
            }
            return (customers, problems)
        }
    }

    /// The activity log's bytes (empty when missing). Read without the lock: records are
    /// appended whole, and a torn last line is not a record.
    public func activityLogBytes() throws(StoreError) -> [UInt8] {
        guard let root else { return [] }
        return try root.read(ActivityLog.fileName, limit: Int.max) ?? []
    }

    /// The log's records, oldest first; with `lead`, only those about that lead. Lines
    /// are matched on their bytes (`"lead":7,` or `"lead":7}` in the compact, sorted
    /// form the log is written in) before any is parsed: a lead's history out of a log of
    /// 100,000 records parses a handful.
    public func activity(lead: Int? = nil) throws(StoreError) -> [ActivityEntry] {
        let bytes = try activityLogBytes()
        var entries: [ActivityEntry] = []
        let needle = lead.map { Array("\"lead\":\($0)".utf8) }
        for line in ActivityLogLines(bytes: bytes) {
            if let needle, !Self.mentions(line.bytes, needle) { continue }
            do {
                let entry = try ActivityEntry(line: Array(line.bytes))
                if let lead, entry.lead != lead { continue }
                entries.append(entry)
            } catch {
                var positioned = error
                positioned.line = line.number
                throw .corrupt(path: ActivityLog.fileName, positioned)
            }
        }
        return entries
    }

    /// Whether `line` holds `needle` followed by `,` or `}` (so 7 does not match 70).
    private static func mentions(_ line: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return false }
        var i = line.startIndex
        let last = line.endIndex - needle.count
        while i < last {
            if line[i] == first && line[i..<(i + needle.count)].elementsEqual(needle) {
                let next = line[i + needle.count]
                if next == UInt8(ascii: ",") || next == UInt8(ascii: "}") { return true }
            }
            i += 1
        }
        return false
    }

    // MARK: Spooling

    /// A hidden temporary file in the data directory for a copy of standard input (an
    /// import reads its input twice). Temporary files never go anywhere else.
    public func makeSpoolFile() throws(StoreError) -> SpoolFile {
        try createLayout(sharedGroup: try config().sharedGroup)
        let name = ".import-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = openat(root!.fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(SystemError("create", name)) }
        return SpoolFile(directory: root!, name: name, fd: fd)
    }

}

/// A temporary file that removes itself.
public final class SpoolFile {
    private let directory: Directory
    public let name: String
    public let fd: Int32

    init(directory: Directory, name: String, fd: Int32) {
        self.directory = directory
        self.name = name
        self.fd = fd
    }

    deinit {
        close(fd)
        try? directory.remove(name)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", name)
            }
            done += n
        }
    }
}

/// Everything a writing command may do, available only while the exclusive lock is
/// held. Each change is: duplicate keys (write-ahead), the file (atomic, durable),
/// one fsynced log line.
public final class StoreWriter {
    public let config: StoreConfig
    public let actor: Actor
    private let store: LeadStore
    private let root: Directory
    let leadsDir: Directory
    let customersDir: Directory
    let indexDir: Directory
    let log: ActivityLog
    let keys: DuplicateKeyIndex
    var state: DerivedState

    init(store: LeadStore, root: Directory, config: StoreConfig) throws {
        self.store = store
        self.root = root
        self.config = config
        self.actor = store.actor
        func open(_ name: String, in parent: Directory, label: String) throws -> Directory {
            guard let dir = try Directory.open(name, relativeTo: parent, label: label, followLinks: false) else {
                throw StoreError.system(SystemError("open", label, ENOENT))
            }
            return dir
        }
        do {
            leadsDir = try open(LeadStore.leadsDirectory, in: root, label: LeadStore.leadsDirectory)
            customersDir = try open(LeadStore.customersDirectory, in: root, label: LeadStore.customersDirectory)
            indexDir = try open(LeadStore.indexDirectory, in: root, label: LeadStore.indexDirectory)
            let keysDir = try open(DuplicateKeyIndex.directoryName, in: indexDir, label: LeadStore.indexDirectory + "/keys")
            keys = DuplicateKeyIndex(directory: keysDir, groupShared: config.sharedGroup)
        } catch let error as SystemError {
            if error.code == ELOOP || error.code == ENOTDIR { throw StoreError.notADirectory(error.path) }
            throw StoreError.system(error)
        }
        log = ActivityLog(directory: root, groupShared: config.sharedGroup)
        state = DerivedState()
        state = try loadState()
    }

    // MARK: State recovery

    private func loadState() throws(StoreError) -> DerivedState {
        let logSize: Int
        do { logSize = try log.size() } catch { throw .system(error) }
        var state: DerivedState
        if let bytes = try indexDir.read(DerivedState.fileName), var saved = DerivedState(bytes: bytes),
           saved.logSize <= logSize {
            if saved.logSize < logSize { try replayLog(into: &saved, to: logSize) }
            state = saved
        } else {
            state = try rebuildDerivedState(logSize: logSize)
        }
        // Files just past the mark were written by a command killed before it logged them
        // (a batch of an import): count them and give them their keys, so that resuming
        // the import finds them. One stat when there are none.
        while let lead = try? LeadStore.readLead(state.nextLead, in: leadsDir) {
            for key in DuplicateKey.keys(of: lead) { try keys.insert(key, id: lead.id) }
            state.nextLead += 1
        }
        while try exists("\(state.nextLead).json", in: leadsDir) { state.nextLead += 1 }
        return state
    }

    /// Catches the state up with log records written after its stamp (a writer that
    /// died before saving state), re-adding the keys of the leads they touched.
    private func replayLog(into state: inout DerivedState, to size: Int) throws(StoreError) {
        let bytes = try store.activityLogBytes()
        for line in ActivityLogLines(bytes: bytes, startOffset: state.logSize) {
            guard let entry = try? ActivityEntry(line: Array(line.bytes)) else { continue }
            state.observe(entry)
            if let id = entry.lead, let lead = try? LeadStore.readLead(id, in: leadsDir) {
                for key in DuplicateKey.keys(of: lead) { try keys.insert(key, id: id) }
            }
        }
        state.logSize = size
    }

    /// Rebuilds ID marks and keys from the files and the whole log (first use, or lost state).
    @discardableResult
    func rebuildDerivedState(logSize: Int) throws(StoreError) -> DerivedState {
        var rebuilt = DerivedState(logSize: 0)
        try replayLogIDs(into: &rebuilt)
        var pairs: [(DuplicateKey, Int)] = []
        for id in try LeadStore.fileIDs(in: leadsDir) {
            rebuilt.nextLead = max(rebuilt.nextLead, id + 1)
            if let lead = try? LeadStore.readLead(id, in: leadsDir) {
                for key in DuplicateKey.keys(of: lead) { pairs.append((key, id)) }
            }
        }
        for id in try LeadStore.fileIDs(in: customersDir) { rebuilt.nextCustomer = max(rebuilt.nextCustomer, id + 1) }
        keys.replaceAll(with: pairs)
        rebuilt.logSize = logSize
        return rebuilt
    }

    private func replayLogIDs(into state: inout DerivedState) throws(StoreError) {
        let bytes = try store.activityLogBytes()
        for line in ActivityLogLines(bytes: bytes) {
            if let entry = try? ActivityEntry(line: Array(line.bytes)) { state.observe(entry) }
        }
    }

    func finish() throws(StoreError) {
        do {
            try keys.flush()
            state.logSize = try log.size()
            try indexDir.writeAtomically(DerivedState.fileName, state.bytes, durable: false, groupShared: config.sharedGroup)
        } catch { throw .system(error) }
    }

    // MARK: Leads

    public func lead(_ id: Int) throws(StoreError) -> Lead { try LeadStore.readLead(id, in: leadsDir) }

    /// Every lead, in full, for writers that must look at all of them (`remind --due --once`).
    public func allLeads() throws -> (leads: [Lead], problems: [StoreError]) {
        var leads: [Lead] = []
        let problems = try LeadStore.scan(leadsDir, ids: try LeadStore.fileIDs(in: leadsDir), notes: true) { leads.append($0) }
        return (leads, problems)
    }

    /// From this ID on, no lead file exists (known after one directory listing), so
    /// allocating needs no stat per ID: for imports of many leads.
    private var freeFrom: Int?

    /// Lists the leads once so that the IDs of many new leads are allocated without a stat each.
    public func prepareForManyLeads() throws(StoreError) {
        freeFrom = max(state.nextLead, (try LeadStore.fileIDs(in: leadsDir).last ?? 0) + 1)
    }

    /// Allocates the next lead ID; never one that was handed out before.
    public func newLeadID() throws(StoreError) -> Int {
        var id = state.nextLead
        while id < (freeFrom ?? .max), try exists("\(id).json", in: leadsDir) { id += 1 }  // a file made by hand
        guard id < Int(Int32.max) * 1024 else { throw .idSpaceExhausted }
        state.nextLead = id + 1
        return id
    }

    private func exists(_ name: String, in dir: Directory) throws(StoreError) -> Bool {
        do { return try dir.exists(name) } catch { throw .system(error) }
    }

    /// The existing lead this one would duplicate (same e-mail, case-insensitive, or
    /// same name and company), verified against its file.
    public func duplicate(of lead: Lead) throws(StoreError) -> (id: Int, match: DuplicateMatch)? {
        let candidates: [(DuplicateKey, DuplicateMatch, (Lead) -> Bool)] = {
            var list: [(DuplicateKey, DuplicateMatch, (Lead) -> Bool)] = []
            if let email = lead.email, !DuplicateKey.normalise(email).isEmpty {
                let wanted = DuplicateKey.normalise(email)
                list.append((.email(email), .email, { other in other.email.map(DuplicateKey.normalise) == wanted }))
            }
            let name = DuplicateKey.normalise(lead.name), company = DuplicateKey.normalise(lead.company ?? "")
            list.append((.nameAndCompany(lead.name, lead.company), .nameAndCompany, { other in
                DuplicateKey.normalise(other.name) == name && DuplicateKey.normalise(other.company ?? "") == company
            }))
            return list
        }()
        for (key, match, same) in candidates {
            for id in try keys.ids(for: key).sorted() where id != lead.id {
                guard let other = try? LeadStore.readLead(id, in: leadsDir) else { continue }
                if same(other) { return (id, match) }
            }
        }
        return nil
    }

    /// Writes a lead and logs the change: keys first, then the file, then the log line.
    public func save(_ lead: Lead, previous: Lead?, log entry: ActivityEntry) throws(StoreError) {
        let newKeys = DuplicateKey.keys(of: lead)
        let oldKeys = previous.map(DuplicateKey.keys(of:)) ?? []
        for key in newKeys where !oldKeys.contains(key) { try keys.insert(key, id: lead.id) }
        do { try keys.flush() } catch { throw .system(error) }
        try commit([FileChange(leadsDir, "\(lead.id).json", lead.fileBytes)], log: entry)
        for key in oldKeys where !newKeys.contains(key) { try keys.remove(key, id: lead.id) }
    }

    /// Erases a lead's file; its ID stays retired (the log records the deletion).
    public func delete(_ lead: Lead, log entry: ActivityEntry) throws(StoreError) {
        // Erasure: the lead's summary must not outlive it in the report index.
        do { try indexDir.remove(SummaryIndex.fileName) } catch { throw .system(error) }
        try commit([FileChange(leadsDir, "\(lead.id).json", nil)], log: entry)
        for key in DuplicateKey.keys(of: lead) { try keys.remove(key, id: lead.id) }
    }

    /// A lead's and a customer's file changed together (convert), with one log line.
    public func save(_ lead: Lead, customer: Customer, log entry: ActivityEntry) throws(StoreError) {
        try commit([FileChange(customersDir, "\(customer.id).json", JSONWriter.pretty(customer.json)),
                    FileChange(leadsDir, "\(lead.id).json", lead.fileBytes)], log: entry)
    }

    struct FileChange {
        var directory: Directory
        var name: String
        /// nil deletes the file.
        var bytes: [UInt8]?

        init(_ directory: Directory, _ name: String, _ bytes: [UInt8]?) {
            self.directory = directory
            self.name = name
            self.bytes = bytes
        }
    }

    /// Applies file changes durably, then appends the log line. If anything fails, the
    /// files are put back as they were, so a failed command (a full disk, a file-size
    /// limit) leaves no change without its log record. The old versions are kept as
    /// hard links until the log line is on disk, so putting them back needs no space.
    private func commit(_ changes: [FileChange], log entry: ActivityEntry) throws(StoreError) {
        var done: [(change: FileChange, backup: Directory.Backup)] = []
        do throws(SystemError) {
            for change in changes {
                let backup = try change.directory.backup(change.name)
                if let bytes = change.bytes, case .absent = backup {
                    // Recorded once it exists: undoing must never remove a file it did not make.
                    try change.directory.createAtomically(change.name, bytes, durable: true, groupShared: config.sharedGroup)
                    done.append((change, backup))
                    continue
                }
                done.append((change, backup))
                if let bytes = change.bytes {
                    try change.directory.writeAtomically(change.name, bytes, durable: true, groupShared: config.sharedGroup, isStoreFile: true)
                } else {
                    try change.directory.remove(change.name)
                    try change.directory.sync()
                }
            }
            CrashPoint.hit(.afterLeadWrite)
            try log.append(entry)
        } catch {
            for (change, backup) in done.reversed() { change.directory.restore(change.name, from: backup) }
            throw .system(error)
        }
        for (change, backup) in done {
            if case .kept(let name) = backup { try? change.directory.remove(name) }
        }
    }

    // MARK: Customers

    public func customer(_ id: Int) throws(StoreError) -> Customer { try LeadStore.readCustomer(id, in: customersDir) }

    public func newCustomerID() throws(StoreError) -> Int {
        var id = state.nextCustomer
        while try exists("\(id).json", in: customersDir) { id += 1 }
        state.nextCustomer = id + 1
        return id
    }

    public func appendLog(_ entry: ActivityEntry) throws(StoreError) {
        do { try log.append(entry) } catch { throw .system(error) }
    }

    // MARK: Batches

    /// Writes many leads with one sync per batch instead of one fsync per file (an
    /// import: fsyncing 100,000 files one by one takes ten times longer). Each batch:
    /// duplicate keys, then the files (atomic, not yet synced), then one syncfs and a
    /// directory fsync, then all its log lines in one write and one fsync, then the
    /// state. A kill leaves only complete files, every logged lead is on disk, and
    /// every written lead is found by the duplicate check, so re-running an import with
    /// `--on-duplicate skip` completes it. A failed batch is undone.
    public final class Batch {
        private let writer: StoreWriter
        private let limit: Int
        private var pending: [(lead: Lead, bytes: [UInt8]?, previous: Lead?, entry: ActivityEntry)] = []

        init(writer: StoreWriter, limit: Int) {
            self.writer = writer
            self.limit = limit
        }

        public func contains(_ id: Int) -> Bool { pending.contains { $0.lead.id == id } }

        /// `bytes`: the lead's file, if already encoded (imports encode on every core).
        public func add(_ lead: Lead, bytes: [UInt8]? = nil, previous: Lead?, log entry: ActivityEntry) throws(StoreError) {
            pending.append((lead, bytes, previous, entry))
            if pending.count >= limit { try flush() }
        }

        public func flush() throws(StoreError) {
            guard !pending.isEmpty else { return }
            let items = pending
            pending = []
            try writer.commitBatch(items)
        }
    }

    public func batch(limit: Int = 4096) -> Batch { Batch(writer: self, limit: limit) }

    fileprivate func commitBatch(_ items: [(lead: Lead, bytes: [UInt8]?, previous: Lead?, entry: ActivityEntry)]) throws(StoreError) {
        for item in items {
            for key in DuplicateKey.keys(of: item.lead) { try keys.insert(key, id: item.lead.id) }
        }
        var done: [(name: String, backup: Directory.Backup)] = []
        do throws(SystemError) {
            // New leads' keys are written once, when the whole import ends: after a kill,
            // the next writer finds logged leads by replaying the log and unlogged ones
            // just past the ID mark (loadState). A changed lead's new keys cannot be found
            // that way, so a batch with updates writes them ahead as single changes do.
            if items.contains(where: { $0.previous != nil }) { try keys.flush() }
            for item in items {
                let name = "\(item.lead.id).json"
                if item.previous == nil {
                    try leadsDir.createAtomically(name, item.bytes ?? item.lead.fileBytes, durable: false, groupShared: config.sharedGroup)
                    done.append((name, .absent))
                } else {
                    let backup = try leadsDir.backup(name)
                    done.append((name, backup))
                    try leadsDir.writeAtomically(name, item.bytes ?? item.lead.fileBytes, durable: false, groupShared: config.sharedGroup, isStoreFile: true)
                }
            }
            try leadsDir.syncFileSystem()
            try leadsDir.sync()
            CrashPoint.hit(.afterLeadWrite)
            try log.append(contentsOf: items.map(\.entry))
        } catch {
            for (name, backup) in done.reversed() { leadsDir.restore(name, from: backup) }
            throw .system(error)
        }
        for (_, backup) in done {
            if case .kept(let kept) = backup { try? leadsDir.remove(kept) }
        }
        for item in items {
            if let previous = item.previous {
                let newKeys = DuplicateKey.keys(of: item.lead)
                for key in DuplicateKey.keys(of: previous) where !newKeys.contains(key) { try keys.remove(key, id: item.lead.id) }
            }
        }
    }
}
