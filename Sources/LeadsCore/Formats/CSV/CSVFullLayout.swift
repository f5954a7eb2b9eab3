/// The columns `export-csv --full` adds to the standard ones, so that a lead's every
/// field has a cell (Docs/export.md, "--full"). A group of columns per reminder and per
/// note keeps each part in a cell of its own: readable in a spreadsheet (a multi-line note
/// is a multi-line cell), and read back by `import-csv` without a flag.
public enum FullColumn: Hashable, Sendable {
    case createdBy, updatedBy, lastContactBy
    case convertedAt, convertedBy, convertedProjects
    /// The lead file's keys this version does not know, as a JSON object.
    case extra
    case convertedExtra
    /// `reminder_N_PART`, N the reminder's own number (the `N` of `ID.N`).
    case reminder(Int, ReminderPart)
    /// `note_N_PART`, N the note's position, 1 the oldest.
    case note(Int, NotePart)

    public enum ReminderPart: String, CaseIterable, Sendable {
        case due, text, owner, created, done, announced, extra
    }

    public enum NotePart: String, CaseIterable, Sendable {
        case at, by, contacted, text, extra
    }

    static let fixed: [FullColumn] = [.createdBy, .updatedBy, .lastContactBy, .convertedAt, .convertedBy, .convertedProjects]

    public var name: String {
        switch self {
        case .createdBy: return "created_by"
        case .updatedBy: return "updated_by"
        case .lastContactBy: return "last_contact_by"
        case .convertedAt: return "converted_at"
        case .convertedBy: return "converted_by"
        case .convertedProjects: return "converted_projects"
        case .extra: return "extra"
        case .convertedExtra: return "converted_extra"
        case .reminder(let n, let part): return "reminder_\(n)_\(part.rawValue)"
        case .note(let n, let part): return "note_\(n)_\(part.rawValue)"
        }
    }

    /// The column a header names, exactly as the export writes it (lower case, `_`): a
    /// CRM's own "Created By" stays the unknown column it always was.
    public init?(header: String) {
        if let fixed = (Self.fixed + [.extra, .convertedExtra]).first(where: { $0.name == header }) {
            self = fixed
            return
        }
        let parts = header.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let n = Int(parts[1]), n > 0, String(n) == parts[1] else { return nil }
        switch parts[0] {
        case "reminder":
            guard let part = ReminderPart(rawValue: String(parts[2])) else { return nil }
            self = .reminder(n, part)
        case "note":
            guard let part = NotePart(rawValue: String(parts[2])) else { return nil }
            self = .note(n, part)
        default: return nil
        }
    }
}

/// What the full layout's header depends on, gathered in the export's first pass.
public struct FullLayoutShape: Sendable, Equatable {
    public var fieldKeys: Set<String> = []
    public var reminderNumbers: Set<Int> = []
    public var notes = 0
    public var leadExtras = false
    public var reminderExtras = false
    public var noteExtras = false
    public var conversionExtras = false

    public init() {}

    public mutating func add(_ lead: Lead) {
        fieldKeys.formUnion(lead.fields.keys)
        for reminder in lead.reminders {
            reminderNumbers.insert(reminder.number)
            if !reminder.extra.isEmpty { reminderExtras = true }
        }
        notes = max(notes, lead.notes.count)
        if lead.notes.contains(where: { !$0.extra.isEmpty }) { noteExtras = true }
        if !lead.extra.isEmpty { leadExtras = true }
        if let conversion = lead.conversion, !conversion.extra.isEmpty { conversionExtras = true }
    }

    /// The standard columns, who created and changed the lead, who made the last
    /// contact, the conversion, the custom fields, then a group per reminder number and
    /// per note, and the unknown keys last (each extra column only when some lead has any).
    public var columns: [CSVColumn] {
        var columns = CSVColumn.standard + FullColumn.fixed.map(CSVColumn.full)
        if conversionExtras { columns.append(.full(.convertedExtra)) }
        columns += fieldKeys.sorted().map(CSVColumn.field)
        for n in reminderNumbers.sorted() {
            for part in FullColumn.ReminderPart.allCases where part != .extra || reminderExtras {
                columns.append(.full(.reminder(n, part)))
            }
        }
        if notes > 0 {
            for n in 1...notes {
                for part in FullColumn.NotePart.allCases where part != .extra || noteExtras { columns.append(.full(.note(n, part))) }
            }
        }
        if leadExtras { columns.append(.full(.extra)) }
        return columns
    }
}

extension FullColumn {
    /// The lead's cell in this column, before formula neutralisation and quoting.
    func cell(of lead: Lead) -> String {
        func json(_ object: [String: JSONValue]) -> String {
            object.isEmpty ? "" : String(decoding: JSONWriter.compact(.object(object)), as: UTF8.self)
        }
        switch self {
        case .createdBy: return lead.createdBy
        case .updatedBy: return lead.updatedBy
        case .lastContactBy: return lead.lastContact?.by ?? ""
        case .convertedAt: return lead.conversion?.at.iso8601 ?? ""
        case .convertedBy: return lead.conversion?.by ?? ""
        // Project names are single lines: one per line of the cell.
        case .convertedProjects: return lead.conversion?.projects.joined(separator: "\n") ?? ""
        case .extra: return json(lead.extra)
        case .convertedExtra: return json(lead.conversion?.extra ?? [:])
        case .reminder(let n, let part):
            guard let reminder = lead.reminders.first(where: { $0.number == n }) else { return "" }
            switch part {
            case .due: return reminder.due.stored
            case .text: return reminder.text
            case .owner: return reminder.owner
            case .created: return reminder.createdAt.iso8601
            case .done: return reminder.doneAt?.iso8601 ?? ""
            case .announced: return reminder.announcedAt?.iso8601 ?? ""
            case .extra: return json(reminder.extra)
            }
        case .note(let n, let part):
            guard n <= lead.notes.count else { return "" }
            let note = lead.notes[n - 1]
            switch part {
            case .at: return note.at.iso8601
            case .by: return note.by
            case .contacted: return note.contacted ? "yes" : ""
            case .text: return note.text
            case .extra: return json(note.extra)
            }
        }
    }
}
