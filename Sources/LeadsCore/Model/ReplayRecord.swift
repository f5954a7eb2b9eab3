import Glibc

/// What a replay of the log needs from one record, and nothing else: when, which lead,
/// the action, the user, the format, the lead's snapshot after the change (`state`),
/// whether the record made the lead (`created`) and what it changed (`old`).
///
/// The history reports read every record of the log, so this is read straight from the
/// line's bytes with the pull scanner: the line is checked as strictly as `ActivityEntry`
/// checks it (UTF-8, escapes, numbers, duplicate keys, nothing after the object), but no
/// tree is built and keys a replay does not use are skipped unread. Whatever the fast
/// reading does not take as a plain, valid record — a bad line, a wrong type, a missing
/// time — is handed back as nil, and the caller reads the line the full way, which gives
/// the same answer or the same positioned error as before.
struct ReplayRecord {
    /// `old` as a replay sees it.
    enum Old {
        case absent
        /// Present but not an object of valid fields: the state before is unknown.
        case invalid
        indirect case fields(SnapshotFields)
    }

    var time: Timestamp
    var lead: Int?
    var action: String
    var user: String
    var format: Int
    /// nil: no `state`, or one that is not a valid snapshot.
    var state: LeadSnapshot?
    var created: Bool
    var old: Old

    /// From an already parsed record (the full way).
    init(_ entry: ActivityEntry) {
        time = entry.time
        lead = entry.lead
        action = entry.action
        user = entry.user
        format = entry.format
        state = entry.format >= 2 ? entry.details["state"].flatMap(LeadSnapshot.init(json:)) : nil
        created = entry.details["created"] == .bool(true)
        switch entry.details["old"] {
        case nil: old = .absent
        case .object(let object)?: old = SnapshotFields(object: object).map(Old.fields) ?? .invalid
        default: old = .invalid
        }
    }

    private init(time: Timestamp, lead: Int?, action: String, user: String, format: Int, state: LeadSnapshot?, created: Bool, old: Old) {
        self.time = time
        self.lead = lead
        self.action = action
        self.user = user
        self.format = format
        self.state = state
        self.created = created
        self.old = old
    }

    /// The fast reading of one line (without its newline); nil: read it the full way.
    /// It takes the line only in the form the store writes (compact, keys in ascending
    /// byte order, which also rules out duplicate keys; strings without escapes), so it
    /// never has to decide a question of JSON the full reader decides differently.
    static func read(_ line: UnsafeBufferPointer<UInt8>) -> ReplayRecord? {
        var texts = ReplayTexts()
        return read(line, &texts)
    }

    /// One log line (without its newline) as a replay reads it: straight from the bytes
    /// when it is a plain record, else the full way (`ActivityEntry`), which also throws
    /// the positioned error of a bad line.
    static func parse(_ line: UnsafeBufferPointer<UInt8>, _ texts: inout ReplayTexts) throws(JSONError) -> ReplayRecord {
        if let record = read(line, &texts) { return record }
        return ReplayRecord(try ActivityEntry(line: Array(line)))
    }

    /// The fast reading, sharing the texts of earlier lines.
    static func read(_ line: UnsafeBufferPointer<UInt8>, _ texts: inout ReplayTexts) -> ReplayRecord? {
        var cursor = CompactCursor(buf: line)
        var time: Timestamp?, action: String?, lead: Int?, user = "", format = 1, created = false
        var state: SnapshotFields?, stateGiven = false, old = Old.absent
        guard cursor.open(0x7B) else { return nil }
        var key: Range<Int>? = nil
        while true {
            switch cursor.nextKey(after: key) {
            case .bad: return nil
            case .end:
                guard cursor.atEnd, let time, let action else { return nil }
                let snapshot = format >= 2 && stateGiven ? state.flatMap { LeadSnapshot(fields: $0, base: nil) } : nil
                return ReplayRecord(time: time, lead: lead, action: action, user: user, format: format, state: snapshot, created: created, old: old)
            case .key(let k):
                key = k
                let kind = cursor.kind
                switch cursor.key(k) {
                case .time:
                    guard kind == .string, let r = cursor.string(),
                          let seconds = Timestamp.parseStored(cursor.bytes(r)) else { return nil }
                    time = Timestamp(seconds: seconds)
                case .action:
                    guard kind == .string, let r = cursor.string() else { return nil }
                    action = texts.actions.text(cursor.bytes(r))
                case .user where kind == .string:
                    guard let r = cursor.string() else { return nil }
                    user = texts.users.text(cursor.bytes(r))
                case .lead where kind == .number:
                    guard let r = cursor.number() else { return nil }
                    lead = cursor.integer(r)
                case .format where kind == .number:
                    guard let r = cursor.number() else { return nil }
                    format = cursor.integer(r) ?? 1
                case .created where kind == .bool:
                    guard let b = cursor.literal() else { return nil }
                    created = b == true
                case .state:
                    stateGiven = true
                    if kind == .object {
                        guard let fields = fields(&cursor, &texts) else { return nil }
                        state = fields
                    } else {
                        state = nil
                        guard cursor.skipValue() else { return nil }
                    }
                case .old:
                    if kind == .object {
                        guard let fields = fields(&cursor, &texts) else { return nil }
                        old = fields.map(Old.fields) ?? .invalid
                    } else {
                        old = .invalid
                        guard cursor.skipValue() else { return nil }
                    }
                default:
                    guard cursor.skipValue() else { return nil }
                }
            }
        }
    }

