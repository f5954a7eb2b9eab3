import Foundation
import LeadsTestSupport
import Testing
@testable import LeadsCore

// MARK: Helpers

private func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

private func parseError(_ bytes: [UInt8], maxDepth: Int = 256) -> JSONError? {
    do {
        _ = try JSONReader.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

private func skipError(_ bytes: [UInt8], maxDepth: Int = 256) -> JSONError? {
    var reader = JSONReader(bytes, maxDepth: maxDepth)
    do {
        try reader.skipValue()
        try reader.finish()
        return nil
    } catch {
        return error
    }
}

private struct Failure: Equatable {
    var reason: JSONError.Reason
    var offset: Int
    init(_ reason: JSONError.Reason, _ offset: Int) {
        self.reason = reason
        self.offset = offset
    }
}

/// The reason and offset of the error that both `parse` and `skipValue` report.
private func failure(_ bytes: [UInt8]) -> Failure? {
    let parsed = parseError(bytes)
    let skipped = skipError(bytes)
    #expect(parsed == skipped, "parse and skip disagree on \(String(decoding: bytes, as: UTF8.self).debugDescription)")
    return parsed.map { Failure($0.reason, $0.offset) }
}

private func failure(_ text: String) -> Failure? {
    failure(utf8(text))
}

private func byte(_ scalar: Unicode.Scalar) -> UInt8 { UInt8(scalar.value) }

// MARK: Values

@Test func parsesEveryKindOfValue() throws {
    let text = #" {"a": [1, -2.5e+3, true, false, null, "x"], "b": {}, "c": [] } "#
    let value = try JSONReader.parse(utf8(text))
    #expect(value == .object([
        "a": .array([.number("1"), .number("-2.5e+3"), .bool(true), .bool(false), .null, .string("x")]),
        "b": .object([:]),
        "c": .array([]),
    ]))
    #expect(try JSONReader.parse(utf8("\"top\"")) == .string("top"))
    #expect(try JSONReader.parse(utf8(" null\n")) == .null)
}

@Test(arguments: [
    "0", "-0", "1", "-1", "10", "1.5", "0.0", "1e5", "1E5", "1e+5", "1e-5", "-0.5E-0",
    "12500.50", "123456789012345678901234567890", "1e400", "0e0",
])
func validNumbersKeepTheirText(_ text: String) throws {
    #expect(try JSONReader.parse(utf8(text)) == .number(text))
    #expect(JSONValue.isValidNumber(text))
}

@Test func invalidNumbers() {
    #expect(failure("01") == Failure(.invalidNumber, 0))
    #expect(failure("-01") == Failure(.invalidNumber, 0))
    #expect(failure("[00]") == Failure(.invalidNumber, 1))
    #expect(failure("-") == Failure(.invalidNumber, 0))
    #expect(failure("[-]") == Failure(.invalidNumber, 1))
    #expect(failure("-a") == Failure(.invalidNumber, 0))
    #expect(failure("-Infinity") == Failure(.invalidNumber, 0))
    #expect(failure("1.") == Failure(.invalidNumber, 0))
    #expect(failure("[1.]") == Failure(.invalidNumber, 1))
    #expect(failure("1.e5") == Failure(.invalidNumber, 0))
    #expect(failure("1e") == Failure(.invalidNumber, 0))
    #expect(failure("1e+") == Failure(.invalidNumber, 0))
    #expect(failure(".5") == Failure(.unexpectedByte(byte(".")), 0))
    #expect(failure("+1") == Failure(.unexpectedByte(byte("+")), 0))
    #expect(failure("NaN") == Failure(.unexpectedByte(byte("N")), 0))
    #expect(failure("Infinity") == Failure(.unexpectedByte(byte("I")), 0))
    #expect(failure("0x10") == Failure(.trailingData, 1))
    #expect(failure("[1 2]") == Failure(.unexpectedByte(byte("2")), 3))
    for text in ["", "-", "01", "1.", "+1", "1 ", " 1", "1e", ".5", "1_000", "0x1"] {
        #expect(!JSONValue.isValidNumber(text), "\(text)")
    }
}

