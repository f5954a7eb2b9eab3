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
    /// Custom field keys, with empty values (`fieldValues` has the values).
    public static let fieldKeys = SummaryFields(rawValue: 1 << 6)
    public static let lastContact = SummaryFields(rawValue: 1 << 7)
    /// The open reminders.
    public static let reminders = SummaryFields(rawValue: 1 << 8)
    public static let phone = SummaryFields(rawValue: 1 << 9)
    public static let address = SummaryFields(rawValue: 1 << 10)
    public static let lostReason = SummaryFields(rawValue: 1 << 11)
    /// The customer a conversion made; the conversion's projects, time and author are not
    /// in the index (its time is the lead's creation, its author empty).
    public static let conversion = SummaryFields(rawValue: 1 << 12)
    /// Custom field keys and their values.
    public static let fieldValues = SummaryFields(rawValue: 1 << 13)

    public static let all = SummaryFields(rawValue: (1 << 14) - 1)
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

extension CSVExport {
    /// What these columns read of a summary; nil when one needs what only the lead file
    /// holds (the notes, a `--full` column).
    public var fieldsRead: SummaryFields? {
        var fields: SummaryFields = []
        for column in columns {
            switch column {
            case .id, .stage, .probability, .value, .currency, .weighted, .expectedClose, .created, .updated: break
            case .name: fields.insert(.name)
            case .organization, .company, .email: fields.insert(.contact)
            case .phone: fields.insert(.phone)
            case .address: fields.insert(.address)
            case .owner: fields.insert(.owner)
            case .source: fields.insert(.source)
            case .campaign: fields.insert(.campaign)
            case .labels: fields.insert(.labels)
            case .lostReason: fields.insert(.lostReason)
            case .nextReminder: fields.insert(.reminders)
            case .lastContact: fields.insert(.lastContact)
            case .convertedCustomer: fields.insert(.conversion)
            case .field: fields.insert(.fieldValues)
            case .notes, .full: return nil
            }
        }
        return fields
    }
}
