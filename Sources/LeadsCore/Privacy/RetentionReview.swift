/// Which leads the retention rules of config.json (Löschfristen) make due for erasure:
/// a lead whose stage a rule names (or any open stage, for `open`) and that nobody has
/// touched — no change, note or contact — for the rule's months, counted in calendar
/// months from the day of the last touch: touched on 2024-03-15, due under a 24-month
/// rule from 2026-03-15; touched on 2024-02-29, from 2026-02-28 (the month's last day).
/// The first rule that names the lead's stage decides.
///
/// A pure accumulator, fed every lead by `leads retention --due`.
public struct RetentionReview: Sendable {
    public struct Due: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var stage: String
        public var lastTouched: Timestamp
        /// 1-based, as config.json lists them.
        public var ruleNumber: Int
        public var rule: RetentionRule
        /// The customer it became; retention never erases a customer (Docs/privacy.md).
        public var customer: Int?
    }

    public let rules: [RetentionRule]
    public let today: CalendarDate
    private let config: StoreConfig
    public private(set) var due: [Due] = []

    public init(rules: [RetentionRule], now: Timestamp, config: StoreConfig) {
        self.rules = rules
        self.today = LocalTime.date(of: now)
        self.config = config
    }

    /// The last time anyone changed, noted or contacted the lead.
    public static func lastTouched(_ lead: Lead) -> Timestamp {
        var latest = max(lead.createdAt, lead.updatedAt)
        if let contact = lead.lastContact { latest = max(latest, contact.at) }
        for note in lead.notes { latest = max(latest, note.at) }
        return latest
    }

    public mutating func add(_ lead: Lead) {
        guard let index = rules.firstIndex(where: { $0.applies(to: lead, config: config) }) else { return }
        let rule = rules[index]
        let touched = Self.lastTouched(lead)
        guard LocalTime.date(of: touched).adding(months: rule.months) <= today else { return }
        due.append(Due(id: lead.id, name: lead.name, stage: lead.stage, lastTouched: touched, ruleNumber: index + 1, rule: rule,
                       customer: lead.conversion?.customer))
    }
}
