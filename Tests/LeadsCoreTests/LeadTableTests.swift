import Testing
@testable import LeadsCore

@Suite struct LeadTableTests {
    /// Against a dictionary through random sets and removals, with IDs in the array's
    /// range, negative ones and ones past it (a hand-edited log can name any).
    @Test func agreesWithADictionary() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var table = LeadTable<Int>()
            var model: [Int: Int] = [:]
            for step in 0..<2_000 {
                let id: Int
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: id = -Int.random(in: 1...50, using: &rng)
                case 1: id = LeadTable<Int>.denseLimit + Int.random(in: -3...50, using: &rng)
                default: id = Int.random(in: 0...3_000, using: &rng)
                }
                let value: Int? = Bool.random(using: &rng) || model[id] == nil ? step : nil
                table[id] = value
                model[id] = value
                #expect(table[id] == model[id])
            }
            var seen: [(Int, Int)] = []
            table.forEach { seen.append(($0, $1)) }
            #expect(seen.count == model.count)
            let expected = model.sorted { $0.key < $1.key }
            #expect(seen.map(\.0) == expected.map(\.key))
            #expect(seen.map(\.1) == expected.map(\.value))
        }
    }

    @Test func removingWhatWasNeverSetGrowsNothing() {
        var table = LeadTable<Int>()
        table[500_000] = nil
        table[-1] = nil
        var visited = 0
        table.forEach { _, _ in visited += 1 }
        #expect(visited == 0)
    }
}

extension DateTimeZoneDependentTests {
    /// The funnel remembers the bounds of the last month it counted in: entries on either
    /// side of a local midnight that starts a month, in and out of order, in a zone with
    /// summer time.
    @Suite struct FunnelMonthTests {
        @Test func entriesCountInTheirLocalMonth() {
            withTimeZone("Europe/Berlin") {
                func made(_ lead: Int, _ iso: String) -> LeadTransition {
                    let time = Timestamp(iso8601: iso)!
                    return LeadTransition(time: time, lead: lead, action: "add", user: "ann", before: .absent,
                                          after: .known(LeadSnapshot(stage: "new", createdAt: time)))
                }
                var report = FunnelReport(scope: HistoryScope(), config: StoreConfig.defaults)
                for t in [made(1, "2026-03-01T10:00:00Z"),
                          made(2, "2026-03-31T21:59:59Z"),   // 23:59:59 CEST, 31 March
                          made(3, "2026-03-31T22:00:00Z"),   // 00:00 CEST, 1 April
                          made(4, "2026-02-28T23:30:00Z"),   // 00:30 CET, 1 March
                          made(5, "2026-02-28T22:59:59Z"),   // 23:59:59 CET, 28 February
                          made(6, "2026-04-15T12:00:00Z")] {
                    report.add(t)
                }
                #expect(report.rows.map { "\($0.period) \($0.entered)" } == ["2026-02 1", "2026-03 3", "2026-04 2"])
            }
        }
    }
}

@Suite struct ProcessLifetimeTests {
    /// Off, as in every process but the `leads` executable: what is handed to `keep` is
    /// freed when its last user lets go, so a program replaying many times gets its memory back.
    @Test func keepingIsOffUnlessTheExecutableTurnsItOn() {
        final class Canary {}
        weak var watched: Canary?
        do {
            let canary = Canary()
            watched = canary
            ProcessLifetime.keep(canary)
        }
        #expect(watched == nil)
    }
}
