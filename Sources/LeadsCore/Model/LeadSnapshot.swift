/// The fields of a lead that the pipeline and the reports count by, and nothing personal:
/// what a log record of format 2 carries, so that the pipeline of any past moment can be
/// rebuilt from the log alone (Docs/json.md, "Activity log").
///
/// In a record, `state` is the whole snapshot after the change (an absent key is an
/// empty field) and `old` holds the fields the change altered with their values before
/// it (`null`: it had none), so the state before a change is `state` overlaid with `old`.
public struct LeadSnapshot: Sendable, Equatable {
    public var stage: String
    public var value: Money?
    /// The lead's override of its stage's probability.
    public var probability: Percent?
    public var expectedClose: CalendarDate?
    public var owner: String?
    public var labels: [String]
    public var source: String?
    public var campaign: String?
    /// The earliest open follow-up as stored (a day or an instant), for `--overdue`.
    public var nextDue: When?
    public var createdAt: Timestamp

    /// A stage and a creation time, every other field empty.
    init(stage: String, createdAt: Timestamp) {
        self.stage = stage
        self.createdAt = createdAt
        labels = []
    }

    /// Every field (the history checkpoint's reader).
    init(stage: String, value: Money?, probability: Percent?, expectedClose: CalendarDate?, owner: String?, labels: [String],
         source: String?, campaign: String?, nextDue: When?, createdAt: Timestamp) {
        self.stage = stage
        self.value = value
        self.probability = probability
        self.expectedClose = expectedClose
        self.owner = owner
        self.labels = labels
        self.source = source
        self.campaign = campaign
        self.nextDue = nextDue
        self.createdAt = createdAt
    }

    public init(_ lead: Lead) {
        stage = lead.stage
        value = lead.value
        probability = lead.probability
        expectedClose = lead.expectedClose
        owner = lead.owner
        labels = lead.labels
        source = lead.source
        campaign = lead.campaign
        nextDue = lead.nextReminder?.due
        createdAt = lead.createdAt
    }

    /// A lead holding just these fields (no name, notes or contact data), for the code
    /// that counts real leads: the pipeline and the filters answer for it exactly as they
    /// did for the lead it was taken from.
    public func lead(id: Int) -> Lead {
        var lead = Lead(id: id, name: "", stage: stage, createdAt: createdAt, createdBy: "")
        fill(&lead, id: id)
        return lead
    }

    /// Makes `lead`, which `lead(id:)` of some snapshot made, into `lead(id: id)` of this
    /// one, in place: every field that `lead(id:)` sets is set. For the readers that walk
    /// every lead of a replay: making, copying and freeing a whole `Lead` (some 30 fields)
    /// per lead was half the instructions of `pipeline --as-of` on 100,000 leads.
    public func fill(_ lead: inout Lead, id: Int) {
        lead.id = id
        lead.stage = stage
        lead.createdAt = createdAt
        lead.updatedAt = createdAt
        lead.value = value
        lead.probability = probability
        lead.expectedClose = expectedClose
        lead.owner = owner
        lead.labels = labels
        lead.source = source
        lead.campaign = campaign
        if let nextDue {
            lead.reminders = [Reminder(number: 1, due: nextDue, text: "", owner: owner ?? "", createdAt: createdAt)]
        } else if !lead.reminders.isEmpty {
            lead.reminders = []
        }
    }

    /// The keys of a snapshot in a record, each with its value here (nil: none).
    var fields: [(key: String, value: JSONValue?)] {
        [("stage", .string(stage)),
         ("value", value.map { .string($0.amount.canonical) }),
         ("currency", value.map { .string($0.currency) }),
         ("probability", probability.map { .number($0.description) }),
         ("close", expectedClose.map { .string($0.iso) }),
         ("owner", owner.map(JSONValue.string)),
         ("labels", labels.isEmpty ? nil : .array(labels.map(JSONValue.string))),
         ("source", source.map(JSONValue.string)),
         ("campaign", campaign.map(JSONValue.string)),
         ("due", nextDue.map { .string($0.stored) }),
         ("created", .string(createdAt.iso8601))]
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        for (key, value) in fields { object[key] = value }
        return .object(object)
    }

