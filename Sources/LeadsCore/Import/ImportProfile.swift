/// What a source system's export looks like, as data: `--from SYSTEM` reads a built-in
/// one (BuiltinProfiles.swift), `--profile FILE` a team's own, both in this one schema
/// (Docs/import.md). A profile only fills in what the command line leaves open: every
/// flag wins over it.
public struct ImportProfile: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Header (normalised as `ImportHeaders.normalise`) → what the column becomes.
    public var headers: [String: ColumnTarget] = [:]
    /// Fields composed from several columns, used when no column holds the field itself.
    public var compositions: [Composition] = []
    public var values = ValueMap()
    public var cells = CellReading()
    public var decimal: DecimalSeparator?
    /// A row whose only text is a cell starting with one of these (case-insensitively) is
    /// a report footer, not a lead.
    public var footers: [String] = []
    /// Frappe's child-table rows: a row whose cell in this column is empty continues the
    /// row before it (its notes are added to that lead).
    public var continuationColumn: String?
    public var unknownColumns: UnknownColumns?

    public init(name: String, description: String = "") {
        self.name = name
        self.description = description
    }

    /// Reads a profile; `file` names it in messages.
    public static func parse(_ bytes: [UInt8], file: String) throws(ImportError) -> ImportProfile {
        let root: JSONValue
        do { root = try JSONReader.parse(bytes) } catch {
            throw .badProfile(file: file, reason: "not valid JSON (line \(error.line), column \(error.column))")
        }
        func fail(_ reason: String) -> ImportError { .badProfile(file: file, reason: reason) }
        guard case .object(let object) = root else { throw fail("a profile is a JSON object") }
        let known: Set<String> = ["format", "name", "description", "headers", "compose", "values", "date_order", "century", "decimal",
                                  "probability_scale", "label_separators", "footers", "continuation_column", "unknown_columns"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("unknown key \"\(unknown)\"; a profile has \(known.sorted().joined(separator: ", "))")
        }
        func string(_ key: String) throws(ImportError) -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw fail("\"\(key)\" must be a string")
            }
        }
        func strings(_ value: JSONValue, _ key: String) throws(ImportError) -> [String] {
            guard case .array(let items) = value else { throw fail("\"\(key)\" must be a list of strings") }
            var out: [String] = []
            for item in items {
                guard case .string(let text) = item else { throw fail("\"\(key)\" must be a list of strings") }
                out.append(text)
            }
            return out
        }
        if let format = object["format"], format != .number("1") { throw fail("\"format\" must be 1") }
        var profile = ImportProfile(name: try string("name") ?? file, description: try string("description") ?? "")
        if let headers = object["headers"] {
            guard case .object(let table) = headers else { throw fail("\"headers\" must map header names to fields") }
            for (header, target) in table {
                guard case .string(let text) = target, let parsed = ColumnTarget.parse(text) else {
                    throw fail("headers: \"\(header)\" must map to a field name, field:KEY, state or -")
                }
                profile.headers[ImportHeaders.normalise(header)] = parsed
            }
        }
        if let compose = object["compose"] {
            guard case .object(let table) = compose else { throw fail("\"compose\" must map a field to a list of columns") }
            for (field, columns) in table.sorted(by: { $0.key < $1.key }) {
                guard case .field(let column)? = ColumnTarget.parse(field) else { throw fail("compose: \"\(field)\" is not a field") }
                let parts = try strings(columns, "compose." + field)
                guard parts.count >= 2 else { throw fail("compose: \"\(field)\" needs at least two columns") }
                profile.compositions.append(Composition(field: column, columns: parts))
            }
        }
        if let values = object["values"] {
            guard case .object(let table) = values else { throw fail("\"values\" must map a field to its value table") }
            for (field, rules) in table {
                guard ValueMap.isMappable(field), case .object(let pairs) = rules else {
                    throw fail("values: \"\(field)\" must be a field name (stage, state, owner, …) with an object of SOURCE: TARGET")
                }
                for (source, target) in pairs {
                    guard case .string(let text) = target else { throw fail("values.\(field): \"\(source)\" must map to a string") }
                    profile.values.add(field: field, source: source, target: text, origin: "profile " + profile.name)
                }
            }
        }
        if let order = try string("date_order") {
            guard let parsed = DateOrder(rawValue: order.uppercased()) else { throw fail("\"date_order\" must be DMY, MDY or YMD") }
            profile.cells.dateOrder = parsed
        }
        switch object["century"] {
        case nil, .null?: break
        case .number(let text)? where Int(text).map(CellReading.isCentury) ?? false: profile.cells.century = Int(text)
        default: throw fail("\"century\" must be a year that starts a century, such as 2000")
        }
        switch try string("decimal") {
        case nil: break
        case "."?: profile.decimal = .point
        case ","?: profile.decimal = .comma
        default: throw fail("\"decimal\" must be \".\" or \",\"")
        }
        if let scale = try string("probability_scale") {
            guard let parsed = ProbabilityScale(rawValue: scale) else { throw fail("\"probability_scale\" must be percent or fraction") }
            profile.cells.probabilityScale = parsed
        }
        if let separators = try string("label_separators") {
            guard !separators.isEmpty else { throw fail("\"label_separators\" must not be empty") }
            profile.cells.labelSeparators = separators
        }
        if let footers = object["footers"] { profile.footers = try strings(footers, "footers") }
        profile.continuationColumn = try string("continuation_column")
        if let unknown = try string("unknown_columns") {
            guard let parsed = UnknownColumns(rawValue: unknown) else { throw fail("\"unknown_columns\" must be keep, drop or refuse") }
            profile.unknownColumns = parsed
        }
        return profile
    }

    /// Whether a row is one of the profile's footer lines: its only text starts with a
    /// footer prefix. Returns that text.
    public func footer(_ cells: [String]) -> String? {
        guard !footers.isEmpty else { return nil }
        let filled = cells.filter { !FieldParser.trimmed($0).isEmpty }
        guard filled.count == 1 else { return nil }
        let text = FieldParser.trimmed(filled[0])
        let folded = text.lowercased()
        return footers.contains { folded.hasPrefix($0.lowercased()) } ? text : nil
    }
}

/// A field made of several columns (`--map "First Name+Last Name=name"`): the non-empty
/// cells joined with a space, in this order.
public struct Composition: Sendable, Equatable {
    public var field: CSVColumn
    public var columns: [String]

    public init(field: CSVColumn, columns: [String]) {
        self.field = field
        self.columns = columns
    }
}

/// What becomes of a column that no header name, map or profile claims.
public enum UnknownColumns: String, Sendable, Equatable {
    /// Read as the custom field `field:<header>`.
    case keep
    /// Not read; named in the plan and the summary.
    case drop
    /// Refused by name (the default without a profile).
    case refuse
}

extension CellReading {
    static func isCentury(_ year: Int) -> Bool { year >= 0 && year <= 9900 && year % 100 == 0 }
}
