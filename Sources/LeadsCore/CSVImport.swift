/// What a CSV column holds.
public enum ImportField: Hashable, Sendable {
    case name, organization, company, email, phone, address, owner, stage, probability
    case value, currency, expectedClose, source, campaign, labels, lostReason, notes
    case nextReminder, lastContact, created, updated
    case custom(String)
    /// Recognised but not imported: derived (weighted), store-specific (id, converted
    /// customer), or dropped with `--map COLUMN=-`.
    case ignored

    /// The name used in `--map` and `--default` and in the docs.
    public var name: String {
        switch self {
        case .name: return "name"
        case .organization: return "organization"
        case .company: return "company"
        case .email: return "email"
        case .phone: return "phone"
        case .address: return "address"
        case .owner: return "owner"
        case .stage: return "stage"
        case .probability: return "probability"
        case .value: return "value"
        case .currency: return "currency"
        case .expectedClose: return "expected_close"
        case .source: return "source"
        case .campaign: return "campaign"
        case .labels: return "labels"
        case .lostReason: return "lost_reason"
        case .notes: return "notes"
        case .nextReminder: return "next_reminder"
        case .lastContact: return "last_contact"
        case .created: return "created"
        case .updated: return "updated"
        case .custom(let key): return "field:" + key
        case .ignored: return "-"
        }
    }

    public static let importable: [ImportField] = [
        .name, .organization, .company, .email, .phone, .address, .owner, .stage, .probability, .value, .currency,
        .expectedClose, .source, .campaign, .labels, .lostReason, .notes, .nextReminder, .lastContact, .created, .updated,
    ]
}

/// Header names as other CRMs and spreadsheets write them (ERPNext, Perfex, HQ, MOCO,
/// Excel; English and German), matched case-insensitively with spaces, `_`, `-` and
/// `.` treated alike.
public enum ImportHeaders {
    static let aliases: [String: ImportField] = {
        var table: [String: ImportField] = [:]
        func add(_ field: ImportField, _ names: String...) {
            for name in names { table[normalise(name)] = field }
        }
        add(.name, "name", "lead", "lead name", "full name", "contact", "contact name", "kontakt", "ansprechpartner", "lead_name")
        add(.organization, "organization", "is organization")
        add(.company, "company", "company name", "firma", "organisation", "organization name", "unternehmen", "account", "firmenname")
        add(.email, "email", "e-mail", "mail", "email address", "e-mail-adresse", "email id", "email_id")
        add(.phone, "phone", "telephone", "mobile", "mobile no", "phone number", "telefon", "telefonnummer", "mobil", "handy", "phonenumber")
        add(.address, "address", "adresse", "anschrift", "street", "strasse", "straße")
        add(.owner, "owner", "assigned", "assigned to", "lead owner", "verantwortlich", "zuständig", "betreuer", "lead_owner")
        add(.stage, "stage", "status", "phase", "lead status")
        add(.probability, "probability", "wahrscheinlichkeit", "win probability", "effective probability")
        add(.value, "value", "amount", "wert", "volumen", "betrag", "deal value", "opportunity amount", "lead value")
        add(.currency, "currency", "währung", "waehrung")
        add(.expectedClose, "expected close", "close", "close date", "expected closing", "abschluss", "abschlussdatum", "expected_close")
        add(.source, "source", "lead source", "quelle", "herkunft")
        add(.campaign, "campaign", "campaign name", "kampagne")
        add(.labels, "labels", "label", "tags", "tag", "schlagworte")
        add(.lostReason, "lost reason", "reason lost", "verlustgrund", "lost_reason")
        add(.notes, "notes", "note", "notiz", "notizen", "bemerkung", "bemerkungen", "comments")
        add(.nextReminder, "next reminder", "next action", "follow-up", "follow up", "wiedervorlage", "next_reminder")
        add(.lastContact, "last contact", "letzter kontakt", "last contacted", "last_contact")
        add(.created, "created", "created at", "creation", "date created", "erstellt", "created_at")
        add(.updated, "updated", "updated at", "modified", "last modified", "geändert", "updated_at")
        add(.ignored, "id", "weighted", "weighted value", "converted customer", "customer", "converted_customer")
        return table
    }()

