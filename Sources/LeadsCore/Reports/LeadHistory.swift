/// What the log says a lead was at some point: nothing yet (or no longer), a known
/// snapshot, or unknown — its records there are of format 1, which did not carry every
/// field, and a report names such a lead as a gap instead of guessing.
public enum LeadState: Sendable, Equatable {
    case absent
    /// Boxed: a snapshot is some 200 bytes, and a replay copies states into every
    /// transition and keeps one per lead; a box makes each copy a retain. On 100,000 leads
    /// this took `report accuracy` from 192 to 54 MB peak and `pipeline --as-of` from 141
    /// to 48 MB.
    indirect case known(LeadSnapshot)
    case unknown

    public var snapshot: LeadSnapshot? {
        if case .known(let snapshot) = self { return snapshot }
        return nil
    }

    /// The stage of a known state, read in its box: `snapshot` copies the whole snapshot
    /// out of it (some 20 retains and releases), per transition of a fold.
    public var stage: String? {
        guard case .known(let snapshot) = self else { return nil }
        return snapshot.stage
    }

    /// The expected close date of a known state, read in its box (as `stage`).
    public var expectedClose: CalendarDate? {
        guard case .known(let snapshot) = self else { return nil }
        return snapshot.expectedClose
    }
}

/// Which fields of the snapshots a history reader looks at, beyond the stage it always
/// gets. A replay over the history checkpoint fills in only these (the others empty, the
/// created time the epoch), and shares one snapshot between every transition with the same
/// stage and text when they are the stage and at most one group text: making a snapshot, its
/// box and its label list for each of 100,000 transitions was two thirds of `report lost`
/// (Docs/performance.md). Records read from the log come whole. A reader must not rely on
/// what it did not ask for, as with `SummaryFields`.
public struct ReplayFields: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Value and currency.
    public static let value = ReplayFields(rawValue: 1 << 0)
    /// The probability override.
    public static let probability = ReplayFields(rawValue: 1 << 1)
    public static let close = ReplayFields(rawValue: 1 << 2)
    public static let owner = ReplayFields(rawValue: 1 << 3)
    public static let source = ReplayFields(rawValue: 1 << 4)
    public static let campaign = ReplayFields(rawValue: 1 << 5)
    public static let labels = ReplayFields(rawValue: 1 << 6)
    /// The next follow-up (`nextDue`).
    public static let due = ReplayFields(rawValue: 1 << 7)
    public static let created = ReplayFields(rawValue: 1 << 8)

    public static let all = ReplayFields(rawValue: (1 << 9) - 1)
    /// The fields shared snapshots may hold: texts only (no time, amount or list).
    static let shareable: ReplayFields = [.owner, .source, .campaign]

    /// The stage and the group `grouping` reads (`HistoryScope.key(of:)`): what `report
    /// funnel`, `velocity`, `lost` and `winrate` read.
    public static func stage(groupedBy grouping: HistoryGrouping?) -> ReplayFields {
        switch grouping {
        case nil: []
        case .owner?: .owner
        case .source?: .source
        case .campaign?: .campaign
        }
    }

    /// What `Lead`s made of the snapshots (`LeadSnapshot.lead(id:)`) need for a report
    /// that reads `summary` of them, as a summary scan would decode (SummaryFields: stage,
    /// value, probability, close and created always), for `LeadsAsOf` and
    /// `LeadsAtMoments`, whose gaps read the created time.
    public init(leadsReading summary: SummaryFields) {
        let mapped: [(SummaryFields, ReplayFields)] = [(.owner, .owner), (.source, .source), (.campaign, .campaign),
                                                       (.labels, .labels), (.reminders, .due)]
        var fields: ReplayFields = [.value, .probability, .close, .created]
        var rest = summary
        for (summary, replay) in mapped where rest.contains(summary) {
            fields.insert(replay)
            rest.remove(summary)
        }
        self = rest.isEmpty ? fields : .all
    }
}

/// Which transitions a history reader is handed.
public enum ReplayTransitions: Sendable {
    case all
    /// Not those that keep a lead in its stage: both sides known and in one stage, which
    /// is also the stage of the lead's state after its transition before, when that is
    /// known (`LeadTransition.keepsStage(previous:)`). `report funnel`, `velocity`, `lost`
    /// and `winrate` change nothing on them; on a history of notes, field changes and
    /// reassignments they are most of the log, and the checkpoint decides it from string
    /// numbers without making the transition (Docs/performance.md). A replay may still
    /// hand some of them out (those of records read from the log): a reader must be right
    /// on them too.
    case stageMoves
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

