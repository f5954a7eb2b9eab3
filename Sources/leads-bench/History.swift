/// The history set (issue 20's "1,000,000-record log"): the imported store is given a
/// history by successive `leads import-csv FILE --on-duplicate update` runs, each with
/// `LEADS_NOW` a few weeks on, so that `leads` itself writes every record (the log is
/// hash-chained) and the reports have months of moves to count.
///
/// Every round has one row per lead that is not dnc, matched by the lead's e-mail
/// address, name and company, and each row changes at least one field of its lead, so
/// each round writes one `set` record per row (a row that changes nothing would be
/// skipped). About a third of the steps (three weeks of a lead's life; a round takes
/// one or several) move the stage; the rest change what sales people change more
/// often: the value, the probability, the close date, the owner.
///
/// Lead i's history is the same in every size (one generator walks the leads in order,
/// as `DataSet` does), and the same for every run with the same seed.
struct HistoryPlan {
    /// The history's movement: nine steps of three weeks after the import, half a year,
    /// several funnel months; at one round a step, about ten records per lead.
    static let steps = 9
    static let stepSeconds = 21 * 86_400
    /// Update imports: `--history-rounds` (default `defaultRounds`). Fewer rounds than
    /// steps take several steps per row (the same movement, fewer and richer records):
    /// the import's cost is per changed row, so the record count is what costs time.
    static let defaultRounds = 3
    static let csvHeader = ["name", "company", "email", "owner", "stage", "probability", "value", "expected_close", "lost_reason"]

    /// What the benchmark must know of a lead to change it: the fields the rounds touch.
    struct LeadState: Equatable {
        var name: String, company: String, email: String
        var owner: String, stage: String
        var probability: Int?
        /// In cents; nil for a lead without a value (15 %): the rounds leave it without one.
        var valueCents: Int?
        /// Seconds since 1970, UTC midnight of the day (the CSV cell is a date).
        var expectedClose: Int?
        var lostReason: String
    }

    let rounds: Int

    /// The steps taken by the end of round `round`: spread evenly, the last rounds
    /// taking the remainder.
    func stepsDone(round: Int) -> Int { Self.steps * round / rounds }
    /// The moment round `round` (1 ... rounds) is imported at: `LEADS_NOW` for its import.
    func now(round: Int) -> Int { DataSet.now + stepsDone(round: round) * Self.stepSeconds }
    /// The history's last moment: `LEADS_NOW` for the commands timed on it.
    var end: Int { now(round: rounds) }
    /// A moment inside the history, for `pipeline --as-of`: the middle round's import,
    /// or the middle step's moment when there is one round.
    var middle: Int { rounds > 1 ? now(round: (rounds + 1) / 2) : DataSet.now + (Self.steps + 1) / 2 * Self.stepSeconds }

    private(set) var leads: [LeadState]
    private(set) var round = 0
    private let seed: UInt64

    /// The states of leads 1 ... count as the import made them.
    init(count: Int, seed: UInt64, rounds: Int = Self.defaultRounds) {
        precondition((1...Self.steps).contains(rounds))
        self.rounds = rounds
        var set = DataSet(seed: seed)
        leads = (0..<count).map { _ in
            let lead = set.next()
            return LeadState(name: lead.name, company: lead.company, email: lead.email, owner: lead.owner, stage: lead.stage,
                             probability: lead.probability, valueCents: Self.cents(lead.value),
                             expectedClose: lead.expectedClose.map { UTC.floorDiv($0, 86_400) * 86_400 },
                             lostReason: lead.lostReason)
        }
        self.seed = seed
    }

    /// `1234.05` → 123405; "" → nil.
    static func cents(_ value: String) -> Int? {
        let parts = value.split(separator: ".")
        guard parts.count == 2, let units = Int(parts[0]), let cents = Int(parts[1]) else { return nil }
        return units * 100 + cents
    }

    static func amount(_ cents: Int) -> String { "\(cents / 100).\(UTC.two(cents % 100))" }