@Test func structuralErrors() {
    #expect(failure("") == Failure(.unexpectedEnd, 0))
    #expect(failure("   ") == Failure(.unexpectedEnd, 3))
    #expect(failure("[1,]") == Failure(.unexpectedByte(byte("]")), 3))
    #expect(failure(#"{"a":1,}"#) == Failure(.unexpectedByte(byte("}")), 7))
    #expect(failure(#"{"a" 1}"#) == Failure(.unexpectedByte(byte("1")), 5))
    #expect(failure(#"{a:1}"#) == Failure(.unexpectedByte(byte("a")), 1))
    #expect(failure(#"{'a':1}"#) == Failure(.unexpectedByte(byte("'")), 1))
    #expect(failure("[,1]") == Failure(.unexpectedByte(byte(",")), 1))
    #expect(failure(#"{"a":1 "b":2}"#) == Failure(.unexpectedByte(byte("\"")), 7))
    #expect(failure("// c\n1") == Failure(.unexpectedByte(byte("/")), 0))
    #expect(failure("[1]/**/") == Failure(.trailingData, 3))
    #expect(failure("tru") == Failure(.unexpectedEnd, 3))
    #expect(failure("trUe") == Failure(.unexpectedByte(byte("U")), 2))
    #expect(failure("[nul]") == Failure(.unexpectedByte(byte("]")), 4))
    #expect(failure("falsey") == Failure(.trailingData, 5))
    #expect(failure("[1,2") == Failure(.unexpectedEnd, 4))
    #expect(failure(#"{"a":1}x"#) == Failure(.trailingData, 7))
    #expect(failure("[1][2]") == Failure(.trailingData, 3))
    #expect(failure("[\u{0C}]") == Failure(.unexpectedByte(0x0C), 1))
    // A byte order mark is not whitespace (RFC 8259 lets a parser refuse it).
    #expect(failure([0xEF, 0xBB, 0xBF, byte("{"), byte("}")]) == Failure(.unexpectedByte(0xEF), 0))
    // Non-ASCII outside strings is reported by its first byte.
    #expect(failure("[é]") == Failure(.unexpectedByte(0xC3), 1))
}

@Test func nulOutsideStringsIsUnexpectedByteZero() {
    #expect(failure([0]) == Failure(.unexpectedByte(0), 0))
    #expect(failure([byte("["), byte("1"), byte(","), 0, byte("]")]) == Failure(.unexpectedByte(0), 3))
    #expect(failure([byte("{"), 0]) == Failure(.unexpectedByte(0), 1))
    // Zero padding after a complete document (what a crash can leave on disk).
    #expect(failure([byte("{"), byte("}"), byte("\n"), 0, 0]) == Failure(.unexpectedByte(0), 3))
    #expect(failure(Array(repeating: 0, count: 4096)) == Failure(.unexpectedByte(0), 0))
}

// MARK: Strings

@Test func escapesDecode() throws {
    let text = #""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\uD83D\uDE00\u0000""#
    #expect(try JSONReader.parse(utf8(text)) == .string("\"\\/\u{8}\u{C}\n\r\tAé€😀\u{0}"))
    #expect(try JSONReader.parse(utf8(#""plain ascii""#)) == .string("plain ascii"))
    #expect(try JSONReader.parse(utf8(#""""#)) == .string(""))
    #expect(try JSONReader.parse(utf8("\"Müller 😀 \u{7F} ok\"")) == .string("Müller 😀 \u{7F} ok"))
    // Escapes in the middle of long runs (the eight-byte scan must stop exactly).
    let long = #""abcdefghijklmnop\nqrstuvwxyz0123456789\"ABCDEFGHIJ\\""#
    #expect(try JSONReader.parse(utf8(long)) == .string("abcdefghijklmnop\nqrstuvwxyz0123456789\"ABCDEFGHIJ\\"))
}

@Test func invalidEscapes() {
    #expect(failure(#""\x""#) == Failure(.invalidEscape, 1))
    #expect(failure(#""ab\'""#) == Failure(.invalidEscape, 3))
    #expect(failure(#""\u12G4""#) == Failure(.invalidEscape, 1))
    #expect(failure(#""\U0041""#) == Failure(.invalidEscape, 1))
    #expect(failure(#""\uD800""#) == Failure(.invalidEscape, 1))
    #expect(failure(#""\uDC00""#) == Failure(.invalidEscape, 1))
    #expect(failure(#""\uD800\u0041""#) == Failure(.invalidEscape, 1))
    #expect(failure(#""\uD800\uD800""#) == Failure(.invalidEscape, 1))
    #expect(failure(#""\uD83D\n""#) == Failure(.invalidEscape, 1))
    #expect(failure(#""ab\uD83D x""#) == Failure(.invalidEscape, 3))
    #expect(failure(#""\uD83D\uDE0""#) == Failure(.invalidEscape, 7))
    #expect(failure(#""\u00"#) == Failure(.unexpectedEnd, 5))
    #expect(failure(#""\"#) == Failure(.unexpectedEnd, 2))
    #expect(failure(#""\uD83D"#) == Failure(.unexpectedEnd, 7))
}

@Test func rawControlCharactersInStrings() {
    #expect(failure("\"a\tb\"") == Failure(.controlCharacterInString, 2))
    #expect(failure("\"line\nbreak\"") == Failure(.controlCharacterInString, 5))
    #expect(failure([byte("\""), 0x1F, byte("\"")]) == Failure(.controlCharacterInString, 1))
    #expect(failure([byte("\""), byte("a"), 0, byte("\"")]) == Failure(.controlCharacterInString, 2))
    #expect(failure("\"0123456789abcdef\r\"") == Failure(.controlCharacterInString, 17))
}

