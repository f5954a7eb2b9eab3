import Testing
@testable import LeadsCore

@Suite struct CSVDelimiterSnifferTests {
    static func sniff(_ text: String) -> Character? {
        CSVDelimiterSniffer.sniff(Array(text.utf8)).map { Character(Unicode.Scalar($0)) }
    }

    @Test func picksEachCandidate() {
        #expect(Self.sniff("Name,Firma,E-Mail\r\nA,B,C\r\n") == ",")
        #expect(Self.sniff("Name;Firma;E-Mail\r\nA;B;C\r\n") == ";")
        #expect(Self.sniff("Name\tFirma\tE-Mail\nA\tB\tC\n") == "\t")
        #expect(Self.sniff("Name|Firma|E-Mail\nA|B|C\n") == "|")
    }

    @Test func ignoresDelimitersInsideQuotedCells() {
        #expect(Self.sniff("\"Name, first\";\"Name, last\";Firma\r\n\"a,b,c,d\";x;y") == ";")
        #expect(Self.sniff("\"a;b;c\"\"; ;\",d,e\n") == ",")
        // A quote inside an unquoted cell is literal, as in the reader.
        #expect(Self.sniff("O\"Brien;x;y\n") == ";")
    }

    @Test func looksOnlyAtTheFirstRecord() {
        #expect(Self.sniff("Name;Firma\na,b,c,d,e\n") == ";")
        #expect(Self.sniff("\"multi\nline, header\";x\na,b,c\n") == ";")
    }

    @Test func majorityWinsAndTiesGoToTheEarlierCandidate() {
        #expect(Self.sniff("a,b;c;d\n") == ";")
        #expect(Self.sniff("a;b,c\n") == ",")
        #expect(Self.sniff("a|b\tc\n") == "\t")
    }

    @Test func singleColumnAndEmptyInputGiveNil() {
        #expect(Self.sniff("Name\nAnna\n") == nil)
        #expect(Self.sniff("\"Name, first\"\n") == nil)
        #expect(Self.sniff("") == nil)
        #expect(CSVDelimiterSniffer.sniff([0xEF, 0xBB, 0xBF]) == nil)
        #expect(CSVDelimiterSniffer.sniff([0xEF, 0xBB, 0xBF] + Array("a;b".utf8)) == UInt8(ascii: ";"))
    }
}