    /// The object at the cursor as snapshot fields: nil when the bytes are not in the
    /// store's form, `.some(nil)` when they are but a key holds an invalid value.
    private static func fields(_ cursor: inout CompactCursor, _ texts: inout ReplayTexts) -> SnapshotFields?? {
        var fields = SnapshotFields()
        var valid = true
        guard cursor.open(0x7B) else { return nil }
        var key: Range<Int>? = nil
        while true {
            switch cursor.nextKey(after: key) {
            case .bad: return nil
            case .end: return .some(valid ? fields : nil)
            case .key(let k):
                key = k
                let name = cursor.key(k)
                switch cursor.kind {
                case .null:
                    guard cursor.literal() != nil else { return nil }
                    if valid { valid = fields.set(name.rawValue, null: ()) }
                case .string:
                    guard let r = cursor.string() else { return nil }
                    if valid { valid = fields.set(name, bytes: cursor.bytes(r), texts: &texts) }
                case .number:
                    guard let r = cursor.number() else { return nil }
                    if valid {
                        if name == .probability {
                            if let p = cursor.percent(r) { fields.probability = .set(p) } else { valid = false }
                        } else {
                            valid = !SnapshotFields.known(name.rawValue)
                        }
                    }
                case .array where name == .labels:
                    guard cursor.open(0x5B) else { return nil }
                    var list: [String] = []
                    var first = true
                    while true {
                        guard let more = cursor.nextElement(first: first) else { return nil }
                        if !more { break }
                        first = false
                        if cursor.kind == .string {
                            guard let r = cursor.string() else { return nil }
                            list.append(texts.labels.text(cursor.bytes(r)))
                        } else {
                            valid = false
                            guard cursor.skipValue() else { return nil }
                        }
                    }
                    if valid { fields.labels = .set(list) }
                default:
                    guard cursor.skipValue() else { return nil }
                    valid = valid && !SnapshotFields.known(name.rawValue)
                }
            }
        }
    }
}

extension SnapshotFields {
    /// `key: "text"` from the bytes of the text (known to be valid UTF-8 without escapes).
    mutating func set(_ key: ReplayKey, bytes: UnsafeBufferPointer<UInt8>, texts: inout ReplayTexts) -> Bool {
        switch key {
        case .stage: stage = .set(texts.stages.text(bytes))
        case .currency: currency = .set(texts.currencies.text(bytes))
        case .owner: owner = .set(texts.users.text(bytes))
        case .source: source = .set(texts.sources.text(bytes))
        case .campaign: campaign = .set(texts.campaigns.text(bytes))
        case .created:
            guard let seconds = Timestamp.parseStored(bytes) else { return false }
            created = .set(Timestamp(seconds: seconds))
        case .value:
            guard let units = Amount.parseCanonical(bytes) else { return false }
            amount = .set(Amount(units: units))
        case .close:
            guard let date = CalendarDate.parseStored(bytes) else { return false }
            close = .set(date)
        case .due:
            // As `When(stored:)`: a day, else an instant.
            if let date = CalendarDate.parseStored(bytes) {
                due = .set(.day(date))
            } else if let seconds = Timestamp.parseStored(bytes) {
                due = .set(.instant(Timestamp(seconds: seconds)))
            } else {
                return false
            }
        case .probability, .labels: return false
        default: break
        }
        return true
    }
}

/// The texts a replay meets again and again — actions, users and owners, stages,
/// currencies, sources, campaigns, labels — each made a `String` once and handed out
/// again for the same bytes, so a million records make a few dozen strings, not
/// millions, and the states kept per lead share their storage.
struct ReplayTexts: Sendable {
    struct Pool: Sendable {
        private var entries: [(bytes: [UInt8], text: String)] = []
        /// Beyond this many distinct texts (free text in a field), no more are kept.
        static let limit = 256

        mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            for entry in entries where entry.bytes.count == bytes.count {
                if entry.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
                    return entry.text
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if entries.count < Self.limit { entries.append((Array(bytes), text)) }
            return text
        }
    }

    var actions = Pool(), users = Pool(), stages = Pool(), currencies = Pool(), sources = Pool(), campaigns = Pool(), labels = Pool()
}

/// The keys of a log record and of its snapshots that a replay reads.
enum ReplayKey: String, CaseIterable {
    case action, campaign, close, created, currency, due, format, labels, lead, old, owner
    case probability, source, stage, state, time, user, value
    case other = ""
}

/// A position in one line in the store's compact form. Every reading method returns nil
/// (or false) for bytes not in that form, and the line is then read the full way.
private struct CompactCursor {
    let buf: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0

    init(buf: UnsafeBufferPointer<UInt8>) { self.buf = buf }

