import Foundation
import LeadsTestSupport
import Testing
@testable import LeadsCore

@Suite struct CSVReaderTests {
    // MARK: Records and line ends

    @Test func allThreeLineEndsEndRecords() {
        for lineEnd in ["\r\n", "\n", "\r"] {
            let outcome = parse("a,b\(lineEnd)1,2\(lineEnd)3,4\(lineEnd)")
            #expect(outcome.error == nil)
            #expect(fields(outcome) == [["a", "b"], ["1", "2"], ["3", "4"]])
            #expect(outcome.records.map(\.line) == [1, 2, 3])
        }
    }

    @Test func mixedLineEndsCountAsOneLineEach() {
        let outcome = parse("a\r\n\nb\r\r\nc\rd")
        #expect(fields(outcome) == [["a"], [""], ["b"], [""], ["c"], ["d"]])
        #expect(outcome.records.map(\.line) == [1, 2, 3, 4, 5, 6])
    }

    @Test func finalRecordWithoutLineEnd() {
        #expect(fields(parse("a,b\n1,2")) == [["a", "b"], ["1", "2"]])
    }

    @Test func emptyInputAndEmptyLines() {
        #expect(parse("").records.isEmpty)
        #expect(parse("").error == nil)
        #expect(fields(parse("\n")) == [[""]])
        #expect(fields(parse("a\n\nb\n")) == [["a"], [""], ["b"]])
        #expect(fields(parse("a,")) == [["a", ""]])
        #expect(fields(parse(",\n")) == [["", ""]])
        #expect(fields(parse("\"\"")) == [[""]])
        #expect(fields(parse("\"\",\"\"\r\n")) == [["", ""]])
    }

