/// Pull reader over a byte buffer. Decoders drive it; errors carry line and column.
///
/// Strict RFC 8259: no comments, trailing commas, NaN, leading zeros or byte order
/// mark; strings must be valid UTF-8 without raw control characters; lone surrogate
/// escapes are rejected; duplicate keys in one object are an error.
///
/// Where `offset` stands:
/// - after `peekKind()`, and after `nextKey()` returned a key or `nextElement()`
///   returned true: on the first byte of the value (whitespace skipped), so a
///   decoder can take `offset` as the value's position for `fail(_:at:)`;
/// - after `beginObject()` / `beginArray()`: just after the bracket;
/// - after a `read…` or `skipValue()`: just after the value;
/// - when a `read…` meets a value of another kind: on that value, unconsumed.
///
/// Error positions: `unexpectedByte`, `invalidUTF8`, `controlCharacterInString` at
/// the offending byte; `unexpectedEnd` at the end of input; `invalidEscape` at the
/// backslash of the bad escape (for a lone high surrogate, of its `\u`);
/// `invalidNumber`, `typeMismatch`, `tooDeep` at the start of the value;
/// `duplicateKey` at the opening quote of the repeated key; `trailingData` at the
/// first non-whitespace byte after the document (`unexpectedByte(0)` if that byte
/// is NUL).
///
/// A `typeMismatch` from a `read…` or `begin…` leaves the reader where it was, so a
/// decoder may try another kind; after any other error the reader is spent.
public struct JSONReader {
    private let input: [UInt8]
    // All work happens in the scanner on a buffer pointer borrowed per call; keeping
    // its state apart from `input` lets a call borrow both without copying either.
    private var scanner: JSONScanner

    public init(_ bytes: [UInt8], maxDepth: Int = 256) {
        self.init(bytes, range: 0..<bytes.count, maxDepth: maxDepth)
    }

    /// Reads only `range` of `bytes` (clamped to the array), e.g. one line of a
    /// JSON-lines file. Offsets, lines and columns stay those of the whole buffer,
    /// so errors point into the file as it is.
    public init(_ bytes: [UInt8], range: Range<Int>, maxDepth: Int = 256) {
        let lower = min(max(range.lowerBound, 0), bytes.count)
        let upper = min(max(range.upperBound, lower), bytes.count)
        input = bytes
        scanner = JSONScanner(offset: lower, end: upper, maxDepth: maxDepth)
    }

    /// Parses a whole document: one value, then only whitespace.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 256) throws(JSONError) -> JSONValue {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        let value = try reader.readValue()
        try reader.finish()
        return value
    }

    public var offset: Int { scanner.offset }

    /// An error at `offset` with its line and column computed from the input.
    public func fail(_ reason: JSONError.Reason, at offset: Int) -> JSONError {
        input.withUnsafeBufferPointer { buf in JSONScanner.error(reason, at: offset, in: buf) }
    }

    public mutating func peekKind() throws(JSONError) -> JSONKind {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.peekKind(buf) }
    }

    public mutating func beginObject() throws(JSONError) {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.begin(buf, isObject: true) }
    }

    /// The next key of the object opened last (the `:` is consumed), or nil once its
    /// `}` is consumed.
    public mutating func nextKey() throws(JSONError) -> String? {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.nextKey(buf) }
    }

    public mutating func beginArray() throws(JSONError) {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.begin(buf, isObject: false) }
    }

    /// True if another element of the array opened last follows (the caller reads
    /// it next); false once its `]` is consumed.
    public mutating func nextElement() throws(JSONError) -> Bool {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.nextElement(buf) }
    }

    public mutating func readString() throws(JSONError) -> String {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.readString(buf) }
    }

    public mutating func readBool() throws(JSONError) -> Bool {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.readBool(buf) }
    }

    public mutating func readNull() throws(JSONError) {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.readNull(buf) }
    }

    /// The number's exact source text.
    public mutating func readNumberText() throws(JSONError) -> String {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.readNumberText(buf) }
    }

    /// A number without fraction or exponent: `typeMismatch(expected: "integer")` for
    /// any other value (including `1.0` and `1e3`), `invalidValue("integer out of
    /// range")` when it does not fit `Int`.
    public mutating func readInt() throws(JSONError) -> Int {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.readInt(buf) }
    }

    /// Any value as a tree, e.g. for unknown keys that must survive a rewrite.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.readValue(buf) }
    }

    /// Validates the next value as strictly as `readValue()` (UTF-8, escapes,
    /// numbers, duplicate keys, depth) without building it.
    public mutating func skipValue() throws(JSONError) {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.skipValue(buf) }
    }

    /// Only whitespace may remain, and every container opened must have been closed.
    public mutating func finish() throws(JSONError) {
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in try scanner.finish(buf) }
    }
}
