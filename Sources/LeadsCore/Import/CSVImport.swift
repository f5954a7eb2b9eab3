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
        // Everyday headers of CRM exports with no field of their own: kept as custom fields.
        add(.field("website"), "website", "web", "homepage", "webseite")
        add(.field("city"), "city", "ort", "stadt")
        add(.field("zip"), "zip", "zip code", "postal code", "postcode", "plz", "postleitzahl")
        add(.field("state"), "state", "province", "state/province", "bundesland", "region")
        add(.field("country"), "country", "land")
        add(.field("title"), "title", "job title", "position", "designation")
        add(.field("industry"), "industry", "branche")
        add(.field("description"), "description", "beschreibung")
        add(.owner, "contact owner", "deal owner", "owner name", "salesperson", "sales person", "opportunity owner", "record owner")
        add(.created, "create date", "created time", "created date", "created on", "erstellt am")
        add(.updated, "modified time", "last modified date", "last modified time", "modified on", "geändert am")
        add(.value, "expected revenue")
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
        if let full = FullColumn(header: header) { return .full(full) }
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
    /// `profiles`: the built-in ones that would read these columns (`BuiltinProfiles.reading`).
    case unknownColumns(file: String, columns: [String], suggestions: [String: String], profiles: [String])
    /// `places`: each column's place from 1 (nil for a composition), to name a repeated header.
    case duplicateColumn(file: String, field: String, columns: [String], places: [Int?])
    case noNameColumn(file: String)
    case unknownMapColumn(String, header: [String])
    case badMap(String)
    case badMapValue(String)
    case unknownProfile(String, known: [String])
    case badProfile(file: String, reason: String)
    case badDefault(String)
    case invalidDefault(field: String, reason: String)
    case csv(file: String, CSVError)
    /// A CSV error inside one cell (a character after its closing quote; UTF-8 against
    /// `--encoding cp1252` or not UTF-8 behind a UTF-8 byte order mark), with its column as
    /// messages name it (`Name`, `column 3 (no header)`).
    case csvCell(file: String, CSVError, column: String, place: CSVFailurePlace)
    /// UTF-16 input (it starts with a UTF-16 byte order mark) with a lone surrogate or an odd byte at the end.
    case invalidUTF16(file: String, line: Int)
    /// Standard input copied for the second pass would leave the data directory's file
    /// system with less than `keep` bytes free.
    case inputFillsDisk(file: String, copied: Int, keep: Int)
}

/// A write failed (a full disk) after earlier batches were committed: they stay, the
/// batch of `line` and the rest are not imported.
public struct ImportStopped: Error, Sendable {
    public var file: String
    /// The first line of the file not imported.
    public var line: Int
    /// The leads created or updated before it.
    public var committed: Int
    public var error: StoreError
}

/// A row that cannot be imported: `FILE:LINE: column: reason`.
public struct RowProblem: Sendable, Equatable {
    public var line: Int
    public var column: String
    public var problem: FieldProblem
    public var value: String
    /// `stage`, `state` or `owner` when the value names no stage or user: reported once
    /// per value with every line it is on and the `--map-value` that reads it.
    public var unmapped: String?
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
    /// The value rules this row used (field, source as the rule writes it), for the plan.
    public var mapped: [ValueUse] = []
    /// The row's value names its currency (in the cell or a currency column), rather than
    /// taking the store's default: only then does an update change a lead's currency.
    public var currencyGiven = true
}

public struct ValueUse: Sendable, Hashable {
    public var field: String
    public var source: String
    public var target: String
}

/// Turns one CSV row into a lead (ID 0), validating every cell with the same rules as
/// the command options. Formula-neutralised cells (`'=…`) are restored first, so an
/// export imports back exactly.
public struct RowConverter: Sendable {
    public let plan: ColumnPlan
    public let config: StoreConfig
    public let now: Timestamp
    public let user: String
    public let decimal: DecimalSeparator?
    public let defaults: [CSVColumn: String]
    public let values: ValueMap
    public let cells: CellReading

    public init(plan: ColumnPlan, config: StoreConfig, now: Timestamp, user: String,
                decimal: DecimalSeparator?, defaults: [CSVColumn: String], values: ValueMap = ValueMap(),
                cells: CellReading = CellReading()) {
        self.plan = plan
        self.config = config
        self.now = now
        self.user = user
        self.decimal = decimal
        self.defaults = defaults
        self.values = values
        self.cells = cells
    }