@Test func invalidUTF8IsReportedAtTheOffendingByte() {
    let q = byte("\"")
    #expect(failure([q, 0xC0, 0x80, q]) == Failure(.invalidUTF8, 1))                 // overlong, never valid lead
    #expect(failure([q, 0xC1, 0xBF, q]) == Failure(.invalidUTF8, 1))
    #expect(failure([q, 0xE0, 0x80, 0x80, q]) == Failure(.invalidUTF8, 2))           // overlong 3-byte
    #expect(failure([q, 0xF0, 0x80, 0x80, 0x80, q]) == Failure(.invalidUTF8, 2))     // overlong 4-byte
    #expect(failure([q, 0xED, 0xA0, 0x80, q]) == Failure(.invalidUTF8, 2))           // encoded surrogate
    #expect(failure([q, 0xF4, 0x90, 0x80, 0x80, q]) == Failure(.invalidUTF8, 2))     // above U+10FFFF
    #expect(failure([q, 0xF5, 0x80, 0x80, 0x80, q]) == Failure(.invalidUTF8, 1))
    #expect(failure([q, 0xFF, q]) == Failure(.invalidUTF8, 1))
    #expect(failure([q, byte("a"), 0x80, q]) == Failure(.invalidUTF8, 2))            // stray continuation
    #expect(failure([q, 0xC3, q]) == Failure(.invalidUTF8, 2))                       // cut short by the quote
    #expect(failure([q, 0xE2, 0x82, byte("x"), q]) == Failure(.invalidUTF8, 3))
    #expect(failure([q, 0xE2, 0x82]) == Failure(.unexpectedEnd, 3))                  // cut short by the end
    // Past an ASCII run long enough for the word-at-a-time paths.
    let prefix = Array(repeating: byte("a"), count: 21)
    #expect(failure([q] + prefix + [0xFF] + prefix + [q]) == Failure(.invalidUTF8, 22))
    #expect(failure([q] + prefix + [0xC3, 0xA9, 0xFF, q]) == Failure(.invalidUTF8, 24))
    // In long non-ASCII text, which takes the standard library's validation first.
    let umlauts = Array(String(repeating: "ü", count: 100).utf8)
    #expect(failure([q] + umlauts + [0xED, 0xBF, 0xBF] + umlauts + [q]) == Failure(.invalidUTF8, 202))
    #expect(failure([q] + umlauts + [0xC3] + umlauts + [q]) == Failure(.invalidUTF8, 202))
    // Invalid UTF-8 before a later control character or escape is reported first.
    #expect(failure([q, 0xFF, 0x0A, q]) == Failure(.invalidUTF8, 1))
    #expect(failure([q, 0xFF, byte("\\"), byte("x"), q]) == Failure(.invalidUTF8, 1))
    // In keys too.
    #expect(failure([byte("{"), q, 0xFE, q, byte(":"), byte("1"), byte("}")]) == Failure(.invalidUTF8, 2))
}

/// Every position of a stop byte relative to the eight-byte words of the scan.
@Test func stringScanStopsExactlyAtEveryPosition() throws {
    let q = byte("\"")
    for position in 0..<24 {
        var body = Array(repeating: byte("a"), count: 24)
        body[position] = 0x01
        #expect(failure([q] + body + [q]) == Failure(.controlCharacterInString, 1 + position))
        body[position] = 0xFF
        #expect(failure([q] + body + [q]) == Failure(.invalidUTF8, 1 + position))
        body[position] = 0x80
        #expect(failure([q] + body + [q]) == Failure(.invalidUTF8, 1 + position))

        // A bad byte just before the stop byte, wherever the stop falls in a word
        // (trailing spaces keep the scan on the word path up to the stop).
        let run = Array(repeating: byte("a"), count: position)
        let spaces = Array(repeating: byte(" "), count: 16)
        #expect(failure([q] + run + [0xFF, q] + spaces) == Failure(.invalidUTF8, 1 + position))
        #expect(failure([q] + run + [0xC3, byte("\\"), byte("n"), q] + spaces) == Failure(.invalidUTF8, 2 + position))
        #expect(failure([q] + run + [0xFE, 0x0A, q] + spaces) == Failure(.invalidUTF8, 1 + position))

        let prefix = String(repeating: "a", count: position)
        let suffix = String(repeating: "b", count: 23 - position)
        #expect(try JSONReader.parse(utf8("\"\(prefix)\\n\(suffix)\"")) == .string(prefix + "\n" + suffix))
        #expect(try JSONReader.parse(utf8("\"\(prefix)é\(suffix)\"")) == .string(prefix + "é" + suffix))
        // Non-ASCII right after the closing quote belongs to the next token.
        #expect(try JSONReader.parse(utf8("[\"\(prefix)\",\"é\(suffix)\"]")) == .array([.string(prefix), .string("é" + suffix)]))
    }
}

@Test func utf8BoundaryScalarsAreAccepted() throws {
    for scalar: UInt32 in [0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF] {
        let text = String(Unicode.Scalar(scalar)!)
        #expect(try JSONReader.parse(utf8("\"x\(text)y\"")) == .string("x\(text)y"))
    }
}

