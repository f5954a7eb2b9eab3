/// Cell values read as other values: `--map-value FIELD:SOURCE=TARGET` and a profile's
/// `values` (`stage: "Closed - Converted" → won`). A cell matches a SOURCE when its whole
/// text does, case-insensitively and ignoring surrounding space; the command line wins
/// over the profile.
public struct ValueMap: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var source: String
        public var target: String
        /// "--map-value" or "profile NAME": where the rule came from, for the plan.
        public var origin: String
    }

    /// field name → folded source → entry.
    public private(set) var entries: [String: [String: Entry]] = [:]

    public init() {}

    /// The fields a value may be mapped for: every importable column and `state`.
    public static func isMappable(_ field: String) -> Bool {
        field == ColumnTarget.stateName || CSVColumn.importable.contains { $0.name == field && $0 != .notes }
    }

    public mutating func add(field: String, source: String, target: String, origin: String) {
        entries[field, default: [:]][Self.fold(source)] = Entry(source: source, target: target, origin: origin)
    }

    /// Adds `other`'s rules where this map has none for the same source.
    public mutating func fill(from other: ValueMap) {
        for (field, rules) in other.entries {
            for (key, entry) in rules where entries[field]?[key] == nil { entries[field, default: [:]][key] = entry }
        }
    }

    public func target(_ field: String, _ value: String) -> Entry? {
        guard let rules = entries[field] else { return nil }
        return rules[Self.fold(value)]
    }

    public var isEmpty: Bool { entries.values.allSatisfy(\.isEmpty) }

    /// A name as compared for `--on-duplicate update`: `fold`.
    public static func foldName(_ text: String) -> String { fold(text) }

    /// Lower case, surrounding space cut, inner runs of space as one.
    static func fold(_ text: String) -> String {
        FieldParser.trimmed(text).lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// `stage:Open - Not Contacted=new`: the field up to the first colon, the target after
    /// the last `=`.
    public static func parse(_ raw: String) throws(ImportError) -> (field: String, source: String, target: String) {
        guard let colon = raw.firstIndex(of: ":"), let eq = raw.lastIndex(of: "="), colon < eq else { throw .badMapValue(raw) }
        let field = FieldParser.trimmed(String(raw[..<colon])).lowercased()
        let source = String(raw[raw.index(after: colon)..<eq])
        let target = FieldParser.trimmed(String(raw[raw.index(after: eq)...]))
        guard isMappable(field), !FieldParser.trimmed(source).isEmpty else { throw .badMapValue(raw) }
        return (field, source, target)
    }
}
