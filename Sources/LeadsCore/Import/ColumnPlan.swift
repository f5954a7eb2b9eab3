/// What a column may become: a field (standard or `field:KEY`), the open/won/lost
/// `state` beside a stage (Pipedrive's Status, MOCO's Status), or nothing (`-`).
public enum ColumnTarget: Sendable, Equatable {
    case field(CSVColumn)
    case state
    case drop

    public static let stateName = "state"

    public static func parse(_ text: String) -> ColumnTarget? {
        if text.lowercased() == stateName { return .state }
        switch ImportHeaders.column(named: text) {
        case .some(.some(let column)): return .field(column)
        case .some(.none): return .drop
        case .none: return nil
        }
    }
}

/// Every header of a file with what it becomes, and why: the first thing `--dry-run`
/// prints, and what the summary names when a column is not imported.
public struct ColumnPlan: Sendable {
    public enum Use: Sendable, Equatable {
        case field(CSVColumn)
        /// One of the columns a field is composed from.
        case part(CSVColumn, columns: [String])
        case state
        /// A column the importer knows as derived or store-specific (`id`, `weighted`, `customer`).
        case exportOnly
        case dropped
        /// An empty header (Excel's trailing columns).
        case blank
    }

    public struct Entry: Sendable, Equatable {
        public var header: String
        public var use: Use
        /// "header", "--map", "profile hubspot", "--keep-unknown", …
        public var origin: String
    }

    /// What a run was told about columns.
    public struct Rules: Sendable {
        public var maps: [(column: String, target: ColumnTarget)] = []
        public var compositions: [Composition] = []
        public var profile: ImportProfile?
        public var unknown: UnknownColumns?
        /// Fields `--default` fills, so the file need not have them (the name).
        public var defaulted: Set<CSVColumn> = []

        public init() {}
    }

    public let header: [String]
    public let entries: [Entry]
    /// The field each column holds directly; nil where it holds none.
    public let fields: [CSVColumn?]
    /// Composed fields with the positions of their columns, in joining order.
    public let compositions: [(field: CSVColumn, columns: [Int], label: String)]
    public let stateColumn: Int?
    /// The header has a column of `export-csv --full` (`created_by`, `reminder_1_due`…):
    /// the row is a whole lead, read back exactly (RowConverter+FullLayout.swift).
    public let isFullLayout: Bool
    /// The file is `export-csv`'s own, full or default: its header starts with the
    /// standard columns, named and ordered as the export writes them. Its labels are
    /// joined with `,` only and its amounts carry the store's four digits.
    public let isOwnExport: Bool