@Test func twoMebibyteStrings() throws {
    let pattern = "Grüße, 😀 plain text "
    var body = ""
    while body.utf8.count < 2 * 1024 * 1024 { body += pattern }
    let plain = try JSONReader.parse(utf8("\"\(body)\""))
    #expect(plain == .string(body))
    let withEscapes = try JSONReader.parse(JSONWriter.compact(.string(body + "\n\"\\" + body)))
    #expect(withEscapes == .string(body + "\n\"\\" + body))
}

// MARK: Depth

@Test func depthLimit() throws {
    let ok = Array(repeating: byte("["), count: 256) + Array(repeating: byte("]"), count: 256)
    #expect(parseError(ok) == nil)
    #expect(skipError(ok) == nil)
    let over = Array(repeating: byte("["), count: 257) + Array(repeating: byte("]"), count: 257)
    #expect(failure(over) == Failure(.tooDeep(limit: 256), 256))
    #expect(failure(Array(repeating: byte("["), count: 600)) == Failure(.tooDeep(limit: 256), 256))
    let objects = Array(repeating: #"{"a":"#, count: 300).joined()
    #expect(failure(objects) == Failure(.tooDeep(limit: 256), 256 * 5))
    #expect(parseError(utf8("[[[1]]]"), maxDepth: 2)?.reason == .tooDeep(limit: 2))
}

@Test func hundredThousandDeepStopsAtTheLimitWithoutRecursion() {
    let deep = Array(repeating: byte("["), count: 100_000) + Array(repeating: byte("]"), count: 100_000)
    // The failure's offset is the limit's: nothing past byte 256 was read.
    #expect(failure(deep) == Failure(.tooDeep(limit: 256), 256))
    // With the limit raised, the whole thing is walked without the call stack growing.
    #expect(skipError(deep, maxDepth: 200_000) == nil)
}

@Test func pullAndTreeDepthAddUp() throws {
    var reader = JSONReader(utf8("[[[[]]]]"), maxDepth: 3)
    try reader.beginArray()
    #expect(try reader.nextElement())
    try reader.beginArray()
    #expect(try reader.nextElement())
    #expect(throws: JSONError(offset: 3, line: 1, column: 4, reason: .tooDeep(limit: 3))) {
        var copy = reader
        _ = try copy.readValue()
    }
    try reader.beginArray()
    #expect(throws: JSONError(offset: 3, line: 1, column: 4, reason: .tooDeep(limit: 3))) {
        try reader.beginArray()
    }
}

// MARK: Positions

private struct Position: Equatable {
    var line: Int
    var column: Int
    var offset: Int
    var reason: JSONError.Reason
    init(_ line: Int, _ column: Int, _ offset: Int, _ reason: JSONError.Reason) {
        (self.line, self.column, self.offset, self.reason) = (line, column, offset, reason)
    }
}

private func position(_ text: String) -> Position? {
    parseError(utf8(text)).map { Position($0.line, $0.column, $0.offset, $0.reason) }
}

@Test func errorPositions() {
    #expect(position(#"{"a": tru}"#) == Position(1, 10, 9, .unexpectedByte(byte("}"))))
    #expect(position("{\n  \"a\": 1,\n  \"b\": x\n}") == Position(3, 8, 19, .unexpectedByte(byte("x"))))
    // Columns count scalars: ä is 2 bytes, € 3, 😀 4.
    #expect(position(#"{"ä€😀": 1 x}"#) == Position(1, 11, 16, .unexpectedByte(byte("x"))))
    #expect(position("[\n  \"Grüße\", @]") == Position(2, 12, 15, .unexpectedByte(byte("@"))))
    // A truncated file fails at its very end.
    let truncated = "{\n  \"a\": [1,\n"
    #expect(position(truncated) == Position(3, 1, truncated.utf8.count, .unexpectedEnd))
    #expect(position("{\"a\": \"unterminated") == Position(1, 20, 19, .unexpectedEnd))
    #expect(position("{\"a\": 1}\n\nxyz") == Position(3, 1, 10, .trailingData))
    // CR belongs to the line it ends.
    #expect(position("{\r\n  \"a\": x\r\n}") == Position(2, 8, 10, .unexpectedByte(byte("x"))))
    #expect(position("{\"a\":1,\n \"a\":2}") == Position(2, 2, 9, .duplicateKey("a")))
}

@Test func decoderFailuresArePositioned() throws {
    let bytes = utf8("{\n  \"n\": \"x\"\n}")
    var reader = JSONReader(bytes)
    try reader.beginObject()
    #expect(try reader.nextKey() == "n")
    let at = reader.offset
    #expect(at == 9)
    #expect(throws: JSONError(offset: 9, line: 2, column: 8, reason: .typeMismatch(expected: "integer"))) {
        _ = try reader.readInt()
    }
    #expect(reader.offset == at)
    #expect(reader.fail(.invalidValue("bad"), at: at) == JSONError(offset: 9, line: 2, column: 8, reason: .invalidValue("bad")))
    #expect(JSONError.position(of: bytes.count, in: bytes) == (3, 2))
}

