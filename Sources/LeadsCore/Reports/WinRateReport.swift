/// One row of `report winrate`: of a group's leads closed in the scope, how many were
/// won and how many lost.
public struct WinRateRow: Sendable, Equatable {
    public var key: String?
    public var won: Int
    public var lost: Int

    /// won / (won + lost) in percent with one decimal, rounded half up: "66.7".
    public var rate: String {
        let closed = won + lost
        guard closed > 0 else { return "0.0" }
        let tenths = (won * 2000 + closed) / (2 * closed)
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// `leads report winrate`: moves to won and to lost within the scope (a lead made won or
/// lost counts too), by the lead's group at that moment. dnc is no sales outcome and is
/// left out; a lead closed, reopened and closed again counts each time.
public struct WinRateReport: Sendable {
    public let scope: HistoryScope
    private var counts: [String?: (won: Int, lost: Int)] = [:]

    public init(scope: HistoryScope) { self.scope = scope }

    public mutating func add(_ transition: LeadTransition) {
        // Stages read in the states' boxes, not copied out as snapshots.
        guard let closedAs = transition.after.stage, scope.contains(transition.time) else { return }
        guard closedAs == Stage.won.name || closedAs == Stage.lost.name else { return }
        switch transition.before {
        case .absent: break
        case .known where transition.before.stage != closedAs: break
        default: return
        }
        let key = scope.key(of: transition.after)
        if closedAs == Stage.won.name { counts[key, default: (0, 0)].won += 1 } else { counts[key, default: (0, 0)].lost += 1 }
    }

    /// HistoryFold: the other's counts added to this one's.
    public mutating func absorb(_ other: WinRateReport) {
        for (key, count) in other.counts {
            counts[key, default: (0, 0)].won += count.won
            counts[key, default: (0, 0)].lost += count.lost
        }
    }

    /// Most closed first (ties: key in byte order, none last), then the total row's
    /// numbers in `total`.
    public var rows: [WinRateRow] {
        counts.map { WinRateRow(key: $0.key, won: $0.value.won, lost: $0.value.lost) }.sorted { a, b in
            a.won + a.lost != b.won + b.lost ? a.won + a.lost > b.won + b.lost : keyPrecedes(a.key, b.key)
        }
    }

    public var total: WinRateRow {
        counts.values.reduce(into: WinRateRow(key: nil, won: 0, lost: 0)) { sum, c in
            sum.won += c.won
            sum.lost += c.lost
        }
    }
}
