/// One row of `report lost`: a reason, how often leads of a group were lost for it, and
/// from which stages.
public struct LostRow: Sendable, Equatable {
    public var key: String?
    /// nil: no reason recorded (or the lead is no longer there to say).
    public var reason: String?
    public var count: Int
    /// Stage lost from → count, in stage order.
    public var from: [(stage: String, count: Int)]

    public static func == (a: LostRow, b: LostRow) -> Bool {
        a.key == b.key && a.reason == b.reason && a.count == b.count
            && a.from.map(\.stage) == b.from.map(\.stage) && a.from.map(\.count) == b.from.map(\.count)
    }
}

/// `leads report lost`: every move to lost within the scope, with the stage it was lost
/// from (from the log) and the reason (from the lead's file: a reason is free text, which
/// the log never holds). A lead lost, reopened and lost again counts twice, both times
/// with the reason its file holds now; a lead no longer lost, or erased, has none.
public struct LostReport: Sendable {
    public let scope: HistoryScope
    private let order: StageOrder
    private var losses: [(lead: Int, from: String, key: String?)] = []

    public init(scope: HistoryScope, config: StoreConfig) {
        self.scope = scope
        order = StageOrder(config)
    }

    public mutating func add(_ transition: LeadTransition) {
        // Stages read in the states' boxes, not copied out as snapshots.
        guard transition.after.stage == Stage.lost.name, scope.contains(transition.time),
              let from = transition.before.stage, from != Stage.lost.name else { return }
        losses.append((transition.lead, from, scope.key(of: transition.before)))
    }

    /// HistoryFold: the other's losses with this one's (`rows` orders them).
    public mutating func absorb(_ other: LostReport) {
        losses += other.losses
    }

    /// The leads whose reasons `rows(reasons:)` needs.
    public var leads: Set<Int> { Set(losses.map(\.lead)) }

    /// Ranked: most frequent reason first (ties: reason in byte order, none last), within
    /// each group (byte order, none last).
    public func rows(reasons: [Int: String]) -> [LostRow] {
        struct RowKey: Hashable { var key: String?, reason: String? }
        var counts: [RowKey: [String: Int]] = [:]
        for loss in losses {
            counts[RowKey(key: loss.key, reason: reasons[loss.lead]), default: [:]][loss.from, default: 0] += 1
        }
        return counts.map { row, from in
            LostRow(key: row.key, reason: row.reason, count: from.values.reduce(0, +),
                    from: from.sorted { order.precedes($0.key, $1.key) }.map { (stage: $0.key, count: $0.value) })
        }.sorted { a, b in
            if a.key != b.key { return keyPrecedes(a.key, b.key) }
            if a.count != b.count { return a.count > b.count }
            return keyPrecedes(a.reason, b.reason)
        }
    }
}