@Test func jsonLinesThroughRanges() throws {
    let log = utf8("{\"a\":1}\n{\"a\":x}\n{\"b\":\"é\"}\n")
    var lines: [Range<Int>] = []
    var start = 0
    for (index, value) in log.enumerated() where value == 0x0A {
        lines.append(start..<index)
        start = index + 1
    }
    var first = JSONReader(log, range: lines[0])
    #expect(try first.readValue() == .object(["a": .number("1")]))
    try first.finish()
    var second = JSONReader(log, range: lines[1])
    #expect(throws: JSONError(offset: 13, line: 2, column: 6, reason: .unexpectedByte(byte("x")))) {
        _ = try second.readValue()
    }
    // The newline after a line is outside its range, so a cut line is an unexpected end.
    var cut = JSONReader(log, range: 16..<21)
    #expect(throws: JSONError(offset: 21, line: 3, column: 6, reason: .unexpectedEnd)) {
        _ = try cut.readValue()
    }
    var third = JSONReader(log, range: lines[2])
    #expect(try third.readValue() == .object(["b": .string("é")]))
    try third.finish()
}

// MARK: Duplicate keys

@Test func duplicateKeys() throws {
    #expect(failure(#"{"a":1,"a":2}"#) == Failure(.duplicateKey("a"), 7))
    #expect(failure(#"{"a":1,"\u0061":2}"#) == Failure(.duplicateKey("a"), 7))
    #expect(failure(#"{"x":{"b":1,"c":2,"b":3}}"#) == Failure(.duplicateKey("b"), 18))
    #expect(try JSONReader.parse(utf8(#"[{"a":1},{"a":2}]"#)) == .array([.object(["a": .number("1")]), .object(["a": .number("2")])]))
    #expect(try JSONReader.parse(utf8(#"{"a":{"a":{"a":1}}}"#)) == .object(["a": .object(["a": .object(["a": .number("1")])])]))
    #expect(skipError(utf8(#"{"a":[{"a":1},{"a":2}],"b":{"a":3}}"#)) == nil)

    // Reported at the key, before anything after it is looked at, in all three ways of reading.
    #expect(failure(#"{"a":1,"a":[}"#) == Failure(.duplicateKey("a"), 7))
    #expect(failure(#"{"a":1,"b":2,"b":3,"a":4}"#) == Failure(.duplicateKey("b"), 13))
    // Keys are Swift strings: canonically equivalent spellings are the same key.
    #expect(failure(#"{"K":1,"\u212A":2}"#) == Failure(.duplicateKey("K"), 7))
    #expect(failure("{\"\u{212A}\":1,\"K\":2}") == Failure(.duplicateKey("K"), 9))
    #expect(failure("{\"é\":1,\"e\u{301}\":2}") == Failure(.duplicateKey("é"), 8))

    // Many keys: no false duplicates, and a real one found wherever it is.
    let names = (0..<300).map { "key\($0)" }
    let many = "{" + names.map { "\"\($0)\":0" }.joined(separator: ",") + "}"
    #expect(failure(many) == nil)
    let repeated = "{" + (names + ["key123"]).map { "\"\($0)\":0" }.joined(separator: ",") + "}"
    #expect(failure(repeated) == Failure(.duplicateKey("key123"), repeated.utf8.count - 11))
    var pull = JSONReader(utf8(repeated))
    try pull.beginObject()
    var caught: JSONError?
    do {
        while try pull.nextKey() != nil { _ = try pull.readInt() }
    } catch {
        caught = error
    }
    #expect(caught?.reason == .duplicateKey("key123"))
    #expect(caught?.offset == repeated.utf8.count - 11)

    var reader = JSONReader(utf8(#"{"id":1,"x":{"id":2},"id":3}"#))
    try reader.beginObject()
    #expect(try reader.nextKey() == "id")
    #expect(try reader.readInt() == 1)
    #expect(try reader.nextKey() == "x")
    try reader.skipValue()
    #expect(throws: JSONError(offset: 21, line: 1, column: 22, reason: .duplicateKey("id"))) {
        _ = try reader.nextKey()
    }
}

// MARK: Pull reader

@Test func pullDecoding() throws {
    let text = """
    {
      "id": 7,
      "name": "Ann \\"A\\"",
      "tags": ["a", "b"],
      "extra": {"k": [1, 2.50]},
      "flag": true,
      "none": null,
      "skip": [{"deep": ["x"]}]
    }

    """
    var reader = JSONReader(utf8(text))
    #expect(try reader.peekKind() == .object)
    try reader.beginObject()
    var seen: [String] = []
    var unknown: [String: JSONValue] = [:]
    while let key = try reader.nextKey() {
        seen.append(key)
        switch key {
        case "id":
            #expect(try reader.peekKind() == .number)
            #expect(try reader.readInt() == 7)
        case "name":
            #expect(try reader.readString() == "Ann \"A\"")
        case "tags":
            try reader.beginArray()
            var tags: [String] = []
            while try reader.nextElement() { tags.append(try reader.readString()) }
            #expect(tags == ["a", "b"])
        case "flag":
            #expect(try reader.readBool())
        case "none":
            #expect(try reader.peekKind() == .null)
            try reader.readNull()
        case "skip":
            try reader.skipValue()
        default:
            unknown[key] = try reader.readValue()
        }
    }
    try reader.finish()
    #expect(seen == ["id", "name", "tags", "extra", "flag", "none", "skip"])
    #expect(unknown == ["extra": .object(["k": .array([.number("1"), .number("2.50")])])])
    #expect(reader.offset == text.utf8.count)
}

@Test func pullReaderStructuralErrors() throws {
    func run(_ text: String, _ body: (inout JSONReader) throws(JSONError) -> Void) -> Failure? {
        var reader = JSONReader(utf8(text))
        do {
            try body(&reader)
            return nil
        } catch {
            return Failure(error.reason, error.offset)
        }
    }
    func elements(_ reader: inout JSONReader) throws(JSONError) {
        try reader.beginArray()
        while try reader.nextElement() { _ = try reader.readInt() }
        try reader.finish()
    }
    func members(_ reader: inout JSONReader) throws(JSONError) {
        try reader.beginObject()
        while try reader.nextKey() != nil { _ = try reader.readInt() }
        try reader.finish()
    }
    #expect(run("[1, 2]", elements) == nil)
    #expect(run("[]", elements) == nil)
    #expect(run("[1,]", elements) == Failure(.unexpectedByte(byte("]")), 3))
    #expect(run("[1 2]", elements) == Failure(.unexpectedByte(byte("2")), 3))
    #expect(run("[,]", elements) == Failure(.unexpectedByte(byte(",")), 1))
    #expect(run("[1,2", elements) == Failure(.unexpectedEnd, 4))
    #expect(run("[1] 2", elements) == Failure(.trailingData, 4))
    #expect(run("{}", members) == nil)
    #expect(run(#"{"a":1,}"#, members) == Failure(.unexpectedByte(byte("}")), 7))
    #expect(run(#"{"a":1 "b":2}"#, members) == Failure(.unexpectedByte(byte("\"")), 7))
    #expect(run(#"{"a" 1}"#, members) == Failure(.unexpectedByte(byte("1")), 5))
    #expect(run(#"{"a":1"#, members) == Failure(.unexpectedEnd, 6))
    #expect(run("[1]", members) == Failure(.typeMismatch(expected: "object"), 0))
    #expect(run("{}", elements) == Failure(.typeMismatch(expected: "array"), 0))
    // Stopping inside a container is caught by finish().
    #expect(run("[1, 2]") { (r: inout JSONReader) throws(JSONError) in
        try r.beginArray()
        try r.finish()
    } == Failure(.unexpectedByte(byte("1")), 1))
    #expect(run("[") { (r: inout JSONReader) throws(JSONError) in
        try r.beginArray()
        try r.finish()
    } == Failure(.unexpectedEnd, 1))
    // Misuse is an error, not a crash.
    #expect(run("[1]") { (r: inout JSONReader) throws(JSONError) in
        try r.beginArray()
        _ = try r.nextKey()
    } == Failure(.invalidValue("nextKey() outside an object"), 1))
    #expect(run("1") { (r: inout JSONReader) throws(JSONError) in
        _ = try r.nextElement()
    } == Failure(.invalidValue("nextElement() outside an array"), 0))
}

