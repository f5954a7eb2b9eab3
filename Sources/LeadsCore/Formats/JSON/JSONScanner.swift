/// The state and work behind `JSONReader`. Every method gets the input as a buffer
/// pointer; `end` bounds it (a reader may cover only a range of its array), while
/// line and column are always counted from the start of the buffer.
struct JSONScanner {
    private(set) var offset: Int
    private let end: Int
    private let maxDepth: Int

    /// Open containers: those of the pull API, then those of a running `skipValue`.
    private var frames: [Frame] = []
    /// Keys of all open objects, innermost object's last; each frame knows where
    /// its own keys start. Strings of up to 15 bytes are stored inline, so this costs no
    /// allocation per key.
    private var keys: [String] = []
    /// Decoded bytes of the string being read, only for strings with escapes.
    private var scratch: [UInt8] = []
    /// `readValue`'s stacks, kept between calls so that a decoder reading many
    /// unknown values does not allocate them each time.
    private var spareTree = TreeStacks()

    private struct Frame {
        var isObject: Bool
        var hasMembers = false
        var keysStart = 0
        var seenKeys = KeyFilter()
    }

    /// Finds duplicate keys in one object with as few string comparisons as
    /// possible: a 128-bit filter of hashes of the keys so far, where a clear bit
    /// proves a key new. Equality is `String`'s (canonical equivalence), the same
    /// as the dictionary's, so all three ways of reading agree on what a
    /// duplicate is.
    private struct KeyFilter {
        var low: UInt64 = 0
        var high: UInt64 = 0
        /// Non-ASCII keys can equal keys with other bytes (U+212A KELVIN SIGN ==
        /// "K"), which the hash cannot see, so they turn the filter off.
        var hasNonASCII = false

        /// Records `key` unless it equals one of `keys[start...]`, the object's
        /// earlier keys; returns whether it was new.
        mutating func admit(_ key: String, among keys: [String], from start: Int) -> Bool {
            var key = key
            let (hash, isASCII) = key.withUTF8 { bytes in
                var hash: UInt64 = 0xCBF2_9CE4_8422_2325   // FNV-1a: enough to spread 128 bits
                var all: UInt8 = 0
                for byte in bytes {
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                    all |= byte
                }
                return (hash, all < 0x80)
            }
            let slot = hash >> 57
            let bit: UInt64 = 1 << (slot & 63)
            let seen = (slot < 64 ? low : high) & bit != 0
            if seen || !isASCII || hasNonASCII {
                for index in start..<keys.count where keys[index] == key { return false }
            }
            if slot < 64 { low |= bit } else { high |= bit }
            if !isASCII { hasNonASCII = true }
            return true
        }
    }

    init(offset: Int, end: Int, maxDepth: Int) {
        self.offset = offset
        self.end = end
        self.maxDepth = maxDepth
    }

    static func error(_ reason: JSONError.Reason, at offset: Int, in buf: UnsafeBufferPointer<UInt8>) -> JSONError {
        let (line, column) = JSONError.position(of: offset, in: buf)
        return JSONError(offset: offset, line: line, column: column, reason: reason)
    }

    // MARK: Pull API

