/// Durations in whole seconds, summarised: count, median, mean, 90th percentile.
public struct DurationSummary: Sendable, Equatable {
    public var count: Int
    public var median: Int64
    public var mean: Int64
    /// Nearest rank: the smallest duration at least 90 % of them do not exceed.
    public var p90: Int64

    /// The median of an even count is the mean of the middle two; means are rounded
    /// half up to the second.
    public init?(_ durations: [Int64]) {
        guard !durations.isEmpty else { return nil }
        let sorted = durations.sorted()
        let n = sorted.count
        count = n
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2] + 1) / 2
        let total = sorted.reduce(Int64(0), +)
        mean = (total + Int64(n) / 2) / Int64(n)
        p90 = sorted[(9 * n + 9) / 10 - 1]
    }

    /// Seconds as days with one decimal, rounded half up: 129600 → "1.5".
    public static func days(_ seconds: Int64) -> String {
        let tenths = (seconds * 10 + 43_200) / 86_400
        return "\(tenths / 10).\(tenths % 10)"
    }
}

/// One row of `report velocity`: how long the leads of a group stayed in an open stage.
public struct VelocityRow: Sendable, Equatable {
    public var key: String?
    public var stage: String
    public var summary: DurationSummary
}

/// `leads report velocity`: the time each stay in an open stage lasted, from the
/// transition that brought the lead into the stage to the one that took it to another
/// stage, counted when it ended within the scope. A stay still going on, one whose start
/// is not in the log, and one ended by erasing the lead are not counted. The group is
/// the lead's at the start of the stay.
public struct VelocityReport: Sendable {
    public let scope: HistoryScope
    private let order: StageOrder
    private struct RowKey: Hashable { var key: String?, stage: String }
    /// Each row (group and stage) once, numbered; `durations` by the same number.
    private var rowKeys = KeyNumbers<RowKey>()
    private var durations: [[Int64]] = []
    /// The stay each lead is in: its row and its start. Numbers, not the row's strings: a
    /// stay is made and ended for most transitions that move a stage.
    private struct Stay { var row: Int, since: Int64 }
    private var stays = LeadTable<Stay>()

    public init(scope: HistoryScope, config: StoreConfig) {
        self.scope = scope
        order = StageOrder(config)
    }

    public mutating func add(_ transition: LeadTransition) {
        // Stages read in the states' boxes, not copied out as snapshots.
        let afterStage = transition.after.stage
        if let stay = stays[transition.lead], afterStage != rowKeys.keys[stay.row].stage {
            stays[transition.lead] = nil
            if afterStage != nil, scope.contains(transition.time) {
                durations[stay.row].append(transition.time.seconds - stay.since)
            }
        }
        guard let afterStage, afterStage != Stage.won.name, afterStage != Stage.lost.name, afterStage != Stage.dnc.name
        else { return }
        switch transition.before {
        case .absent: break
        case .known where transition.before.stage != afterStage: break
        default: return
        }
        let (row, isNew) = rowKeys.number(of: RowKey(key: scope.key(of: transition.after), stage: afterStage))
        if isNew { durations.append([]) }
        stays[transition.lead] = Stay(row: row, since: transition.time.seconds)
    }

    /// HistoryFold: the other's stays going on and its durations, with this one's, its
    /// rows renumbered.
    public mutating func absorb(_ other: VelocityReport) {
        var renumbered: [Int] = []
        for (row, key) in other.rowKeys.keys.enumerated() {
            let (number, isNew) = rowKeys.number(of: key)
            if isNew { durations.append([]) }
            durations[number] += other.durations[row]
            renumbered.append(number)
        }
        other.stays.forEach { id, stay in stays[id] = Stay(row: renumbered[stay.row], since: stay.since) }
    }

    /// By group (byte order, none last), then stage order.
    public var rows: [VelocityRow] {
        zip(rowKeys.keys, durations).compactMap { row, list in DurationSummary(list).map { VelocityRow(key: row.key, stage: row.stage, summary: $0) } }
            .sorted { a, b in a.key != b.key ? keyPrecedes(a.key, b.key) : order.precedes(a.stage, b.stage) }
    }
}