@Test func scalarReadersCheckTheKind() throws {
    func mismatch(_ text: String, _ read: (inout JSONReader) throws(JSONError) -> Void) -> JSONError.Reason? {
        var reader = JSONReader(utf8(text))
        do {
            try read(&reader)
            return nil
        } catch {
            return error.reason
        }
    }
    #expect(mismatch("1") { (r: inout JSONReader) throws(JSONError) in _ = try r.readString() } == .typeMismatch(expected: "string"))
    #expect(mismatch("\"1\"") { (r: inout JSONReader) throws(JSONError) in _ = try r.readNumberText() } == .typeMismatch(expected: "number"))
    #expect(mismatch("null") { (r: inout JSONReader) throws(JSONError) in _ = try r.readBool() } == .typeMismatch(expected: "boolean"))
    #expect(mismatch("false") { (r: inout JSONReader) throws(JSONError) in try r.readNull() } == .typeMismatch(expected: "null"))
    #expect(mismatch("tx") { (r: inout JSONReader) throws(JSONError) in _ = try r.readBool() } == .unexpectedByte(byte("x")))
    #expect(mismatch("@") { (r: inout JSONReader) throws(JSONError) in _ = try r.readString() } == .unexpectedByte(byte("@")))
    #expect(mismatch(" ") { (r: inout JSONReader) throws(JSONError) in _ = try r.readString() } == .unexpectedEnd)
    var number = JSONReader(utf8("-1.50e3"))
    #expect(try number.readNumberText() == "-1.50e3")
    var no = JSONReader(utf8("false"))
    #expect(try no.readBool() == false)
}

