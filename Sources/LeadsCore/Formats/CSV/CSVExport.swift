/// A column of `export-csv` (Docs/export.md). The names are the header cells, and what
/// `--fields` and the importer accept.
public enum CSVColumn: Hashable, Sendable {
    case id, name, organization, company, email, phone, address, owner, stage, probability, value, currency
    case weighted, expectedClose, source, campaign, labels, lostReason, nextReminder, lastContact
    case convertedCustomer, created, updated
    /// A custom field: `field:KEY`.
    case field(String)
    /// Every note as a JSON array (`--with-notes`).
    case notes
    /// A column of `--full` only (CSVFullLayout.swift).
    case full(FullColumn)

    /// The stable default order; the custom fields (sorted by key) follow, then `notes`.
    public static let standard: [CSVColumn] = [
        .id, .name, .organization, .company, .email, .phone, .address, .owner, .stage, .probability, .value,
        .currency, .weighted, .expectedClose, .source, .campaign, .labels, .lostReason, .nextReminder,
        .lastContact, .convertedCustomer, .created, .updated,
    ]

    public static let fieldPrefix = "field:"

    public var name: String {
        switch self {
        case .id: return "id"
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
        case .weighted: return "weighted"
        case .expectedClose: return "expected_close"
        case .source: return "source"
        case .campaign: return "campaign"
        case .labels: return "labels"
        case .lostReason: return "lost_reason"
        case .nextReminder: return "next_reminder"
        case .lastContact: return "last_contact"
        case .convertedCustomer: return "converted_customer"
        case .created: return "created"
        case .updated: return "updated"
        case .field(let key): return CSVColumn.fieldPrefix + key
        case .notes: return "notes"
        case .full(let column): return column.name
        }
    }

    /// Every name `init(name:)` accepts besides `field:KEY`.
    public static let names: [String] = (standard + [.notes]).map(\.name)

    /// A column by name, case-insensitively (`field:` too; the key itself keeps its case
    /// and must be a valid custom field name). Nil for anything else.
    public init?(name: String) {
        if name.utf8.count > CSVColumn.fieldPrefix.utf8.count,
           name.lowercased().hasPrefix(CSVColumn.fieldPrefix) {
            let key = String(name.unicodeScalars.dropFirst(CSVColumn.fieldPrefix.unicodeScalars.count))
            guard (try? FieldParser.fieldKey(key, field: "")) != nil else { return nil }
            self = .field(key)
            return
        }
        let lowered = name.lowercased()
        guard let column = (CSVColumn.standard + [.notes]).first(where: { $0.name == lowered }) else { return nil }
        self = column
    }

    /// Written as numbers a spreadsheet may compute with: never formula-neutralised, so
    /// a negative amount stays `-5.00`.
    public var isNumeric: Bool {
        switch self {
        case .id, .probability, .value, .weighted, .convertedCustomer: return true
        default: return false
        }
    }
}

/// How cells are written.
public struct CSVExportFormat: Sendable, Equatable {
    public var delimiter: UInt8
    /// `.` or `,` (`--decimal-comma`) in value and weighted; never a thousands separator.
    public var decimalSeparator: UInt8
    /// Text cells starting with `= + - @`, TAB or CR get a leading `'` (FormulaGuard).
    public var formulaGuard: Bool
    /// A UTF-8 byte order mark before the header.
    public var byteOrderMark: Bool

    public init(delimiter: UInt8 = UInt8(ascii: ","), decimalSeparator: UInt8 = UInt8(ascii: "."),
                formulaGuard: Bool = true, byteOrderMark: Bool = false) {
        self.delimiter = delimiter
        self.decimalSeparator = decimalSeparator
        self.formulaGuard = formulaGuard
        self.byteOrderMark = byteOrderMark
    }

    /// `--excel`: what German Excel opens correctly by double-click.
    public static let excel = CSVExportFormat(delimiter: UInt8(ascii: ";"), decimalSeparator: UInt8(ascii: ","),
                                              formulaGuard: true, byteOrderMark: true)
}

/// Builds `export-csv` output one lead at a time: the header once, then one record per
/// lead, appended to a caller's buffer that it flushes as it likes; no lead is kept.
public struct CSVExport: Sendable {
    public let columns: [CSVColumn]
    public let format: CSVExportFormat
    private let config: StoreConfig
    private let writer: CSVWriter

