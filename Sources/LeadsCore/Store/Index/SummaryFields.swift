/// Which parts of a lead a summary scan decodes from the index, beyond what every
/// scan gets: ID, stage, probability, value, expected close, created and updated. A
/// report asks for what it reads: `pipeline` by stage reads no text at all, and making
/// a `String` of every name, e-mail address and custom field key it never looks at was
/// most of its decoding time on 100,000 leads. A lead read from its file instead (its
/// line stale) comes whole; the caller must not rely on what it did not ask for.
public struct SummaryFields: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let name = SummaryFields(rawValue: 1 << 0)
    /// Organization flag, company and e-mail.
    public static let contact = SummaryFields(rawValue: 1 << 1)
    public static let owner = SummaryFields(rawValue: 1 << 2)
    public static let source = SummaryFields(rawValue: 1 << 3)
    public static let campaign = SummaryFields(rawValue: 1 << 4)
    public static let labels = SummaryFields(rawValue: 1 << 5)
    /// Custom field keys (their values are never in the index).
    public static let fieldKeys = SummaryFields(rawValue: 1 << 6)
    public static let lastContact = SummaryFields(rawValue: 1 << 7)
    /// The open reminders.
    public static let reminders = SummaryFields(rawValue: 1 << 8)

    public static let all = SummaryFields(rawValue: (1 << 9) - 1)
}

extension LeadFilter {
    /// What `matches` reads beyond the stage (a search reads the notes: a full scan).
    public var fieldsRead: SummaryFields {
        var fields: SummaryFields = []
        if !owners.isEmpty { fields.insert(.owner) }
        if !labels.isEmpty { fields.insert(.labels) }
        if source != nil { fields.insert(.source) }
        if campaign != nil { fields.insert(.campaign) }
        if overdueAt != nil { fields.insert(.reminders) }
        if search != nil { fields = .all }
        return fields
    }
}

extension PipelineGrouping {
    /// What a report grouped this way reads beyond stage, value and expected close.
    public var fieldsRead: SummaryFields {
        switch self {
        case .stage, .month: []
        case .owner: .owner
        case .source: .source
        case .campaign: .campaign
        case .label: .labels
        }
    }
}