    /// Whether `stageMoves` leaves it out: both sides known in one stage, and `previous`
    /// (the lead's state after its transition before, nil for none) not known or known in
    /// that stage too. The funnel's open entry and velocity's stay are those of the
    /// previous state's stage, so a transition out of step with it (the lead file edited
    /// by hand between two records) is a move for them.
    public func keepsStage(previous: LeadState?) -> Bool {
        guard let stage = after.stage, before.stage == stage else { return false }
        guard let was = previous?.stage else { return true }
        return was == stage
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
    private var last = LeadStateTable()

    public init() {}

    /// Going on from each lead's state after its last record so far (a checkpoint's).
    init(last: LeadStateTable) {
        self.last = last
    }

    /// The transition a record makes; nil for a record about no lead.
    public mutating func transition(for entry: ActivityEntry) -> LeadTransition? {
        transition(for: ReplayRecord(entry))
    }

    mutating func transition(for record: ReplayRecord) -> LeadTransition? {
        guard let id = record.lead else { return nil }
        let previous = last[id] ?? .unknown
        let before: LeadState, after: LeadState
        if record.action == "delete" {
            (before, after) = (previous, .absent)
        } else if let state = record.state {
            after = .known(state)
            if record.created {
                before = .absent
            } else {
                switch record.old {
                case .fields(let old):
                    before = LeadSnapshot(fields: old, base: state).map(LeadState.known) ?? .unknown
                case .invalid:
                    before = .unknown
                case .absent where record.action == "recover":
                    // A file found without a record: what it was before is not in the log.
                    before = previous == .absent ? .unknown : previous
                case .absent:
                    before = .known(state)
                }
            }
        } else if record.format < 2 && (record.action == "add" || record.action == "import") {
            (before, after) = (.absent, .unknown)
        } else {
            (before, after) = (previous, .unknown)
        }
        last[id] = after
        return LeadTransition(time: record.time, lead: id, action: record.action, user: record.user, before: before, after: after)
    }
}

/// Each lead's state by ID (LeadTable.swift).
typealias LeadStateTable = LeadTable<LeadState>

/// The state of every lead at one moment, rebuilt from the transitions of the whole log:
/// a lead's state is the one after its last record at or before the moment. A lead whose
/// first record comes later existed already if that record did not create it (and its
/// snapshot was created before the moment): the log does not know its state then, so it
/// is a gap, as is every lead whose last record by then is of format 1.
public struct LeadsAsOf: Sendable {
    public let moment: Timestamp
    /// Every lead the log mentions, with its state at the moment.
    public private(set) var states = LeadTable<LeadState>()

    public init(moment: Timestamp) {
        self.moment = moment
    }

    /// The states `add` would have left (`OpenCheckpoint.statesAsOf`).
    init(moment: Timestamp, states: LeadTable<LeadState>) {
        self.moment = moment
        self.states = states
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

    /// HistoryFold: the other's leads with this one's.
    public mutating func absorb(_ other: LeadsAsOf) {
        states.absorb(other.states)
    }

    /// The leads that existed at the moment with what they were, by ID.
    public var leads: [Lead] {
        var leads: [Lead] = []
        forEachLead { leads.append($0) }
        return leads
    }

    /// `leads` one at a time, by ID: a whole `Lead` for every lead at once would be most
    /// of the memory of `pipeline --as-of` on a large store.
    /// One `Lead` is filled in for each in turn (`LeadSnapshot.fill`).
    public func forEachLead<Failure: Error>(_ body: (Lead) throws(Failure) -> Void) throws(Failure) {
        var lead = Lead(id: 0, name: "", stage: "", createdAt: Timestamp(seconds: 0), createdBy: "")
        try states.forEach(carrying: &lead) { (lead, id, state) throws(Failure) in
            guard case .known(let snapshot) = state else { return }
            snapshot.fill(&lead, id: id)
            try body(lead)
        }
    }

    /// The leads whose state at the moment the log does not hold, by ID.
    public var gaps: [Int] {
        var gaps: [Int] = []
        states.forEach { id, state in if state == .unknown { gaps.append(id) } }
        return gaps
    }
}