    /// `format.delimiter` must be ASCII and not `"`, CR, LF or NUL (CSVWriter's rule).
    public init(columns: [CSVColumn], config: StoreConfig, format: CSVExportFormat = CSVExportFormat()) {
        self.columns = columns
        self.format = format
        self.config = config
        self.writer = CSVWriter(delimiter: format.delimiter)
    }

    /// The default columns for these custom field keys: the standard ones, then
    /// `field:KEY` sorted by key, then `notes` if asked for.
    public static func defaultColumns(fieldKeys: some Sequence<String>, notes: Bool) -> [CSVColumn] {
        standard(fieldKeys: fieldKeys) + (notes ? [.notes] : [])
    }

    private static func standard(fieldKeys: some Sequence<String>) -> [CSVColumn] {
        CSVColumn.standard + Set(fieldKeys).sorted().map(CSVColumn.field)
    }

    /// The byte order mark if asked for, and the header record.
    public func appendHeader(to out: inout [UInt8]) {
        if format.byteOrderMark { out.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        writer.append(columns.map { guarded($0.name, numeric: false) }, to: &out)
    }

    /// The lead's record, ended by CRLF.
    /// Cell by cell into `out`, with no array of cells: this runs for every lead exported.
    /// A failure leaves `out` with part of the record; the caller drops it.
    public func append(_ lead: Lead, to out: inout [UInt8]) throws(ReportError) {
        for (i, column) in columns.enumerated() {
            writer.append(guarded(try cell(column, of: lead), numeric: column.isNumeric), first: i == 0, to: &out)
        }
        writer.endRecord(&out)
    }

    private func guarded(_ cell: String, numeric: Bool) -> String {
        format.formulaGuard && !numeric ? FormulaGuard.neutralise(cell) : cell
    }

    /// The lead's cells in column order, before formula neutralisation and CSV quoting.
    public func cells(_ lead: Lead) throws(ReportError) -> [String] {
        var cells: [String] = []
        cells.reserveCapacity(columns.count)
        for column in columns { cells.append(try cell(column, of: lead)) }
        return cells
    }

    private func cell(_ column: CSVColumn, of lead: Lead) throws(ReportError) -> String {
        switch column {
        case .id: return String(lead.id)
        case .name: return lead.name
        case .organization: return lead.organization ? "yes" : "no"
        case .company: return lead.company ?? ""
        case .email: return lead.email ?? ""
        case .phone: return lead.phone ?? ""
        case .address: return lead.address ?? ""
        case .owner: return lead.owner ?? ""
        case .stage: return lead.stage
        case .probability: return lead.probability?.description ?? ""
        case .value: return lead.value.map { amount($0.amount) } ?? ""
        case .currency: return lead.value?.currency ?? ""
        case .weighted:
            do { return try lead.weightedValue(config).map { amount($0.amount) } ?? "" } catch {
                throw .amountTooLarge(lead: lead.id, currency: lead.value?.currency ?? "")
            }
        case .expectedClose: return lead.expectedClose?.iso ?? ""
        case .source: return lead.source ?? ""
        case .campaign: return lead.campaign ?? ""
        case .labels: return lead.labels.joined(separator: ",")
        case .lostReason: return lead.lostReason ?? ""
        case .nextReminder: return lead.nextReminder?.due.stored ?? ""
        case .lastContact: return lead.lastContact?.at.iso8601 ?? ""
        case .convertedCustomer: return lead.conversion.map { String($0.customer) } ?? ""
        case .created: return lead.createdAt.iso8601
        case .updated: return lead.updatedAt.iso8601
        case .field(let key): return lead.fields[key] ?? ""
        case .full(let column): return column.cell(of: lead)
        case .notes:
            guard !lead.notes.isEmpty else { return "" }
            return String(decoding: JSONWriter.compact(.array(lead.notes.map(\.json))), as: UTF8.self)
        }
    }

    /// Never exactly three decimals ("7.1250", not "7.125"), so MoneyParser reads it back
    /// without being told which separator is decimal.
    private func amount(_ amount: Amount) -> String {
        amount.formatted(decimalSeparator: format.decimalSeparator, groupingSeparator: nil, unambiguous: true)
    }
}
