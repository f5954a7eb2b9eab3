import LeadsCore

/// The words of an import's report: the dry run's column plan, the values that name
/// nothing (once each, with their lines and the `--map-value` that reads them), and
/// what a real run did not import.
struct ImportReportView {
    let report: ImportReport

    /// `--dry-run`: every column with what it becomes, the value rules used, rows that
    /// are no leads, the updates, and up to three rows as they would be stored.
    func plan() -> [String] {
        var lines: [String] = []
        if let plan = report.plan {
            lines.append("columns:")
            // A repeated header (two `Email` columns) is named with its place, as --map names it.
            let headers = plan.entries.indices.map { printable(plan.entries[$0].header) + (plan.isRepeated($0) ? " (column \($0 + 1))" : "") }
            let width = min(28, headers.map(\.count).max() ?? 0)
            for (entry, header) in zip(plan.entries, headers) {
                lines.append("  " + header + String(repeating: " ", count: max(1, width + 2 - header.count)) + Self.describe(entry))
            }
        }
        if !report.valueUses.isEmpty {
            lines.append("values:")
            for (use, rows) in report.valueUses.sorted(by: { ($0.key.field, $0.key.source) < ($1.key.field, $1.key.source) }) {
                let target = use.target.isEmpty ? "(empty)" : printable(use.target)
                lines.append("  \(use.field): \(ErrorReport.quoted(use.source)) → \(target) (\(rows == 1 ? "1 row" : "\(rows) rows"))")
            }
        }
        for passed in report.passed { lines.append("\(report.file):\(passed.line): " + Self.describe(passed.what)) }
        for update in report.updates {
            lines.append("\(report.file):\(update.line): would update lead \(update.lead): "
                         + (update.fields.isEmpty ? "nothing new" : update.fields.joined(separator: ", ")))
        }
        if !report.samples.isEmpty {
            lines.append("rows:")
            for sample in report.samples { lines.append("  line \(sample.line): " + Self.describe(sample.lead)) }
        }
        return lines
    }

    /// Why a row was rejected, after `FILE:LINE: `.
    static func message(_ reason: RowRejection) -> String {
        let hint = "; use --on-duplicate skip, update or create"
        let notMerged = " but another name; not merged (use --on-duplicate create to import it as a lead of its own)"
        switch reason {
        case .cells(let count, let columns): return "\(count) cells but the header has \(columns) columns"
        case .cell(let problem): return "\(problem.column): " + ErrorReport.problem(problem.problem, value: problem.value)
        case .suppressed(let rule):
            return "refused by \(rule): this person asked not to be contacted (leads suppress); --on-duplicate skip leaves such rows out"
        case .duplicateOfLine(let line): return "duplicate of line \(line)" + hint
        case .duplicateOfLead(let id, let match):
            return "duplicate of lead \(id) (same \(match == .email ? "e-mail address" : "name and company"))" + hint
        case .otherNameThanLine(let line): return "same e-mail address as line \(line)" + notMerged
        case .otherNameThanLead(let id): return "same e-mail address as lead \(id)" + notMerged
        }
    }

    /// A row that is no lead.
    static func describe(_ what: ImportReport.Passed.What) -> String {
        switch what {
        case .footer(let text): return "a report footer, not a lead: " + ErrorReport.quoted(text)
        case .continuation(let parent): return "continues the record of line \(parent) (a child-table row)"
        }
    }

    static func describe(_ entry: ColumnPlan.Entry) -> String {
        let origin = entry.origin == "header" ? "" : " (\(entry.origin))"
        switch entry.use {
        case .field(let column): return "→ \(column.name)" + origin
        case .part(let column, let columns): return "→ \(column.name), composed of \(columns.map(printable).joined(separator: " + "))" + origin
        case .state: return "→ state: a closed state (won, lost, dnc) wins over the stage" + origin
        case .exportOnly:
            return "ignored: an export-only column; keep it with --map \(ErrorReport.quoted(entry.header + "=field:KEY"))"
        case .dropped: return "dropped" + origin
        case .blank: return "no header: its cells must be empty (--keep-unknown keeps them, --drop-unknown drops them)"
        }
    }

    static func describe(_ lead: Lead) -> String {
        var parts = ["name " + ErrorReport.quoted(lead.name), "stage " + lead.stage]
        if let company = lead.company { parts.append("company " + ErrorReport.quoted(company)) }
        if let email = lead.email { parts.append("email " + email) }
        if let owner = lead.owner { parts.append("owner " + printable(owner)) }
        if let value = lead.value { parts.append("value \(value.amount.canonical) \(value.currency)") }
        if let probability = lead.probability { parts.append("probability \(probability) %") }
        if let close = lead.expectedClose { parts.append("close \(close)") }
        if !lead.labels.isEmpty { parts.append("labels " + lead.labels.map(printable).joined(separator: ",")) }
        for (key, value) in lead.fields.sorted(by: { $0.key < $1.key }) { parts.append("field:\(key) " + ErrorReport.quoted(value)) }
        if !lead.notes.isEmpty { parts.append(lead.notes.count == 1 ? "1 note" : "\(lead.notes.count) notes") }
        return parts.joined(separator: ", ")
    }

    /// A value that names no stage or user: once, with every line (the first ten) it is on.
    func unmapped() -> [String] {
        report.unmapped.map { item in
            let shown = item.lines.prefix(10).map(String.init).joined(separator: ", ")
                + (item.lines.count > 10 ? " and \(item.lines.count - 10) more" : "")
            let lines = (item.lines.count == 1 ? "line " : "lines ") + shown
            let head = "\(report.file): \(item.field) \(ErrorReport.quoted(item.value)) (column \(ErrorReport.quoted(item.column)), \(lines))"
            switch item.field {
            case "owner":
                return head + " names no user; read it with --map-value \(ErrorReport.quoted("owner:\(item.value)=LOGIN")), or add the user (leads users add LOGIN --email … --full-name …)"
            case ColumnTarget.stateName:
                return head + " is no stage; read it with --map-value \(ErrorReport.quoted("state:\(item.value)=STAGE")) (STAGE: \(item.stages.joined(separator: ", ")), or open to let the stage column decide)"
            default:
                return head + " is no stage; read it with --map-value \(ErrorReport.quoted("\(item.field):\(item.value)=STAGE")) (STAGE: \(item.stages.joined(separator: ", ")))"
            }
        }
    }

    /// A real run's summary names every column it did not import, and rows that are no leads.
    func notImported() -> [String] {
        var lines: [String] = []
        if let plan = report.plan {
            for (i, entry) in plan.entries.enumerated() where plan.notImported.contains(entry) {
                let why = entry.use == .exportOnly
                    ? "an export-only column; --map \(ErrorReport.quoted(entry.header + "=field:KEY")) keeps it"
                    : "dropped (\(entry.origin))"
                let name = entry.header.allSatisfy(\.isWhitespace) ? plan.columnLabel(i)
                    : "column " + ErrorReport.quoted(entry.header) + (plan.isRepeated(i) ? " (column \(i + 1))" : "")
                lines.append("\(report.file): \(name) not imported: \(why)")
            }
        }
        for passed in report.passed { lines.append("\(report.file):\(passed.line): not imported: " + Self.describe(passed.what)) }
        return lines
    }
}
