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
/// first non-whitespace byte after the document.
public struct JSONReader {
    private let input: [UInt8]
    private let end: Int
    private let maxDepth: Int
    public private(set) var offset: Int

    /// Containers opened through `beginObject()` / `beginArray()` and not yet closed.
    private var frames: [Frame] = []
    /// Keys seen so far in the object at each depth (index = depth - 1), reused
    /// across objects so that a file with many objects does not allocate a set each.
    private var keySets: [Set<String>] = []
    /// Decoded bytes of the string being read, only for strings with escapes.
    private var scratch: [UInt8] = []

    private struct Frame {
        var isObject: Bool
        var hasMembers: Bool
    }

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
        end = upper
        offset = lower
        self.maxDepth = maxDepth
    }

    /// Parses a whole document: one value, then only whitespace.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 256) throws(JSONError) -> JSONValue {
        var reader = JSONReader(bytes, maxDepth: maxDepth)
        let value = try reader.readValue()
        try reader.finish()
        return value
    }

    /// An error at `offset` with its line and column computed from the input.
    public func fail(_ reason: JSONError.Reason, at offset: Int) -> JSONError {
        let (line, column) = JSONError.position(of: offset, in: input)
        return JSONError(offset: offset, line: line, column: column, reason: reason)
    }

    // MARK: Structure

    public mutating func peekKind() throws(JSONError) -> JSONKind {
        let input = self.input
        return try input.withUnsafeBufferPointer { (buf) throws(JSONError) -> JSONKind in
            offset = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
            return try kind(buf, at: offset)
        }
    }

    public mutating func beginObject() throws(JSONError) {
        try begin(isObject: true)
    }

    public mutating func beginArray() throws(JSONError) {
        try begin(isObject: false)
    }

    private mutating func begin(isObject: Bool) throws(JSONError) {
        let input = self.input
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in
            let start = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
            offset = start
            let found = try kind(buf, at: start)
            guard found == (isObject ? .object : .array) else {
                throw fail(.typeMismatch(expected: isObject ? "object" : "array"), at: start)
            }
            let depth = frames.count + 1
            guard depth <= maxDepth else { throw fail(.tooDeep(limit: maxDepth), at: start) }
            if isObject { resetKeySet(depth: depth) }
            frames.append(Frame(isObject: isObject, hasMembers: false))
            offset = start + 1
        }
    }

    /// The next key of the object opened last (the `:` is consumed), or nil once its
    /// `}` is consumed.
    public mutating func nextKey() throws(JSONError) -> String? {
        let input = self.input
        return try input.withUnsafeBufferPointer { (buf) throws(JSONError) -> String? in
            guard let top = frames.last, top.isObject else {
                throw fail(.invalidValue("nextKey() outside an object"), at: offset)
            }
            let (keyStart, closed) = try afterSeparator(buf, hasMembers: top.hasMembers, close: 0x7D)
            if closed {
                frames.removeLast()
                offset = keyStart
                return nil
            }
            var index = keyStart
            let key = try memberKey(buf, &index)
            guard keySets[frames.count - 1].insert(key).inserted else {
                throw fail(.duplicateKey(key), at: keyStart)
            }
            frames[frames.count - 1].hasMembers = true
            offset = JSONGrammar.skipWhitespace(buf, from: index, end: end)
            return key
        }
    }

    /// True if another element of the array opened last follows (the caller reads
    /// it next); false once its `]` is consumed.
    public mutating func nextElement() throws(JSONError) -> Bool {
        let input = self.input
        return try input.withUnsafeBufferPointer { (buf) throws(JSONError) -> Bool in
            guard let top = frames.last, !top.isObject else {
                throw fail(.invalidValue("nextElement() outside an array"), at: offset)
            }
            let (index, closed) = try afterSeparator(buf, hasMembers: top.hasMembers, close: 0x5D)
            if closed {
                frames.removeLast()
                offset = index
                return false
            }
            frames[frames.count - 1].hasMembers = true
            offset = index
            return true
        }
    }

    /// Handles what sits between members: nothing before the first, a comma before
    /// the others. Returns where the next member starts, or the index just after
    /// `close` when the container ends.
    private func afterSeparator(_ buf: UnsafeBufferPointer<UInt8>, hasMembers: Bool, close: UInt8) throws(JSONError) -> (index: Int, closed: Bool) {
        var index = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
        guard index < end else { throw fail(.unexpectedEnd, at: index) }
        let byte = buf[index]
        if byte == close { return (index + 1, true) }
        if hasMembers {
            guard byte == 0x2C else { throw fail(.unexpectedByte(byte), at: index) }
            index = JSONGrammar.skipWhitespace(buf, from: index + 1, end: end)
        }
        return (index, false)
    }

    /// Only whitespace may remain, and every container opened must have been closed.
    public mutating func finish() throws(JSONError) {
        let input = self.input
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in
            let index = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
            offset = index
            if !frames.isEmpty {
                throw fail(index < end ? .unexpectedByte(buf[index]) : .unexpectedEnd, at: index)
            }
            // NUL padding is what a crash can leave behind a complete file; naming
            // the byte says more than "trailing data".
            if index < end { throw fail(buf[index] == 0 ? .unexpectedByte(0) : .trailingData, at: index) }
        }
    }

    // MARK: Scalars

    public mutating func readString() throws(JSONError) -> String {
        let input = self.input
        return try input.withUnsafeBufferPointer { (buf) throws(JSONError) -> String in
            var index = try valueStart(buf, expecting: .string, named: "string")
            let value = try scanString(buf, &index, build: true)
            offset = index
            return value
        }
    }

    public mutating func readBool() throws(JSONError) -> Bool {
        let input = self.input
        return try input.withUnsafeBufferPointer { (buf) throws(JSONError) -> Bool in
            let start = try valueStart(buf, expecting: .bool, named: "boolean")
            let (value, after) = try literal(buf, at: start)
            offset = after
            return value == .bool(true)
        }
    }

    public mutating func readNull() throws(JSONError) {
        let input = self.input
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in
            let start = try valueStart(buf, expecting: .null, named: "null")
            offset = try literal(buf, at: start).after
        }
    }

    /// The number's exact source text.
    public mutating func readNumberText() throws(JSONError) -> String {
        let input = self.input
        return try input.withUnsafeBufferPointer { (buf) throws(JSONError) -> String in
            let start = try valueStart(buf, expecting: .number, named: "number")
            let after = try numberEnd(buf, at: start)
            offset = after
            return String(decoding: UnsafeBufferPointer(rebasing: buf[start..<after]), as: UTF8.self)
        }
    }

    /// A number without fraction or exponent: `typeMismatch(expected: "integer")` for
    /// any other value (including `1.0` and `1e3`), `invalidValue("integer out of
    /// range")` when it does not fit `Int`.
    public mutating func readInt() throws(JSONError) -> Int {
        let input = self.input
        return try input.withUnsafeBufferPointer { (buf) throws(JSONError) -> Int in
            let start = try valueStart(buf, expecting: .number, named: "integer")
            let after = try numberEnd(buf, at: start)
            let negative = buf[start] == 0x2D
            var value = 0
            for index in (negative ? start + 1 : start)..<after {
                let byte = buf[index]
                guard JSONGrammar.isDigit(byte) else {
                    throw fail(.typeMismatch(expected: "integer"), at: start)
                }
                let digit = Int(byte &- 0x30)
                // Accumulating on the negative side reaches Int.min without overflow.
                let (scaled, overflowA) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowB) = negative
                    ? scaled.subtractingReportingOverflow(digit)
                    : scaled.addingReportingOverflow(digit)
                if overflowA || overflowB {
                    // A fraction later in the text is the truer complaint.
                    if buf[index..<after].contains(where: { !JSONGrammar.isDigit($0) }) {
                        throw fail(.typeMismatch(expected: "integer"), at: start)
                    }
                    throw fail(.invalidValue("integer out of range"), at: start)
                }
                value = next
            }
            offset = after
            return value
        }
    }

    // MARK: Whole values

    /// Any value as a tree, e.g. for unknown keys that must survive a rewrite.
    public mutating func readValue() throws(JSONError) -> JSONValue {
        let input = self.input
        return try input.withUnsafeBufferPointer { (buf) throws(JSONError) -> JSONValue in
            try parseTree(buf)
        }
    }

    /// Validates the next value as strictly as `readValue()` (UTF-8, escapes,
    /// numbers, duplicate keys, depth) without building it.
    public mutating func skipValue() throws(JSONError) {
        let input = self.input
        try input.withUnsafeBufferPointer { (buf) throws(JSONError) in
            try skipTree(buf)
        }
    }

    // MARK: Internals

    private func kind(_ buf: UnsafeBufferPointer<UInt8>, at index: Int) throws(JSONError) -> JSONKind {
        guard index < end else { throw fail(.unexpectedEnd, at: index) }
        let byte = buf[index]
        switch byte {
        case 0x22: return .string
        case 0x7B: return .object
        case 0x5B: return .array
        case 0x2D, 0x30...0x39: return .number
        case 0x74, 0x66: return .bool
        case 0x6E: return .null
        default: throw fail(.unexpectedByte(byte), at: index)
        }
    }

    /// Skips whitespace and checks that a value of `expected` kind starts there.
    private mutating func valueStart(_ buf: UnsafeBufferPointer<UInt8>, expecting expected: JSONKind, named name: String) throws(JSONError) -> Int {
        let start = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
        offset = start
        guard try kind(buf, at: start) == expected else {
            throw fail(.typeMismatch(expected: name), at: start)
        }
        return start
    }

    private func numberEnd(_ buf: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONError) -> Int {
        guard let after = JSONGrammar.numberEnd(buf, from: start, end: end) else {
            throw fail(.invalidNumber, at: start)
        }
        return after
    }

    /// `true`, `false` or `null` at `start` (whose first byte is already known to be
    /// `t`, `f` or `n`).
    private func literal(_ buf: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONError) -> (value: JSONValue, after: Int) {
        let word: StaticString
        let value: JSONValue
        switch buf[start] {
        case 0x74: word = "true"; value = .bool(true)
        case 0x66: word = "false"; value = .bool(false)
        default: word = "null"; value = .null
        }
        let count = word.utf8CodeUnitCount
        let expected = word.utf8Start
        if start + count <= end {
            var matches = true
            for n in 1..<count where buf[start + n] != expected[n] { matches = false }
            if matches { return (value, start + count) }
        }
        for n in 1..<count {
            let index = start + n
            guard index < end else { throw fail(.unexpectedEnd, at: index) }
            if buf[index] != expected[n] { throw fail(.unexpectedByte(buf[index]), at: index) }
        }
        return (value, start + count)
    }

    /// Reads `"key"` and the `:` after it; `index` must be past leading whitespace.
    private mutating func memberKey(_ buf: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(JSONError) -> String {
        guard index < end else { throw fail(.unexpectedEnd, at: index) }
        guard buf[index] == JSONGrammar.quote else { throw fail(.unexpectedByte(buf[index]), at: index) }
        let key = try scanString(buf, &index, build: true)
        index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
        guard index < end else { throw fail(.unexpectedEnd, at: index) }
        guard buf[index] == 0x3A else { throw fail(.unexpectedByte(buf[index]), at: index) }
        index += 1
        return key
    }

    /// Reads the string whose opening quote is at `index` and moves `index` past the
    /// closing quote. Runs without escapes become a `String` straight from the input;
    /// only strings with escapes go through `scratch`. Returns "" unless `build`.
    private mutating func scanString(_ buf: UnsafeBufferPointer<UInt8>, _ index: inout Int, build: Bool) throws(JSONError) -> String {
        var runStart = index + 1
        var escaped = false
        while true {
            let (stop, nonASCII) = JSONGrammar.stringStop(buf, from: runStart, end: end)
            if nonASCII, let bad = JSONGrammar.firstInvalidUTF8(buf, from: runStart, to: stop) {
                throw fail(bad < end ? .invalidUTF8 : .unexpectedEnd, at: bad)
            }
            guard stop < end else { throw fail(.unexpectedEnd, at: end) }
            let run = UnsafeBufferPointer(rebasing: buf[runStart..<stop])
            switch buf[stop] {
            case JSONGrammar.quote:
                index = stop + 1
                guard build else { return "" }
                guard escaped else { return String(decoding: run, as: UTF8.self) }
                scratch.append(contentsOf: run)
                return String(decoding: scratch, as: UTF8.self)
            case JSONGrammar.backslash:
                if build {
                    if !escaped { scratch.removeAll(keepingCapacity: true) }
                    scratch.append(contentsOf: run)
                }
                escaped = true
                runStart = try escape(buf, at: stop, build: build)
            default:
                throw fail(.controlCharacterInString, at: stop)
            }
        }
    }

    /// Decodes the escape whose backslash is at `start` (appending it to `scratch`
    /// if `build`) and returns the index after it.
    private mutating func escape(_ buf: UnsafeBufferPointer<UInt8>, at start: Int, build: Bool) throws(JSONError) -> Int {
        guard start + 1 < end else { throw fail(.unexpectedEnd, at: end) }
        let decoded: UInt8
        switch buf[start + 1] {
        case 0x22: decoded = 0x22
        case 0x5C: decoded = 0x5C
        case 0x2F: decoded = 0x2F
        case 0x62: decoded = 0x08
        case 0x66: decoded = 0x0C
        case 0x6E: decoded = 0x0A
        case 0x72: decoded = 0x0D
        case 0x74: decoded = 0x09
        case 0x75:
            var scalar = try hex4(buf, escapeAt: start)
            var after = start + 6
            switch scalar {
            case 0xD800...0xDBFF:
                guard after < end else { throw fail(.unexpectedEnd, at: end) }
                guard buf[after] == JSONGrammar.backslash else { throw fail(.invalidEscape, at: start) }
                guard after + 1 < end else { throw fail(.unexpectedEnd, at: end) }
                guard buf[after + 1] == 0x75 else { throw fail(.invalidEscape, at: start) }
                let low = try hex4(buf, escapeAt: after)
                guard (0xDC00...0xDFFF).contains(low) else { throw fail(.invalidEscape, at: start) }
                scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                after += 6
            case 0xDC00...0xDFFF:
                throw fail(.invalidEscape, at: start)
            default:
                break
            }
            if build { JSONGrammar.appendUTF8(scalar, to: &scratch) }
            return after
        default:
            throw fail(.invalidEscape, at: start)
        }
        if build { scratch.append(decoded) }
        return start + 2
    }

    /// The four hex digits of the `\u` escape at `start`.
    private func hex4(_ buf: UnsafeBufferPointer<UInt8>, escapeAt start: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for index in (start + 2)..<(start + 6) {
            guard index < end else { throw fail(.unexpectedEnd, at: end) }
            guard let digit = JSONGrammar.hexValue(buf[index]) else { throw fail(.invalidEscape, at: start) }
            value = value << 4 | digit
        }
        return value
    }

    private mutating func resetKeySet(depth: Int) {
        while keySets.count < depth { keySets.append([]) }
        keySets[depth - 1].removeAll(keepingCapacity: true)
    }

    /// A container being built by `parseTree`.
    private struct Partial {
        var isObject: Bool
        var elements: [JSONValue] = []
        var members: [String: JSONValue] = [:]
        var key = ""
        var keyStart = 0
    }

    /// Builds one value with an explicit stack, so nesting is bounded by `maxDepth`
    /// only, never by the thread's stack size.
    private mutating func parseTree(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        var stack: [Partial] = []
        var index = offset
        parsing: while true {
            index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
            guard index < end else { throw fail(.unexpectedEnd, at: index) }
            var value: JSONValue
            let byte = buf[index]
            switch byte {
            case JSONGrammar.quote:
                value = .string(try scanString(buf, &index, build: true))
            case 0x2D, 0x30...0x39:
                let after = try numberEnd(buf, at: index)
                value = .number(String(decoding: UnsafeBufferPointer(rebasing: buf[index..<after]), as: UTF8.self))
                index = after
            case 0x74, 0x66, 0x6E:
                (value, index) = try literal(buf, at: index)
            case 0x7B, 0x5B:
                guard frames.count + stack.count < maxDepth else { throw fail(.tooDeep(limit: maxDepth), at: index) }
                let isObject = byte == 0x7B
                index = JSONGrammar.skipWhitespace(buf, from: index + 1, end: end)
                if index < end && buf[index] == (isObject ? 0x7D : 0x5D) {
                    index += 1
                    value = isObject ? .object([:]) : .array([])
                } else {
                    var partial = Partial(isObject: isObject)
                    if isObject {
                        partial.keyStart = index
                        partial.key = try memberKey(buf, &index)
                    }
                    stack.append(partial)
                    continue parsing
                }
            default:
                throw fail(.unexpectedByte(byte), at: index)
            }
            // Hand the finished value to its container; close every container that
            // ends right here.
            while !stack.isEmpty {
                let top = stack.count - 1
                let isObject = stack[top].isObject
                if isObject {
                    let key = stack[top].key
                    // Checked on insertion rather than when the key is read, which
                    // saves a hash per key; only the order of two errors in one
                    // broken file can differ.
                    if stack[top].members.updateValue(value, forKey: key) != nil {
                        throw fail(.duplicateKey(key), at: stack[top].keyStart)
                    }
                } else {
                    stack[top].elements.append(value)
                }
                index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
                guard index < end else { throw fail(.unexpectedEnd, at: index) }
                let separator = buf[index]
                if separator == 0x2C {
                    index += 1
                    if isObject {
                        index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
                        stack[top].keyStart = index
                        stack[top].key = try memberKey(buf, &index)
                    }
                    continue parsing
                }
                guard separator == (isObject ? 0x7D : 0x5D) else {
                    throw fail(.unexpectedByte(separator), at: index)
                }
                index += 1
                let done = stack.removeLast()
                value = isObject ? .object(done.members) : .array(done.elements)
            }
            offset = index
            return value
        }
    }

    /// `parseTree` without the tree: the same checks, keys kept only per object for
    /// the duplicate check.
    private mutating func skipTree(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        var open: [Bool] = []   // isObject per open container
        var index = offset
        skipping: while true {
            index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
            guard index < end else { throw fail(.unexpectedEnd, at: index) }
            let byte = buf[index]
            switch byte {
            case JSONGrammar.quote:
                _ = try scanString(buf, &index, build: false)
            case 0x2D, 0x30...0x39:
                index = try numberEnd(buf, at: index)
            case 0x74, 0x66, 0x6E:
                index = try literal(buf, at: index).after
            case 0x7B, 0x5B:
                let depth = frames.count + open.count + 1
                guard depth <= maxDepth else { throw fail(.tooDeep(limit: maxDepth), at: index) }
                let isObject = byte == 0x7B
                index = JSONGrammar.skipWhitespace(buf, from: index + 1, end: end)
                if index < end && buf[index] == (isObject ? 0x7D : 0x5D) {
                    index += 1
                } else {
                    if isObject {
                        resetKeySet(depth: depth)
                        try skipMemberKey(buf, &index, depth: depth)
                    }
                    open.append(isObject)
                    continue skipping
                }
            default:
                throw fail(.unexpectedByte(byte), at: index)
            }
            while let isObject = open.last {
                index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
                guard index < end else { throw fail(.unexpectedEnd, at: index) }
                let separator = buf[index]
                if separator == 0x2C {
                    index += 1
                    if isObject {
                        index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
                        try skipMemberKey(buf, &index, depth: frames.count + open.count)
                    }
                    continue skipping
                }
                guard separator == (isObject ? 0x7D : 0x5D) else {
                    throw fail(.unexpectedByte(separator), at: index)
                }
                index += 1
                open.removeLast()
            }
            offset = index
            return
        }
    }

    private mutating func skipMemberKey(_ buf: UnsafeBufferPointer<UInt8>, _ index: inout Int, depth: Int) throws(JSONError) {
        let keyStart = index
        let key = try memberKey(buf, &index)
        guard keySets[depth - 1].insert(key).inserted else {
            throw fail(.duplicateKey(key), at: keyStart)
        }
    }
}
