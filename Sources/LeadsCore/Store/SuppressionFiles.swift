import Glibc

// The suppression list on disk: DIR/suppression.key (64 hex digits: the HMAC key,
// random, made with the first entry) and DIR/suppression.json (SuppressionList.json).
// Only these two files know the layout. Calling sequence, under the exclusive lock:
//
//   var list = try writer.suppressionList() ?? writer.newSuppressionList()
//   list.add(...)                              // in memory
//   try writer.saveSuppression(list, ...)      // or delete(..., suppressing: list)
//
// Both files go through the one commit protocol (StoreCommit.swift) with the change
// they belong to: `delete --suppress` erases the lead and lists the person in one
// commit, so neither happens without the other. The key is written before the list
// in that commit and is never rewritten; a list without its key is refused (it could
// match nobody), never silently replaced.

extension LeadStore {
    static let suppressionKeyFile = "suppression.key"
    static let suppressionListFile = "suppression.json"

    /// The list, or nil when nobody was ever suppressed (no key yet).
    static func readSuppression(in root: Directory) throws(StoreError) -> SuppressionList? {
        guard let keyText = try root.read(suppressionKeyFile, limit: 4096) else {
            if try root.read(suppressionListFile, limit: 1) != nil {
                throw .corrupt(path: suppressionListFile, JSONError(offset: 0, line: 1, column: 1, reason: .invalidValue("\(suppressionKeyFile) is missing: restore it from a backup")))
            }
            return nil
        }
        guard let key = hexBytes(keyText), key.count == 32 else {
            throw .corrupt(path: suppressionKeyFile, JSONError(offset: 0, line: 1, column: 1, reason: .invalidValue("not 64 hexadecimal digits")))
        }
        guard let bytes = try root.read(suppressionListFile, limit: 256 << 20) else { return SuppressionList(key: key) }
        do { return try SuppressionList(key: key, bytes: bytes) } catch { throw .corrupt(path: suppressionListFile, error) }
    }

    /// The list as it is now, for readers such as `import-csv --dry-run`.
    public func suppressionList() throws(StoreError) -> SuppressionList? {
        guard let root else { return nil }
        return try Self.readSuppression(in: root)
    }

    private static func hexBytes(_ text: [UInt8]) -> [UInt8]? {
        var digits = text
        while let last = digits.last, last == 10 || last == 13 { digits.removeLast() }
        guard digits.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var bytes: [UInt8] = []
        var i = 0
        while i < digits.count {
            guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }
}

extension StoreWriter {
    public func suppressionList() throws(StoreError) -> SuppressionList? {
        try LeadStore.readSuppression(in: root)
    }

    /// An empty list with a fresh random key, written by its first save.
    public func newSuppressionList() throws(StoreError) -> SuppressionList {
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(SystemError("open", "/dev/urandom")) }
        defer { close(fd) }
        var key = [UInt8](repeating: 0, count: 32)
        let done = key.withUnsafeMutableBytes { readFully(fd, into: $0) }
        guard done == 32 else { throw .system(SystemError("read", "/dev/urandom")) }
        return SuppressionList(key: key)
    }

    func suppressionChanges(_ list: SuppressionList) throws(StoreError) -> [FileChange] {
        var changes: [FileChange] = []
        let hasKey: Bool
        do throws(SystemError) { hasKey = try root.exists(LeadStore.suppressionKeyFile) } catch { throw .system(error) }
        if !hasKey { changes.append(FileChange(root, LeadStore.suppressionKeyFile, Array((hexString(list.key) + "\n").utf8))) }
        changes.append(FileChange(root, LeadStore.suppressionListFile, JSONWriter.pretty(list.json)))
        return changes
    }

    /// `leads suppress`: the list, with its log records (which name entries, not people).
    public func saveSuppression(_ list: SuppressionList, log entries: [ActivityEntry]) throws(StoreError) {
        try commit(try suppressionChanges(list), log: entries)
    }
}
