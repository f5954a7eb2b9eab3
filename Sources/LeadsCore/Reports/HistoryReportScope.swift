/// What `leads report … --by` splits a history report by: the lead's owner, source or
/// campaign at the moment of the event counted.
public enum HistoryGrouping: String, Sendable, CaseIterable {
    case owner, source, campaign

    /// The group of a lead as it was; nil: it had none.
    public func key(of snapshot: LeadSnapshot) -> String? {
        let text: String?
        switch self {
        case .owner: text = snapshot.owner
        case .source: text = snapshot.source
        case .campaign: text = snapshot.campaign
        }
        return text?.isEmpty == false ? text : nil
    }
}

/// The events a history report counts: those at or after `since` and before `until`
/// (either open), grouped by `grouping` or all in one group (key nil).
public struct HistoryScope: Sendable {
    public var since: Timestamp?
    public var until: Timestamp?
    public var grouping: HistoryGrouping?

    public init(since: Timestamp? = nil, until: Timestamp? = nil, grouping: HistoryGrouping? = nil) {
        self.since = since
        self.until = until
        self.grouping = grouping
    }

    public func contains(_ time: Timestamp) -> Bool {
        if let since, time < since { return false }
        if let until, time >= until { return false }
        return true
    }

    public func key(of snapshot: LeadSnapshot) -> String? {
        grouping.flatMap { $0.key(of: snapshot) }
    }

    /// `key(of:)` of a known state, read in its box (`LeadState.stage`); nil otherwise.
    public func key(of state: LeadState) -> String? {
        guard let grouping, case .known(let snapshot) = state else { return nil }
        return grouping.key(of: snapshot)
    }
}

/// Stage order for the history reports: the open stages of config.json, then stages it
/// no longer lists (by name), then won, lost, dnc.
public struct StageOrder: Sendable {
    let config: StoreConfig

    public init(_ config: StoreConfig) { self.config = config }

    public func rank(_ stage: String) -> Int {
        if let index = config.stages.firstIndex(where: { $0.name == stage }) { return index }
        switch stage {
        case Stage.won.name: return config.stages.count + 1
        case Stage.lost.name: return config.stages.count + 2
        case Stage.dnc.name: return config.stages.count + 3
        default: return config.stages.count
        }
    }

    public func precedes(_ a: String, _ b: String) -> Bool {
        let (x, y) = (rank(a), rank(b))
        return x != y ? x < y : a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Whether moving from `a` to `b` is progress through the funnel: to a later open
    /// stage, or to won. Moves to lost or dnc, and moves back, are not.
    public func isProgress(from a: String, to b: String) -> Bool {
        if b == Stage.won.name { return a != Stage.won.name }
        guard b != Stage.lost.name, b != Stage.dnc.name, a != Stage.won.name, a != Stage.lost.name, a != Stage.dnc.name
        else { return false }
        return rank(b) > rank(a)
    }
}

/// Keys sort in byte order with the group without a key (nil) last.
func keyPrecedes(_ a: String?, _ b: String?) -> Bool {
    switch (a, b) {
    case let (x?, y?): return x.utf8.lexicographicallyPrecedes(y.utf8)
    case (_?, nil): return true
    default: return false
    }
}
