/// Deterministic JSON output: the same value always gives the same bytes, so files
/// diff and merge cleanly and a rewrite without changes is byte-identical.
///
/// Numbers are written as their stored text; a `.number` must hold valid JSON number
/// text (`JSONValue.isValidNumber`), which the reader and `JSONValue.integer`
/// guarantee.
public enum JSONWriter {
    /// 2-space indent, keys sorted by Unicode scalar (= UTF-8 byte) order, `"key": value`,
    /// empty containers as `{}` / `[]`, final newline. Diff- and merge-friendly.
    public static func pretty(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, indent: 0, pretty: true, to: &out)
        out.append(0x0A)
        return out
    }

    /// One line, sorted keys, no spaces, no trailing newline (for JSON-lines logs).
    public static func compact(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, indent: 0, pretty: false, to: &out)
        return out
    }

    /// Appends a quoted JSON string: escapes `"` `\\` and U+0000..U+001F (\n \r \t \b \f, others \u00XX);
    /// never escapes `/` or non-ASCII (raw UTF-8 out).
    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        var s = s
        out.append(JSONGrammar.quote)
        s.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == JSONGrammar.quote || byte == JSONGrammar.backslash else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                out.append(JSONGrammar.backslash)
                switch byte {
                case 0x0A: out.append(0x6E)
                case 0x0D: out.append(0x72)
                case 0x09: out.append(0x74)
                case 0x08: out.append(0x62)
                case 0x0C: out.append(0x66)
                case 0x22, 0x5C: out.append(byte)
                default:
                    out.append(contentsOf: [0x75, 0x30, 0x30, hexDigit(byte >> 4), hexDigit(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(JSONGrammar.quote)
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }

    private static func write(_ value: JSONValue, indent: Int, pretty: Bool, to out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true):
            out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false):
            out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .number(let text):
            assert(JSONValue.isValidNumber(text), "not a JSON number: \(text)")
            out.append(contentsOf: text.utf8)
        case .string(let text):
            appendQuoted(text, to: &out)
        case .array(let elements):
            guard !elements.isEmpty else {
                out.append(contentsOf: [0x5B, 0x5D])
                return
            }
            out.append(0x5B)
            for (n, element) in elements.enumerated() {
                if n > 0 { out.append(0x2C) }
                if pretty { newline(indent: indent + 2, to: &out) }
                write(element, indent: indent + 2, pretty: pretty, to: &out)
            }
            if pretty { newline(indent: indent, to: &out) }
            out.append(0x5D)
        case .object(let members):
            guard !members.isEmpty else {
                out.append(contentsOf: [0x7B, 0x7D])
                return
            }
            // Byte order of UTF-8 equals scalar order, unlike String's `<`, which
            // compares by canonical equivalence.
            // Sorting positions rather than the pairs themselves keeps the sort from
            // copying values around.
            let entries = Array(members)
            let order = entries.indices.sorted { utf8Precedes(entries[$0].key, entries[$1].key) }
            out.append(0x7B)
            for (n, position) in order.enumerated() {
                if n > 0 { out.append(0x2C) }
                if pretty { newline(indent: indent + 2, to: &out) }
                appendQuoted(entries[position].key, to: &out)
                out.append(0x3A)
                if pretty { out.append(0x20) }
                write(entries[position].value, indent: indent + 2, pretty: pretty, to: &out)
            }
            if pretty { newline(indent: indent, to: &out) }
            out.append(0x7D)
        }
    }

    /// Byte-wise order of the UTF-8 forms, on contiguous bytes (the generic
    /// `utf8.lexicographicallyPrecedes` was the writer's hottest spot).
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        let ordered = a.utf8.withContiguousStorageIfAvailable { left in
            b.utf8.withContiguousStorageIfAvailable { right in
                let common = min(left.count, right.count)
                for index in 0..<common where left[index] != right[index] {
                    return left[index] < right[index]
                }
                return left.count < right.count
            }
        }
        return (ordered ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    @inline(__always)
    private static func newline(indent: Int, to out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent))
    }
}
