// Derived files under DIR/.index/ that let `add` stay independent of the store's size:
//
// - `state`: the next lead and customer IDs and the activity-log size they reflect.
//   Not fsynced: it is a cache of the log, which is. When its stamp differs from the
//   log's size, the log lines after the stamp are replayed; when it is missing or
//   unreadable, everything is rebuilt from the lead files and the whole log.
// - `keys/00` … `keys/ff`: duplicate-check keys (e-mail; name + company), as 64-bit
//   hashes with the lead ID, in 256 buckets so a lookup reads one small file. Keys
//   are written *before* the lead file they describe and removed only after it, so the
//   buckets always hold a superset of the truth; every hit is verified against the
//   lead file itself, so a stale entry (or a hash collision) can never refuse an add.

/// Hash of one duplicate key. FNV-1a over the normalised key text: stable across
/// versions and platforms, which Swift's seeded `Hasher` is not.
public struct DuplicateKey: Hashable, Comparable, Sendable {
    let hash: UInt64

    public static func < (a: DuplicateKey, b: DuplicateKey) -> Bool { a.hash < b.hash }

    init(hash: UInt64) { self.hash = hash }

    init(_ text: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        hash = h
    }

    /// Case-folded, trimmed, inner whitespace collapsed: "Müller  GmbH " = "müller gmbh".
    static func normalise(_ text: String) -> String {
        // Most names and addresses are ASCII: fold them byte by byte.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            if byte >= 0x80 { return normaliseUnicode(text) }
            if FieldParser.isSpace(Unicode.Scalar(byte)) {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace { bytes.append(32) }
            pendingSpace = false
            bytes.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// In NFC, so that "Jörg" typed on Linux and the decomposed "Jo\u{308}rg" macOS writes
    /// into files are one key, as Swift's `==` says they are one string. The keys of a lead
    /// stored decomposed before this folding are found again after `fsck --repair`.
    private static func normaliseUnicode(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        // `_nfcCodeUnits`: the standard library's own NFC, public though underscored (no
        // Foundation here); what its string comparison uses.
        let composed = String(decoding: text.lowercased()._nfcCodeUnits, as: UTF8.self)
        for scalar in composed.unicodeScalars {
            if FieldParser.isSpace(scalar) {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(scalar)
        }
        return String(out)
    }

    static func email(_ email: String) -> DuplicateKey { DuplicateKey("e:" + normalise(email)) }

    static func nameAndCompany(_ name: String, _ company: String?) -> DuplicateKey {
        DuplicateKey("n:" + normalise(name) + "\u{0}" + normalise(company ?? ""))
    }

    /// 128-bit FNV-1a of the same key texts: for checking the rows of one file against
    /// each other without keeping the texts (a million-row import must stay small), with
    /// collisions too unlikely to matter (about 2^-100 for a million rows).
    public static func fingerprints(of lead: Lead) -> [UInt128] {
        var texts = ["n:" + normalise(lead.name) + "\u{0}" + normalise(lead.company ?? "")]
        if let email = lead.email, !normalise(email).isEmpty { texts.append("e:" + normalise(email)) }
        return texts.map { text in
            var h: UInt128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d
            let prime: UInt128 = 0x0000_0000_0100_0000_0000_0000_0000_013b
            for byte in text.utf8 {
                h ^= UInt128(byte)
                h = h &* prime
            }
            return h
        }
    }

    /// Lists the lead files that could not be read when the keys were made: the
    /// duplicate check cannot know their keys, so it refuses while one is unreadable.
    static let unreadable = DuplicateKey(hash: 0)

    static func keys(of lead: Lead) -> [DuplicateKey] {
        var keys = [nameAndCompany(lead.name, lead.company)]
        if let email = lead.email, !normalise(email).isEmpty { keys.append(DuplicateKey.email(email)) }
        return keys
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

func hex2(_ byte: UInt8) -> String {
    String(decoding: [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]], as: UTF8.self)
}

/// The IDs that share one key hash: nearly always one, so it is held inline and only
/// further IDs take an array (an empty array allocates nothing). A 1,000,000-row import
/// holds two million of these; an array each cost some 120 MB more.
struct KeyIDs {
    private(set) var first: Int
    private var rest: [Int] = []

    init(_ id: Int) { first = id }

    var all: [Int] { rest.isEmpty ? [first] : [first] + rest }

    func forEach(_ body: (Int) -> Void) {
        body(first)
        for id in rest { body(id) }
    }

    func contains(_ id: Int) -> Bool { first == id || rest.contains(id) }

    mutating func append(_ id: Int) { rest.append(id) }

    /// Removes `id`; false when nothing is left.
    mutating func remove(_ id: Int) -> Bool {
        if first == id {
            guard !rest.isEmpty else { return false }
            first = rest.removeFirst()
        } else if let index = rest.firstIndex(of: id) {
            rest.remove(at: index)
        }
        return true
    }
}

/// The 256 key buckets, read lazily and written back on `flush`. A bucket is first kept
/// as the bytes read: `add` looks up two or three keys and inserts two, and on a
/// 1,000,000-lead store (buckets of some 7,800 lines) making each bucket a dictionary and
/// writing it back sorted was half of its time. Those few operations scan the bytes and
/// append a line; a bucket used more than `scansBeforeParsing` times (an import, `fsck`)
/// becomes a dictionary, so each key is checked and added in constant time. Lines are
/// sorted only when a dictionary is written; readers never rely on their order.
final class DuplicateKeyIndex {
    static let directoryName = "keys"
    static let scansBeforeParsing = 4
    private let directory: Directory
    private let groupShared: Bool

    private enum Bucket {
        case bytes([UInt8], scans: Int)
        case parsed([UInt64: KeyIDs])
    }

    /// nil: not read yet.
    private var buckets = [Bucket?](repeating: nil, count: 256)
    private var dirty: Set<Int> = []

    init(directory: Directory, groupShared: Bool) {
        self.directory = directory
        self.groupShared = groupShared
    }

    private static func bucket(of key: DuplicateKey) -> Int { Int(key.hash >> 56) }

    /// False if `id` was there already.
    @discardableResult
    private static func add(_ id: Int, hash: UInt64, to entries: inout [UInt64: KeyIDs]) -> Bool {
        guard entries[hash] != nil else {
            entries[hash] = KeyIDs(id)
            return true
        }
        guard !entries[hash]!.contains(id) else { return false }
        entries[hash]!.append(id)
        return true
    }

    private static func parse(_ bytes: [UInt8]) -> [UInt64: KeyIDs] {
        var entries: [UInt64: KeyIDs] = [:]
        entries.reserveCapacity(bytes.count / 24)
        forEachLine(bytes) { hash, id in add(id, hash: hash, to: &entries) }
        return entries
    }

    /// The IDs of `hash` in a bucket's bytes, each once, in the order of their lines (as
    /// `parse` would hold them).
    private static func ids(of hash: UInt64, in bytes: [UInt8]) -> [Int] {
        var ids: [Int] = []
        forEachLine(bytes) { lineHash, id in if lineHash == hash, !ids.contains(id) { ids.append(id) } }
        return ids
    }

    /// Bucket `b`, read from its file the first time.
    private func loaded(_ b: Int) throws(StoreError) -> Bucket {
        if let bucket = buckets[b] { return bucket }
        let bucket = Bucket.bytes(try directory.read(hex2(UInt8(b))) ?? [], scans: 0)
        buckets[b] = bucket
        return bucket
    }

    /// Bucket `b` as bytes, with this scan counted, when it is still read as bytes and has
    /// scans left; otherwise nil, and the bucket is a dictionary.
    private func scannableBytes(_ b: Int) throws(StoreError) -> (bytes: [UInt8], scans: Int)? {
        guard case .bytes(let bytes, let scans) = try loaded(b) else { return nil }
        guard scans < Self.scansBeforeParsing else {
            buckets[b] = .parsed(Self.parse(bytes))
            return nil
        }
        buckets[b] = .bytes(bytes, scans: scans + 1)
        return (bytes, scans + 1)
    }

    /// Bucket `b` as a dictionary, parsed from its bytes if need be.
    private func parsed(_ b: Int) throws(StoreError) -> [UInt64: KeyIDs] {
        switch try loaded(b) {
        case .bytes(let bytes, _):
            let entries = Self.parse(bytes)
            buckets[b] = .parsed(entries)
            return entries
        case .parsed(let entries):
            return entries
        }
    }

    /// The (hash, ID) of each line `HASH ID` of a bucket, read from the bytes: a bucket of
    /// a 100,000-lead store is some 750 lines, and a `String` per field made reading and
    /// writing the two or three buckets of an `add` a fifth of its time there. A line that
    /// is not 1–16 hex digits, spaces, 1–18 decimal digits is skipped, as a stale one is.
    static func forEachLine(_ bytes: [UInt8], _ body: (UInt64, Int) -> Void) {
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            let n = b.count
            while i < n {
                var hash: UInt64 = 0, hexCount = 0, id = 0, idDigits = 0
                var ok = true
                while i < n, b[i] != 32, b[i] != 10 {
                    let c = b[i]
                    let v: UInt8 = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 255
                    if v == 255 || hexCount == 16 { ok = false } else { hash = hash << 4 | UInt64(v); hexCount += 1 }
                    i += 1
                }
                while i < n, b[i] == 32 { i += 1 }
                while i < n, b[i] != 10 {
                    let c = b[i]
                    if c < 48 || c > 57 || idDigits == 18 { ok = false } else { id = id * 10 + Int(c - 48); idDigits += 1 }
                    i += 1
                }
                i += 1
                if ok, hexCount > 0, idDigits > 0 { body(hash, id) }
            }
        }
    }

    /// One line `HASH ID`: the hash as 16 lower-case hex digits, the ID in decimal.
    static func appendLine(hash: UInt64, id: Int, to out: inout [UInt8]) {
        precondition(id >= 0, "lead IDs are positive")
        for shift in stride(from: 60, through: 0, by: -4) { out.append(hexDigits[Int(hash >> UInt64(shift) & 15)]) }
        out.append(32)
        var count = 1
        var n = id
        while n >= 10 { n /= 10; count += 1 }
        var k = out.count + count
        out.append(contentsOf: repeatElement(48, count: count))
        n = id
        repeat {
            k -= 1
            out[k] = UInt8(48 + n % 10)
            n /= 10
        } while n > 0
        out.append(10)
    }

    /// A bucket's text: `HASH ID` lines, by hash and ID.
    static func bucketBytes(_ entries: [UInt64: KeyIDs]) -> [UInt8] {
        var pairs: [(hash: UInt64, id: Int)] = []
        pairs.reserveCapacity(entries.count)
        for (hash, ids) in entries { ids.forEach { pairs.append((hash, $0)) } }
        pairs.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.id < $1.id }
        var out: [UInt8] = []
        out.reserveCapacity(pairs.count * 24)
        for pair in pairs { appendLine(hash: pair.hash, id: pair.id, to: &out) }
        return out
    }

    func ids(for key: DuplicateKey) throws(StoreError) -> [Int] {
        let b = Self.bucket(of: key)
        if let scannable = try scannableBytes(b) { return Self.ids(of: key.hash, in: scannable.bytes) }
        return try parsed(b)[key.hash]?.all ?? []
    }

    func insert(_ key: DuplicateKey, id: Int) throws(StoreError) {
        let b = Self.bucket(of: key)
        if case (var bytes, let scans)? = try scannableBytes(b) {
            guard !Self.ids(of: key.hash, in: bytes).contains(id) else { return }
            // Appended, not sorted in: the bucket is written as it is. One reference to the
            // bytes while they grow, so they are not copied.
            buckets[b] = nil
            if let last = bytes.last, last != 10 { bytes.append(10) }
            Self.appendLine(hash: key.hash, id: id, to: &bytes)
            buckets[b] = .bytes(bytes, scans: scans)
            dirty.insert(b)
            return
        }
        var entries = try parsed(b)
        buckets[b] = nil  // one reference to the dictionary while it changes
        if Self.add(id, hash: key.hash, to: &entries) { dirty.insert(b) }
        buckets[b] = .parsed(entries)
    }

    func remove(_ key: DuplicateKey, id: Int) throws(StoreError) {
        let b = Self.bucket(of: key)
        var entries = try parsed(b)
        guard entries[key.hash]?.contains(id) == true else { return }
        buckets[b] = nil
        if !entries[key.hash]!.remove(id) { entries[key.hash] = nil }
        buckets[b] = .parsed(entries)
        dirty.insert(b)
    }

    /// Replaces every bucket (a rebuild).
    func replaceAll(with pairs: [(DuplicateKey, Int)]) {
        var all = [[UInt64: KeyIDs]](repeating: [:], count: 256)
        for (key, id) in pairs { Self.add(id, hash: key.hash, to: &all[Self.bucket(of: key)]) }
        buckets = all.map { .parsed($0) }
        dirty = Set(0..<256)
    }

    func flush() throws(SystemError) {
        for b in dirty.sorted() {
            let name = hex2(UInt8(b))
            let bytes: [UInt8]
            switch buckets[b] {
            case .bytes(let raw, _)?: bytes = raw
            case .parsed(let entries)?: bytes = entries.isEmpty ? [] : Self.bucketBytes(entries)
            case nil: bytes = []
            }
            if bytes.isEmpty {
                try directory.remove(name)  // a missing bucket reads as empty
                continue
            }
            try directory.writeAtomically(name, bytes, durable: false, groupShared: groupShared)
        }
        dirty = []
    }
}

/// DIR/.index/state: ID high-water marks and the log size they reflect.
struct DerivedState: Equatable {
    static let fileName = "state"
    var nextLead: Int
    var nextCustomer: Int
    var logSize: Int

    init(nextLead: Int = 1, nextCustomer: Int = 1, logSize: Int = 0) {
        self.nextLead = nextLead
        self.nextCustomer = nextCustomer
        self.logSize = logSize
    }

    var bytes: [UInt8] {
        Array("next-lead \(nextLead)\nnext-customer \(nextCustomer)\nlog-size \(logSize)\n".utf8)
    }

    init?(bytes: [UInt8]) {
        var values: [String: Int] = [:]
        for line in bytes.split(separator: 10) {
            let parts = line.split(separator: 32)
            guard parts.count == 2, let n = Int(String(decoding: parts[1], as: UTF8.self)) else { return nil }
            values[String(decoding: parts[0], as: UTF8.self)] = n
        }
        guard let lead = values["next-lead"], let customer = values["next-customer"], let size = values["log-size"],
              lead > 0, customer > 0, size >= 0 else { return nil }
        self.init(nextLead: lead, nextCustomer: customer, logSize: size)
    }

    /// Raises the high-water marks for what one log record mentions.
    mutating func observe(_ entry: ActivityEntry) {
        if let lead = entry.lead { nextLead = max(nextLead, lead + 1) }
        if let customer = entry.customer { nextCustomer = max(nextCustomer, customer + 1) }
    }
}
