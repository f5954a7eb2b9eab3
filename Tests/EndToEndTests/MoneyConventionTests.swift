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
}
