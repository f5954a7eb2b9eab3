import Foundation
import Testing
@testable import leads_bench

/// The history set's update rounds (HistoryPlan): the benchmark's record count and the
/// reports' tables depend on every row matching its lead and changing it in a form
/// `import-csv` reads.
@Suite struct HistoryPlanTests {
    static let seed: UInt64 = 20_261_123
    static let header = HistoryPlan.csvHeader

    func cell(_ row: [String], _ name: String) -> String { row[Self.header.firstIndex(of: name)!] }

    @Test func roundsAreTheSameForTheSameSeed() {
        var a = HistoryPlan(count: 300, seed: Self.seed), b = HistoryPlan(count: 300, seed: Self.seed)
        for _ in 1...3 {
            let (x, y) = (a.nextRound(), b.nextRound())
            #expect(x.map(\.id) == y.map(\.id))
            #expect(x.map(\.cells) == y.map(\.cells))
        }
    }

    /// As in the data set, lead i's history does not depend on the size.
    @Test func aLeadsHistoryIsTheSameInEverySize() {
        var small = HistoryPlan(count: 100, seed: Self.seed), large = HistoryPlan(count: 400, seed: Self.seed)
        for _ in 1...small.rounds {
            let (few, many) = (small.nextRound(), large.nextRound())
            #expect(few.map(\.cells) == Array(many.prefix(few.count)).map(\.cells))
        }
    }

    /// Row for lead i carries lead i's e-mail address, name and company, which is how
    /// `--on-duplicate update` finds it; dnc leads get no row.
    @Test func eachRowNamesTheLeadItMeans() {
        var set = DataSet(seed: Self.seed)
        let leads = (0..<500).map { _ in set.next() }
        var plan = HistoryPlan(count: leads.count, seed: Self.seed)
        let rows = plan.nextRound()
        #expect(rows.map(\.id) == leads.indices.filter { leads[$0].stage != "dnc" }.map { $0 + 1 })
        for row in rows {
            let lead = leads[row.id - 1]
            #expect(cell(row.cells, "email") == lead.email)
            #expect(cell(row.cells, "name") == lead.name)
            #expect(cell(row.cells, "company") == lead.company)
        }
    }

    /// Every cell is in a form the importer reads, every row changes something, and
    /// most rows are not stage moves (real logs are mostly other changes).
    @Test(arguments: [1, HistoryPlan.defaultRounds, HistoryPlan.steps])
    func cellsParseAndEveryRowChangesItsLead(rounds: Int) {
        var plan = HistoryPlan(count: 2000, seed: Self.seed, rounds: rounds)
        var rows = 0, stageMoves = 0, lost = 0, won = 0, reassigned = 0
        for _ in 1...plan.rounds {
            let before = plan.leads
            for row in plan.nextRound() {
                rows += 1
                let cells = row.cells
                let changes = ["owner", "stage", "probability", "value", "expected_close", "lost_reason"].map { cell(cells, $0) }
                #expect(changes.contains { !$0.isEmpty }, "row for lead \(row.id) changes nothing")
                #expect(plan.leads[row.id - 1] != before[row.id - 1])
                let owner = cell(cells, "owner"), stage = cell(cells, "stage")
                // With several steps a row, an owner or stage may come back to where it
                // was (the row then changes something else): count only real moves.
                if !owner.isEmpty {
                    #expect(DataSet.owners.contains(owner))
                    if owner != before[row.id - 1].owner { reassigned += 1 }
                }
                if !stage.isEmpty {
                    #expect(DataSet.stages.contains(stage) && stage != "dnc")
                    if stage != before[row.id - 1].stage { stageMoves += 1 }
                    if stage == "lost" { lost += 1; #expect(Words.lostReasons.contains(cell(cells, "lost_reason"))) }
                    if stage == "won" { won += 1 }
                }
                let probability = cell(cells, "probability")
                if !probability.isEmpty { #expect(Int(probability).map { (5...95).contains($0) && $0 % 5 == 0 } == true) }
                let value = cell(cells, "value")
                if !value.isEmpty {
                    #expect(value.wholeMatch(of: /[0-9]+\.[0-9]{2}/) != nil, "value \(value)")
                    #expect(before[row.id - 1].valueCents != nil, "a lead without a value gets none")
                }
                let close = cell(cells, "expected_close")
                if !close.isEmpty { #expect(close.wholeMatch(of: /20[0-9]{2}-[01][0-9]-[0-3][0-9]/) != nil, "close \(close)") }
            }
        }
        #expect(rows > 2000 * plan.rounds * 9 / 10)
        // Not every record is a stage move; at one step a row, most are not.
        #expect(stageMoves < rows)
        if rounds == HistoryPlan.steps { #expect(stageMoves * 2 < rows) }
        #expect(lost > 0 && won > 0 && reassigned > 0)
    }

    /// The written file: a header and one CRLF line per row, quoted where a cell needs it.
    @Test func writesOneLinePerRow() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(getpid()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var plan = HistoryPlan(count: 200, seed: Self.seed)
        let rows = try plan.writeNextRound(csv: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix(Self.header.joined(separator: ",") + "\r\n"))
        #expect(text.components(separatedBy: "\r\n").count - 2 == rows)
    }

    /// The rounds' moments: in order, after the import, the middle inside the history.
    @Test(arguments: 1...HistoryPlan.steps)
    func roundsMoveLeadsNowOn(rounds: Int) {
        let plan = HistoryPlan(count: 1, seed: Self.seed, rounds: rounds)
        let moments = (1...rounds).map(plan.now(round:))
        #expect(moments.first! > DataSet.now)
        #expect(moments == moments.sorted() && Set(moments).count == rounds)
        #expect(plan.end == DataSet.now + HistoryPlan.steps * HistoryPlan.stepSeconds)
        #expect(plan.middle > DataSet.now && plan.middle < plan.end)
    }

    @Test func amountsRoundTrip() {
        #expect(HistoryPlan.cents("1234.05") == 123_405)
        #expect(HistoryPlan.cents("") == nil)
        #expect(HistoryPlan.amount(123_405) == "1234.05")
        #expect(HistoryPlan.amount(7) == "0.07")
    }
}
