extension CSVColumn {
    /// The columns import-csv reads. `id`, `weighted` and `converted_customer` are
    /// recognised but skipped: derived, or meaningful only in the store they came from.
    public static let importable: [CSVColumn] = standard.filter { ![.id, .weighted, .convertedCustomer].contains($0) } + [.notes]

    public var isImportable: Bool {
        if case .field = self { return true }
        return Self.importable.contains(self)
    }
}

/// Header names as other CRMs and spreadsheets write them (ERPNext, Perfex, HQ, MOCO,
/// Excel; English and German), besides the export's own, matched case-insensitively with
/// spaces, `_`, `-` and `.` treated alike.
public enum ImportHeaders {
    /// nil: a column recognised and skipped.
    static let aliases: [String: CSVColumn?] = {
        var table: [String: CSVColumn?] = [:]
        for column in CSVColumn.standard + [.notes] { table[normalise(column.name)] = column.isImportable ? column : nil }
        func add(_ column: CSVColumn?, _ names: String...) {
            for name in names { table[normalise(name)] = column }
        }
        add(.name, "lead", "lead name", "full name", "contact", "contact name", "kontakt", "ansprechpartner")
        add(.organization, "is organization")
        add(.company, "company name", "firma", "organisation", "organization name", "unternehmen", "account", "firmenname")
        add(.email, "e-mail", "mail", "email address", "e-mail-adresse", "email id")
        add(.phone, "telephone", "mobile", "mobile no", "phone number", "telefon", "telefonnummer", "mobil", "handy", "phonenumber")
        add(.address, "adresse", "anschrift", "street", "strasse", "straße")
        add(.owner, "assigned", "assigned to", "lead owner", "verantwortlich", "zuständig", "betreuer")
        add(.stage, "status", "phase", "lead status")
        add(.probability, "wahrscheinlichkeit", "win probability")
        add(.value, "amount", "wert", "volumen", "betrag", "deal value", "opportunity amount", "lead value")
        add(.currency, "währung", "waehrung")
        add(.expectedClose, "close", "close date", "expected closing", "abschluss", "abschlussdatum")
        add(.source, "lead source", "quelle", "herkunft")
        add(.campaign, "campaign name", "kampagne")
        add(.labels, "label", "tags", "tag", "schlagworte")
        add(.lostReason, "reason lost", "verlustgrund")
        add(.notes, "note", "notiz", "notizen", "bemerkung", "bemerkungen", "comments")
        add(.nextReminder, "next action", "follow-up", "follow up", "wiedervorlage")
        add(.lastContact, "letzter kontakt", "last contacted")
        add(.created, "created at", "creation", "date created", "erstellt")
        add(.updated, "updated at", "modified", "last modified", "geändert")
        add(nil, "weighted value", "customer")
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

    /// What a header names: a column to read, one to skip (`.some(nil)`), or nothing known (nil).
    public static func column(forHeader header: String) -> CSVColumn?? {
        if header.lowercased().hasPrefix(CSVColumn.fieldPrefix) { return CSVColumn(name: header).map { .some($0) } }
        return aliases[normalise(header)]
    }

    /// A column as named on the command line (`--map COL=FIELD`, `--default FIELD=V`):
    /// an importable column, or `-` (skip it, `.some(nil)`); nil for anything else.
    public static func column(named name: String) -> CSVColumn?? {
        if name == "-" { return .some(nil) }
        guard let found = column(forHeader: name), let column = found, column.isImportable else { return nil }
        return .some(column)
    }

    public static var knownNames: [String] { CSVColumn.importable.map(\.name) }
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
    /// Standard input copied for the second pass would leave the data directory's file
    /// system with less than `keep` bytes free.
    case inputFillsDisk(file: String, copied: Int, keep: Int)
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

/// A valid row: the lead it describes and which columns its cells (or defaults) filled,
/// so `--on-duplicate update` copies only those.
public struct ConvertedRow: Sendable {
    public var lead: Lead
    public var present: Set<CSVColumn>
}

/// Header → fields, after `--map`.
public struct ImportMapping: Sendable {
    public let header: [String]
    /// The column each header cell holds; nil where it is skipped.
    public let fields: [CSVColumn?]

    /// `defaulted`: columns `--default` fills, so the file need not have them (the name).
    public init(file: String, header rawHeader: [String], maps: [(column: String, field: CSVColumn?)],
                defaulted: Set<CSVColumn> = []) throws(ImportError) {
        let header = rawHeader.map(FormulaGuard.restore)
        for map in maps where !header.contains(map.column) {
            throw .unknownMapColumn(map.column, header: header)
        }
        var fields: [CSVColumn?] = []
        var unknown: [String] = []
        for column in header {
            if let map = maps.last(where: { $0.column == column }) {
                fields.append(map.field)
            } else if let known = ImportHeaders.column(forHeader: column) {
                fields.append(known)
            } else {
                // Unknown, or one of Excel's trailing empty columns (skipped without a word).
                fields.append(nil)
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
        for field in Set(fields.compactMap { $0 }) {
            let columns = zip(header, fields).filter { $0.1 == field }.map(\.0)
            if columns.count > 1 { throw .duplicateColumn(file: file, field: field.name, columns: columns) }
        }
        guard fields.contains(.name) || defaulted.contains(.name) else { throw .noNameColumn(file: file) }
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

/// Turns one CSV row into a lead (ID 0), validating every cell with the same rules as
/// the command options. Formula-neutralised cells (`'=…`) are restored first, so an
/// export imports back exactly.
public struct RowConverter: Sendable {
    public let mapping: ImportMapping
    public let config: StoreConfig
    public let now: Timestamp
    public let user: String
    public let decimal: DecimalSeparator?
    public let defaults: [CSVColumn: String]

    public init(mapping: ImportMapping, config: StoreConfig, now: Timestamp, user: String,
                decimal: DecimalSeparator?, defaults: [CSVColumn: String]) {
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
        var values: [CSVColumn: (column: String, value: String)] = [:]
        for (i, field) in mapping.fields.enumerated() {
            guard let field else { continue }
            let raw = i < cells.count ? FormulaGuard.restore(cells[i]) : ""
            if !raw.isEmpty { values[field] = (mapping.header[i], raw) }
        }
        for (field, value) in defaults where values[field] == nil { values[field] = ("--default " + field.name, value) }

        func cell(_ field: CSVColumn) -> (column: String, value: String)? { values[field] }
        func check<T>(_ field: CSVColumn, _ parse: (String, String) throws(FieldError) -> T) -> T? {
            guard let (column, value) = cell(field) else { return nil }
            do { return try parse(value, column) } catch {
                problems.append(RowProblem(line: line, column: column, problem: error.problem, value: value))
                return nil
            }
        }
        func text(_ field: CSVColumn) -> String? { cell(field).flatMap { FieldParser.text($0.value) } }

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
            if case .field(let key) = field { lead.fields[key] = pair.value }
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