    public static func normalise(_ header: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in header.lowercased() {
            if character == " " || character == "_" || character == "-" || character == "." || character == "\t" {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" ") }
            pendingSpace = false
            out.append(character)
        }
        return out
    }

    /// The field a header names, or nil.
    public static func field(forHeader header: String) -> ImportField? {
        if header.lowercased().hasPrefix("field:") {
            let key = String(header.dropFirst(6))
            return (try? FieldParser.fieldKey(key, field: header)).map { .custom($0) }
        }
        return aliases[normalise(header)]
    }

    /// A field as named on the command line (`--map COL=FIELD`, `--default FIELD=V`).
    public static func field(named name: String) -> ImportField? {
        if name == "-" { return .ignored }
        if name.hasPrefix("field:") {
            return (try? FieldParser.fieldKey(String(name.dropFirst(6)), field: name)).map { .custom($0) }
        }
        return ImportField.importable.first { $0.name == name } ?? aliases[normalise(name)].flatMap { $0 == .ignored ? nil : $0 }
    }

    public static var knownNames: [String] { ImportField.importable.map(\.name) }
}

/// A problem with the file as a whole, before any row is looked at.
public enum ImportError: Error, Sendable, Equatable {
    case noHeader(file: String)
    case unknownColumns(file: String, columns: [String], suggestions: [String: String])
    case duplicateColumn(file: String, field: String, columns: [String])
    case noNameColumn(file: String)
    case unknownMapColumn(String, header: [String])
    case badMap(String)
    case badDefault(String)
    case invalidDefault(field: String, reason: String)
    case csv(file: String, CSVError)
}

/// A row that cannot be imported: `FILE:LINE: column: reason`.
public struct RowProblem: Sendable, Equatable {
    public var line: Int
    public var column: String
    public var problem: FieldProblem
    public var value: String
}

/// Every problem of one row.
public struct RowProblems: Error, Sendable, Equatable {
    public var problems: [RowProblem]
}

/// A valid row: the lead it describes and which fields its cells (or defaults) filled,
/// so `--on-duplicate update` copies only those.
public struct ConvertedRow: Sendable {
    public var lead: Lead
    public var present: Set<ImportField>
}

/// Header → fields, after `--map`.
public struct ImportMapping: Sendable {
    public let header: [String]
    public let fields: [ImportField]

    public init(file: String, header rawHeader: [String], maps: [(column: String, field: ImportField)]) throws(ImportError) {
        let header = rawHeader.map(FormulaGuard.restore)
        for map in maps where !header.contains(map.column) {
            throw .unknownMapColumn(map.column, header: header)
        }
        var fields: [ImportField] = []
        var unknown: [String] = []
        for column in header {
            if let map = maps.last(where: { $0.column == column }) {
                fields.append(map.field)
            } else if let field = ImportHeaders.field(forHeader: column) {
                fields.append(field)
            } else if column.allSatisfy(\.isWhitespace) {
                fields.append(.ignored)  // Excel's trailing empty columns
                unknown.append(column)
            } else {
                fields.append(.ignored)
                unknown.append(column)
            }
        }
        let named = unknown.filter { !$0.allSatisfy(\.isWhitespace) }
        if !named.isEmpty {
            var suggestions: [String: String] = [:]
            for column in named {
                if let near = ImportMapping.nearestName(ImportHeaders.normalise(column)) { suggestions[column] = near }
            }
            throw .unknownColumns(file: file, columns: named, suggestions: suggestions)
        }
        for field in Set(fields) where field != .ignored {
            let columns = zip(header, fields).filter { $0.1 == field }.map(\.0)
            if columns.count > 1 { throw .duplicateColumn(file: file, field: field.name, columns: columns) }
        }
        guard fields.contains(.name) else { throw .noNameColumn(file: file) }
        self.header = header
        self.fields = fields
    }

