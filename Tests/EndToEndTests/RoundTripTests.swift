import Foundation
import LeadsCore
import LeadsTestSupport
import Testing

/// export-csv → import-csv → export-csv gives back every exported field exactly.
@Suite struct RoundTripTests {
    static let pieces = ["a", "Z", "9", " ", ";", ",", "\"", "ä", "ß", "Ω", "€", "😀", "👩‍💻", "'", "x y", "\r\n", "\n", "\r", "\t", "=", "+", "-", "@"]
    static let leaders = ["=", "+", "-", "@", "\t", "'=", "''+", ""]

    /// Text with every awkward character; never all blank (blank means "no value").
    static func text(_ random: inout SplitMix64, singleLine: Bool = false) -> String {
        var out = random.below(3) == 0 ? random.pick(leaders) : ""
        for _ in 0..<(1 + random.below(8)) {
            var piece = random.pick(pieces)
            if singleLine && (piece.contains("\n") || piece.contains("\r")) { piece = "|" }
            out += piece
        }
        return out + random.pick(["a", "ü", "🙂", "."])
    }

    static func csv(_ rows: [[String]]) -> String {
        rows.map { row in
            row.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    @Test func exportImportExportIsExact() throws {
        let source = Sandbox()
        source.add("=HYPERLINK(\"x\")", "--phone", "+49 89 1", "--email", "a@x.example", "--value", "1234.5678",
                   "--currency", "CHF", "--label", "hot", "--label", "b2b", "--field", "size=@big", "--field", "note=-5",
                   "--close", "2027-01-31", "--next", "2026-12-01T14:30", "--note", "first\nsecond", "--address", "Line 1\r\nLine 2")
        source.add("Plain", "--stage", "lost", "--probability", "15", "--org", "--company", "Acme; Co")
        source.run("status", "2", "lost", "--reason", "=too expensive")
        source.run("note", "1", "called", "--contacted")
        try roundTrip(from: source, exportOptions: ["--all", "--with-notes"])
        try roundTrip(from: source, exportOptions: ["--all", "--with-notes", "--excel"], importOptions: ["--decimal", ","])
    }

    @Test func thousandRandomLeadsComeBackIdentical() throws {
        var random = SplitMix64(seed: 20261123)
        var rows = [["name", "company", "email", "phone", "address", "source", "campaign", "labels", "value", "currency",
                     "probability", "lost_reason", "field:k1", "field:k2", "notes"]]
        for i in 0..<1000 {
            let labels = (0..<random.below(3)).map { _ in "l" + String(random.below(50)) }
            rows.append([
                Self.text(&random, singleLine: true) + " \(i)",
                random.below(2) == 0 ? "" : Self.text(&random),
                random.below(2) == 0 ? "" : "p\(i)@example.com",
                random.below(2) == 0 ? "" : Self.text(&random),
                Self.text(&random),
                random.below(2) == 0 ? "" : Self.text(&random),
                random.below(3) == 0 ? "" : Self.text(&random),
                labels.joined(separator: ","),
                // Cents: another system's amount finer than its currency's is refused (SPEC §5);
                // the store's four digits come back through its own export, below.
                random.below(4) == 0 ? "" : "\(random.below(2) == 0 ? "-" : "")\(random.below(1_000_000)).\(String(format: "%02d", random.below(100)))",
                random.pick(["EUR", "USD", "CHF"]),
                random.below(2) == 0 ? "" : String(random.below(101)),
                random.below(3) == 0 ? Self.text(&random) : "",
                random.below(2) == 0 ? "" : Self.text(&random),
                Self.text(&random),
                random.below(2) == 0 ? "" : Self.text(&random),
            ])
        }
        // Blank value cells with a currency would be refused: only keep a currency with a value.
        for r in 1..<rows.count where rows[r][8].isEmpty { rows[r][9] = "" }
        let source = Sandbox()
        let path = source.root + "/random.csv"
        try Self.csv(rows).write(toFile: path, atomically: true, encoding: .utf8)
        let imported = source.run("import-csv", path, "--on-duplicate", "error")
        #expect(imported.status == 0, "\(imported.stderr.prefix(2000))")
        // What went in is what is stored (a cell starting '= is read as a neutralised =).
        for id in 1...1000 {
            let lead = try #require(source.leadJSON(id))
            #expect(lead["name"] as? String == FormulaGuard.restore(rows[id][0]))
            #expect(lead["address"] as? String == FormulaGuard.restore(rows[id][4]))
        }
        try roundTrip(from: source, exportOptions: ["--all", "--with-notes"])
    }

    func roundTrip(from source: Sandbox, exportOptions: [String], importOptions: [String] = [],
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let first = source.run(["export-csv"] + exportOptions)
        #expect(first.status == 0, "\(first.stderr)", sourceLocation: sourceLocation)
        let target = Sandbox()
        let path = target.root + "/export.csv"
        _ = FileManager.default.createFile(atPath: path, contents: Data(first.stdoutBytes))
        let imported = target.run(["import-csv", path] + importOptions)
        #expect(imported.status == 0, "\(imported.stderr.prefix(2000))", sourceLocation: sourceLocation)
        let second = target.run(["export-csv"] + exportOptions)
        #expect(second.status == 0, sourceLocation: sourceLocation)
        if first.stdoutBytes != second.stdoutBytes {
            let a = first.stdout.components(separatedBy: "\r\n"), b = second.stdout.components(separatedBy: "\r\n")
            let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("exports differ at record \(index): \(a.count > index ? a[index] : "<end>") vs \(b.count > index ? b[index] : "<end>")",
                         sourceLocation: sourceLocation)
        }
    }
}