    var atEnd: Bool { index == buf.count }

    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: buf[range]) }

    /// The keys a replay looks for, with their bytes.
    static let keys: [(bytes: [UInt8], key: ReplayKey)] = ReplayKey.allCases.filter { $0 != .other }.map { (Array($0.rawValue.utf8), $0) }

    /// Which key a replay looks for this is (`.other`: none, skipped). An enum, not a
    /// `String` switched on: comparing key names was a tenth of `pipeline --as-of`.
    func key(_ range: Range<Int>) -> ReplayKey {
        guard let first = range.first.map({ buf[$0] }) else { return .other }
        for entry in Self.keys where entry.bytes.count == range.count && entry.bytes[0] == first {
            if entry.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, buf.baseAddress! + range.lowerBound, range.count) == 0 }) {
                return entry.key
            }
        }
        return .other
    }

    /// What the value at the cursor is, by its first byte (nil: none is).
    var kind: JSONKind? {
        index < buf.count ? JSONKind(firstByte: buf[index]) : nil
    }

    mutating func open(_ bracket: UInt8) -> Bool {
        guard index < buf.count, buf[index] == bracket, depth < 64 else { return false }
        index += 1
        depth += 1
        return true
    }

    enum Step { case key(Range<Int>), end, bad }

    /// The next key of the open object (the cursor then at its value), or its end.
    /// Keys must be ASCII and each greater in byte order than the one before.
    mutating func nextKey(after previous: Range<Int>?) -> Step {
        guard index < buf.count else { return .bad }
        if buf[index] == 0x7D {
            index += 1
            depth -= 1
            return .end
        }
        if previous != nil {
            guard buf[index] == 0x2C else { return .bad }
            index += 1
        }
        guard let key = string(asciiOnly: true), index < buf.count, buf[index] == 0x3A else { return .bad }
        if let previous {
            let a = bytes(previous), b = bytes(key)
            let common = min(a.count, b.count)
            let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
            guard order < 0 || (order == 0 && a.count < b.count) else { return .bad }
        }
        index += 1
        return .key(key)
    }

    /// Whether the open array has another element (the cursor then at it); nil: bad.
    mutating func nextElement(first: Bool) -> Bool? {
        guard index < buf.count else { return nil }
        if buf[index] == 0x5D {
            index += 1
            depth -= 1
            return false
        }
        if !first {
            guard buf[index] == 0x2C else { return nil }
            index += 1
        }
        return true
    }

    /// The body of the string at the cursor: no escapes, no control bytes, valid UTF-8.
    mutating func string(asciiOnly: Bool = false) -> Range<Int>? {
        guard index < buf.count, buf[index] == JSONGrammar.quote else { return nil }
        let start = index + 1
        let (stop, nonASCII) = JSONGrammar.stringStop(buf, from: start, end: buf.count)
        guard stop < buf.count, buf[stop] == JSONGrammar.quote else { return nil }
        if nonASCII {
            guard !asciiOnly, TextEncoding.firstInvalidUTF8(buf, from: start, to: stop) == nil else { return nil }
        }
        index = stop + 1
        return start..<stop
    }

    mutating func number() -> Range<Int>? {
        guard let end = JSONGrammar.numberEnd(buf, from: index, end: buf.count) else { return nil }
        defer { index = end }
        return index..<end
    }

    /// A probability's number text (`60`, `33.33`); rare in a log, so read through a String.
    func percent(_ range: Range<Int>) -> Percent? {
        Percent(exactly: String(decoding: UnsafeBufferPointer(rebasing: buf[range]), as: UTF8.self))
    }

    /// `Int(text)` of a number's text: digits with an optional minus, in range.
    func integer(_ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        let negative = buf[i] == 0x2D
        if negative { i += 1 }
        var value = 0
        while i < range.upperBound {
            let digit = buf[i] &- 0x30
            guard digit < 10 else { return nil }
            let (scaled, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? scaled.subtractingReportingOverflow(Int(digit)) : scaled.addingReportingOverflow(Int(digit))
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return value
    }

    /// `true`, `false` or `null` (`.some(nil)`); nil: none of them.
    mutating func literal() -> Bool?? {
        func matches(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard buf.count - index >= n, memcmp(buf.baseAddress! + index, word.utf8Start, n) == 0 else { return false }
            index += n
            return true
        }
        if matches("true") { return .some(true) }
        if matches("false") { return .some(false) }
        if matches("null") { return .some(nil) }
        return nil
    }

    /// Any value, checked as strictly as the full reader checks it (within the form).
    mutating func skipValue() -> Bool {
        switch kind {
        case .string?: return string() != nil
        case .number?: return number() != nil
        case .bool?, .null?: return literal() != nil
        case .object?:
            guard open(0x7B) else { return false }
            var key: Range<Int>? = nil
            while true {
                switch nextKey(after: key) {
                case .bad: return false
                case .end: return true
                case .key(let k):
                    key = k
                    guard skipValue() else { return false }
                }
            }
        case .array?:
            guard open(0x5B) else { return false }
            var first = true
            while true {
                guard let more = nextElement(first: first) else { return false }
                if !more { return true }
                first = false
                guard skipValue() else { return false }
            }
        case nil: return false
        }
    }
}
