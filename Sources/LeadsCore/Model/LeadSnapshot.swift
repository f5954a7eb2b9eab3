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
    /// The lead's override of its stage's probability, percent.
    public var probability: Int?
    public var expectedClose: CalendarDate?
    public var owner: String?
    public var labels: [String]
    public var source: String?
    public var campaign: String?
    /// The earliest open follow-up as stored (a day or an instant), for `--overdue`.
    public var nextDue: When?
    public var createdAt: Timestamp

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
        lead.value = value
        lead.probability = probability
        lead.expectedClose = expectedClose
        lead.owner = owner
        lead.labels = labels
        lead.source = source
        lead.campaign = campaign
        if let nextDue { lead.reminders = [Reminder(number: 1, due: nextDue, text: "", owner: owner ?? "", createdAt: createdAt)] }
        return lead
    }

    /// The keys of a snapshot in a record, each with its value here (nil: none).
    var fields: [(key: String, value: JSONValue?)] {
        [("stage", .string(stage)),
         ("value", value.map { .string($0.amount.canonical) }),
         ("currency", value.map { .string($0.currency) }),
         ("probability", probability.map { .number(String($0)) }),
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

    /// One key of a record: absent (keep the base's value), or set to a value or to none.
    private enum Field<T> {
        case absent
        case set(T?)

        func resolved(_ base: T?) -> T? {
            switch self {
            case .absent: return base
            case .set(let value): return value
            }
        }
    }

    /// With a base, absent keys keep the base's value and `null` clears one.
    private init?(object: [String: JSONValue], base: LeadSnapshot?) {
        /// nil: the key holds something that is not a valid value for it.
        func field<T>(_ key: String, _ convert: (String) -> T?) -> Field<T>? {
            switch object[key] {
            case nil: return .absent
            case .null?: return .set(nil)
            case .string(let text)?: return convert(text).map { .set($0) }
            default: return nil
            }
        }
        guard let stage = field("stage", { $0 })?.resolved(base?.stage),
              let createdAt = field("created", { Timestamp(iso8601: $0) })?.resolved(base?.createdAt),
              let amount = field("value", { Amount(canonical: $0) }),
              let currency = field("currency", { $0 }),
              let close = field("close", { CalendarDate(iso: $0) }),
              let owner = field("owner", { $0 }),
              let source = field("source", { $0 }),
              let campaign = field("campaign", { $0 }),
              let due = field("due", { When(stored: $0) })
        else { return nil }
        self.stage = stage
        self.createdAt = createdAt
        switch (amount.resolved(base?.value?.amount), currency.resolved(base?.value?.currency)) {
        case let (amount?, currency?): value = Money(amount: amount, currency: currency)
        case (nil, nil): value = nil
        default: return nil
        }
        expectedClose = close.resolved(base?.expectedClose)
        self.owner = owner.resolved(base?.owner)
        self.source = source.resolved(base?.source)
        self.campaign = campaign.resolved(base?.campaign)
        nextDue = due.resolved(base?.nextDue)
        switch object["probability"] {
        case nil: probability = base?.probability
        case .null?: probability = nil
        case .number(let n)?:
            guard let p = Int(n) else { return nil }
            probability = p
        default: return nil
        }
        switch object["labels"] {
        case nil: labels = base?.labels ?? []
        case .null?: labels = []
        case .array(let items)?:
            var list: [String] = []
            for item in items {
                guard case .string(let s) = item else { return nil }
                list.append(s)
            }
            labels = list
        default: return nil
        }
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