    @Test func quotedFieldsKeepDelimitersQuotesAndLineBreaksByteExact() {
        let outcome = parse("\"a,b\",\"say \"\"hi\"\"\",\"x\r\ny\",\"p\nq\",\"r\rs\"\n")
        #expect(outcome.error == nil)
        let record = outcome.records.first?.fields ?? []
        #expect(record.map { Array($0.utf8) } == [
            Array("a,b".utf8), Array("say \"hi\"".utf8), [0x78, 0x0D, 0x0A, 0x79],
            [0x70, 0x0A, 0x71], [0x72, 0x0D, 0x73],
        ])
    }

    @Test func quoteInsideUnquotedFieldIsLiteral() {
        #expect(fields(parse("a\"b,c\"\n 5\" x,\"y\"\n")) == [["a\"b", "c\""], [" 5\" x", "y"]])
    }

    @Test func recordSpanningLinesReportsItsFirstLine() {
        let text = "h1,h2\na,b\n\"x\ny\nz\",w\nc,d\n"
        let outcome = parse(text)
        #expect(fields(outcome) == [["h1", "h2"], ["a", "b"], ["x\ny\nz", "w"], ["c", "d"]])
        #expect(outcome.records.map(\.line) == [1, 2, 3, 6])
        for lineEnd in ["\r\n", "\r"] {
            let converted = parse(text.replacingOccurrences(of: "\n", with: lineEnd))
            #expect(converted.records.map(\.line) == [1, 2, 3, 6])
        }
    }

    @Test func otherDelimiters() {
        #expect(fields(parse("a;b,c;\"d;e\"\n", delimiter: ";")) == [["a", "b,c", "d;e"]])
        #expect(fields(parse("a\tb c\t\"d\te\"\n", delimiter: "\t")) == [["a", "b c", "d\te"]])
        #expect(fields(parse("a|b\n", delimiter: "|")) == [["a", "b"]])
    }

    // MARK: BOM

    @Test func leadingBOMIsSkippedInBothEncodings() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Name;Firma\r\nA;B\r\n".utf8)
        for encoding in [CSVEncoding.utf8, .cp1252] {
            let outcome = parse(bytes, delimiter: ";", encoding: encoding)
            #expect(fields(outcome) == [["Name", "Firma"], ["A", "B"]])
            #expect(outcome.records.map(\.line) == [1, 2])
        }
        #expect(parse([0xEF, 0xBB, 0xBF]).records.isEmpty)
        #expect(fields(parse([0xEF, 0xBB, 0xBF, 0x22, 0x61, 0x22])) == [["a"]])
    }

    @Test func bomAnywhereElseIsData() {
        #expect(fields(parse("a\n\u{FEFF}b\n")) == [["a"], ["\u{FEFF}b"]])
        #expect(parse([0xEF, 0xBB]) == CSVOutcome(error: .invalidUTF8(line: 1)))
        #expect(fields(parse([0xEF, 0xBB], encoding: .cp1252)) == [["ï»"]])
    }

    // MARK: Errors, each with its exact line

    @Test func unterminatedQuoteReportsWhereTheQuoteStarted() {
        let outcome = parse("h\nok\n\"abc\ndef\nghi")
        #expect(fields(outcome) == [["h"], ["ok"]])
        #expect(outcome.error == .unterminatedQuote(line: 3))
        // The record starts on line 3, the open quote on line 4.
        #expect(parse("h\n\n\"x\ny\",\"z\nw").error == .unterminatedQuote(line: 4))
        #expect(parse("\"").error == .unterminatedQuote(line: 1))
    }

    @Test func characterAfterClosingQuoteReportsItsLine() {
        #expect(parse("\"ab\"c").error == .characterAfterClosingQuote(line: 1))
        #expect(parse("h\nv\n\"x\ny\"z\n").error == .characterAfterClosingQuote(line: 4))
        #expect(parse("\"a\" ,b").error == .characterAfterClosingQuote(line: 1))
        #expect(parse("a;\"b\",c", delimiter: ";").error == .characterAfterClosingQuote(line: 1))
    }

    @Test func fieldTooLongReportsWhereTheFieldStarted() {
        #expect(parse("abcd,\"wxyz\"\n", maxFieldBytes: 4) == CSVOutcome(
            records: [CSVRecord(fields: ["abcd", "wxyz"], line: 1)]))
        #expect(parse("ab\nabcde\n", maxFieldBytes: 4).error == .fieldTooLong(line: 2, limit: 4))
        #expect(parse("h\n\n\"a\nbcd\"\n", maxFieldBytes: 4).error == .fieldTooLong(line: 3, limit: 4))
        // Doubled quotes count once: `""""` is one byte of content.
        #expect(parse("\"a\"\"b\"\"\"\n", maxFieldBytes: 4).error == nil)
    }

    @Test func tooManyFieldsReportsTheRecordLine() {
        let outcome = parse("a,b,c\n1,2,3,4\n", maxFields: 3)
        #expect(fields(outcome) == [["a", "b", "c"]])
        #expect(outcome.error == .tooManyFields(line: 2, limit: 3))
        #expect(parse(String(repeating: ",", count: 20_000)).error
                == .tooManyFields(line: 1, limit: CSVReader.defaultMaxFields))
    }

    @Test func nulByteIsRefusedWhereverItIs() {
        #expect(parse([0]).error == .nulByte(line: 1))
        #expect(parse(Array("a\nb\n\"x\ny".utf8) + [0, 0x22]).error == .nulByte(line: 4))
        #expect(parse(Array("a,\"b\"".utf8) + [0]).error == .nulByte(line: 1))
        #expect(parse([0x61, 0x0A, 0x62, 0x00], encoding: .cp1252).error == .nulByte(line: 2))
    }

    @Test func invalidUTF8ReportsThePhysicalLineOfTheByte() {
        #expect(parse([0x61, 0x0A, 0x62, 0xFF, 0x0A]).error == .invalidUTF8(line: 2))
        // Record starts on line 3; the bad byte sits on line 5 after a CRLF and an LF.
        let quoted = Array("h\nok\n\"x\r\ny\nz".utf8) + [0xFC] + Array("\"\n".utf8)
        let outcome = parse(quoted)
        #expect(fields(outcome) == [["h"], ["ok"]])
        #expect(outcome.error == .invalidUTF8(line: 5))
        // Overlong, surrogate, truncated before a delimiter, beyond U+10FFFF, stray continuation.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xC3, 0x2C], [0xF4, 0x90, 0x80, 0x80], [0x80]] {
            #expect(parse(Array("ok\n".utf8) + bad).error == .invalidUTF8(line: 2))
        }
        #expect(fields(parse([0xC3, 0xA4, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80])) == [["ä€😀"]])
    }

    /// The reader's own validator decides what is UTF-8, so it must agree with the standard
    /// library: on every 1- and 2-byte sequence and on random longer ones.
    @Test func utf8ValidatorAgreesWithTheStandardLibrary() {
        func agrees(_ bytes: [UInt8]) -> Bool {
            let mine = bytes.withUnsafeBufferPointer { TextEncoding.firstInvalidUTF8Offset($0) } == nil
            return mine == (String(validating: bytes, as: UTF8.self) != nil)
        }
        var disagreements: [[UInt8]] = []
        for first in 0...255 {
            if !agrees([UInt8(first)]) { disagreements.append([UInt8(first)]) }
            for second in 0...255 where !agrees([UInt8(first), UInt8(second)]) {
                disagreements.append([UInt8(first), UInt8(second)])
            }
        }
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
                                    0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1,
                                    0xF3, 0xF4, 0xF5, 0xFF]
        var random = SplitMix64(seed: 7)
        for _ in 0..<100_000 {
            let bytes = (0..<Int.random(in: 3...6, using: &random)).map { _ in
                interesting.randomElement(using: &random)!
            }
            if !agrees(bytes) { disagreements.append(bytes) }
        }
        #expect(disagreements.isEmpty)
    }

    @Test func errorsAreStickyAndReadFailuresCarryErrno() {
        var reader = CSVReader(bytes: Array("\"ab\"c\nd\n".utf8), delimiter: UInt8(ascii: ","))
        #expect(throws: CSVError.characterAfterClosingQuote(line: 1)) { try reader.next() }
        #expect(throws: CSVError.characterAfterClosingQuote(line: 1)) { try reader.next() }

        var closed = CSVReader(fileDescriptor: -1, delimiter: UInt8(ascii: ","))
        #expect(throws: CSVError.readFailed(errno: EBADF)) { try closed.next() }
    }

    // MARK: cp1252

    @Test func cp1252RefusesAFieldThatIsUTF8BeyondASCII() {
        // "Name\nJürgen\n" in UTF-8, no byte order mark: cp1252 would make it "JÃ¼rgen".
        let utf8 = Array("Name\nJ\u{FC}rgen\n".utf8)
        #expect(parse(utf8, encoding: .cp1252).error == .utf8DespiteCP1252(line: 2))
        // cp1252 text whose high bytes do not pair up as UTF-8 is cp1252: "SÃO" (C3 4F),
        // "Müller" (FC), and an ASCII-only field either way.
        #expect(fields(parse([0x53, 0xC3, 0x4F, 0x0A, 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x0A, 0x61, 0x0A], encoding: .cp1252))
                == [["SÃO"], ["Müller"], ["a"]])
    }

    @Test func cp1252DecodesUmlautsAndEuroAndRefusesTheUndefinedBytes() {
        let bytes: [UInt8] = [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x3B, 0xC4, 0xD6, 0xDC, 0xE4,
                              0xF6, 0xFC, 0xDF, 0x3B, 0x80, 0x20, 0x31, 0x32, 0x0D, 0x0A]
        let outcome = parse(bytes, delimiter: ";", encoding: .cp1252)
        #expect(fields(outcome) == [["Müller", "ÄÖÜäöüß", "€ 12"]])
        #expect(parse(bytes, delimiter: ";").error == .invalidUTF8(line: 1))

        for byte: UInt8 in [0x81, 0x8D, 0x8F, 0x90, 0x9D] {
            // The line of the byte, not of the field's start: a quoted field spans lines.
            #expect(parse(Array("h\n\"a\nb".utf8) + [byte] + Array("c\"\n".utf8), encoding: .cp1252).error
                    == .undefinedInCP1252(line: 3, byte: byte))
        }
    }

    @Test func cp1252MapsEveryByte() throws {
        let expectedHigh: [UInt8: Unicode.Scalar] = [
            0x80: "€", 0x82: "‚", 0x83: "ƒ", 0x84: "„", 0x85: "…", 0x8A: "Š", 0x8C: "Œ",
            0x91: "‘", 0x92: "’", 0x93: "“", 0x94: "”", 0x96: "–", 0x97: "—", 0x99: "™",
            0x9F: "Ÿ",
        ]
        let undefined: Set<UInt8> = [0x81, 0x8D, 0x8F, 0x90, 0x9D]
        for byte in UInt8(1)...UInt8(255) where byte != 0x0A && byte != 0x0D && byte != 0x22 && byte != 0x2C && !undefined.contains(byte) {
            let outcome = parse([byte], encoding: .cp1252)
            let scalars = try #require(outcome.records.first?.fields.first).unicodeScalars
            #expect(scalars.count == 1)
            let scalar = try #require(scalars.first)
            if byte >= 0x80 && byte < 0xA0 {
                #expect(scalar.value == UInt32(TextEncoding.windows1252High[Int(byte) - 0x80]))
                if let expected = expectedHigh[byte] { #expect(scalar == expected) }
            } else {
                #expect(scalar.value == UInt32(byte))
            }
        }
    }

    // MARK: Progress

    @Test func bytesConsumedCountsEverythingRead() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a,b\r\n\"c\nd\",e\r\n".utf8)
        var reader = CSVReader(bytes: bytes, delimiter: UInt8(ascii: ","))
        #expect(reader.bytesConsumed == 0)
        _ = try reader.next()
        #expect(reader.bytesConsumed == 8)
        _ = try reader.next()
        #expect(reader.bytesConsumed == bytes.count)
        #expect(try reader.next() == nil)
        #expect(reader.bytesConsumed == bytes.count)
    }
}
