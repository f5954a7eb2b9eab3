/// One row of `report accuracy`: for one month and currency, what the pipeline said on
/// the first of the month about the leads expected to close in it, and what was won.
public struct AccuracyRow: Sendable, Equatable {
    /// `YYYY-MM`.
    public var month: String
    /// The group (`--by`), nil without one or for the leads that have none.
    public var key: String?
    /// nil: leads without a value (counted, no amounts).
    public var currency: String?
    /// Open leads with an expected close date in the month, as of its first day 00:00
    /// (local time): count, value, weighted value — `pipeline --by month --as-of` that day.
    public var forecast: PipelineTotals
    /// Won leads with an expected close date in the month, as of the first of the next
    /// month: count and value (weighted = value, at 100 %).
    public var won: PipelineTotals
    /// Leads whose state on the first of the month the log does not hold (all currencies).
    public var gaps: Int

    /// won value / forecast weighted value in percent, one decimal, rounded half up; nil
    /// when nothing was forecast.
    public var ratio: String? {
        let forecast = Int128(self.forecast.weighted.units), won = Int128(self.won.value.units)
        guard forecast > 0 else { return nil }
        let tenths = (won * 2000 + forecast) / (2 * forecast)
        return "\(tenths / 10).\(tenths.magnitude % 10)"
    }
}

/// The leads' states at a list of moments, from one pass over a log whose times do not
/// go back. `emit` gets each moment's index and every lead's state then (records at or
/// before the moment applied); the gaps at each moment are known once the pass is over.
/// A log whose times go back (a backfill with LEADS_NOW) sets `outOfOrder`: its answers
/// must come from one `LeadsAsOf` pass per moment instead.
public struct LeadsAtMoments: Sendable {
    public let moments: [Timestamp]
    private var next = 0
    private var current = LeadTable<LeadState>()
    /// How many leads `current` holds as unknown: counted as they change, not at each moment.
    private var unknown = 0
    private var unknownAt: [Int] = []
    private var first = LeadTable<(time: Timestamp, before: LeadState)>()
    private var latest: Timestamp?
    public private(set) var outOfOrder = false

    public init(moments: [Timestamp]) {
        self.moments = moments
    }

    public mutating func add(_ transition: LeadTransition, emit: (Int, LeadTable<LeadState>) throws -> Void) rethrows {
        if let latest, transition.time < latest { outOfOrder = true }
        latest = max(latest ?? transition.time, transition.time)
        while next < moments.count, transition.time > moments[next] { try flush(emit) }
        let was = current[transition.lead]
        if was == nil { first[transition.lead] = (transition.time, transition.before) }
        if was == .unknown { unknown -= 1 }
        if transition.after == .unknown { unknown += 1 }
        current[transition.lead] = transition.after
    }

    public mutating func finish(emit: (Int, LeadTable<LeadState>) throws -> Void) rethrows {
        while next < moments.count { try flush(emit) }
    }

    /// Takes in `other`, made for the same moments and fed the transitions of other leads;
    /// both finished.
    mutating func absorb(_ other: LeadsAtMoments) {
        current.absorb(other.current)
        unknown += other.unknown
        for i in unknownAt.indices where i < other.unknownAt.count { unknownAt[i] += other.unknownAt[i] }
        first.absorb(other.first)
        outOfOrder = outOfOrder || other.outOfOrder
        if let theirs = other.latest { latest = max(latest ?? theirs, theirs) }
    }

    private mutating func flush(_ emit: (Int, LeadTable<LeadState>) throws -> Void) rethrows {
        unknownAt.append(unknown)
        try emit(next, current)
        next += 1
    }

    /// Per moment, the leads the log cannot say anything about then: unknown, or first
    /// recorded later by a record that did not make them (`LeadsAsOf`'s rule).
    public var gaps: [Int] {
        var gaps = unknownAt
        first.forEach { _, item in
            for (i, moment) in moments.enumerated() where i < gaps.count && item.time > moment {
                switch item.before {
                case .absent: break
                case .known(let snapshot): if snapshot.createdAt <= moment { gaps[i] += 1 }
                case .unknown: gaps[i] += 1
                }
            }
        }
        return gaps
    }
}

/// `leads report accuracy`: forecast against outcome, month by month. Fed the leads'
/// states at `moments` (the first of each month and of the month after the last): the
/// forecast of month i is taken at moment i, its outcome at moment i + 1.
public struct AccuracyReport: Sendable {
    public let months: [CalendarDate]
    public let grouping: HistoryGrouping?
    private let config: StoreConfig
    private struct Block: Hashable { var key: String?, currency: String? }
    private var forecast: [Int: [Block: PipelineTotals]] = [:]
    private var won: [Int: [Block: PipelineTotals]] = [:]

    /// `months`: the first day of each month to report, ascending.
    public init(months: [CalendarDate], config: StoreConfig, grouping: HistoryGrouping? = nil) {
        self.months = months
        self.config = config
        self.grouping = grouping
    }

    /// The months from `first`'s to `last`'s, each by its first day.
    public static func months(from first: CalendarDate, through last: CalendarDate) -> [CalendarDate] {
        var months: [CalendarDate] = []
        var month = CalendarDate(year: first.year, month: first.month, day: 1)!
        while month <= last {
            months.append(month)
            month = month.adding(months: 1)
        }
        return months
    }

    /// 00:00 local time on the first of each month, and of the month after the last.
    public var moments: [Timestamp] {
        guard let last = months.last else { return [] }
        return (months + [last.adding(months: 1)]).map(LocalTime.startOfDay)
    }