@Test func readerContinuesAfterTypeMismatch() throws {
    var reader = JSONReader(utf8("[12, \"x\"]"))
    try reader.beginArray()
    #expect(try reader.nextElement())
    #expect(throws: JSONError(offset: 1, line: 1, column: 2, reason: .typeMismatch(expected: "string"))) {
        _ = try reader.readString()
    }
    #expect(try reader.readInt() == 12)
    #expect(try reader.nextElement())
    #expect(try reader.readString() == "x")
    #expect(try reader.nextElement() == false)
    try reader.finish()
}

@Test func readInt() throws {
    func int(_ text: String) throws(JSONError) -> Int {
        var reader = JSONReader(utf8(text))
        let value = try reader.readInt()
        try reader.finish()
        return value
    }
    func reason(_ text: String) -> JSONError.Reason? {
        do {
            _ = try int(text)
            return nil
        } catch {
            return error.reason
        }
    }
    #expect(try int("42") == 42)
    #expect(try int("-7") == -7)
    #expect(try int(" 0 ") == 0)
    #expect(try int("-0") == 0)
    #expect(try int("9223372036854775807") == Int.max)
    #expect(try int("-9223372036854775808") == Int.min)
    #expect(reason("1.0") == .typeMismatch(expected: "integer"))
    #expect(reason("1e3") == .typeMismatch(expected: "integer"))
    #expect(reason("99999999999999999999999.5") == .typeMismatch(expected: "integer"))
    #expect(reason("\"42\"") == .typeMismatch(expected: "integer"))
    #expect(reason("true") == .typeMismatch(expected: "integer"))
    #expect(reason("99999999999999999999999") == .invalidValue("integer out of range"))
    #expect(reason("9223372036854775808") == .invalidValue("integer out of range"))
    #expect(reason("-9223372036854775809") == .invalidValue("integer out of range"))
    #expect(reason("01") == .invalidNumber)
    #expect(reason("-") == .invalidNumber)
}

// MARK: Writer

@Test func prettyOutputIsByteExact() {
    let value: JSONValue = .object([
        "name": .string("Müller & Söhne \"GmbH\"\n/path"),
        "id": .integer(7),
        "value": .number("12500.50"),
        "labels": .array([.string("hot"), .string("b2b")]),
        "custom": .object([:]),
        "notes": .array([]),
        "nested": .object(["z": .array([.object([:]), .array([]), .null]), "a": .object(["k": .bool(false)])]),
        "ok": .bool(true),
        "Zeta": .integer(-1),
        "ä": .string("a-umlaut"),
        "é": .string("e-acute"),
        "～": .string("fullwidth tilde"),
        "😀": .string("emoji"),
    ])
    let expected = """
    {
      "Zeta": -1,
      "custom": {},
      "id": 7,
      "labels": [
        "hot",
        "b2b"
      ],
      "name": "Müller & Söhne \\"GmbH\\"\\n/path",
      "nested": {
        "a": {
          "k": false
        },
        "z": [
          {},
          [],
          null
        ]
      },
      "notes": [],
      "ok": true,
      "value": 12500.50,
      "ä": "a-umlaut",
      "é": "e-acute",
      "～": "fullwidth tilde",
      "😀": "emoji"
    }

    """
    #expect(String(decoding: JSONWriter.pretty(value), as: UTF8.self) == expected)
    #expect(JSONWriter.pretty(value) == Array(expected.utf8))
    #expect(JSONWriter.pretty(.object([:])) == utf8("{}\n"))
    #expect(JSONWriter.pretty(.array([.array([])])) == utf8("[\n  []\n]\n"))
    #expect(JSONWriter.pretty(.string("x")) == utf8("\"x\"\n"))
}

@Test func keysSortByBytesNotByStringComparison() {
    // NFD "é" starts with "e", so by bytes it sorts before "f"; String's `<` would
    // compare it as NFC U+00E9 and put it after. Its bytes are written unchanged.
    let value: JSONValue = .object(["f": .null, "e\u{301}": .null, "E": .null])
    #expect(JSONWriter.compact(value) == utf8("{\"E\":null,\"e\u{301}\":null,\"f\":null}"))
}

@Test func compactOutputIsByteExact() {
    let value: JSONValue = .object([
        "b": .string("x\ny"),
        "a": .array([.integer(1), .object([:]), .array([]), .bool(true)]),
        "c": .object(["d": .null]),
    ])
    #expect(String(decoding: JSONWriter.compact(value), as: UTF8.self) == #"{"a":[1,{},[],true],"b":"x\ny","c":{"d":null}}"#)
}

@Test func quotingEscapesOnlyWhatJSONRequires() {
    var out: [UInt8] = []
    JSONWriter.appendQuoted("a\"b\\c/d\u{0}\u{1}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}\u{7F}é😀\u{2028}", to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "\"a\\\"b\\\\c/d\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\u{7F}é😀\u{2028}\"")
    out = Array("x=".utf8)
    JSONWriter.appendQuoted("", to: &out)
    #expect(out == utf8("x=\"\""))
}