    public init(file: String, header rawHeader: [String], rules: Rules = Rules()) throws(ImportError) {
        let header = rawHeader.map(FormulaGuard.restore)
        let normalised = header.map(ImportHeaders.normalise)
        // A name is a header first; `column N` names the Nth column by its place where no
        // header is called that (a repeated header, a blank one), as messages name them.
        func place(_ column: String) -> Int? {
            guard !normalised.contains(ImportHeaders.normalise(column)) else { return nil }
            return Self.place(column, count: header.count)
        }
        func position(_ column: String) -> Int? { normalised.firstIndex(of: ImportHeaders.normalise(column)) ?? place(column) }
        // `--map "First Name+Last Name=name"`: a composition, unless a header is called that.
        var rules = rules
        for map in rules.maps where position(map.column) == nil {
            let parts = map.column.split(separator: "+").map { FieldParser.trimmed(String($0)) }
            guard parts.count > 1, case .field(let field) = map.target else { throw .unknownMapColumn(map.column, header: header) }
            rules.compositions.append(Composition(field: field, columns: parts))
        }
        rules.maps.removeAll { position($0.column) == nil }
        for composition in rules.compositions {
            for column in composition.columns where position(column) == nil { throw .unknownMapColumn(column, header: header) }
        }
        let unknownRule = rules.unknown ?? rules.profile?.unknownColumns ?? .refuse
        let profileOrigin = "profile " + (rules.profile?.name ?? "")
        var entries: [Entry] = []
        var unknown: [String] = []
        func use(of target: ColumnTarget) -> Use {
            switch target {
            case .field(let column): return .field(column)
            case .state: return .state
            case .drop: return .dropped
            }
        }
        for (i, column) in header.enumerated() {
            if let map = rules.maps.last(where: { place($0.column) == i }) {
                entries.append(Entry(header: column, use: use(of: map.target), origin: "--map"))
            } else if let map = rules.maps.last(where: { ImportHeaders.normalise($0.column) == normalised[i] }) {
                entries.append(Entry(header: column, use: use(of: map.target), origin: "--map"))
            } else if let target = rules.profile?.headers[normalised[i]] {
                entries.append(Entry(header: column, use: use(of: target), origin: profileOrigin))
            } else if let known = ImportHeaders.column(forHeader: column) {
                entries.append(Entry(header: column, use: known.map(Use.field) ?? .exportOnly, origin: "header"))
            } else if column.allSatisfy(\.isWhitespace) {
                // Excel's trailing columns are empty; a row with a value under no header is
                // refused (RowConverter) unless the command line said what such columns are.
                switch rules.unknown {
                case .keep?: entries.append(Entry(header: column, use: .field(.field(Self.blankColumnKey(i))), origin: "--keep-unknown"))
                case .drop?: entries.append(Entry(header: column, use: .dropped, origin: "--drop-unknown"))
                default: entries.append(Entry(header: column, use: .blank, origin: "header"))
                }
            } else {
                switch unknownRule {
                case .keep: entries.append(Entry(header: column, use: .field(.field(Self.fieldKey(column))), origin: "--keep-unknown"))
                case .drop: entries.append(Entry(header: column, use: .dropped, origin: "--drop-unknown"))
                case .refuse:
                    entries.append(Entry(header: column, use: .dropped, origin: "unknown"))
                    unknown.append(column)
                }
            }
        }
        // A header that repeats an earlier one (two `Email` columns, as some CRM exports
        // write) and would hold the same: which is the field cannot be told by name, so it
        // is an unknown column as far as the rules go: refused below naming both by place
        // unless `--map 'column N=…'` said what it is, kept as `field:Email_2` with
        // --keep-unknown, dropped with --drop-unknown.
        for i in entries.indices where !header[i].allSatisfy(\.isWhitespace) && !rules.maps.contains(where: { place($0.column) == i }) {
            guard case .field = entries[i].use,
                  let first = normalised[..<i].firstIndex(of: normalised[i]), entries[first].use == entries[i].use else { continue }
            let ordinal = normalised[...i].filter { $0 == normalised[i] }.count
            switch unknownRule {
            case .keep: entries[i] = Entry(header: header[i], use: .field(.field(Self.fieldKey(header[i]) + "_\(ordinal)")), origin: "--keep-unknown")
            case .drop: entries[i] = Entry(header: header[i], use: .dropped, origin: "--drop-unknown")
            case .refuse: break
            }
        }
        let isFullLayout = entries.contains { if case .field(.full) = $0.use { true } else { false } }
        if isFullLayout {
            // Its reminders replace the derived next_reminder; its conversion is read whole.
            for i in entries.indices where entries[i].origin == "header" {
                if header[i] == CSVColumn.nextReminder.name { entries[i].use = .exportOnly }
                if header[i] == CSVColumn.convertedCustomer.name { entries[i].use = .field(.convertedCustomer) }
            }
        }
        // Compositions: the command line's always; a profile's only where no column holds
        // the field itself (ERPNext writes Full Name beside First Name and Last Name).
        var compositions: [(field: CSVColumn, columns: [Int], label: String)] = []
        func compose(_ composition: Composition, origin: String, present: [Int]) {
            for i in present {
                entries[i] = Entry(header: header[i], use: .part(composition.field, columns: present.map { header[$0] }), origin: origin)
                unknown.removeAll { $0 == header[i] }
            }
            compositions.append((composition.field, present, present.map { header[$0] }.joined(separator: "+")))
        }
        for composition in rules.compositions {
            compose(composition, origin: "--map", present: composition.columns.compactMap(position))
        }
        for composition in rules.profile?.compositions ?? [] where !compositions.contains(where: { $0.field == composition.field }) {
            let present = composition.columns.compactMap(position)
            let direct = entries.enumerated().contains { !present.contains($0.offset) && $0.element.use == .field(composition.field) }
            if !present.isEmpty && !direct { compose(composition, origin: profileOrigin, present: present) }
        }
        if !unknown.isEmpty {
            var suggestions: [String: String] = [:]
            for column in unknown {
                if let near = Self.nearestName(ImportHeaders.normalise(column)) { suggestions[column] = near }
            }
            let profiles = rules.profile == nil ? BuiltinProfiles.reading(unknown) : []
            throw .unknownColumns(file: file, columns: unknown, suggestions: suggestions, profiles: profiles)
        }
        var fields: [CSVColumn?] = []
        for entry in entries {
            if case .field(let column) = entry.use { fields.append(column) } else { fields.append(nil) }
        }
        var claimed: [CSVColumn: [(column: String, place: Int?)]] = [:]
        for (i, field) in fields.enumerated() { if let field { claimed[field, default: []].append((header[i], i + 1)) } }
        for composition in compositions { claimed[composition.field, default: []].append((composition.label, nil)) }
        for (field, columns) in claimed.sorted(by: { $0.key.name < $1.key.name }) where columns.count > 1 {
            throw .duplicateColumn(file: file, field: field.name, columns: columns.map(\.column), places: columns.map(\.place))
        }
        let states = entries.indices.filter { entries[$0].use == .state }
        if states.count > 1 {
            throw .duplicateColumn(file: file, field: ColumnTarget.stateName, columns: states.map { header[$0] }, places: states.map { $0 + 1 })
        }
        guard claimed[.name] != nil || rules.defaulted.contains(.name) else { throw .noNameColumn(file: file) }
        self.header = header
        self.entries = entries
        self.fields = fields
        self.compositions = compositions
        self.stateColumn = states.first
        self.isFullLayout = isFullLayout
        self.isOwnExport = isFullLayout || header.count >= CSVColumn.standard.count
            && zip(header, CSVColumn.standard).allSatisfy { $0 == $1.name }
    }

