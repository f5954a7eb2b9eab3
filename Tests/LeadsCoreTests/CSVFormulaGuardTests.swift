import LeadsTestSupport
import Testing
@testable import LeadsCore

@Suite struct CSVFormulaGuardTests {
    static let triggers: [UInt8] = [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D]  // = + - @ TAB CR

    @Test func guardsExactlyTheDangerousFirstCharacters() {
        for cell in ["=1+2", "+49 30 1234", "-5", "@SUM(A1)", "\tx", "\rx", "=", "'=x", "''+1", "'\t"] {
            #expect(FormulaGuard.needsGuard(cell), "\(Array(cell.utf8))")
        }
        for cell in ["", "a", "a=b", " =1", "'", "''", "'abc", "\nx", "Müller", "€5", "1-2"] {
            #expect(!FormulaGuard.needsGuard(cell), "\(Array(cell.utf8))")
            #expect(FormulaGuard.neutralise(cell) == cell)
        }
    }

    @Test func neutraliseAndRestoreExamples() {
        #expect(FormulaGuard.neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")")
        #expect(FormulaGuard.neutralise("'=x") == "''=x")
        #expect(FormulaGuard.neutralise("\r\nx") == "'\r\nx")
        #expect(FormulaGuard.restore("'=x") == "=x")
        #expect(FormulaGuard.restore("''=x") == "'=x")
        #expect(FormulaGuard.restore("'abc") == "'abc")
        #expect(FormulaGuard.restore("'") == "'")
        #expect(FormulaGuard.restore("=x") == "=x")
    }

    static func check(_ cell: String) {
        let guarded = FormulaGuard.neutralise(cell)
        #expect(Array(FormulaGuard.restore(guarded).utf8) == Array(cell.utf8), "\(Array(cell.utf8))")
        #expect(!triggers.contains(guarded.utf8.first ?? 0), "\(Array(cell.utf8))")
        let expected = FormulaGuard.needsGuard(cell) ? [UInt8(ascii: "'")] + Array(cell.utf8) : Array(cell.utf8)
        #expect(Array(guarded.utf8) == expected)
    }

    /// Every string up to length 4 over an alphabet that covers the edge cases.
    @Test func reversibleOnEveryShortString() {
        let alphabet = ["'", "=", "a", "\t", "\r", "\n"]
        var cells = [""]
        var frontier = [""]
        for _ in 1...4 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + $0 } }
            cells += frontier
        }
        #expect(cells.count == 1 + 6 + 36 + 216 + 1296)
        for cell in cells { Self.check(cell) }
    }

    @Test func reversibleOnRandomCells() {
        let pieces = ["'", "''", "=", "+", "-", "@", "\t", "\r", "\r\n", "x", "1", "ä", "😀",
                      "\u{301}", " ", "\"", ";"]
        var random = SplitMix64(seed: 42)
        for _ in 0..<5_000 {
            let cell = (0..<Int.random(in: 0...8, using: &random))
                .map { _ in pieces.randomElement(using: &random)! }.joined()
            Self.check(cell)
        }
    }
}
