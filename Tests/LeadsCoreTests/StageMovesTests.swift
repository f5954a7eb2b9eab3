import Glibc
import LeadsTestSupport
import Testing
@testable import LeadsCore

/// `ReplayTransitions.stageMoves`: the checkpoint leaves out exactly the transitions that
/// keep a lead in its stage, and the reports that ask for it answer the same without them.
@Suite struct StageMovesTests {
    /// A random history of a few leads: creations, notes, field changes, reassignments,
    /// moves, deletions, format-1 gaps, and records out of step with the state before
    /// (a lead file edited by hand between two records).
    static func history(seed: UInt64, count: Int, goingBack: Bool = false) -> [LeadTransition] {
        var random = SplitMix64(seed: seed)
        let stages = ["new", "contacted", "qualified", "proposal", "won", "lost", "dnc"]
        let owners: [String?] = ["ann", "bob", nil]
        var states: [Int: LeadState] = [:]
        var time: Int64 = 1_767_225_600
        var transitions: [LeadTransition] = []
        func snapshot(_ stage: String) -> LeadSnapshot {
            LeadSnapshot(stage: stage, value: Money(amount: Amount(units: Int64(random.below(9)) * 1_000_000), currency: "EUR"),
                         probability: nil, expectedClose: CalendarDate(year: 2026, month: 1 + random.below(12), day: 1),
                         owner: random.pick(owners), labels: random.below(2) == 0 ? [] : ["hot"], source: random.pick(["web", "fair"]),
                         campaign: nil, nextDue: nil, createdAt: Timestamp(seconds: time - 3600))
        }
        for _ in 0..<count {
            time += Int64(3600 * (1 + random.below(300)))
            if goingBack && random.below(20) == 0 { time -= 3600 * 2000 }  // a backfill
            let lead = 1 + random.below(6)
            let previous = states[lead]
            var before = previous ?? .absent, after: LeadState
            switch (random.below(10), previous?.snapshot) {
            case (0, _), (_, nil):
                if previous == nil || previous == .absent || random.below(2) == 0 {
                    before = previous == .unknown ? .unknown : .absent
                    after = random.below(8) == 0 ? .unknown : .known(snapshot(random.pick(stages)))
                } else {
                    // Known again after a gap or a deletion, in one stage on both sides.
                    let again = snapshot(random.pick(stages))
                    (before, after) = (.known(again), .known(again))
                }
            case (1, let was?), (2, let was?):
                (before, after) = (.known(was), .known(was))  // a note
            case (3, var was?), (4, var was?):
                before = .known(was)
                was.owner = random.pick(owners)
                was.value = Money(amount: Amount(units: Int64(random.below(9)) * 1_000_000), currency: "EUR")
                after = .known(was)
            case (5, var was?), (6, var was?):
                before = .known(was)
                was.stage = random.pick(stages)
                after = .known(was)
            case (7, var was?):
                // Out of step: the record's own state before, in one stage with after.
                was.stage = random.pick(stages)
                (before, after) = (.known(was), .known(was))
            case (8, _):
                after = .absent
            default:
                after = .unknown
            }
            transitions.append(LeadTransition(time: Timestamp(seconds: time), lead: lead, action: "set", user: "ann",
                                              before: before, after: after))
            states[lead] = after
        }
        return transitions
    }

    /// The transitions `keepsStage(previous:)` lets through, each judged against its
    /// lead's state after the transition before.
    static func stageMoves(_ transitions: [LeadTransition]) -> [LeadTransition] {
        var last: [Int: LeadState] = [:]
        return transitions.filter { t in
            defer { last[t.lead] = t.after }
            return !t.keepsStage(previous: last[t.lead])
        }
    }

    /// Every transition `replay` hands out of an open checkpoint.
    static func decode(_ checkpoint: HistoryCheckpoint, _ open: OpenCheckpoint, fields: ReplayFields) throws -> ([LeadTransition], Int) {
        var decoded: [LeadTransition] = []
        _ = try open.replay(keep: nil, fields: fields) { decoded.append($0) }
        return (decoded, checkpoint.streamLength)
    }

    static func decode(_ stream: [UInt8], fields: ReplayFields, transitions: ReplayTransitions) throws -> ([LeadTransition], [(Int, LeadState)]) {
        var decoder = StreamDecoder(fields: fields, transitions: transitions)
        var decoded: [LeadTransition] = []
        var position = 0
        while position < stream.count {
            let count = (0..<4).reduce(0) { $0 | Int(stream[position + $1]) << (8 * $1) }
            #expect(try decoder.decode(frame: stream[(position + 4)..<(position + 4 + count)]) { decoded.append($0) })
            position += 4 + count
        }
        var last: [(Int, LeadState)] = []
        decoder.last.forEach { last.append(($0, $1)) }
        return (decoded, last)
    }

