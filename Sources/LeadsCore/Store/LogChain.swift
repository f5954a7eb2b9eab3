import Glibc

// The hash chain of DIR/activity.log. Every record carries `"prev"`: the SHA-256, in
// hex, of the line before it (its bytes without the newline); the first line of a log
// carries the SHA-256 of nothing. Editing, removing or inserting a line therefore breaks
// the link of the line after it, and `fsck` names that line.
//
// A log written before the chain existed is never rewritten: the first writer that finds
// an unchained last line appends a `chain-start` record whose `legacy-sha256` covers
// every byte before it (and whose `prev` links the last old line, as usual), so the old
// records are protected from then on too. Appends happen under the exclusive lock, so
// two writers can never link to the same line; a torn last line is cut before the head
// is read, so it is never linked.
//
// What the chain cannot show: a change to the last record (no later line links it), or
// a log truncated to an earlier, consistent prefix. Docs/privacy.md says so.

public enum LogChain {
    public static let startAction = ActivityAction.chainStart
    static let prevKey = "prev"
    static let legacyKey = "legacy-sha256"
    static let legacyLinesKey = "legacy-lines"

    /// The link a line after `line` carries.
    public static func link(after line: some Collection<UInt8>) -> String { hexString(SHA256.hash(line)) }

    static let emptyLink = hexString(SHA256.hash([UInt8]()))

    /// The `prev` of a log line. nil when the line has none (or does not parse).
    static func prev(of line: ArraySlice<UInt8>) -> String? {
        guard case .object(let object)? = object(line), case .string(let prev)? = object[prevKey] else { return nil }
        return prev
    }

    static func object(_ line: ArraySlice<UInt8>) -> JSONValue? {
        var reader = JSONReader(Array(line))
        return try? reader.readValue()
    }

    /// The first line that does not fit the chain, and why.
    public struct Break: Sendable, Equatable {
        public var line: Int
        public var reason: String
    }

    /// Checks every complete line of a log. Lines before the first chained record are
    /// legacy and checked only through the chain-start's digest.
    public static func verify(_ bytes: [UInt8]) -> Break? {
        var previous: ArraySlice<UInt8>?
        var chained = false
        for line in ActivityLogLines(bytes: bytes) {
            defer { previous = line.bytes }
            let prev = Self.prev(of: line.bytes)
            if !chained {
                guard let prev else { continue }  // a legacy record
                chained = true
                if line.number == 1 {
                    if prev != emptyLink { return Break(line: 1, reason: "the first record's \"prev\" is not the hash of an empty log") }
                    continue
                }
                guard case .object(let object)? = object(line.bytes),
                      case .string(startAction.rawValue)? = object["action"] else {
                    return Break(line: line.number, reason: "chained records start here without a chain-start record: the lines before it were changed, or records were removed")
                }
                let digest = hexString(SHA256.hash(bytes[0..<line.offset]))
                guard case .string(let legacy)? = object[legacyKey], legacy == digest else {
                    return Break(line: line.number, reason: "the chain-start's legacy-sha256 does not match lines 1 to \(line.number - 1): an old record was changed, removed or inserted")
                }
            }
            guard let prev else {
                return Break(line: line.number, reason: "no \"prev\" hash: the line was inserted by hand, or written by a version of leads without the chain")
            }
            if prev != link(after: previous ?? []) {
                return Break(line: line.number, reason: "its \"prev\" hash does not match line \(line.number - 1): line \(line.number - 1) was changed, or a line was removed or inserted here")
            }
        }
        return nil
    }
}

extension ActivityLog {
    /// The link the next record carries, read from the file's last line. A log whose last
    /// line is unchained gets a chain-start record first (returned to be written before).
    func nextLink(fd: Int32, now: Timestamp, user: String) throws(SystemError) -> (link: String, start: [UInt8]?) {
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return (LogChain.emptyLink, nil) }
        // The last line: read backwards from the end in growing blocks (lines are small).
        var block = 4096
        var last: ArraySlice<UInt8> = []
        while true {
            let start = max(0, size - block)
            var buffer = [UInt8](repeating: 0, count: size - start)
            let n = buffer.withUnsafeMutableBytes { readFully(fd, into: $0, at: start) }
            guard n == size - start else { throw SystemError("read", Self.fileName) }
            let body = buffer.dropLast()  // the final newline (a torn tail was cut already)
            if let newline = body.lastIndex(of: 10) {
                last = body[(newline + 1)...]
                break
            }
            if start == 0 {
                last = body
                break
            }
            block *= 4
        }
        let link = LogChain.link(after: last)
        if LogChain.prev(of: last) != nil { return (link, nil) }
        // Unchained: a log from before the chain. Mark where the chain starts.
        var everything = [UInt8](repeating: 0, count: size)
        let n = everything.withUnsafeMutableBytes { readFully(fd, into: $0, at: 0) }
        guard n == size else { throw SystemError("read", Self.fileName) }
        var lines = 0
        for byte in everything where byte == 10 { lines += 1 }
        let start = ActivityEntry(time: now, user: user, action: LogChain.startAction, details: [
            LogChain.prevKey: .string(link),
            LogChain.legacyKey: .string(hexString(SHA256.hash(everything))),
            LogChain.legacyLinesKey: .number(String(lines)),
        ]).line
        return (LogChain.link(after: start.dropLast()), start)
    }

    /// The bytes to append for `entries`: each line linked to the one before, after a
    /// chain-start when the log was unchained.
    func chainedLines(_ entries: [ActivityEntry], fd: Int32) throws(SystemError) -> [UInt8] {
        guard let first = entries.first else { return [] }
        var (link, start) = try nextLink(fd: fd, now: first.time, user: first.user)
        var bytes = start ?? []
        for var entry in entries {
            entry.details[LogChain.prevKey] = .string(link)
            let line = entry.line
            link = LogChain.link(after: line.dropLast())
            bytes += line
        }
        return bytes
    }
}
