#if canImport(Glibc)
import Glibc
#endif

public enum CSVEncoding: Sendable { case utf8, cp1252 }

public struct CSVRecord: Sendable, Equatable {
    public var fields: [String]
    /// 1-based physical line where the record starts (a quoted field may span lines).
    public var line: Int

    public init(fields: [String], line: Int) {
        self.fields = fields
        self.line = line
    }
}

/// Every case is fatal for the input: after one, the reader rethrows it on each `next()`.
public enum CSVError: Error, Sendable, Equatable {
    /// Physical line of the first byte that is not UTF-8.
    case invalidUTF8(line: Int)
    /// Line where the quoted field started.
    case unterminatedQuote(line: Int)
    /// Line of the character that follows a closing quote (`"ab"c`).
    case characterAfterClosingQuote(line: Int)
    /// Line where the field started; `limit` is in bytes.
    case fieldTooLong(line: Int, limit: Int)
    /// Line where the record started.
    case tooManyFields(line: Int, limit: Int)
    /// Line of the NUL byte; CSV text never contains one, binary input nearly always does.
    case nulByte(line: Int)
    /// Line of a byte cp1252 gives no character (0x81 0x8D 0x8F 0x90 0x9D): the file is
    /// not cp1252, and a control character in its place would be a guess.
    case undefinedInCP1252(line: Int, byte: UInt8)
    /// cp1252 was asked for, but this line's field is UTF-8 beyond ASCII (`Jürgen`, which
    /// cp1252 would read as `JÃ¼rgen`).
    case utf8DespiteCP1252(line: Int)
    case readFailed(errno: Int32)
}

/// Where in its record the reader's error struck, for messages that name the column.
public struct CSVFailurePlace: Sendable, Equatable {
    /// The field, from 0.
    public var field: Int
    /// `characterAfterClosingQuote`: the quoted text before the closing quote (at most
    /// 200 bytes of it) and the byte that follows the quote.
    public var quoted: String?
    public var following: UInt8?
    /// The input started with a UTF-8 byte order mark (set by the importer, for the wording).
    public var byteOrderMark = false
}

let quoteByte = UInt8(ascii: "\"")
let crByte: UInt8 = 0x0D
let lfByte: UInt8 = 0x0A

/// Streaming RFC 4180 reader: constant memory apart from the current record.
///
/// Beyond RFC 4180 it accepts what real exports contain: LF and lone CR line ends, a final
/// record without a line end, a `"` inside an unquoted field (kept literally, as Excel and
/// Python do) and a leading UTF-8 BOM (skipped). Line breaks inside quoted fields are kept
/// byte-exact. An empty line is a record with one empty field.
public struct CSVReader {
    public static let defaultMaxFieldBytes = 1 << 20
    /// Bounds the memory of one record together with `maxFieldBytes`: a line of nothing but
    /// delimiters would otherwise become millions of strings.
    public static let defaultMaxFields = 10_000
    static let defaultChunkSize = 1 << 16

    private enum FieldState { case start, unquoted, quoted, afterClosingQuote }

    private let fileDescriptor: Int32
    private let delimiter: UInt8
    private let encoding: CSVEncoding
    private let maxFieldBytes: Int
    private let maxFields: Int
    private let chunkSize: Int

    private var buffer: [UInt8]
    private var position = 0
    private var end: Int
    /// Bytes already dropped from the front of `buffer`.
    private var consumedBeforeBuffer = 0
    private var reachedEndOfInput: Bool
    private var checkedForBOM = false
    /// The previous record ended with a CR at the end of a chunk; an LF that follows is
    /// the second half of its CRLF, not an empty line.
    private var pendingLFAfterCR = false
    private var failure: CSVError?

    /// Physical line of the next unread byte.
    private var line = 1
    private var recordLine = 1
    private var fieldLine = 1
    private var state = FieldState.start
    private var fields: [String] = []
    /// Content of the current field when it cannot be decoded straight from the chunk
    /// (quoted, or split across chunks).
    private var fieldBytes: [UInt8] = []

