/// Counts, problems and what was read how, of one import (or dry run): the summary, the
/// dry run's plan and `--json` all come from here.
public struct ImportReport: Sendable {
    /// One reason a row was rejected; a row may have several (one per bad cell).
    public struct Problem: Sendable { public var line: Int; public var reason: RowRejection }

    /// A stage, state or owner value that names nothing, with every line it is on.
    public struct Unmapped: Sendable {
        public var field: String
        public var value: String
        public var column: String
        public var lines: [Int] = []
        /// The stages there are (for stage and state), from the error.
        public var stages: [String] = []
    }

    /// Rows that are no leads: report footers and continuation rows.
    public struct Passed: Sendable {
        public enum What: Sendable, Equatable {
            /// `Grand Totals (30 records)`: its text.
            case footer(String)
            /// A Frappe child-table row, joined to the record starting on line `parent`.
            case continuation(parent: Int)
        }

        public var line: Int
        public var what: What
        public init(line: Int, what: What) {
            self.line = line
            self.what = what
        }
    }

    public var file: String
    public var dryRun: Bool
    public var created = 0, updated = 0, skipped = 0, rejected = 0
    public var problems: [Problem] = []
    public var ids: [Int] = []
    public var plan: ColumnPlan?
    /// In the order first met.
    public var unmapped: [Unmapped] = []
    private var unmappedIndex: [String: Int] = [:]
    public var valueUses: [ValueUse: Int] = [:]
    public var passed: [Passed] = []
    /// Up to three rows as they would be stored, for the dry run.
    public var samples: [(line: Int, lead: Lead)] = []
    /// `--dry-run` with `--on-duplicate update`: line → lead and the fields it would change.
    public var updates: [(line: Int, lead: Int, fields: [String])] = []

    public init(file: String, dryRun: Bool) {
        self.file = file
        self.dryRun = dryRun
    }

    public mutating func reject(line: Int, reasons: [RowRejection]) {
        rejected += 1
        for reason in reasons { problems.append(Problem(line: line, reason: reason)) }
    }

    public mutating func unmapped(_ problem: RowProblem) {
        guard let field = problem.unmapped else { return }
        let key = field + "\u{0}" + ValueMap.fold(problem.value)
        if let i = unmappedIndex[key] {
            if unmapped[i].lines.last != problem.line { unmapped[i].lines.append(problem.line) }
        } else {
            unmappedIndex[key] = unmapped.count
            var stages: [String] = []
            if case .stage(.unknown(_, let valid)) = problem.problem { stages = valid }
            if case .stage(.ambiguous(_, let candidates)) = problem.problem { stages = candidates }
            unmapped.append(Unmapped(field: field, value: problem.value, column: problem.column, lines: [problem.line], stages: stages))
        }
    }

    /// `--json`; the problems and passed rows in the words the caller gives them.
    public func json(written: Bool, message: (RowRejection) -> String, what: (Passed.What) -> String) -> JSONValue {
        var object: [String: JSONValue] = [
            "file": .string(file), "dry_run": .bool(dryRun), "written": .bool(written),
            "created": .number(String(created)), "updated": .number(String(updated)),
            "skipped": .number(String(skipped)), "rejected": .number(String(rejected)),
            "ids": .array(Self.ranges(ids).map(JSONValue.string)),
            "problems": .array(problems.map { .object(["line": .number(String($0.line)), "message": .string(message($0.reason))]) }),
            "unmapped": .array(unmapped.map {
                .object(["field": .string($0.field), "value": .string($0.value), "column": .string($0.column),
                         "lines": .array($0.lines.map { .number(String($0)) })])
            }),
            "passed": .array(passed.map { .object(["line": .number(String($0.line)), "what": .string(what($0.what))]) }),
            "values": .array(valueUses.sorted { ($0.key.field, $0.key.source) < ($1.key.field, $1.key.source) }.map {
                .object(["field": .string($0.key.field), "source": .string($0.key.source), "target": .string($0.key.target),
                         "rows": .number(String($0.value))])
            }),
        ]
        if let plan {
            object["columns"] = .array(plan.entries.map { entry in
                var item: [String: JSONValue] = ["header": .string(entry.header), "use": .string(Self.useName(entry.use)),
                                                 "origin": .string(entry.origin)]
                switch entry.use {
                case .field(let column): item["field"] = .string(column.name)
                case .part(let column, let columns):
                    item["field"] = .string(column.name)
                    item["composed_of"] = .array(columns.map(JSONValue.string))
                case .state: item["field"] = .string(ColumnTarget.stateName)
                case .exportOnly, .dropped, .blank: break
                }
                return .object(item)
            })
        }
        return .object(object)
    }

    public static func useName(_ use: ColumnPlan.Use) -> String {
        switch use {
        case .field: return "field"
        case .part: return "composed"
        case .state: return "state"
        case .exportOnly: return "export-only"
        case .dropped: return "dropped"
        case .blank: return "blank"
        }
    }

    /// [1,2,3,7] → ["1-3", "7"]: the ID-list syntax every command accepts.
    public static func ranges(_ ids: [Int]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < ids.count {
            var j = i
            while j + 1 < ids.count && ids[j + 1] == ids[j] + 1 { j += 1 }
            out.append(i == j ? String(ids[i]) : "\(ids[i])-\(ids[j])")
            i = j + 1
        }
        return out
    }
}

/// Why a row is not imported, as a value: the command words it (ErrorReport).
public enum RowRejection: Sendable, Equatable {
    /// More non-empty cells than the header has columns.
    case cells(count: Int, columns: Int)
    case cell(RowProblem)
    /// The person is on the suppression list: the entry, described without the person.
    case suppressed(rule: String)
    case duplicateOfLine(Int)
    case duplicateOfLead(Int, DuplicateMatch)
    /// `--on-duplicate update` matched by e-mail address a row or lead of another name.
    case otherNameThanLine(Int)
    case otherNameThanLead(Int)
}
