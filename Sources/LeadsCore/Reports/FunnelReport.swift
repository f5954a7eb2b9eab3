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
    private var counts: [RowKey: (entered: Int, movedOn: Int)] = [:]
    /// The counted entry each lead is still in.
    private var open: [Int: RowKey] = [:]

    public init(scope: HistoryScope, config: StoreConfig) {
        self.scope = scope
        order = StageOrder(config)
    }

    public mutating func add(_ transition: LeadTransition) {
        let after = transition.after.snapshot
        if let row = open[transition.lead], after?.stage != row.stage {
            open[transition.lead] = nil
            if let after, order.isProgress(from: row.stage, to: after.stage), scope.until.map({ transition.time < $0 }) ?? true {
                counts[row]?.movedOn += 1
            }
        }
        guard let after, scope.contains(transition.time) else { return }
        let entered: Bool
        switch transition.before {
        case .absent: entered = true
        case .known(let before): entered = before.stage != after.stage
        case .unknown: entered = false
        }
        guard entered else { return }
        let row = RowKey(period: LocalTime.date(of: transition.time).monthKey, key: scope.key(of: after), stage: after.stage)
        counts[row, default: (0, 0)].entered += 1
        open[transition.lead] = row
    }

    /// By month, then group (byte order, none last), then stage order.
    public var rows: [FunnelRow] {
        counts.map { FunnelRow(period: $0.key.period, key: $0.key.key, stage: $0.key.stage, entered: $0.value.entered, movedOn: $0.value.movedOn) }
            .sorted { a, b in
                if a.period != b.period { return a.period < b.period }
                if a.key != b.key { return keyPrecedes(a.key, b.key) }
                return order.precedes(a.stage, b.stage)
            }
    }
}