    /// `prefix`: bytes already read from the descriptor (e.g. for sniffing), consumed first.
    /// The reader does not close the descriptor.
    public init(fileDescriptor: Int32, delimiter: UInt8, encoding: CSVEncoding = .utf8,
                maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes,
                maxFields: Int = CSVReader.defaultMaxFields, prefix: [UInt8] = []) {
        self.init(fileDescriptor: fileDescriptor, delimiter: delimiter, encoding: encoding,
                  maxFieldBytes: maxFieldBytes, maxFields: maxFields, prefix: prefix,
                  chunkSize: CSVReader.defaultChunkSize)
    }

    /// `chunkSize` is exposed to tests so they can put chunk boundaries everywhere.
    init(fileDescriptor: Int32, delimiter: UInt8, encoding: CSVEncoding,
         maxFieldBytes: Int, maxFields: Int, prefix: [UInt8], chunkSize: Int) {
        Self.checkDelimiter(delimiter)
        self.fileDescriptor = fileDescriptor
        self.delimiter = delimiter
        self.encoding = encoding
        self.maxFieldBytes = maxFieldBytes
        self.maxFields = maxFields
        self.chunkSize = max(chunkSize, 1)
        buffer = prefix
        end = prefix.count
        reachedEndOfInput = false
    }

    public init(bytes: [UInt8], delimiter: UInt8, encoding: CSVEncoding = .utf8,
                maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes,
                maxFields: Int = CSVReader.defaultMaxFields) {
        Self.checkDelimiter(delimiter)
        fileDescriptor = -1
        self.delimiter = delimiter
        self.encoding = encoding
        self.maxFieldBytes = maxFieldBytes
        self.maxFields = maxFields
        chunkSize = CSVReader.defaultChunkSize
        buffer = bytes
        end = bytes.count
        reachedEndOfInput = true
    }

    /// A delimiter that is a quote, a line end, NUL or non-ASCII would make the format
    /// ambiguous; the CLI validates `--delimiter` before it gets here.
    static func checkDelimiter(_ delimiter: UInt8) {
        precondition(delimiter != quoteByte && delimiter != crByte && delimiter != lfByte
                     && delimiter != 0 && delimiter < 0x80, "unusable CSV delimiter")
    }

    /// The field of the record the error `next()` threw struck, and what it saw there.
    public private(set) var failurePlace: CSVFailurePlace?
    /// The input started with a UTF-8 byte order mark (skipped).
    public private(set) var startsWithByteOrderMark = false

    /// Input bytes consumed so far, including a skipped BOM and the prefix.
    public var bytesConsumed: Int { consumedBeforeBuffer + position }

    /// The next record, or nil at the end of the input.
    public mutating func next() throws(CSVError) -> CSVRecord? {
        if let failure { throw failure }
        do {
            return try readRecord()
        } catch {
            failure = error
            if failurePlace == nil { failurePlace = CSVFailurePlace(field: fields.count) }
            throw error
        }
    }

    private mutating func readRecord() throws(CSVError) -> CSVRecord? {
        if !checkedForBOM {
            checkedForBOM = true
            _ = try fill(atLeast: 3)
            if end - position >= 3, buffer[position] == 0xEF, buffer[position + 1] == 0xBB,
               buffer[position + 2] == 0xBF {
                position += 3
                startsWithByteOrderMark = true
            }
        }
        if pendingLFAfterCR {
            pendingLFAfterCR = false
            if try fill(atLeast: 1), buffer[position] == lfByte { position += 1 }
        }
        recordLine = line
        fields = []
        fields.reserveCapacity(8)
        state = .start
        fieldBytes.removeAll(keepingCapacity: true)
        while true {
            if position == end, try !fill(atLeast: 1) { return try recordAtEndOfInput() }
            let chunk = buffer
            let complete = try chunk.withUnsafeBufferPointer { bytes throws(CSVError) in
                try scan(bytes)
            }
            if complete { return CSVRecord(fields: fields, line: recordLine) }
        }
    }

