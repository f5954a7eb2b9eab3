import Glibc
import LeadsCore

/// Lead IDs as typed: `12`, `#12`, ranges `4-7`, and `-` for IDs on stdin (one or more
/// per line). Nothing else is accepted, so an ID can never become a path.
enum IDList {
    static let maximumRange = 100_000

    /// 8 MiB: a million IDs of seven digits each with their line ends.
    static let maximumStandardInput = 8 << 20

    static func parse(_ tokens: [String], argument: String = "ID") throws -> [Int] {
        var ids: [Int] = []
        var seen = Set<Int>()
        func add(_ id: Int) {
            if seen.insert(id).inserted { ids.append(id) }
        }
        for token in tokens {
            if token == "-" {
                for word in try readStandardInput(limit: maximumStandardInput, argument: argument, what: "IDs").split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) {
                    for id in try expand(String(word), argument: argument) { add(id) }
                }
            } else {
                for id in try expand(token, argument: argument) { add(id) }
            }
        }
        return ids
    }

    static func expand(_ token: String, argument: String) throws(UsageError) -> [Int] {
        let body = token.hasPrefix("#") ? String(token.dropFirst()) : token
        if let dash = body.firstIndex(of: "-"), dash != body.startIndex {
            let low = try single(String(body[..<dash]), original: token, argument: argument)
            let high = try single(String(body[body.index(after: dash)...]), original: token, argument: argument)
            guard low <= high else {
                throw .invalidArgument(argument: argument, value: token, reason: "a range runs from the lower to the higher ID, such as 4-7")
            }
            guard high - low < maximumRange else {
                throw .invalidArgument(argument: argument, value: token, reason: "a range may span at most \(maximumRange) IDs")
            }
            return Array(low...high)
        }
        return [try single(body, original: token, argument: argument)]
    }

    static func single(_ token: String, argument: String = "ID") throws(UsageError) -> Int {
        try single(token.hasPrefix("#") ? String(token.dropFirst()) : token, original: token, argument: argument)
    }

    private static func single(_ digits: String, original: String, argument: String) throws(UsageError) -> Int {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .invalidArgument(argument: argument, value: original, reason: "an ID is a positive number such as 42 or #42")
        }
        guard digits.utf8.count <= 15, let id = Int(digits) else {
            throw .invalidArgument(argument: argument, value: original, reason: "no lead has an ID that large")
        }
        guard id > 0 else { throw .invalidArgument(argument: argument, value: original, reason: "IDs start at 1") }
        return id
    }

    /// Reminder references `ID.N`.
    static func reminderReference(_ token: String) throws(UsageError) -> (lead: Int, number: Int) {
        let body = token.hasPrefix("#") ? String(token.dropFirst()) : token
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .invalidArgument(argument: "REF", value: token, reason: "a reminder is named ID.N, such as 12.1 (see 'leads remind --list')")
        }
        let lead = try single(String(parts[0]), original: token, argument: "REF")
        // The N of ID.N is a reminder's number, not an ID: the messages say so.
        let digits = parts[1]
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .invalidArgument(argument: "REF", value: token, reason: "a reminder is named ID.N, such as 12.1 (see 'leads remind --list')")
        }
        guard digits.utf8.count <= 15, let number = Int(digits) else {
            throw .invalidArgument(argument: "REF", value: token, reason: "no reminder has a number that large")
        }
        guard number > 0 else {
            throw .invalidArgument(argument: "REF", value: token, reason: "reminder numbers (the N of ID.N) start at 1")
        }
        return (lead, number)
    }
}

/// All of standard input as text (for `-` arguments). Refuses invalid UTF-8 rather than
/// altering it, and more than `limit` bytes: `cat /dev/zero | leads status - won` must
/// end with a message, not fill the memory.
func readStandardInput(limit: Int = 64 << 20, argument: String = "TEXT", what: String = "text") throws -> String {
    guard let bytes = try readStandardInputBytes(limit: limit) else {
        throw UsageError.invalidArgument(argument: argument, value: "-",
                                         reason: "more than \(limit >> 20) MiB of \(what) on standard input; give less at a time")
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw FieldError(field: "standard input", value: "", problem: .invalid("not valid UTF-8"))
    }
    return text
}

/// Standard input whole, or nil as soon as it holds more than `limit` bytes (reading
/// stops there: the rest is never buffered).
func readStandardInputBytes(limit: Int) throws -> [UInt8]? {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw SystemError("read", "standard input")
        }
        if n == 0 { return bytes }
        guard bytes.count + n <= limit else { return nil }
        bytes += chunk[0..<n]
    }
}
