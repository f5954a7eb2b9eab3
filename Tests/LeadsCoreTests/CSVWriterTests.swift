import LeadsTestSupport
import Testing
@testable import LeadsCore

@Suite struct CSVWriterTests {
    static func written(_ records: [[String]], delimiter: Character = ",") -> String {
        var out: [UInt8] = []
        let writer = CSVWriter(delimiter: delimiter.asciiValue!)
        for record in records { writer.append(record, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    static func writtenBytes(_ record: [String], delimiter: Character = ",") -> [UInt8] {
        var out: [UInt8] = []
        CSVWriter(delimiter: delimiter.asciiValue!).append(record, to: &out)
        return out
    }

    @Test func quotesOnlyWhatNeedsQuotingAndEndsWithCRLF() {
        #expect(Self.writtenBytes(["a", "b"]) == Array("a,b\r\n".utf8))
        #expect(Self.writtenBytes(["a,b", "x"]) == Array("\"a,b\",x\r\n".utf8))
        #expect(Self.writtenBytes(["say \"hi\"", "\""]) == Array("\"say \"\"hi\"\"\",\"\"\"\"\r\n".utf8))
        #expect(Self.writtenBytes(["l\nf", "c\rr", "c\r\nl"])
                == Array("\"l\nf\",\"c\rr\",\"c\r\nl\"\r\n".utf8))
        #expect(Self.writtenBytes([" a ", "=1+2", "Müller €", "😀"])
                == Array(" a ,=1+2,Müller €,😀\r\n".utf8))
        #expect(Self.writtenBytes(["", ""]) == Array(",\r\n".utf8))
        #expect(Self.writtenBytes([""]) == [0x0D, 0x0A])
        #expect(Self.written([["h1", "h2"], ["1", "2"]]) == "h1,h2\r\n1,2\r\n")
    }

    @Test func quotingFollowsTheDelimiter() {
        #expect(Self.writtenBytes(["a,b", "c;d"], delimiter: ";") == Array("a,b;\"c;d\"\r\n".utf8))
        #expect(Self.writtenBytes(["a b", "c\td"], delimiter: "\t") == Array("a b\t\"c\td\"\r\n".utf8))
        #expect(Self.writtenBytes(["a|b", "c,d"], delimiter: "|") == Array("\"a|b\"|c,d\r\n".utf8))
    }

    /// Writer → reader over random records full of the characters that need care, with the
    /// formula guard applied on the way out and undone on the way in, as export/import do.
    @Test func roundTripOfRandomRecords() {
        let pieces = [
            ";", ",", "\"", "\r", "\n", "\r\n", "\t", "|", "=", "+", "-", "@", "'", " ", "a", "Zz",
            "ä", "Ö", "ß", "€", "😀", "👍🏽", "e\u{301}", "0815", "=SUM(A1:A9)",
        ]
        var random = SplitMix64(seed: 0x1EAD_5C5F)
        for delimiter in CSVDelimiterSniffer.candidates {
            var records: [[String]] = []
            var out: [UInt8] = []
            var expectedLines: [Int] = []
            let writer = CSVWriter(delimiter: delimiter)
            for _ in 0..<1_000 {
                let record = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                    (0..<Int.random(in: 0...6, using: &random))
                        .map { _ in pieces.randomElement(using: &random)! }.joined()
                }
                records.append(record)
                out.withUnsafeBufferPointer { expectedLines.append(1 + TextEncoding.lineBreakCount($0)) }
                writer.append(record.map(FormulaGuard.neutralise), to: &out)
            }
            var reader = CSVReader(bytes: out, delimiter: delimiter)
            let outcome = drain(&reader)
            #expect(outcome.error == nil)
            let readBack = outcome.records.map { $0.fields.map(FormulaGuard.restore) }
            #expect(readBack.map { $0.map { Array($0.utf8) } } == records.map { $0.map { Array($0.utf8) } })
            #expect(outcome.records.map(\.line) == expectedLines)
        }
    }
}