    private static func nearestName(_ text: String) -> String? {
        var best: (String, Int)?
        for name in ImportHeaders.knownNames {
            let d = editDistance(text, ImportHeaders.normalise(name))
            if d <= 2 && d < (best?.1 ?? .max) { best = (name, d) }
        }
        return best?.0
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var current = [i] + [Int](repeating: 0, count: y.count)
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[y.count]
}

/// Turns one CSV row into a lead (ID 0), validating every cell with the same rules as
/// the command options. Formula-neutralised cells (`'=…`) are restored first, so an
/// export imports back exactly.
public struct RowConverter: Sendable {
    public let mapping: ImportMapping
    public let config: StoreConfig
    public let now: Timestamp
    public let user: String
    public let decimal: DecimalSeparator?
    public let defaults: [ImportField: String]

    public init(mapping: ImportMapping, config: StoreConfig, now: Timestamp, user: String,
                decimal: DecimalSeparator?, defaults: [ImportField: String]) {
        self.mapping = mapping
        self.config = config
        self.now = now
        self.user = user
        self.decimal = decimal
        self.defaults = defaults
    }

    /// Every problem of the row (not just the first), so one run reports them all.
    public func lead(from cells: [String], line: Int) -> Result<ConvertedRow, RowProblems> {
        var problems: [RowProblem] = []
        var values: [ImportField: (column: String, value: String)] = [:]
        for (i, field) in mapping.fields.enumerated() where field != .ignored {
            let raw = i < cells.count ? FormulaGuard.restore(cells[i]) : ""
            if !raw.isEmpty { values[field] = (mapping.header[i], raw) }
        }
        for (field, value) in defaults where values[field] == nil { values[field] = ("--default " + field.name, value) }

        func cell(_ field: ImportField) -> (column: String, value: String)? { values[field] }
        func check<T>(_ field: ImportField, _ parse: (String, String) throws(FieldError) -> T) -> T? {
            guard let (column, value) = cell(field) else { return nil }
            do { return try parse(value, column) } catch {
                problems.append(RowProblem(line: line, column: column, problem: error.problem, value: value))
                return nil
            }
        }
        func text(_ field: ImportField) -> String? { cell(field).flatMap { FieldParser.text($0.value) } }

        let name = check(.name) { v, c throws(FieldError) in try FieldParser.name(v, field: c) }
        if cell(.name) == nil {
            let column = mapping.header[mapping.fields.firstIndex(of: .name) ?? 0]
            problems.append(RowProblem(line: line, column: column, problem: .invalid("a name is required"), value: ""))
        }
        let stage = check(.stage) { v, c throws(FieldError) in try FieldParser.stage(v, field: c, config: config) } ?? config.stages[0]
        var lead = Lead(id: 0, name: name ?? "", stage: stage.name, createdAt: now, createdBy: user)
        lead.organization = check(.organization) { v, c throws(FieldError) in try Self.bool(v, field: c) } ?? false
        lead.company = text(.company)
        lead.email = check(.email) { v, c throws(FieldError) in try FieldParser.email(v, field: c) }
        lead.phone = text(.phone)
        lead.address = text(.address)
        lead.owner = check(.owner) { v, c throws(FieldError) in try FieldParser.name(v, field: c) } ?? user
        lead.source = text(.source)
        lead.campaign = text(.campaign)
        lead.lostReason = text(.lostReason)
        lead.probability = check(.probability) { v, c throws(FieldError) in try FieldParser.probability(v, field: c) }
        let currency = check(.currency) { v, c throws(FieldError) in try FieldParser.currency(v, field: c) }
        lead.value = check(.value) { v, c throws(FieldError) in
            try FieldParser.money(v, field: c, currency: currency, defaultCurrency: config.currency, decimal: decimal)
        }
        if currency != nil && lead.value == nil && cell(.value) == nil, let (column, value) = cell(.currency) {
            problems.append(RowProblem(line: line, column: column, problem: .invalid("a currency without a value"), value: value))
        }
        lead.expectedClose = check(.expectedClose) { v, c throws(FieldError) in try FieldParser.date(v, field: c, now: now) }
        lead.labels = check(.labels) { v, c throws(FieldError) in try FieldParser.labels(v, field: c) } ?? []
        for (field, pair) in values {
            if case .custom(let key) = field { lead.fields[key] = pair.value }
        }
        if let created = check(.created, { v, c throws(FieldError) in try Self.instant(v, field: c, now: now) }) {
            lead.createdAt = created
            lead.updatedAt = created
        }
        if let updated = check(.updated, { v, c throws(FieldError) in try Self.instant(v, field: c, now: now) }) {
            lead.updatedAt = updated
        }
        if let due = check(.nextReminder, { v, c throws(FieldError) -> When in
            if let stored = When(stored: v) { return stored }
            return try FieldParser.when(v, field: c, now: now)
        }) {
            lead.reminders = [Reminder(number: 1, due: due, text: "", owner: lead.owner ?? user, createdAt: now)]
        }
        if let contact = check(.lastContact, { v, c throws(FieldError) in try Self.contact(v, field: c, now: now, user: user) }) {
            lead.lastContact = contact
        }
        if let notes = check(.notes, { v, c throws(FieldError) in try NoteCell.decode(v, field: c, now: now, user: user) }) {
            lead.notes = notes
        }
        guard problems.isEmpty else {
            // Reported in the file's column order, as a reader scans the row.
            let position = { (problem: RowProblem) in mapping.header.firstIndex(of: problem.column) ?? Int.max }
            let ordered = problems.enumerated().sorted { (position($0.element), $0.offset) < (position($1.element), $1.offset) }
            return .failure(RowProblems(problems: ordered.map(\.element)))
        }
        return .success(ConvertedRow(lead: lead, present: Set(values.keys)))
    }