    /// The next round's rows, one per changed lead: (lead ID, CSV cells in `csvHeader`'s
    /// order). Advances the states, so the next call builds on this round.
    mutating func nextRound() -> [(id: Int, cells: [String])] {
        round += 1
        // A generator of its own per round: the data set's sequence stays untouched.
        var rng = SplitMix64(seed: seed ^ (0x4849_5354_4F52_5900 &+ UInt64(round)))
        let today = UTC.floorDiv(now(round: round), 86_400) * 86_400
        let steps = stepsDone(round: round) - stepsDone(round: round - 1)
        var rows: [(Int, [String])] = []
        rows.reserveCapacity(leads.count)
        for index in leads.indices {
            var lead = leads[index]
            // Nobody touches a do-not-contact lead.
            if lead.stage == "dnc" { continue }
            let before = lead
            var cells = [String](repeating: "", count: Self.csvHeader.count)
            cells[0] = lead.name
            cells[1] = lead.company
            cells[2] = lead.email
            for _ in 0..<steps { change(&lead, cells: &cells, today: today, rng: &rng) }
            // Two steps may undo each other (an owner and back): one more until the row
            // changes its lead, or the import would skip it and write no record.
            while lead == before { change(&lead, cells: &cells, today: today, rng: &rng) }
            leads[index] = lead
            rows.append((index + 1, cells))
        }
        return rows
    }

    /// One lead's changes in one round, into its state and its row's cells.
    private func change(_ lead: inout LeadState, cells: inout [String], today: Int, rng: inout SplitMix64) {
        func setOwner() {
            let others = DataSet.owners.filter { $0 != lead.owner }
            lead.owner = rng.pick(others)
            cells[3] = lead.owner
        }
        func setStage(_ stage: String) {
            lead.stage = stage
            cells[4] = stage
        }
        func setProbability() {
            var probability: Int
            repeat { probability = rng.range(1...19) * 5 } while probability == lead.probability
            lead.probability = probability
            cells[5] = "\(probability)"
        }
        func setValue() {
            guard let old = lead.valueCents else { return }
            // Re-scoped: 70 % to 140 % of the old amount, never the same.
            var new = old * rng.range(70...140) / 100 + rng.below(100)
            if new == old || new <= 0 { new = old + 100 }
            lead.valueCents = new
            cells[6] = Self.amount(new)
        }
        func setClose(_ day: Int) {
            lead.expectedClose = day
            cells[7] = UTC.day(day)
        }
        func moveClose() {
            // Slipped or pulled in; a lead without a date gets one a month or more ahead.
            let base = lead.expectedClose ?? today + 30 * 86_400
            var shift = rng.range(-14...60)
            if shift == 0 || lead.expectedClose == nil && shift < 0 { shift = 30 }
            setClose(base + shift * 86_400)
        }

        switch lead.stage {
        case "won":
            // Account work after the deal: an upsell or a new account manager.
            if lead.valueCents != nil && rng.chance(60) { setValue() } else { setOwner() }
        case "lost":
            if rng.chance(20) {
                // Win-back: the lead is worked again.
                setStage("contacted")
                setClose(today + rng.range(30...120) * 86_400)
            } else if rng.chance(50) {
                setOwner()
            } else {
                moveClose()
            }
        default:
            let open = DataSet.openStages.map(\.0)
            let place = open.firstIndex(of: lead.stage) ?? 0
            let roll = rng.below(100)
            if roll < 8 {
                setStage("lost")
                var reason: String
                repeat { reason = rng.pick(Words.lostReasons) } while reason == lead.lostReason
                lead.lostReason = reason
                cells[8] = reason
            } else if roll < 13 && place >= 3 || roll < 40 && place == open.count - 1 {
                // Closed: the close date becomes the day it was won.
                setStage("won")
                if lead.expectedClose != today { setClose(today) }
            } else if roll < 40 {
                setStage(open[place + 1])
                if rng.chance(30) { moveClose() }
            } else {
                // No stage move: what a sales team changes most of the time.
                var changed = false
                if lead.valueCents != nil && rng.chance(50) { setValue(); changed = true }
                if rng.chance(25) { setProbability(); changed = true }
                if rng.chance(40) { moveClose(); changed = true }
                if rng.chance(8) { setOwner(); changed = true }
                if !changed {
                    if lead.valueCents != nil { setValue() } else { moveClose() }
                }
            }
        }
    }

    /// Writes the next round as CSV; returns how many rows (= changed leads) it holds.
    mutating func writeNextRound(csv: String) throws -> Int {
        let rows = nextRound()
        let file = try OutputFile(csv)
        file.write(DataSet.csvLine(Self.csvHeader))
        for row in rows { file.write(DataSet.csvLine(row.cells)) }
        try file.close()
        return rows.count
    }
}