    public mutating func observe(moment index: Int, leads: LeadTable<LeadState>) throws(ReportError) {
        // Most leads close in none of the two months looked at: test the date before
        // making a lead of the snapshot.
        let forecastMonth = index < months.count ? months[index] : nil, wonMonth = index > 0 ? months[index - 1] : nil
        func within(_ close: CalendarDate, _ month: CalendarDate?) -> Bool {
            month.map { close.year == $0.year && close.month == $0.month } ?? false
        }
        var lead = Lead(id: 0, name: "", stage: "", createdAt: Timestamp(seconds: 0), createdBy: "")  // filled in per lead
        try leads.forEach(carrying: &lead) { (lead, id, state) throws(ReportError) in
            // Read in the state's box: the snapshot is copied out (some 20 retains) only
            // for the leads counted, not for every lead at every moment.
            guard let close = state.expectedClose else { return }
            let forecasting = within(close, forecastMonth), winning = within(close, wonMonth) && state.stage == Stage.won.name
            guard forecasting || winning, case .known(let snapshot) = state else { return }
            snapshot.fill(&lead, id: id)
            let currency = snapshot.value?.currency
            let block = Block(key: grouping.flatMap { $0.key(of: snapshot) }, currency: currency)
            do {
                if forecasting, !lead.isClosed {
                    let weighted = try lead.weightedValue(config)?.amount ?? .zero
                    try forecast[index, default: [:]][block, default: PipelineTotals()].add(value: snapshot.value?.amount ?? .zero, weighted: weighted)
                }
                if winning {
                    let value = snapshot.value?.amount ?? .zero
                    try won[index - 1, default: [:]][block, default: PipelineTotals()].add(value: value, weighted: value)
                }
            } catch {
                throw .amountTooLarge(lead: id, currency: currency ?? "")
            }
        }
    }

    /// Takes in the sums of `other`, made for the same months and fed other leads.
    mutating func absorb(_ other: AccuracyReport) throws(MoneyError) {
        func add(_ theirs: [Int: [Block: PipelineTotals]], to ours: inout [Int: [Block: PipelineTotals]]) throws(MoneyError) {
            for (month, blocks) in theirs {
                for (block, totals) in blocks { try ours[month, default: [:]][block, default: PipelineTotals()].add(totals) }
            }
        }
        try add(other.forecast, to: &forecast)
        try add(other.won, to: &won)
    }

    /// Months ascending; within a month groups in byte order (none last), and within a
    /// group currencies in code order, then no value. A month with nothing forecast or
    /// won has one row without a group or currency.
    public func rows(gaps: [Int]) -> [AccuracyRow] {
        var rows: [AccuracyRow] = []
        for (i, month) in months.enumerated() {
            let blocks = Set((forecast[i] ?? [:]).keys).union((won[i] ?? [:]).keys)
            let ordered = blocks.sorted { a, b in a.key != b.key ? keyPrecedes(a.key, b.key) : keyPrecedes(a.currency, b.currency) }
            for block in ordered.isEmpty ? [Block(key: nil, currency: nil)] : ordered {
                rows.append(AccuracyRow(month: month.monthKey, key: block.key, currency: block.currency,
                                        forecast: forecast[i]?[block] ?? PipelineTotals(),
                                        won: won[i]?[block] ?? PipelineTotals(),
                                        gaps: i < gaps.count ? gaps[i] : 0))
            }
        }
        return rows
    }
}

/// `report accuracy`'s pass over the log: the leads at the report's moments
/// (LeadsAtMoments), each moment observed by the report as the pass goes by it. A
/// HistoryFold: the parts' sums and gaps add up. A part's sums can overflow where those of
/// the whole do not (values may be negative), and the lead an overflow names is that of
/// the whole's order: such an error (`ReportError.amountTooLarge`, `SumsOfPartsTooLarge`)
/// is the caller's cue to take each moment from a pass of its own, as for `outOfOrder`.
public struct AccuracyPass: HistoryFold {
    /// The parts' sums, each exact, overflow when added.
    public struct SumsOfPartsTooLarge: Error {}

    public private(set) var report: AccuracyReport
    private var moments: LeadsAtMoments

    public init(report: AccuracyReport) {
        self.report = report
        moments = LeadsAtMoments(moments: report.moments)
    }

    // `add` and `finish` hand the moments and the report to static functions as two
    // inout arguments: a mutating method's closure over `report` while `moments` changes
    // would be two overlapping accesses to `self`.
    public mutating func add(_ transition: LeadTransition) throws {
        try Self.add(transition, to: &moments, observedBy: &report)
    }

    private static func add(_ transition: LeadTransition, to moments: inout LeadsAtMoments,
                            observedBy report: inout AccuracyReport) throws {
        try moments.add(transition) { try report.observe(moment: $0, leads: $1) }
    }

    /// The moments after the last transition, observed; then `gaps` are known.
    public mutating func finish() throws {
        try Self.finish(&moments, observedBy: &report)
    }

    private static func finish(_ moments: inout LeadsAtMoments, observedBy report: inout AccuracyReport) throws {
        try moments.finish { try report.observe(moment: $0, leads: $1) }
    }

    public mutating func absorb(_ other: AccuracyPass) throws {
        var other = other
        try finish()
        try other.finish()
        do { try report.absorb(other.report) } catch { throw SumsOfPartsTooLarge() }
        moments.absorb(other.moments)
    }

    /// Per moment, the leads whose state then the log does not hold (after `finish`).
    public var gaps: [Int] { moments.gaps }
    /// The log's times went back: the answers must come from a pass per moment.
    public var outOfOrder: Bool { moments.outOfOrder }
}