    /// The fields that differ in `earlier`, with their values there (`null`: none).
    public func old(comparedWith earlier: LeadSnapshot) -> [String: JSONValue] {
        var old: [String: JSONValue] = [:]
        for (now, then) in zip(fields, earlier.fields) where now.value != then.value {
            old[now.key] = then.value ?? .null
        }
        return old
    }

    /// Reads `state` from a record; nil when it is not a snapshot this version understands.
    public init?(json: JSONValue) {
        guard case .object(let object) = json else { return nil }
        self.init(object: object, base: nil)
    }

    /// `state` overlaid with a record's `old`: the snapshot before the change.
    public func before(old json: JSONValue) -> LeadSnapshot? {
        guard case .object(let object) = json else { return nil }
        return LeadSnapshot(object: object, base: self)
    }

    /// With a base, absent keys keep the base's value and `null` clears one.
    private init?(object: [String: JSONValue], base: LeadSnapshot?) {
        guard let fields = SnapshotFields(object: object) else { return nil }
        self.init(fields: fields, base: base)
    }

    /// The snapshot a record's keys make: on their own (`state`, base nil) or laid over
    /// `base` (`old`). nil when a required field ends up empty or value and currency do
    /// not come as a pair.
    init?(fields: SnapshotFields, base: LeadSnapshot?) {
        guard let stage = fields.stage.resolved(base?.stage),
              let createdAt = fields.created.resolved(base?.createdAt)
        else { return nil }
        self.stage = stage
        self.createdAt = createdAt
        switch (fields.amount.resolved(base?.value?.amount), fields.currency.resolved(base?.value?.currency)) {
        case let (amount?, currency?): value = Money(amount: amount, currency: currency)
        case (nil, nil): value = nil
        default: return nil
        }
        expectedClose = fields.close.resolved(base?.expectedClose)
        owner = fields.owner.resolved(base?.owner)
        source = fields.source.resolved(base?.source)
        campaign = fields.campaign.resolved(base?.campaign)
        nextDue = fields.due.resolved(base?.nextDue)
        probability = fields.probability.resolved(base?.probability)
        switch fields.labels {
        case .absent: labels = base?.labels ?? []
        case .set(let list): labels = list ?? []
        }
    }
}

/// One key of a record's `state` or `old`: absent (keep the base's value), or set to a
/// value or to none (`null`).
enum SnapshotField<T> {
    case absent
    case set(T?)

    func resolved(_ base: T?) -> T? {
        switch self {
        case .absent: return base
        case .set(let value): return value
        }
    }
}

/// The keys of a `state` or `old` object, each read and checked but not yet resolved
/// against a base. Two readers fill it, with one meaning: from a parsed object (any
/// record) and straight from a line's bytes (`ReplayRecord`, the fast path of the
/// history reports), so both agree on what a valid snapshot is. Keys this version does
/// not know are ignored.
struct SnapshotFields {
    var stage: SnapshotField<String> = .absent
    var created: SnapshotField<Timestamp> = .absent
    var amount: SnapshotField<Amount> = .absent
    var currency: SnapshotField<String> = .absent
    var close: SnapshotField<CalendarDate> = .absent
    var owner: SnapshotField<String> = .absent
    var source: SnapshotField<String> = .absent
    var campaign: SnapshotField<String> = .absent
    var due: SnapshotField<When> = .absent
    var probability: SnapshotField<Percent> = .absent
    var labels: SnapshotField<[String]> = .absent

    init() {}

    /// nil: a key holds something that is not a valid value for it.
    init?(object: [String: JSONValue]) {
        for (key, value) in object {
            let ok: Bool
            switch value {
            case .null: ok = set(key, null: ())
            case .string(let text): ok = set(key, string: text)
            case .number(let text): ok = set(key, number: text)
            case .array(let items):
                var list: [String]? = []
                for item in items {
                    guard case .string(let s) = item else { list = nil; break }
                    list?.append(s)
                }
                ok = list.map { set(key, labels: $0) } ?? !Self.known(key)
            default: ok = !Self.known(key)
            }
            guard ok else { return nil }
        }
    }

