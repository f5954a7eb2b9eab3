import LeadsTestSupport
import Testing
@testable import LeadsCore

/// HistoryFold: a report fed its transitions in parts split by lead, the parts merged,
/// answers as one fed them all in log order — whether the parts come from a split by
/// hand or from the history checkpoint's two parts decoded on two cores.
@Suite struct HistoryFoldTests {
    struct Answers: Equatable {
        var funnel: [FunnelRow]
        var velocity: [VelocityRow]
        var lost: [LostRow]
        var lostLeads: Set<Int>
        var winrate: [WinRateRow]
        var winTotal: WinRateRow
        var asOf: [String]
    }

    struct Folds {
        var funnel: FunnelReport, velocity: VelocityReport, lost: LostReport, winrate: WinRateReport, asOf: LeadsAsOf

        init(_ scope: HistoryScope, moment: Timestamp) {
            let config = StoreConfig.defaults
            funnel = FunnelReport(scope: scope, config: config)
            velocity = VelocityReport(scope: scope, config: config)
            lost = LostReport(scope: scope, config: config)
            winrate = WinRateReport(scope: scope)
            asOf = LeadsAsOf(moment: moment)
        }

        mutating func add(_ t: LeadTransition) {
            funnel.add(t); velocity.add(t); lost.add(t); winrate.add(t); asOf.add(t)
        }

        mutating func absorb(_ other: Folds) {
            funnel.absorb(other.funnel); velocity.absorb(other.velocity); lost.absorb(other.lost)
            winrate.absorb(other.winrate); asOf.absorb(other.asOf)
        }

        var answers: Answers {
            Answers(funnel: funnel.rows, velocity: velocity.rows, lost: lost.rows(reasons: [1: "price", 4: "timing"]),
                    lostLeads: lost.leads, winrate: winrate.rows, winTotal: winrate.total,
                    asOf: OneSnapshotPerLeadTests.entries(asOf.states))
        }
    }

    static func scopes(_ all: [LeadTransition]) -> [HistoryScope] {
        [HistoryScope(), HistoryScope(since: all[30].time, until: all[350].time, grouping: .owner),
         HistoryScope(until: all[200].time, grouping: .source)]
    }

    @Test func partsSplitByLeadAndMergedAnswerAsTheWhole() {
        for seed in UInt64(1)...16 {
            // More leads than the stage-moves histories, IDs far apart too.
            let all = StageMovesTests.history(seed: seed, count: 400).map { t -> LeadTransition in
                var t = t
                t.lead = t.lead * 7 + Int(t.time.seconds / 3600 % 5) * 3_000_017  // beyond LeadTable.denseLimit
                return t
            }
            for scope in Self.scopes(all) {
                let moment = all[250].time
                var whole = Folds(scope, moment: moment)
                for t in all { whole.add(t) }
                for split in [{ (lead: Int) in lead & 1 }, { (lead: Int) in lead % 3 == 0 ? 0 : 1 }] {
                    var parts = (Folds(scope, moment: moment), Folds(scope, moment: moment))
                    for t in all { if split(t.lead) == 0 { parts.0.add(t) } else { parts.1.add(t) } }
                    #expect(parts.0.answers != whole.answers)
                    parts.0.absorb(parts.1)
                    #expect(parts.0.answers == whole.answers, "seed \(seed), \(scope)")
                }
            }
        }
    }

    @Test func theCheckpointsTwoPartsFoldedAtOnceAnswerAsTheWholeFold() throws {
        for seed in UInt64(1)...8 {
            let all = StageMovesTests.history(seed: seed, count: 500, goingBack: seed % 2 == 0)
            let open = try OneSnapshotPerLeadTests.checkpoint(of: all)
            defer { open.close() }
            for scope in Self.scopes(all) {
                let fields = ReplayFields.stage(groupedBy: scope.grouping)
                let config = StoreConfig.defaults
                func same<Fold: HistoryFold>(_ make: () -> Fold, _ rows: (Fold) -> some Equatable) throws {
                    var whole = make()
                    for t in all { try whole.add(t) }
                    let parted = try #require(try open.replay(fields: fields, transitions: .stageMoves, into: make))
                    #expect(rows(parted) == rows(whole), "seed \(seed), \(scope)")
                }
                try same({ FunnelReport(scope: scope, config: config) }, \.rows)
                try same({ VelocityReport(scope: scope, config: config) }, \.rows)
                try same({ LostReport(scope: scope, config: config) }, { $0.rows(reasons: [2: "price"]) })
                try same({ LostReport(scope: scope, config: config) }, \.leads)
                try same({ WinRateReport(scope: scope) }, { [$0.total] + $0.rows })
                for moment in [all[0].time, all[250].time, all[499].time] {
                    var whole = LeadsAsOf(moment: moment)
                    for t in all { whole.add(t) }
                    let parted = try #require(try open.replay(fields: .all, transitions: .all) { LeadsAsOf(moment: moment) })
                    #expect(OneSnapshotPerLeadTests.entries(parted.states) == OneSnapshotPerLeadTests.entries(whole.states))
                }
            }
        }
    }
}
