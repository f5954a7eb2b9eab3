/// One row of `report funnel`: in one month (local time), the leads of one group that
/// entered a stage, and how many of those went on to a later stage (or won) afterwards.
public struct FunnelRow: Sendable, Equatable {
    public var period: String
    public var key: String?
    public var stage: String
    public var entered: Int
    public var movedOn: Int
}

/// `leads report funnel`, accumulated one transition at a time (log order).
///
/// A lead enters a stage when it is made in it or moved to it from another stage; an
/// entry is counted in the month it happened if that is in the scope. It moved on when
/// it next left that stage for a later open stage or for won (before `until`); moving
/// back, to lost or to dnc, or being erased is not moving on. Entries whose stage before
/// is not in the log (format-1 records) are not counted.
public struct FunnelReport: Sendable {
    public let scope: HistoryScope
    private let order: StageOrder
    private struct RowKey: Hashable { var period: String, key: String?, stage: String }
    /// Each row once, numbered; `counts` by the same number.
    private var rowKeys = KeyNumbers<RowKey>()
    private var counts: [(entered: Int, movedOn: Int)] = []
    /// The counted entry (its row's number) each lead is still in.
    private var open = LeadTable<Int>()
    /// The month of the last entry counted: local midnight on its first and on the next
    /// month's first, so that most entries need no conversion to local time.
    private var month: (start: Timestamp, end: Timestamp, key: String)?

    public init(scope: HistoryScope, config: StoreConfig) {
        self.scope = scope
        order = StageOrder(config)
    }

    public mutating func add(_ transition: LeadTransition) {
        // Stages read in the states' boxes, not copied out as snapshots.
        let afterStage = transition.after.stage
        if let row = open[transition.lead], afterStage != rowKeys.keys[row].stage {
            open[transition.lead] = nil
            if let afterStage, order.isProgress(from: rowKeys.keys[row].stage, to: afterStage), scope.until.map({ transition.time < $0 }) ?? true {
                counts[row].movedOn += 1
            }
        }
        guard let afterStage, scope.contains(transition.time) else { return }
        let entered: Bool
        switch transition.before {
        case .absent: entered = true
        case .known: entered = transition.before.stage != afterStage
        case .unknown: entered = false
        }
        guard entered else { return }
        let key = RowKey(period: period(of: transition.time), key: scope.key(of: transition.after), stage: afterStage)
        let (row, isNew) = rowKeys.number(of: key)
        if isNew { counts.append((0, 0)) }
        counts[row].entered += 1
        open[transition.lead] = row
    }

    /// HistoryFold: the other's rows counted in this one's, its open entries renumbered.
    public mutating func absorb(_ other: FunnelReport) {
        var renumbered: [Int] = []
        for (row, key) in other.rowKeys.keys.enumerated() {
            let (number, isNew) = rowKeys.number(of: key)
            if isNew { counts.append((0, 0)) }
            counts[number].entered += other.counts[row].entered
            counts[number].movedOn += other.counts[row].movedOn
            renumbered.append(number)
        }
        other.open.forEach { id, row in open[id] = renumbered[row] }
    }

    private mutating func period(of time: Timestamp) -> String {
        if let month, time >= month.start, time < month.end { return month.key }
        let day = LocalTime.date(of: time)
        let first = CalendarDate(year: day.year, month: day.month, day: 1)!
        let found = (start: LocalTime.startOfDay(first), end: LocalTime.startOfDay(first.adding(months: 1)), key: day.monthKey)
        // A midnight moved by a DST gap could put `time` outside its own month's bounds:
        // then the month is right but not remembered.
        if time >= found.start, time < found.end { month = found }
        return found.key
    }

    /// By month, then group (byte order, none last), then stage order.
    public var rows: [FunnelRow] {
        zip(rowKeys.keys, counts).map { FunnelRow(period: $0.period, key: $0.key, stage: $0.stage, entered: $1.entered, movedOn: $1.movedOn) }
            .sorted { a, b in
                if a.period != b.period { return a.period < b.period }
                if a.key != b.key { return keyPrecedes(a.key, b.key) }
                return order.precedes(a.stage, b.stage)
            }
    }
}