    /// Every problem of the row (not just the first), so one run reports them all.
    public func lead(from row: [String], line: Int) -> Result<ConvertedRow, RowProblems> {
        var problems: [RowProblem] = []
        var values: [CSVColumn: (column: String, value: String)] = [:]
        func raw(_ i: Int) -> String { i < row.count ? FormulaGuard.restore(row[i]) : "" }
        for (i, field) in plan.fields.enumerated() {
            guard let field else { continue }
            let cell = raw(i)
            if !cell.isEmpty { values[field] = (plan.header[i], cell) }
        }
        for composition in plan.compositions {
            let parts = composition.columns.map { FieldParser.trimmed(raw($0)) }.filter { !$0.isEmpty }
            if !parts.isEmpty { values[composition.field] = (composition.label, parts.joined(separator: " ")) }
        }
        for (field, value) in defaults where values[field] == nil { values[field] = ("--default " + field.name, value) }
        for (i, entry) in plan.entries.enumerated() where entry.use == .blank {
            let value = raw(i)
            guard !FieldParser.trimmed(value).isEmpty else { continue }
            problems.append(RowProblem(line: line, column: plan.columnLabel(i), problem: .invalid(
                "a value in a column without a header; give the column a header, or keep it with --keep-unknown (as field:\(ColumnPlan.blankColumnKey(i))) or drop it with --drop-unknown"),
                value: value))
        }
        var mapped: [ValueUse] = []
        if !self.values.isEmpty {
            for (field, pair) in values {
                guard let rule = self.values.target(field.name, pair.value) else { continue }
                mapped.append(ValueUse(field: field.name, source: rule.source, target: rule.target))
                if rule.target.isEmpty { values[field] = nil } else { values[field] = (pair.column, rule.target) }
            }
        }

        func cell(_ field: CSVColumn) -> (column: String, value: String)? { values[field] }
        func check<T>(_ field: CSVColumn, _ parse: (String, String) throws(FieldError) -> T) -> T? {
            guard let (column, value) = cell(field) else { return nil }
            do { return try parse(value, column) } catch {
                problems.append(RowProblem(line: line, column: column, problem: error.problem, value: value))
                return nil
            }
        }
        func text(_ field: CSVColumn) -> String? { cell(field).flatMap { FieldParser.text($0.value) } }
        func unmapped(_ field: String, column: String, value: String, problem: FieldProblem) {
            // The value as the file writes it: that is what a --map-value rule matches.
            let original = mapped.first { $0.field == field }?.source ?? value
            problems.append(RowProblem(line: line, column: column, problem: problem, value: original, unmapped: field))
        }

        let name = check(.name) { v, c throws(FieldError) in try FieldParser.name(v, field: c) }
        if cell(.name) == nil {
            let column = plan.columnName(of: .name) ?? plan.header.first ?? "name"
            problems.append(RowProblem(line: line, column: column, problem: .invalid("a name is required"), value: ""))
        }
        var stage = config.stages[0]
        if let (column, value) = cell(.stage) {
            do { stage = try FieldParser.stage(value, field: column, config: config) } catch {
                unmapped("stage", column: column, value: value, problem: error.problem)
            }
        }
        if let index = plan.stateColumn, case let state = FieldParser.trimmed(raw(index)), !state.isEmpty {
            // The state beside a stage: a closed one (won, lost, dnc) wins over the stage;
            // `open` (or an open stage where the row has none) leaves the stage to decide.
            let rule = self.values.target(ColumnTarget.stateName, state)
            if let rule { mapped.append(ValueUse(field: ColumnTarget.stateName, source: rule.source, target: rule.target)) }
            let target = rule?.target ?? state
            if !["open", "-", ""].contains(target.lowercased()) {
                do {
                    let named = try FieldParser.stage(target, field: plan.header[index], config: config)
                    if named.closed || cell(.stage) == nil { stage = named }
                } catch {
                    problems.append(RowProblem(line: line, column: plan.header[index], problem: error.problem, value: state,
                                               unmapped: ColumnTarget.stateName))
                }
            }
        }
        var lead = Lead(id: 0, name: name ?? "", stage: stage.name, createdAt: now, createdBy: user)
        lead.organization = check(.organization) { v, c throws(FieldError) in try Self.bool(v, field: c) } ?? false
        lead.company = text(.company)
        lead.email = check(.email) { v, c throws(FieldError) in try FieldParser.email(v, field: c) }
        lead.phone = text(.phone)
        lead.address = text(.address)
        // In the full layout an empty owner is a lead without one, as exported.
        lead.owner = plan.isFullLayout ? nil : user
        if let (column, value) = cell(.owner) {
            do {
                let text = try FieldParser.name(value, field: column)
                switch config.users.isEmpty ? .none : config.users.resolve(text) {
                case .user(let found): lead.owner = found.name
                case .none where config.users.isEmpty: lead.owner = text
                case .none: unmapped("owner", column: column, value: value, problem: .invalid("names no user"))
                case .ambiguous(let names):
                    problems.append(RowProblem(line: line, column: column, problem: .invalid("names several users: " + names.joined(separator: ", ")), value: value))
                }
            } catch {
                problems.append(RowProblem(line: line, column: column, problem: error.problem, value: value))
            }
        }
        lead.source = text(.source)
        lead.campaign = text(.campaign)
        lead.lostReason = text(.lostReason)
        // leads' own exports write percent, as `--probability PCT` takes it.
        lead.probability = check(.probability) { v, c throws(FieldError) in
            plan.isOwnExport ? try FieldParser.probability(v, field: c) : try cells.probability(v, field: c)
        }
        let currency = check(.currency) { v, c throws(FieldError) in try FieldParser.currency(v, field: c) }
        // A currency cell beside an empty amount (MOCO, Excel templates) leaves the lead
        // without a value: the currency alone says nothing.
        var currencyGiven = true
        lead.value = check(.value) { v, c throws(FieldError) in
            let read = try FieldParser.moneyAndWhetherCurrencyIsGiven(v, field: c, currency: currency, defaultCurrency: config.currency, decimal: decimal, cell: true)
            currencyGiven = read.given
            // Another system's amount finer than its currency's cents is a misread cell
            // (SPEC §5); the store's own exports carry its four digits back.
            let minor = MoneyParser.minorUnits(read.money.currency)
            var step: Int64 = 1
            for _ in 0..<max(0, Amount.fractionDigits - minor) { step *= 10 }
            if !plan.isOwnExport, minor < Amount.fractionDigits, read.money.amount.units % step != 0 {
                throw FieldError(field: c, value: v, problem: .money(.beyondMinorUnits(v, currency: read.money.currency, minorUnits: minor)))
            }
            return read.money
        }
        lead.expectedClose = check(.expectedClose) { v, c throws(FieldError) in try cells.date(v, field: c, now: now) }
        // The export joins labels with `,` (a label never holds one, but may hold `;`);
        // other files may use `;` too.
        lead.labels = check(.labels) { v, c throws(FieldError) in
            plan.isOwnExport ? try FieldParser.labels(v, field: c) : try cells.labels(v, field: c)
        } ?? []
        for (field, pair) in values {
            if case .field(let key) = field { lead.fields[key] = pair.value }
        }
        if let created = check(.created, { v, c throws(FieldError) in try cells.instant(v, field: c, now: now) }) {
            lead.createdAt = created
            lead.updatedAt = created
        }
        if let updated = check(.updated, { v, c throws(FieldError) in try cells.instant(v, field: c, now: now) }) {
            lead.updatedAt = updated
        }
        if let due = check(.nextReminder, { v, c throws(FieldError) in try cells.when(v, field: c, now: now) }) {
            lead.reminders = [Reminder(number: 1, due: due, text: "", owner: lead.owner ?? user, createdAt: now)]
        }
        if plan.isFullLayout {
            readFullLayout(cell, into: &lead, problems: &problems, line: line)
        } else if let contact = check(.lastContact, { v, c throws(FieldError) in try Self.contact(v, field: c, now: now, user: user) }) {
            lead.lastContact = contact
        }
        if let notes = check(.notes, { v, c throws(FieldError) in try NoteCell.decode(v, field: c, now: now, user: user) }) {
            lead.notes = notes
        }
        guard problems.isEmpty else {
            // Reported in the file's column order, as a reader scans the row.
            let position = { (problem: RowProblem) in plan.header.firstIndex(of: problem.column) ?? Int.max }
            let ordered = problems.enumerated().sorted { (position($0.element), $0.offset) < (position($1.element), $1.offset) }
            return .failure(RowProblems(problems: ordered.map(\.element)))
        }
        return .success(ConvertedRow(lead: lead, present: Set(values.keys), mapped: mapped, currencyGiven: currencyGiven))
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
        // Continuation rows (Frappe child tables) join their notes with U+001E.
        guard raw.utf8.contains(0x1E) else {
            guard FieldParser.text(raw) != nil else { return [] }
            return [Note(at: now, by: user, text: raw, contacted: false)]
        }
        return raw.unicodeScalars.split(separator: "\u{1E}").map(String.init).filter { FieldParser.text($0) != nil }.map {
            Note(at: now, by: user, text: $0, contacted: false)
        }
    }

    /// Separates the notes of a parent row and its continuation rows in one cell.
    public static let continuation: Character = "\u{1E}"

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