    static func known(_ key: String) -> Bool {
        switch key {
        case "stage", "created", "value", "currency", "close", "owner", "source", "campaign", "due", "probability", "labels": return true
        default: return false
        }
    }

    /// `key: null`; false when the key cannot be null (none can't: null clears it).
    mutating func set(_ key: String, null: ()) -> Bool {
        switch key {
        case "stage": stage = .set(nil)
        case "created": created = .set(nil)
        case "value": amount = .set(nil)
        case "currency": currency = .set(nil)
        case "close": close = .set(nil)
        case "owner": owner = .set(nil)
        case "source": source = .set(nil)
        case "campaign": campaign = .set(nil)
        case "due": due = .set(nil)
        case "probability": probability = .set(nil)
        case "labels": labels = .set(nil)
        default: break
        }
        return true
    }

    /// `key: "text"`; false when the key takes no string or the text is no valid value.
    mutating func set(_ key: String, string text: String) -> Bool {
        switch key {
        case "stage": stage = .set(text)
        case "created":
            guard let t = Timestamp(iso8601: text) else { return false }
            created = .set(t)
        case "value":
            guard let a = Amount(canonical: text) else { return false }
            amount = .set(a)
        case "currency": currency = .set(text)
        case "close":
            guard let d = CalendarDate(iso: text) else { return false }
            close = .set(d)
        case "owner": owner = .set(text)
        case "source": source = .set(text)
        case "campaign": campaign = .set(text)
        case "due":
            guard let w = When(stored: text) else { return false }
            due = .set(w)
        case "probability", "labels": return false
        default: break
        }
        return true
    }

    /// `key: 12`; only the probability is a number.
    mutating func set(_ key: String, number text: String) -> Bool {
        if key == "probability" {
            guard let p = Percent(exactly: text) else { return false }
            probability = .set(p)
            return true
        }
        return !Self.known(key)
    }

    /// `key: ["a", "b"]`; only the labels are a list (of strings).
    mutating func set(_ key: String, labels list: [String]) -> Bool {
        if key == "labels" {
            labels = .set(list)
            return true
        }
        return !Self.known(key)
    }
}

extension ActivityEntry {
    /// The log format this version writes: 2 adds `state` and `old` (LeadSnapshot).
    /// A record without `format` is of format 1.
    public static let currentFormat = 2

    public var format: Int {
        if case .number(let n)? = details["format"], let format = Int(n) { return format }
        return 1
    }

    /// The record with what a replay needs: the lead's snapshot after the change and the
    /// old values of the fields it changed; `previous == nil` marks a lead made by it.
    /// The store adds this to every record it writes about a lead, so no write path
    /// can leave it out.
    public func recording(from previous: Lead?, to lead: Lead) -> ActivityEntry {
        var entry = self
        let after = LeadSnapshot(lead)
        entry.details["format"] = .integer(Self.currentFormat)
        entry.details["state"] = after.json
        if let previous {
            let old = after.old(comparedWith: LeadSnapshot(previous))
            if !old.isEmpty { entry.details["old"] = .object(old) }
        } else {
            entry.details["created"] = .bool(true)
        }
        return entry
    }

    /// A record about a lead that no longer exists (a deletion): only the format, since
    /// the record says nothing about the lead but that it is gone.
    public func recordingDeletion() -> ActivityEntry {
        var entry = self
        entry.details["format"] = .integer(Self.currentFormat)
        return entry
    }

    /// A record of a lead whose file exists but that no record made (`fsck --repair`):
    /// its state, without a claim to have made it.
    public func recordingFound(_ lead: Lead) -> ActivityEntry {
        var entry = self
        entry.details["format"] = .integer(Self.currentFormat)
        entry.details["state"] = LeadSnapshot(lead).json
        return entry
    }
}