    @Test func theCheckpointHandsOutExactlyTheStageMovesOfAFullDecode() throws {
        for seed in UInt64(1)...12 {
            let transitions = Self.history(seed: seed, count: 400)
            let recorder = HistoryRecorder()
            for t in transitions { recorder.add(t) }
            let stream = recorder.finish()
            for fields in [[], .owner, .source, ReplayFields(leadsReading: []), .all] as [ReplayFields] {
                let (all, lastOfAll) = try Self.decode(stream, fields: fields, transitions: .all)
                let (moves, lastOfMoves) = try Self.decode(stream, fields: fields, transitions: .stageMoves)
                #expect(moves == Self.stageMoves(all), "seed \(seed), \(fields)")
                #expect(moves.count < all.count)
                // The states the records after the checkpoint go on from.
                #expect(lastOfMoves.map(\.0) == lastOfAll.map(\.0) && lastOfMoves.map(\.1) == lastOfAll.map(\.1), "seed \(seed), \(fields)")
            }
        }
    }

    /// What `stageMoves` promises the readers that ask for it.
    @Test func reportsOfStageMovesAnswerTheSameWithoutTheOthers() {
        let config = StoreConfig.defaults
        for seed in UInt64(1)...20 {
            let all = Self.history(seed: seed, count: 300)
            let moves = Self.stageMoves(all)
            #expect(moves.count < all.count)
            for grouping in [nil, .owner, .source] as [HistoryGrouping?] {
                let scope = HistoryScope(since: all[20].time, until: all[260].time, grouping: grouping)
                var funnel = (FunnelReport(scope: scope, config: config), FunnelReport(scope: scope, config: config))
                var velocity = (VelocityReport(scope: scope, config: config), VelocityReport(scope: scope, config: config))
                var lost = (LostReport(scope: scope, config: config), LostReport(scope: scope, config: config))
                var winrate = (WinRateReport(scope: scope), WinRateReport(scope: scope))
                for t in all {
                    funnel.0.add(t); velocity.0.add(t); lost.0.add(t); winrate.0.add(t)
                }
                for t in moves {
                    funnel.1.add(t); velocity.1.add(t); lost.1.add(t); winrate.1.add(t)
                }
                #expect(funnel.0.rows == funnel.1.rows, "seed \(seed)")
                #expect(velocity.0.rows == velocity.1.rows, "seed \(seed)")
                #expect(lost.0.rows(reasons: [:]) == lost.1.rows(reasons: [:]) && lost.0.leads == lost.1.leads, "seed \(seed)")
                #expect(winrate.0.rows == winrate.1.rows && winrate.0.total == winrate.1.total, "seed \(seed)")
            }
        }
    }
}

/// `OpenCheckpoint.statesAsOf`, one snapshot per lead, gives what `LeadsAsOf` folds from
/// every transition of the checkpoint.
@Suite struct OneSnapshotPerLeadTests {
    /// A checkpoint file of `transitions` (its header describes no real log: only the
    /// stream is read), open.
    static func checkpoint(of transitions: [LeadTransition]) throws -> OpenCheckpoint {
        let recorder = HistoryRecorder()
        for t in transitions { recorder.add(t) }
        let stream = recorder.finish()
        var st = stat()
        st.st_size = 100
        let header = HistoryCheckpoint.makeHeader(log: SummaryIndex.FileStat(st), covered: 100, lines: 1, lastOffset: 0,
                                                  lastLink: [UInt8](repeating: 0, count: 32), prefix: PrefixHash(),
                                                  streamLength: stream.count, parts: recorder.partHashes)
        let bytes = header.map(\.littleEndian).withUnsafeBytes { Array($0) } + stream
        let path = "/tmp/leads-one-snapshot-\(getpid())-\(transitions.count)"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        unlink(path)
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        let checkpoint = try #require(HistoryCheckpoint(header: header, fileSize: bytes.count))
        return OpenCheckpoint(fd: fd, checkpoint: checkpoint, fit: .sameLog)
    }

    static func entries(_ table: LeadTable<LeadState>) -> [String] {
        var entries: [String] = []
        table.forEach { id, state in entries.append("\(id) \(state)") }
        return entries
    }

    static let choices: [ReplayFields] = [ReplayFields(leadsReading: []), ReplayFields(leadsReading: [.owner, .labels]), [], .owner, .all]

    @Test func asOfMakesTheStatesOfTheWholeFold() throws {
        for seed in UInt64(1)...8 {
            let transitions = StageMovesTests.history(seed: seed, count: 500, goingBack: seed % 2 == 0)
            let open = try Self.checkpoint(of: transitions)
            defer { open.close() }
            let times = transitions.map(\.time.seconds).sorted()
            let moments = [times[0] - 1, times[0], times[40], times[250], times[499], times[499] + 1].map { Timestamp(seconds: $0) }
            for fields in Self.choices {
                let (decoded, _) = try StageMovesTests.decode(open.checkpoint, open, fields: fields)
                for moment in moments {
                    var folded = LeadsAsOf(moment: moment)
                    for t in decoded { folded.add(t) }
                    let placed = try #require(try open.statesAsOf(moment, fields: fields))
                    #expect(Self.entries(placed) == Self.entries(folded.states), "seed \(seed), \(fields), \(moment)")
                }
            }
        }
    }
}
