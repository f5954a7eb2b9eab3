import Glibc

// Reading lead and customer files and the activity log. Readers take no lock: files
// are replaced atomically and log records appended whole, so a reader sees a whole old
// or a whole new version and ignores a torn last line.

extension LeadStore {
    // MARK: Reading

    /// One lead, read without locking: files are replaced atomically, so a reader sees
    /// a whole old or a whole new file.
    public func lead(_ id: Int) throws(StoreError) -> Lead {
        guard let dir = try subdirectory(Self.leadsDirectory) else { throw .leadNotFound(id) }
        let lock = try lockForCurrentRead()
        defer { lock?.release() }
        do { return try Self.readLead(id, in: dir) } catch .leadNotFound(id) {
            if let into = try mergedAwayTarget(id) { throw .mergedAway(id: id, into: into) }
            throw .leadNotFound(id)
        }
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
            return try dir.collectEntryNames([Int]()) { ids, name in
                if let id = Self.id(fromFileName: name) { ids.append(id) }
            }.sorted()
        } catch { throw .system(error) }
    }

    /// "12.json" → 12; nothing else is a store file (temporary files start with a dot).
    static func id(fromFileName name: String) -> Int? {
        var name = name
        return name.withUTF8 { id(fromFileName: $0) }
    }

    private static let leadFileSuffix = Array(".json".utf8)

    static func id(fromFileName name: UnsafeBufferPointer<UInt8>) -> Int? {
        let suffix = leadFileSuffix
        guard name.count > suffix.count, name.count - suffix.count <= 18,
              name[(name.count - suffix.count)...].elementsEqual(suffix), name[0] != UInt8(ascii: "0") else { return nil }
        var id = 0
        for byte in name[0..<(name.count - suffix.count)] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            id = id * 10 + Int(byte - 0x30)
        }
        return id
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
        let lock = try lockForCurrentRead()
        if let lead, SummaryIndexSwitch.enabled {
            // Through the per-lead log index (Index/LeadLogIndex.swift): the same answers.
            defer { lock?.release() }
            return try indexedActivity(lead: lead)
        }
        let bytes = try activityLogBytes()
        lock?.release()
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
    static func mentions(_ line: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
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

}