    static func bool(_ raw: String, field: String) throws(FieldError) -> Bool {
        switch FieldParser.text(raw)?.lowercased() {
        case nil, "no", "false", "0", "nein", "n": return false
        case "yes", "true", "1", "ja", "j", "y", "x": return true
        default: throw FieldError(field: field, value: raw, problem: .invalid("expected yes or no"))
        }
    }

    static func instant(_ raw: String, field: String, now: Timestamp) throws(FieldError) -> Timestamp {
        if let exact = Timestamp(iso8601: raw) { return exact }
        return try FieldParser.instant(raw, field: field, now: now)
    }

    /// "2026-11-20T14:00:00Z bob" (as exported) or just a time.
    static func contact(_ raw: String, field: String, now: Timestamp, user: String) throws(FieldError) -> Contact {
        let parts = raw.split(separator: " ", maxSplits: 1)
        if parts.count == 2, let at = Timestamp(iso8601: String(parts[0])) {
            return Contact(at: at, by: String(parts[1]))
        }
        return Contact(at: try instant(raw, field: field, now: now), by: user)
    }
}

/// The `notes` cell. A plain cell (from another CRM) is one note by the importing user.
/// `export-csv --with-notes` writes a JSON array of the stored note objects, which is
/// read back with the lead file's own note decoder, so it returns exactly.
public enum NoteCell {
    public static func decode(_ raw: String, field: String, now: Timestamp, user: String) throws(FieldError) -> [Note] {
        if raw.hasPrefix("["), let notes = exported(raw) { return notes }
        guard FieldParser.text(raw) != nil else { return [] }
        return [Note(at: now, by: user, text: raw, contacted: false)]
    }

    /// nil unless the cell is a JSON array of note objects.
    private static func exported(_ raw: String) -> [Note]? {
        var reader = JSONReader(Array(raw.utf8))
        var notes: [Note] = []
        do {
            try reader.beginArray()
            while try reader.nextElement() { notes.append(try Note(reader: &reader)) }
            try reader.finish()
        } catch {
            return nil
        }
        return notes
    }
}