/// Deterministic values for round trips (SplitMix64, so failures reproduce).
private struct Generator {
    var random: SplitMix64

    init(state: UInt64) { random = SplitMix64(seed: state) }

    mutating func below(_ n: Int) -> Int { random.below(n) }

    static let pieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "ß",
                         "€", "😀", "\u{2028}", "日本", "lead", "0", "{", "]", ",", ":"]
    static let numbers = ["0", "-0", "7", "-12", "3.25", "12500.50", "1e9", "-2.5E-3", "123456789012345678901234567890"]

    mutating func string() -> String {
        (0..<below(8)).map { _ in Self.pieces[below(Self.pieces.count)] }.joined()
    }

    mutating func value(depth: Int) -> JSONValue {
        switch below(depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return .number(Self.numbers[below(Self.numbers.count)])
        case 3, 4: return .string(string())
        case 5: return .array((0..<below(5)).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<below(6) { members[string()] = value(depth: depth + 1) }
            return .object(members)
        }
    }
}

@Test func roundTripsGeneratedValues() throws {
    var generator = Generator(state: 2026)
    for _ in 0..<500 {
        let value = generator.value(depth: 0)
        let pretty = JSONWriter.pretty(value)
        let compact = JSONWriter.compact(value)
        #expect(try JSONReader.parse(pretty) == value)
        #expect(try JSONReader.parse(compact) == value)
        #expect(JSONWriter.pretty(try JSONReader.parse(pretty)) == pretty)
        #expect(!compact.contains(0x0A))
        #expect(skipError(pretty) == nil)
    }
}

// MARK: Foundation as an independent oracle

/// Samples on which RFC 8259 and Foundation agree. Left out on purpose, because
/// Foundation on Linux is laxer or narrower there: trailing commas and duplicate
/// keys (it accepts them), a byte order mark (it skips it), numbers beyond Double
/// such as 1e400 and nesting beyond 512 (it refuses them).
private let validSamples: [String] = [
    "{}", "[]", "0", "-0", "1.5e-3", "1E+2", "123456789012345678901234567890", "true", "false", "null",
    #""""#, #""\u0000""#, #""\uD83D\uDE00""#, #""\/\b\f\n\r\t\"\\""#, "\"Grüße \u{7F} 日本 😀\"",
    #"{"a": [1, {"b": null}], "c": "d"}"#, " \n\t\r[ 1 , 2 ]\r\n ",
    #"{"id": 7, "name": "Müller GmbH", "labels": ["hot"], "value": "12500.50", "notes": []}"#,
]

private let invalidSamples: [[UInt8]] = [
    "01", "-", "1.", ".5", "+1", "NaN", "Infinity", "-Infinity", "1e", "[-]", "0x10", "tru", "", " ",
    #""\uD800""#, #""\uDC00""#, #""\uD83Dx""#, #""\x""#, "\"a\tb\"", "\"a\nb\"", "[1] x", "/*c*/1", "// c\n1",
    "[1 2]", #"{"a" 1}"#, "{'a':1}", #"{a:1}"#, "[1,2", #"{"a":1"#, "[\u{0}]", #""unterminated"#,
].map { Array($0.utf8) } + [
    [0x22, 0xC0, 0x80, 0x22], [0x22, 0xE0, 0x80, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
    [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xF5, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0x80, 0x22],
]

private func foundationAccepts(_ bytes: [UInt8]) -> Bool {
    (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
}

@Test func agreesWithFoundationOnValidSamples() {
    for sample in validSamples {
        let bytes = utf8(sample)
        #expect(foundationAccepts(bytes), "Foundation: \(sample.debugDescription)")
        #expect(parseError(bytes) == nil, "reader: \(sample.debugDescription)")
        #expect(skipError(bytes) == nil, "skip: \(sample.debugDescription)")
    }
}

@Test func agreesWithFoundationOnInvalidSamples() {
    for bytes in invalidSamples {
        let shown = String(decoding: bytes, as: UTF8.self).debugDescription
        #expect(!foundationAccepts(bytes), "Foundation: \(shown)")
        #expect(parseError(bytes) != nil, "reader: \(shown)")
        #expect(skipError(bytes) != nil, "skip: \(shown)")
    }
}

@Test func rejectsWhatFoundationLetsThrough() {
    #expect(failure("[1,]") == Failure(.unexpectedByte(byte("]")), 3))
    #expect(failure(#"{"a":1,"a":2}"#) == Failure(.duplicateKey("a"), 7))
}

@Test func foundationReadsWhatWeWrite() throws {
    var generator = Generator(state: 99)
    for _ in 0..<100 {
        let pretty = JSONWriter.pretty(generator.value(depth: 0))
        #expect(foundationAccepts(pretty), "\(String(decoding: pretty, as: UTF8.self))")
    }
    let decoded = try JSONSerialization.jsonObject(with: Data(JSONWriter.compact(.string("a\u{0}\"\\\n😀"))), options: [.fragmentsAllowed])
    #expect(decoded as? String == "a\u{0}\"\\\n😀")
}
