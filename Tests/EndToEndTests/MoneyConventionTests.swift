import Foundation
import Testing

/// "$1.200" is a German 1.200 as often as a price in tenths of a cent: a currency written
/// with it does not settle it, on the command line or in a file; --decimal still can.
@Suite struct MoneyConventionTests {
    @Test func aThousandsGroupIsNeverReadAsCentsOfTheCurrency() throws {
        let box = Sandbox()
        for value in ["1.200 USD", "$1.200", "£2.500"] {
            let result = box.run("add", "X", "--value", value)
            #expect(result.status == 1, "\(value): \(result.stdout)")
            #expect(result.stderr.contains("'\(value)' is ambiguous"), "\(result.stderr)")
        }
        #expect(box.add("Clear", "--value", "$1,200") > 0)
        let csv = box.root + "/deals.csv"
        try "name,value\nA,\"$1,200\"\nB,$1.200\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let refused = box.run("import-csv", csv)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("deals.csv:3"), "\(refused.stderr)")
        #expect(refused.stderr.contains("'$1.200' is ambiguous"), "\(refused.stderr)")
        let settled = box.run("import-csv", csv, "--decimal", ",")
        #expect(settled.status == 0, "\(settled.stderr)")
        let leads = try #require(try box.run("list", "--json").json() as? [[String: Any]])
        #expect(leads.compactMap { $0["value"] as? String } == ["1200.00", "1200.00", "1200.00"], "\(leads)")
    }

    /// A team that writes amounts one way says so once: "decimal" in config.json settles what
    /// neither the text nor its currency settles, for add, set and import-csv alike; an
    /// import's --decimal or its profile still wins, and the text's own form always does.
    @Test func theTeamsConventionInConfigSettlesAmounts() throws {
        let box = Sandbox()
        #expect(box.run("add", "X", "--value", "5.000 EUR").status == 1)
        #expect(box.run("init").status == 0)
        let config = box.dir + "/config.json"
        var text = try String(contentsOfFile: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"currency\"", with: "\"decimal\": \",\",\n  \"currency\"")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(box.add("Greta", "--value", "5.000 EUR") == 1)
        #expect(box.add("Hans", "--value", "1.200 USD") == 2)
        #expect(box.add("Anna", "--value", "12.500,50") == 3)
        #expect(box.add("Paul", "--value", "$1,200.50") == 4)   // the text settles itself
        #expect(box.run("set", "1", "--value", "7.500").status == 0)
        let csv = box.root + "/deals.csv"
        try "name,value\nImp,2.500 EUR\n".write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(box.run("import-csv", csv).status == 0)
        #expect(box.run("import-csv", csv, "--decimal", ".", "--on-duplicate", "create").status == 0)
        let leads = try #require(try box.run("list", "--json").json() as? [[String: Any]])
        #expect(leads.compactMap { $0["value"] as? String } == ["7500.00", "1200.00", "12500.50", "1200.50", "2500.00", "2.50"], "\(leads)")

        text = text.replacingOccurrences(of: "\"decimal\": \",\"", with: "\"decimal\": \";\"")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let refused = box.run("add", "Y", "--value", "1")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("\"decimal\" must be \",\" or \".\""), "\(refused.stderr)")
    }

    /// The refusal of an ambiguous amount suggests two spellings; each must be one the
    /// parser accepts and reads as the reading it stands for (`7.125` as the decimal reading
    /// would only be refused again).
    @Test func theAmbiguousHintSuggestsFormsThatAreAccepted() throws {
        let box = Sandbox()
        box.add("A", "-q")
        for (typed, thousands, decimal) in [("7.125", "7125.00", "7.125"), ("12.500", "12500.00", "12.50"),
                                            ("-1,234", "-1234.00", "-1.234"), ("999,999", "999999.00", "999.999")] {
            let refused = box.run("set", "1", "--value", typed)
            #expect(refused.status == 1, "\(typed)")
            let hint = try #require(refused.stderr.firstRange(of: "; write ").map { refused.stderr[$0.upperBound...] }, "\(refused.stderr)")
            let words = hint.split(separator: " ").map(String.init)
            try #require(words.count > 3 && words[1] == "or", "\(refused.stderr)")
            for (suggested, meant) in [(words[0], thousands), (words[2], decimal)] {
                let accepted = box.run("set", "1", "--value", suggested)
                #expect(accepted.status == 0, "\(typed): suggested \(suggested): \(accepted.stderr)")
                #expect(box.leadJSON(1)?["value"] as? String == meant, "\(typed): suggested \(suggested)")
            }
        }
    }
}