    private mutating func recordAtEndOfInput() throws(CSVError) -> CSVRecord? {
        switch state {
        case .start:
            // Nothing of a new record was read, unless the last byte was a delimiter.
            if fields.isEmpty { return nil }
            try appendField(String())
        case .unquoted, .afterClosingQuote:
            try finishBufferedField()
        case .quoted:
            throw .unterminatedQuote(line: fieldLine)
        }
        return CSVRecord(fields: fields, line: recordLine)
    }

    /// Parses `bytes[position..<end]`; true when a record ended inside it.
    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(CSVError) -> Bool {
        let n = end
        let delimiter = self.delimiter
        var i = position
        defer { position = i }
        while i < n {
            switch state {
            case .start:
                fieldLine = line
                if bytes[i] == quoteByte {
                    state = .quoted
                    i += 1
                } else {
                    state = .unquoted
                }

            case .unquoted:
                let runStart = i
                while i < n {
                    let byte = bytes[i]
                    if byte == delimiter || byte == lfByte || byte == crByte || byte == 0 { break }
                    i += 1
                }
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<i])
                if i == n {
                    try bufferFieldBytes(run)
                    return false
                }
                let terminator = bytes[i]
                // The field's length comes before the NUL in reading order, so report
                // it first, however the input was split into reads.
                try checkFieldLength(fieldBytes.count + run.count)
                if terminator == 0 { throw .nulByte(line: line) }
                if fieldBytes.isEmpty {
                    try appendField(decode(run))
                } else {
                    try bufferFieldBytes(run)
                    try finishBufferedField()
                }
                i += 1
                if terminator == delimiter {
                    state = .start
                } else {
                    endLine(after: terminator, bytes, &i)
                    return true
                }

            case .quoted:
                let runStart = i
                while i < n {
                    let byte = bytes[i]
                    if byte == quoteByte || byte == lfByte || byte == crByte || byte == 0 { break }
                    i += 1
                }
                try bufferFieldBytes(UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                if i == n { return false }
                let special = bytes[i]
                if special == 0 { throw .nulByte(line: line) }
                i += 1
                if special == quoteByte {
                    state = .afterClosingQuote
                } else {
                    // An LF right after a CR in the field is the same line break.
                    if special == crByte || fieldBytes.last != crByte { line += 1 }
                    try bufferFieldBytes(special)
                }

            case .afterClosingQuote:
                let byte = bytes[i]
                if byte == quoteByte {
                    try bufferFieldBytes(quoteByte)
                    state = .quoted
                    i += 1
                } else if byte == delimiter {
                    try finishBufferedField()
                    state = .start
                    i += 1
                } else if byte == lfByte || byte == crByte {
                    try finishBufferedField()
                    i += 1
                    endLine(after: byte, bytes, &i)
                    return true
                } else if byte == 0 {
                    throw .nulByte(line: line)
                } else {
                    failurePlace = CSVFailurePlace(field: fields.count, quoted: String(decoding: fieldBytes.prefix(200), as: UTF8.self),
                                                   following: byte)
                    throw .characterAfterClosingQuote(line: line)
                }
            }
        }
        return false
    }

    private mutating func endLine(after terminator: UInt8, _ bytes: UnsafeBufferPointer<UInt8>,
                                  _ i: inout Int) {
        line += 1
        guard terminator == crByte else { return }
        if i < end {
            if bytes[i] == lfByte { i += 1 }
        } else {
            pendingLFAfterCR = true
        }
    }

    private func checkFieldLength(_ count: Int) throws(CSVError) {
        if count > maxFieldBytes { throw .fieldTooLong(line: fieldLine, limit: maxFieldBytes) }
    }

    private mutating func bufferFieldBytes(_ run: UnsafeBufferPointer<UInt8>) throws(CSVError) {
        if run.isEmpty { return }
        try checkFieldLength(fieldBytes.count + run.count)
        fieldBytes.append(contentsOf: run)
    }

    private mutating func bufferFieldBytes(_ byte: UInt8) throws(CSVError) {
        try checkFieldLength(fieldBytes.count + 1)
        fieldBytes.append(byte)
    }

    private mutating func finishBufferedField() throws(CSVError) {
        let text = try fieldBytes.withUnsafeBufferPointer { bytes throws(CSVError) in
            try decode(bytes)
        }
        fieldBytes.removeAll(keepingCapacity: true)
        try appendField(text)
    }

    private mutating func appendField(_ text: String) throws(CSVError) {
        if fields.count >= maxFields { throw .tooManyFields(line: recordLine, limit: maxFields) }
        fields.append(text)
    }

    /// `bytes` is the content of one field that started on `fieldLine`.
    private func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(CSVError) -> String {
        switch encoding {
        case .utf8:
            // Own validation, then the non-generic decoding initialiser: `String(validating:)`
            // is generic and its metadata lookups cost more than the whole scan.
            guard let offset = TextEncoding.firstInvalidUTF8Offset(bytes) else {
                return String(decoding: bytes, as: UTF8.self)
            }
            let before = UnsafeBufferPointer(rebasing: bytes[..<offset])
            throw .invalidUTF8(line: fieldLine + TextEncoding.lineBreakCount(before))
        case .cp1252:
            // A field that is UTF-8 beyond ASCII is UTF-8 text, with a byte order mark or
            // without: cp1252 would turn each `ü` into `Ã¼` without a word. cp1252 text is
            // valid UTF-8 only where every byte above 0x7F is one of `Â`…`ô` followed by
            // one to three of `€`…`¿` (`Ã¼`): mojibake, not words. A field that is not
            // UTF-8 is read as cp1252, as asked (also behind a mark put in front of it).
            if bytes.contains(where: { $0 >= 0x80 }), TextEncoding.firstInvalidUTF8Offset(bytes) == nil {
                throw .utf8DespiteCP1252(line: fieldLine)
            }
            if let offset = TextEncoding.firstUndefinedWindows1252(bytes) {
                let before = UnsafeBufferPointer(rebasing: bytes[..<offset])
                throw .undefinedInCP1252(line: fieldLine + TextEncoding.lineBreakCount(before), byte: bytes[offset])
            }
            return TextEncoding.decodeWindows1252(bytes)
        }
    }

    /// Makes at least `count` unread bytes available unless the input ends first; false if
    /// fewer are available. Moves unread bytes to the front so the buffer never grows past
    /// one chunk plus those few bytes.
    private mutating func fill(atLeast count: Int) throws(CSVError) -> Bool {
        if end - position >= count { return true }
        if reachedEndOfInput { return false }
        let unread = end - position
        if position > 0 {
            if unread > 0 {
                buffer.withUnsafeMutableBufferPointer { storage in
                    let base = storage.baseAddress!
                    base.update(from: base + position, count: unread)
                }
            }
            consumedBeforeBuffer += position
            position = 0
            end = unread
        }
        let capacity = max(end + chunkSize, count)
        if buffer.count < capacity {
            buffer.append(contentsOf: repeatElement(0, count: capacity - buffer.count))
        }
        while end - position < count {
            let received = buffer.withUnsafeMutableBufferPointer { storage in
                read(fileDescriptor, storage.baseAddress! + end, min(storage.count - end, chunkSize))
            }
            if received < 0 {
                if errno == EINTR { continue }
                throw .readFailed(errno: errno)
            }
            if received == 0 {
                reachedEndOfInput = true
                return end - position >= count
            }
            end += received
        }
        return true
    }
}