    /// The columns whose cells are not imported (not blank ones), for the summary.
    public var notImported: [Entry] {
        entries.filter { $0.use == .exportOnly || $0.use == .dropped }
    }

    /// The header where a field's cells come from, for messages.
    public func columnName(of field: CSVColumn) -> String? {
        if let i = fields.firstIndex(of: field) { return header[i] }
        return compositions.first { $0.field == field }?.label
    }

    /// `column 3` (case and spacing aside): the third column, when 1 ≤ 3 ≤ `count`.
    public static func place(_ name: String, count: Int) -> Int? {
        let words = ImportHeaders.normalise(name).split(separator: " ")
        guard words.count == 2, words[0] == "column", words[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              words[1].count <= 6, let n = Int(words[1]), (1...count).contains(n) else { return nil }
        return n - 1
    }

    /// `--keep-unknown` for a column without a header: `field:column_3` for the third.
    public static func blankColumnKey(_ index: Int) -> String { "column_\(index + 1)" }

    /// How messages name a column: its header, or its place when it has none.
    public func columnLabel(_ index: Int) -> String {
        header[index].allSatisfy(\.isWhitespace) ? "column \(index + 1) (no header)"
            : isRepeated(index) ? header[index] + " (column \(index + 1))" : header[index]
    }

    /// Another column has the same header (case and spacing aside): messages and the plan
    /// add its place, `Email (column 4)`, the name `--map 'column 4=…'` takes.
    public func isRepeated(_ index: Int) -> Bool {
        let name = ImportHeaders.normalise(header[index])
        return !header[index].allSatisfy(\.isWhitespace) && header.indices.contains { $0 != index && ImportHeaders.normalise(header[$0]) == name }
    }

    /// `--keep-unknown`: "Job Title" → `field:Job_Title` (a custom field key is letters,
    /// digits, `_`, `-` and `.`).
    public static func fieldKey(_ header: String) -> String {
        var key = ""
        for scalar in FieldParser.trimmed(header).unicodeScalars {
            let ok = scalar.properties.isAlphabetic || (scalar.value >= 0x30 && scalar.value <= 0x39) || scalar == "-" || scalar == "."
            if ok { key.unicodeScalars.append(scalar) } else if !key.isEmpty && !key.hasSuffix("_") { key.append("_") }
        }
        while key.hasSuffix("_") { key.removeLast() }
        if key.isEmpty { key = "column" }
        return String(key.prefix(64))
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
