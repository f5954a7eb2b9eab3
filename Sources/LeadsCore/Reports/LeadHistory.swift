/// What the log says a lead was at some point: nothing yet (or no longer), a known
/// snapshot, or unknown — its records there are of format 1, which did not carry every
/// field, and a report names such a lead as a gap instead of guessing.
public enum LeadState: Sendable, Equatable {
    case absent
    case known(LeadSnapshot)
    case unknown

    public var snapshot: LeadSnapshot? {
        if case .known(let snapshot) = self { return snapshot }
        return nil
    }
}

/// One log record about one lead, as the history readers use it: when, by whom, and the
/// lead's state just before and just after.
public struct LeadTransition: Sendable, Equatable {
    public var time: Timestamp
    public var lead: Int
    public var action: String
    public var user: String
    public var before: LeadState
    public var after: LeadState

    public init(time: Timestamp, lead: Int, action: String, user: String, before: LeadState, after: LeadState) {
        self.time = time
        self.lead = lead
        self.action = action
        self.user = user
        self.before = before
        self.after = after
    }

    /// The stage moved (both sides known and in different stages).
    public var stageChange: (from: LeadSnapshot, to: LeadSnapshot)? {
        guard let from = before.snapshot, let to = after.snapshot, from.stage != to.stage else { return nil }
        return (from, to)
    }
}

/// Folds the log's records in file order into transitions. A record of format 2 states
/// its lead's snapshot after the change and the old values of what changed, so most
/// transitions need nothing remembered; the fold keeps each lead's last state for the
/// records that do not say it (a deletion, a format-1 record).
public struct LeadHistory: Sendable {
    private var last: [Int: LeadState] = [:]

    public init() {}

    /// The transition a record makes; nil for a record about no lead.
    public mutating func transition(for entry: ActivityEntry) -> LeadTransition? {
        guard let id = entry.lead else { return nil }
        let previous = last[id] ?? .unknown
        let before: LeadState, after: LeadState
        let state = entry.format >= 2 ? entry.details["state"].flatMap(LeadSnapshot.init(json:)) : nil
        if entry.action == "delete" {
            (before, after) = (previous, .absent)
        } else if let state {
            after = .known(state)
            if entry.details["created"] == .bool(true) {
                before = .absent
            } else if let old = entry.details["old"] {
                before = state.before(old: old).map(LeadState.known) ?? .unknown
            } else if entry.action == "recover" {
                // A file found without a record: what it was before is not in the log.
                before = previous == .absent ? .unknown : previous
            } else {
                before = .known(state)
            }
        } else if entry.format < 2 && (entry.action == "add" || entry.action == "import") {
            (before, after) = (.absent, .unknown)
        } else {
            (before, after) = (previous, .unknown)
        }
        last[id] = after
        return LeadTransition(time: entry.time, lead: id, action: entry.action, user: entry.user, before: before, after: after)
    }
}

/// The state of every lead at one moment, rebuilt from the transitions of the whole log:
/// a lead's state is the one after its last record at or before the moment. A lead whose
/// first record comes later existed already if that record did not create it (and its
/// snapshot was created before the moment): the log does not know its state then, so it
/// is a gap, as is every lead whose last record by then is of format 1.
public struct LeadsAsOf: Sendable {
    public let moment: Timestamp
    /// Every lead the log mentions, with its state at the moment.
    public private(set) var states: [Int: LeadState] = [:]

    public init(moment: Timestamp) {
        self.moment = moment
    }

    public mutating func add(_ transition: LeadTransition) {
        if transition.time <= moment {
            states[transition.lead] = transition.after
            return
        }
        guard states[transition.lead] == nil else { return }
        switch transition.before {
        case .absent: states[transition.lead] = .absent
        case .known(let snapshot): states[transition.lead] = snapshot.createdAt > moment ? .absent : .unknown
        case .unknown: states[transition.lead] = .unknown
        }
    }

    /// The leads that existed at the moment with what they were, by ID.
    public var leads: [Lead] {
        states.compactMap { id, state in state.snapshot.map { $0.lead(id: id) } }.sorted { $0.id < $1.id }
    }

    /// The leads whose state at the moment the log does not hold, by ID.
    public var gaps: [Int] {
        states.compactMap { id, state in state == .unknown ? id : nil }.sorted()
    }
}
