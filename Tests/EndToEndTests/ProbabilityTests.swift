import Foundation
import Testing

/// SPEC §5: an exact decimal probability (`33.33`) is stored exactly. It is kept to a
/// hundredth of a percent in the lead file, the log, the index, the history checkpoint
/// and the exports, and weighted exactly with one rounding to the cent.
@Suite struct ProbabilityTests {
    @Test func anOdooProbabilityWithDecimalsIsStoredAndWeightedExactly() throws {
        let box = Sandbox()
        let path = box.input("odoo.csv", """
            "Opportunity","Expected Revenue","Probability","Stage"
            "Chairs","333.33","33.33","Qualified"
            "Desks","1000.0","12.5","Qualified"
            "Lamps","10.0","0.05 %","Qualified"

            """)
        let result = box.run("import-csv", path, "--map", "Opportunity=name", "--map", "Expected Revenue=value")
        #expect(result.status == 0, "\(result.stderr)")
        // As written in the file, in its shortest form, as a JSON number.
        #expect(try #require(box.file("leads/1.json")).contains("\"probability\": 33.33"))
        #expect(try #require(box.file("leads/2.json")).contains("\"probability\": 12.5"))
        let shown = try #require(try box.run("show", "1", "--json").json() as? [String: Any])
        #expect((shown["probability"] as? NSNumber)?.stringValue == "33.33")
        #expect(shown["weighted_value"] as? String == "111.10")
        #expect(box.run("show", "1").stdout.contains("qualified (33.33 %, set on the lead)"))
        // 333.33 × 33.33 % = 111.098889 → 111.10; 1000 × 12.5 % = 125; 10 × 0.05 % = 0.005 → 0.01.
        #expect(box.run("pipeline", "--explain").stdout == """
            EUR
            stage qualified: 3 leads, value 1343.33, weighted 236.11
              #1  333.33 × 33.33 % = 111.098889 → 111.10
              #2  1000.00 × 12.5 % = 125.00
              #3  10.00 × 0.05 % = 0.005 → 0.01
            total: 3 leads, value 1343.33, weighted 236.11

            """)
        #expect(box.run("pipeline", "--explain", "--csv").stdout.contains("EUR,lead,qualified,1,1,333.33,33.33,111.098889,111.10\r\n"))
        // The same answers without the summary index.
        let indexed = box.run("pipeline", "--json").stdout
        #expect(box.run(["pipeline", "--json"], env: ["LEADS_INDEX": "off"]).stdout == indexed)
        #expect(box.run("fsck").status == 0)
    }

    @Test func finerValuesAreRefusedAndNothingIsWritten() {
        let box = Sandbox()
        box.add("A")
        let before = box.snapshot()
        let set = box.run("set", "1", "--probability", "33.333")
        #expect(set.status == 1)
        #expect(set.stderr == "leads: --probability: '33.333': finer than a hundredth of a percent; probabilities are kept to 0.01 % and never rounded\n")
        let path = box.input("p.csv", "name,probability\nB,0.33333\n")
        let fraction = box.run("import-csv", path, "--probability-scale", "fraction")
        #expect(fraction.status == 1)
        #expect(fraction.stderr.hasPrefix("leads: \(path):2: probability: '0.33333': finer than a hundredth of a percent as a fraction (0.3333 = 33.33 %)"), "\(fraction.stderr)")
        #expect(box.snapshot() == before)
        #expect(box.run("import-csv", path, "--probability-scale", "fraction", "--dry-run").status == 1)
        let exact = box.input("q.csv", "name,probability\nB,0.3333\nC,\"0,125\"\n")
        #expect(box.run("import-csv", exact, "--probability-scale", "fraction").status == 0)
        #expect((box.leadJSON(2)?["probability"] as? NSNumber)?.stringValue == "33.33")
        #expect((box.leadJSON(3)?["probability"] as? NSNumber)?.stringValue == "12.5")
    }

    @Test func theLogAndTheHistoryKeepTheDecimals() throws {
        let box = Sandbox(now: "2026-03-01T09:00:00Z")
        box.add("A", "--value", "1000", "--stage", "qualified")
        let first = box.run(["pipeline", "--json"], env: ["LEADS_NOW": "2026-03-02T09:00:00Z"]).stdout
        #expect(box.run(["set", "1", "--probability", "12.34"], env: ["LEADS_NOW": "2026-03-03T09:00:00Z"]).status == 0)
        let second = box.run(["pipeline", "--json"], env: ["LEADS_NOW": "2026-03-04T09:00:00Z"]).stdout
        #expect(second.contains("\"123.40\""), "\(second)")
        #expect(box.run(["status", "1", "proposal", "--probability", "66.6"], env: ["LEADS_NOW": "2026-03-05T09:00:00Z"]).status == 0)
        let records = box.logEntries()
        #expect((records[1]["probability"] as? NSNumber)?.stringValue == "12.34")
        #expect(((records[2]["old"] as? [String: Any])?["probability"] as? NSNumber)?.stringValue == "12.34")
        #expect(((records[2]["state"] as? [String: Any])?["probability"] as? NSNumber)?.stringValue == "66.6")
        #expect(box.run("show", "1").stdout.contains("probability 12.34 %"))
        // Rebuilt from the log, with and without the history checkpoint the first answer leaves.
        for _ in 0..<2 {
            #expect(HistoryTests.pipeline(box.run("pipeline", "--json", "--as-of", "2026-03-02T09:00:00Z").stdout) == HistoryTests.pipeline(first))
            #expect(HistoryTests.pipeline(box.run("pipeline", "--json", "--as-of", "2026-03-04T09:00:00Z").stdout) == HistoryTests.pipeline(second))
        }
        #expect(box.run("fsck").status == 0)
    }

    @Test func anExportReadsBackWithItsDecimals() throws {
        let box = Sandbox()
        box.add("A", "--value", "10", "--probability", "33.33")
        box.add("B", "--probability", "0.5")
        box.add("C", "--probability", "60")
        let exported = box.run("export-csv", "--all", "--full")
        #expect(exported.status == 0)
        #expect(exported.stdout.contains(",33.33,"))
        let path = box.input("full.csv", exported.stdout)
        let other = Sandbox()
        let imported = other.run("import-csv", path)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect((1...3).map { (other.leadJSON($0)?["probability"] as? NSNumber)?.stringValue } == ["33.33", "0.5", "60"])
    }
}
