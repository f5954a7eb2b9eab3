/// A note on a lead: who wrote it and when, and whether it records a contact.
public struct Note: Sendable, Equatable {
    public var at: Timestamp
    public var by: String
    public var text: String
    public var contacted: Bool
    public var extra: [String: JSONValue] = [:]

    public init(at: Timestamp, by: String, text: String, contacted: Bool) {
        self.at = at
        self.by = by
        self.text = text
        self.contacted = contacted
    }
}

/// A follow-up. `number` is unique within its lead and never reused (`ID.N`).
public struct Reminder: Sendable, Equatable {
    public var number: Int
    public var due: When
    public var text: String
    public var owner: String
    public var createdAt: Timestamp
    public var doneAt: Timestamp?
    /// Set when `remind --due --once` announced it, so overlapping cron runs never repeat it.
    public var announcedAt: Timestamp?
    public var extra: [String: JSONValue] = [:]

    public init(number: Int, due: When, text: String, owner: String, createdAt: Timestamp) {
        self.number = number
        self.due = due
        self.text = text
        self.owner = owner
        self.createdAt = createdAt
    }

    public var isOpen: Bool { doneAt == nil }
}

/// Who last contacted the lead, and when (`note --contacted`).
public struct Contact: Sendable, Equatable {
    public var at: Timestamp
    public var by: String

    public init(at: Timestamp, by: String) {
        self.at = at
        self.by = by
    }
}

/// What `convert` made of a won lead.
public struct Conversion: Sendable, Equatable {
    public var customer: Int
    public var projects: [String]
    public var at: Timestamp
    public var by: String
    public var extra: [String: JSONValue] = [:]

    public init(customer: Int, projects: [String], at: Timestamp, by: String, extra: [String: JSONValue] = [:]) {
        self.customer = customer
        self.projects = projects
        self.at = at
        self.by = by
        self.extra = extra
    }
}

/// A money value with its currency, exact.
public struct Money: Sendable, Equatable {
    public var amount: Amount
    public var currency: String

    public init(amount: Amount, currency: String) {
        self.amount = amount
        self.currency = currency
    }
}

public struct Lead: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var organization = false
    public var company: String?
    public var email: String?
    public var phone: String?
    public var address: String?
    public var owner: String?
    public var source: String?
    public var campaign: String?
    public var labels: [String] = []
    public var stage: String
    /// Override of the stage's probability.
    public var probability: Percent?
    public var value: Money?
    public var expectedClose: CalendarDate?
    /// Custom fields (`--field K=V`, CSV columns `field:KEY`).
    public var fields: [String: String] = [:]
    public var notes: [Note] = []
    public var reminders: [Reminder] = []
    /// Files kept on the lead, in the order they were attached; their bytes are in
    /// DIR/files/<id>/ (Store/LeadFiles.swift).
    public var files: [LeadFile] = []
    public var conversion: Conversion?
    public var lostReason: String?
    public var lastContact: Contact?
    public var createdAt: Timestamp
    public var createdBy: String
    public var updatedAt: Timestamp
    public var updatedBy: String
    /// Keys this version does not know (hand-added or from a newer version), kept on rewrite.
    public var extra: [String: JSONValue] = [:]

    public init(id: Int, name: String, stage: String, createdAt: Timestamp, createdBy: String) {
        self.id = id
        self.name = name
        self.stage = stage
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = createdAt
        self.updatedBy = createdBy
    }

    public var isClosed: Bool { Stage.builtIn.contains { $0.name == stage } }

    /// The lead's override, else its stage's probability (won 100, lost and dnc 0).
    public func effectiveProbability(_ config: StoreConfig) -> Percent {
        if let probability { return probability }
        return config.stage(exactly: stage).map { Percent(whole: $0.probability) } ?? .zero
    }

    /// Value × effective probability, rounded to the cent; nil without a value.
    public func weightedValue(_ config: StoreConfig) throws(MoneyError) -> Money? {
        guard let value else { return nil }
        if stage == Stage.dnc.name { return Money(amount: .zero, currency: value.currency) }
        return Money(amount: try value.amount.weighted(by: effectiveProbability(config)), currency: value.currency)
    }

    public var openReminders: [Reminder] { reminders.filter(\.isOpen) }

    /// The earliest open reminder.
    public var nextReminder: Reminder? {
        // Without the array of open reminders: `list` and the reports ask this of every lead.
        var next: (reminder: Reminder, due: Timestamp)?
        for reminder in reminders where reminder.isOpen {
            let due = reminder.due.dueInstant
            if let best = next, (best.due, best.reminder.number) <= (due, reminder.number) { continue }
            next = (reminder, due)
        }
        return next?.reminder
    }

    public var nextReminderNumber: Int { (reminders.map(\.number).max() ?? 0) + 1 }

    public mutating func touch(at time: Timestamp, by user: String) {
        updatedAt = time
        updatedBy = user
    }
}
