/// RFC 4180 writer: what `CSVReader` reads back byte for byte.
public struct CSVWriter: Sendable {
    public let delimiter: UInt8

    /// The delimiter must be ASCII and not a quote, CR, LF or NUL.
    public init(delimiter: UInt8 = UInt8(ascii: ",")) {
        CSVReader.checkDelimiter(delimiter)
        self.delimiter = delimiter
    }

    /// Appends one record ended by CRLF. A field is quoted iff it contains the delimiter,
    /// `"`, CR or LF; quotes inside are doubled; an empty field stays empty.
    public func append(_ fields: [String], to out: inout [UInt8]) {
        for (i, field) in fields.enumerated() { append(field, first: i == 0, to: &out) }
        endRecord(&out)
    }

    /// One field of a record, with the delimiter before it unless it is the `first`;
    /// `endRecord` ends the record. For writers that make their fields one by one.
    public func append(_ field: String, first: Bool, to out: inout [UInt8]) {
        if !first { out.append(delimiter) }
        append(field, to: &out)
    }

    public func endRecord(_ out: inout [UInt8]) {
        out.append(0x0D)
        out.append(0x0A)
    }

    private func append(_ field: String, to out: inout [UInt8]) {
        let quote = UInt8(ascii: "\"")
        let delimiter = self.delimiter
        var field = field
        field.withUTF8 { bytes in
            // A field starting with U+FEFF is quoted: at the start of a file it would
            // be taken for a byte order mark and dropped.
            var needsQuotes = bytes.starts(with: [0xEF, 0xBB, 0xBF])
            for byte in bytes
            where byte == delimiter || byte == quote || byte == 0x0D || byte == 0x0A {
                needsQuotes = true
                break
            }
            guard needsQuotes else {
                out.append(contentsOf: bytes)
                return
            }
            out.append(quote)
            var runStart = 0
            for index in bytes.indices where bytes[index] == quote {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...index]))
                out.append(quote)
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            out.append(quote)
        }
    }
}
