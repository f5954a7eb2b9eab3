/// A JSON document as a tree.
///
/// Numbers keep their exact source text so that money and IDs never pass through
/// binary floating point, and so that a rewritten file keeps numbers it does not
/// understand byte for byte. Equality is therefore textual for numbers (`1.0 != 1`).
///
/// Strings and object keys are Swift `String`s, whose equality is canonical
/// equivalence: two keys that differ only in Unicode normalization (NFC "é" vs.
/// NFD "e" + U+0301) are the same key here, and the reader reports them as a
/// duplicate key.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)        // exact source text, validated against JSON number grammar; never Double
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An integer number, spelled the way JSON and `readInt()` expect it.
    public static func integer(_ value: Int) -> JSONValue {
        .number(String(value))
    }

    /// Whether `text` is a number by the JSON grammar (RFC 8259 section 6), which is
    /// what `.number` must hold for the writer to produce valid JSON.
    public static func isValidNumber(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.count > 0 && JSONGrammar.numberEnd(bytes, from: 0, end: bytes.count) == bytes.count
        }
    }
}

/// The kind of the next value, as seen from its first byte.
public enum JSONKind: Sendable {
    case null, bool, number, string, array, object

    /// The kind of the value that starts with this byte; nil: no value starts so.
    init?(firstByte byte: UInt8) {
        switch byte {
        case 0x22: self = .string
        case 0x7B: self = .object
        case 0x5B: self = .array
        case 0x2D, 0x30...0x39: self = .number
        case 0x74, 0x66: self = .bool
        case 0x6E: self = .null
        default: return nil
        }
    }
}

/// A positioned error: what went wrong and where, so that a caller can report
/// `FILE:LINE:COL: reason`.
public struct JSONError: Error, Sendable, Equatable {
    public var offset: Int          // byte offset into the input
    public var line: Int            // 1-based
    public var column: Int          // 1-based, counted in Unicode scalars from line start
    public var reason: Reason

    public enum Reason: Sendable, Equatable {
        case unexpectedEnd
        case unexpectedByte(UInt8)          // first offending byte
        case invalidUTF8
        case invalidEscape
        case controlCharacterInString       // raw U+0000..U+001F inside a string
        case invalidNumber
        case duplicateKey(String)
        case tooDeep(limit: Int)
        case trailingData
        case typeMismatch(expected: String) // raised via reader.fail(...) by decoders: "string", "integer", ...
        case invalidValue(String)           // raised by decoders for semantic problems (short reason)
    }

    public init(offset: Int, line: Int, column: Int, reason: Reason) {
        self.offset = offset
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// Line and column of a byte offset. Lines end at LF only (a CR before it is
    /// counted as the last column of its line); columns count Unicode scalars,
    /// i.e. bytes that are not UTF-8 continuation bytes.
    public static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        bytes.withUnsafeBufferPointer { buf in position(of: offset, in: buf) }
    }

    static func position(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        let stop = min(max(offset, 0), bytes.count)
        var line = 1
        var column = 1
        for index in 0..<stop {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