    mutating func peekKind(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONKind {
        offset = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
        return try kind(buf, at: offset)
    }

    mutating func begin(_ buf: UnsafeBufferPointer<UInt8>, isObject: Bool) throws(JSONError) {
        let start = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
        offset = start
        guard try kind(buf, at: start) == (isObject ? .object : .array) else {
            throw Self.error(.typeMismatch(expected: isObject ? "object" : "array"), at: start, in: buf)
        }
        try open(buf, isObject: isObject, at: start)
        offset = start + 1
    }

    mutating func nextKey(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> String? {
        guard var index = try nextMember(buf, inObject: true, misuse: "nextKey() outside an object") else { return nil }
        let key = try rememberedKey(buf, &index)
        offset = JSONGrammar.skipWhitespace(buf, from: index, end: end)
        return key
    }

    mutating func nextElement(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> Bool {
        guard let index = try nextMember(buf, inObject: false, misuse: "nextElement() outside an array") else { return false }
        offset = index
        return true
    }

    /// Where the innermost container's next member starts, or nil when the container
    /// ends here (it is then closed, and `offset` is past it).
    private mutating func nextMember(_ buf: UnsafeBufferPointer<UInt8>, inObject: Bool, misuse: String) throws(JSONError) -> Int? {
        guard let top = frames.last, top.isObject == inObject else {
            throw Self.error(.invalidValue(misuse), at: offset, in: buf)
        }
        let (index, closed) = try afterSeparator(buf, hasMembers: top.hasMembers, close: inObject ? 0x7D : 0x5D)
        if closed {
            close()
            offset = index
            return nil
        }
        frames[frames.count - 1].hasMembers = true
        return index
    }

    /// The first byte after the white space from `index` on, with `index` left on it:
    /// wherever the grammar wants one more token, the end of the input is an error.
    @inline(__always)
    private func byteAfterWhitespace(_ buf: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(JSONError) -> UInt8 {
        index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
        guard index < end else { throw Self.error(.unexpectedEnd, at: index, in: buf) }
        return buf[index]
    }

    /// Handles what sits between members: nothing before the first, a comma before
    /// the others. Returns where the next member starts, or the index after `close`
    /// when the container ends.
    private func afterSeparator(_ buf: UnsafeBufferPointer<UInt8>, hasMembers: Bool, close: UInt8) throws(JSONError) -> (index: Int, closed: Bool) {
        var index = offset
        let byte = try byteAfterWhitespace(buf, &index)
        if byte == close { return (index + 1, true) }
        if hasMembers {
            guard byte == 0x2C else { throw Self.error(.unexpectedByte(byte), at: index, in: buf) }
            index = JSONGrammar.skipWhitespace(buf, from: index + 1, end: end)
        }
        return (index, false)
    }

    mutating func finish(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        let index = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
        offset = index
        if !frames.isEmpty {
            throw Self.error(index < end ? .unexpectedByte(buf[index]) : .unexpectedEnd, at: index, in: buf)
        }
        // NUL padding is what a crash can leave behind a complete file; naming the
        // byte says more than "trailing data".
        if index < end {
            throw Self.error(buf[index] == 0 ? .unexpectedByte(0) : .trailingData, at: index, in: buf)
        }
    }

    // MARK: Scalars

    mutating func readString(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> String {
        var index = try valueStart(buf, expecting: .string, named: "string")
        let value = try scanString(buf, &index, build: true)
        offset = index
        return value
    }

    mutating func readBool(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> Bool {
        let start = try valueStart(buf, expecting: .bool, named: "boolean")
        let (value, after) = try literal(buf, at: start)
        offset = after
        return value == .bool(true)
    }

    mutating func readNull(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        let start = try valueStart(buf, expecting: .null, named: "null")
        offset = try literal(buf, at: start).after
    }

    mutating func readNumberText(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> String {
        let start = try valueStart(buf, expecting: .number, named: "number")
        let after = try numberEnd(buf, at: start)
        offset = after
        return String(decoding: UnsafeBufferPointer(rebasing: buf[start..<after]), as: UTF8.self)
    }

    mutating func readInt(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> Int {
        let start = try valueStart(buf, expecting: .number, named: "integer")
        let after = try numberEnd(buf, at: start)
        let negative = buf[start] == 0x2D
        var value = 0
        for index in (negative ? start + 1 : start)..<after {
            let byte = buf[index]
            guard JSONGrammar.isDigit(byte) else {
                throw Self.error(.typeMismatch(expected: "integer"), at: start, in: buf)
            }
            let digit = Int(byte &- 0x30)
            // Accumulating on the negative side reaches Int.min without overflow.
            let (scaled, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative
                ? scaled.subtractingReportingOverflow(digit)
                : scaled.addingReportingOverflow(digit)
            if overflowA || overflowB {
                // A fraction later in the text is the truer complaint.
                let reason: JSONError.Reason = buf[index..<after].allSatisfy(JSONGrammar.isDigit)
                    ? .invalidValue("integer out of range")
                    : .typeMismatch(expected: "integer")
                throw Self.error(reason, at: start, in: buf)
            }
            value = next
        }
        offset = after
        return value
    }

    // MARK: Helpers

    private func kind(_ buf: UnsafeBufferPointer<UInt8>, at index: Int) throws(JSONError) -> JSONKind {
        guard index < end else { throw Self.error(.unexpectedEnd, at: index, in: buf) }
        guard let kind = JSONKind(firstByte: buf[index]) else { throw Self.error(.unexpectedByte(buf[index]), at: index, in: buf) }
        return kind
    }

    /// Skips whitespace and checks that a value of `expected` kind starts there.
    private mutating func valueStart(_ buf: UnsafeBufferPointer<UInt8>, expecting expected: JSONKind, named name: String) throws(JSONError) -> Int {
        let start = JSONGrammar.skipWhitespace(buf, from: offset, end: end)
        offset = start
        guard try kind(buf, at: start) == expected else {
            throw Self.error(.typeMismatch(expected: name), at: start, in: buf)
        }
        return start
    }

    private func numberEnd(_ buf: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONError) -> Int {
        guard let after = JSONGrammar.numberEnd(buf, from: start, end: end) else {
            throw Self.error(.invalidNumber, at: start, in: buf)
        }
        return after
    }

    /// `true`, `false` or `null` at `start`, whose first byte is known to be `t`, `f`
    /// or `n`.
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
        for n in 1..<count {
            let index = start + n
            guard index < end else { throw Self.error(.unexpectedEnd, at: index, in: buf) }
            if buf[index] != expected[n] { throw Self.error(.unexpectedByte(buf[index]), at: index, in: buf) }
        }
        return (value, start + count)
    }

    private mutating func open(_ buf: UnsafeBufferPointer<UInt8>, isObject: Bool, at start: Int) throws(JSONError) {
        guard frames.count < maxDepth else { throw Self.error(.tooDeep(limit: maxDepth), at: start, in: buf) }
        if frames.capacity == 0 { frames.reserveCapacity(8) }
        frames.append(Frame(isObject: isObject, keysStart: keys.count))
    }

    private mutating func close() {
        let frame = frames.removeLast()
        if frame.isObject { keys.removeSubrange(frame.keysStart...) }
    }

    /// Reads `"key"` and the `:` after it; `index` must be past leading whitespace.
    private mutating func memberKey(_ buf: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(JSONError) -> String {
        guard index < end else { throw Self.error(.unexpectedEnd, at: index, in: buf) }
        guard buf[index] == JSONGrammar.quote else { throw Self.error(.unexpectedByte(buf[index]), at: index, in: buf) }
        let key = try scanString(buf, &index, build: true)
        index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
        guard index < end else { throw Self.error(.unexpectedEnd, at: index, in: buf) }
        guard buf[index] == 0x3A else { throw Self.error(.unexpectedByte(buf[index]), at: index, in: buf) }
        index += 1
        return key
    }

    /// `memberKey` for the innermost open frame, refusing a key it has seen.
    private mutating func rememberedKey(_ buf: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(JSONError) -> String {
        let keyStart = index
        let key = try memberKey(buf, &index)
        let top = frames.count - 1
        guard frames[top].seenKeys.admit(key, among: keys, from: frames[top].keysStart) else {
            throw Self.error(.duplicateKey(key), at: keyStart, in: buf)
        }
        if keys.capacity == 0 { keys.reserveCapacity(32) }
        keys.append(key)
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
            if nonASCII && build && !escaped && stop - runStart >= 128 && stop < end && buf[stop] == JSONGrammar.quote,
               let value = String(validating: UnsafeBufferPointer(rebasing: buf[runStart..<stop]), as: UTF8.self) {
                // Long text: one validating pass by the standard library beats ours
                // plus the one `String(decoding:)` does anyway; too costly to set
                // up for short strings.
                index = stop + 1
                return value
            }
            if nonASCII, let bad = TextEncoding.firstInvalidUTF8(buf, from: runStart, to: stop) {
                throw Self.error(bad < end ? .invalidUTF8 : .unexpectedEnd, at: bad, in: buf)
            }
            guard stop < end else { throw Self.error(.unexpectedEnd, at: end, in: buf) }
            let run = UnsafeBufferPointer(rebasing: buf[runStart..<stop])
            switch buf[stop] {
            case JSONGrammar.quote:
                index = stop + 1
                guard build else { return "" }
                // Validated above, so decoding repairs nothing.
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
                throw Self.error(.controlCharacterInString, at: stop, in: buf)
            }
        }
    }

    /// Decodes the escape whose backslash is at `start` (appending it to `scratch`
    /// if `build`) and returns the index after it.
    private mutating func escape(_ buf: UnsafeBufferPointer<UInt8>, at start: Int, build: Bool) throws(JSONError) -> Int {
        guard start + 1 < end else { throw Self.error(.unexpectedEnd, at: end, in: buf) }
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
                guard after < end else { throw Self.error(.unexpectedEnd, at: end, in: buf) }
                guard buf[after] == JSONGrammar.backslash else { throw Self.error(.invalidEscape, at: start, in: buf) }
                guard after + 1 < end else { throw Self.error(.unexpectedEnd, at: end, in: buf) }
                guard buf[after + 1] == 0x75 else { throw Self.error(.invalidEscape, at: start, in: buf) }
                let low = try hex4(buf, escapeAt: after)
                guard (0xDC00...0xDFFF).contains(low) else { throw Self.error(.invalidEscape, at: start, in: buf) }
                scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                after += 6
            case 0xDC00...0xDFFF:
                throw Self.error(.invalidEscape, at: start, in: buf)
            default:
                break
            }
            if build { JSONGrammar.appendUTF8(scalar, to: &scratch) }
            return after
        default:
            throw Self.error(.invalidEscape, at: start, in: buf)
        }
        if build { scratch.append(decoded) }
        return start + 2
    }

    /// The four hex digits of the `\u` escape at `start`.
    private func hex4(_ buf: UnsafeBufferPointer<UInt8>, escapeAt start: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for index in (start + 2)..<(start + 6) {
            guard index < end else { throw Self.error(.unexpectedEnd, at: end, in: buf) }
            guard let digit = JSONGrammar.hexValue(buf[index]) else { throw Self.error(.invalidEscape, at: start, in: buf) }
            value = value << 4 | digit
        }
        return value
    }

    // MARK: Whole values

    /// A container being built by `readValue`. Its finished members wait on shared
    /// stacks, so each container is built once at its final size: no array growth,
    /// no dictionary rehashing, and the stacks' storage is reused by the next one.
    private struct Partial {
        var isObject: Bool
        var valuesStart: Int
        var keysStart: Int
        var seenKeys = KeyFilter()
    }

    private struct TreeStacks {
        var partials: [Partial] = []
        var values: [JSONValue] = []
        var keys: [String] = []
    }

    /// Builds one value with an explicit stack, so nesting is bounded by `maxDepth`
    /// only, never by the thread's stack size.
    mutating func readValue(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSONValue {
        // Moved out and back rather than used in place, so the loop works on locals.
        var tree = TreeStacks()
        swap(&tree, &spareTree)
        defer { swap(&tree, &spareTree) }
        return try buildTree(buf, &tree.partials, &tree.values, &tree.keys)
    }

    private mutating func buildTree(_ buf: UnsafeBufferPointer<UInt8>, _ stack: inout [Partial],
                                    _ values: inout [JSONValue], _ memberKeys: inout [String]) throws(JSONError) -> JSONValue {
        // Left over only by an earlier error.
        stack.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        memberKeys.removeAll(keepingCapacity: true)
        var index = offset
        parsing: while true {
            let byte = try byteAfterWhitespace(buf, &index)
            var value: JSONValue
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
                guard frames.count + stack.count < maxDepth else {
                    throw Self.error(.tooDeep(limit: maxDepth), at: index, in: buf)
                }
                let isObject = byte == 0x7B
                index = JSONGrammar.skipWhitespace(buf, from: index + 1, end: end)
                if index < end && buf[index] == (isObject ? 0x7D : 0x5D) {
                    index += 1
                    value = isObject ? .object([:]) : .array([])
                } else {
                    if stack.capacity == 0 {
                        // Sized for a typical lead file, saving the early regrowths.
                        stack.reserveCapacity(8)
                        values.reserveCapacity(64)
                        memberKeys.reserveCapacity(32)
                    }
                    stack.append(Partial(isObject: isObject, valuesStart: values.count, keysStart: memberKeys.count))
                    if isObject { try treeKey(buf, &index, &stack[stack.count - 1], &memberKeys) }
                    continue parsing
                }
            default:
                throw Self.error(.unexpectedByte(byte), at: index, in: buf)
            }
            // Hand the finished value to its container; close every container that
            // ends right here.
            while !stack.isEmpty {
                let top = stack.count - 1
                let isObject = stack[top].isObject
                values.append(consume value)
                let separator = try byteAfterWhitespace(buf, &index)
                if separator == 0x2C {
                    index += 1
                    if isObject {
                        index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
                        try treeKey(buf, &index, &stack[top], &memberKeys)
                    }
                    continue parsing
                }
                guard separator == (isObject ? 0x7D : 0x5D) else {
                    throw Self.error(.unexpectedByte(separator), at: index, in: buf)
                }
                index += 1
                let done = stack.removeLast()
                value = isObject
                    ? .object(Self.object(popping: &values, keys: &memberKeys, from: done))
                    : .array(Self.array(popping: &values, from: done.valuesStart))
            }
            offset = index
            return value
        }
    }

    /// The last values, from `start` on, moved (not copied) into an array.
    private static func array(popping values: inout [JSONValue], from start: Int) -> [JSONValue] {
        let count = values.count - start
        return [JSONValue](unsafeUninitializedCapacity: count) { elements, initialized in
            for n in stride(from: count - 1, through: 0, by: -1) {
                (elements.baseAddress! + n).initialize(to: values.removeLast())
            }
            initialized = count
        }
    }

    /// The object whose members are the last values and keys, moved off the stacks.
    private static func object(popping values: inout [JSONValue], keys: inout [String], from partial: Partial) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(values.count - partial.valuesStart)
        while values.count > partial.valuesStart {
            let isNew = members.updateValue(values.removeLast(), forKey: keys.removeLast()) == nil
            assert(isNew, "KeyFilter let a duplicate through")
        }
        return members
    }

    /// `memberKey` for the object `readValue` is building, refusing a key it has seen.
    private mutating func treeKey(_ buf: UnsafeBufferPointer<UInt8>, _ index: inout Int,
                                  _ partial: inout Partial, _ memberKeys: inout [String]) throws(JSONError) {
        let keyStart = index
        let key = try memberKey(buf, &index)
        guard partial.seenKeys.admit(key, among: memberKeys, from: partial.keysStart) else {
            throw Self.error(.duplicateKey(key), at: keyStart, in: buf)
        }
        memberKeys.append(key)
    }

    /// `readValue` without the tree: the same checks, with the containers on the
    /// pull API's frame stack so that keys are checked the same way.
    mutating func skipValue(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONError) {
        let base = frames.count
        var index = offset
        skipping: while true {
            let byte = try byteAfterWhitespace(buf, &index)
            switch byte {
            case JSONGrammar.quote:
                _ = try scanString(buf, &index, build: false)
            case 0x2D, 0x30...0x39:
                index = try numberEnd(buf, at: index)
            case 0x74, 0x66, 0x6E:
                index = try literal(buf, at: index).after
            case 0x7B, 0x5B:
                let isObject = byte == 0x7B
                try open(buf, isObject: isObject, at: index)
                index = JSONGrammar.skipWhitespace(buf, from: index + 1, end: end)
                if index < end && buf[index] == (isObject ? 0x7D : 0x5D) {
                    index += 1
                    close()
                } else {
                    if isObject { _ = try rememberedKey(buf, &index) }
                    continue skipping
                }
            default:
                throw Self.error(.unexpectedByte(byte), at: index, in: buf)
            }
            while frames.count > base {
                let isObject = frames[frames.count - 1].isObject
                let separator = try byteAfterWhitespace(buf, &index)
                if separator == 0x2C {
                    index += 1
                    if isObject {
                        index = JSONGrammar.skipWhitespace(buf, from: index, end: end)
                        _ = try rememberedKey(buf, &index)
                    }
                    continue skipping
                }
                guard separator == (isObject ? 0x7D : 0x5D) else {
                    throw Self.error(.unexpectedByte(separator), at: index, in: buf)
                }
                index += 1
                close()
            }
            offset = index
            return
        }
    }
}
