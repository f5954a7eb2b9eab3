import LeadsCore

enum ListCommand {
    static let sortFields = ["id", "name", "company", "stage", "value", "owner", "close", "next", "created", "updated"]
    /// `--sort`: a field, or a field after `-` to reverse; "did you mean" names the field.
    static let sortChoices = Choices(sortFields.flatMap { [$0, "-" + $0] }, reason: "sort by one of " + sortFields.joined(separator: ", "),
                                     suggest: { raw in Suggestion.nearest(to: raw.hasPrefix("-") ? String(raw.dropFirst()) : raw, in: sortFields) })

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let config = try store.config()
        let now = try context.now()
        var filter = try FilterOptions.filter(invocation, config: config, user: context.user)
        if invocation.flag("overdue") { filter.overdueAt = now }
        let sort = invocation.value("sort").map(SortOrder.init) ?? SortOrder(field: "id", descending: false)
        let limit = invocation.value("limit").flatMap(ValueParser.count)

        let out = context.output
        if invocation.flag("json") {
            // The whole leads, notes included, streamed in ID order as the scan delivers
            // them; another order is sorted on summaries first and each lead read again.
            var array = JSONArrayWriter(output: out)
            let problems: [StoreError]
            var hints = FilterHints(filter)
            if sort.field == "id" && !sort.descending {
                var written = 0
                problems = try store.scan(notes: true) { lead in
                    guard hints.observe(lead), written < (limit ?? .max) else { return }
                    written += 1
                    try array.append(LeadView.json(lead, config: config, now: now))
                }
            } else {
                problems = try store.withLock(.shared) { () throws -> [StoreError] in
                    let (rows, problems) = try matchingRows(store, hints: &hints, sort: sort, config: config, limit: limit, now: nil)
                    for row in rows { try array.append(LeadView.json(try store.lead(row.id), config: config, now: now)) }
                    return problems
                }
            }
            try array.finish()
            try hints.report(context)
            if !problems.isEmpty { throw CorruptFiles(problems: problems) }
            return ExitStatus.success
        }

        let ids = invocation.flag("ids")
        var hints = FilterHints(filter)
        var (rows, problems) = try matchingRows(store, hints: &hints, sort: sort, config: config, limit: limit, now: ids ? nil : now)
        if ids {
            for row in rows { try out.line(String(row.id)) }
        } else if !rows.isEmpty {
            var table = TextTable([
                .init(title: "ID", alignment: .right), .init(title: "NAME", flexible: true),
                .init(title: "COMPANY", flexible: true), .init(title: "STAGE"),
                .init(title: "VALUE", alignment: .right), .init(title: "OWNER", flexible: true),
                .init(title: "NEXT"), .init(title: "LAST CONTACT", flexible: true),
            ])
            for row in rows { table.add(row.cells!, style: row.overdue ? Style.red : nil) }
            rows = []
            try table.write(to: out, width: context.environment.terminalColumns, color: context.environment.colorOnStdout)
            ProcessEnd.keep(table)
        }
        try hints.report(context)
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }

    /// The matches in order. Each is kept as its sort key and, for the table (`now`
    /// given), its cells: 100,000 rows fit in a few tens of megabytes, whole leads would not.
    static func matchingRows(_ store: LeadStore, hints: inout FilterHints, sort: SortOrder, config: StoreConfig, limit: Int?,
                             now: Timestamp?) throws -> (rows: [Row], problems: [StoreError]) {
        var rows: [Row] = []
        // The row is made on the core that decoded the lead; only the filter's hints,
        // which see every lead, are kept here.
        let filter = hints.filter
        // The table's columns and the sort keys; not labels, source, campaign or field keys.
        let problems = try store.scan(for: filter, fields: [.name, .contact, .owner, .reminders, .lastContact], prepare: { lead -> Row? in
            guard filter.matches(lead) else { return nil }
            let shown = now.map { cells(lead, now: $0) }
            return Row(id: lead.id, key: sort.key(lead, config: config), cells: shown?.cells, overdue: shown?.overdue ?? false)
        }) { lead, row in
            // A row is made exactly for the leads that match.
            guard hints.observe(lead, matching: row != nil), let row else { return }
            rows.append(row)
        }
        rows.sort { sort.ordered($0, $1) }
        if let limit, rows.count > limit { rows.removeLast(rows.count - limit) }
        return (rows, problems)
    }

    struct Row: Sendable {
        var id: Int
        var key: SortKey
        var cells: PackedRow?
        var overdue: Bool
    }

    /// The row's cells, and whether its next follow-up is overdue.
    static func cells(_ lead: Lead, now: Timestamp) -> (cells: PackedRow, overdue: Bool) {
        var next = ""
        var overdue = false
        if let reminder = lead.nextReminder {
            overdue = LeadView.isOverdue(lead, next: reminder, now: now)
            next = LeadView.due(reminder.due) + (overdue ? " !" : "")
        }
        let contact = lead.lastContact.map { "\(LocalTime.date(of: $0.at).iso) \($0.by)" } ?? ""
        let cells = [String(lead.id), lead.name, lead.company ?? "", lead.stage, LeadView.money(lead.value),
                     lead.owner ?? "", next, contact].map { TableCell($0) }
        return (PackedRow(cells), overdue)
    }

    /// What a lead is sorted by; `missing` sorts last in either direction.
    enum SortKey: Sendable {
        case missing
        case number(Int64)
        case text(CollationKey)
    }

    struct SortOrder: Sendable {
        var field: String
        var descending: Bool

        init(field: String, descending: Bool) {
            self.field = field
            self.descending = descending
        }

        /// A value phase one accepted (`sortChoices`).
        init(_ raw: String) {
            descending = raw.hasPrefix("-")
            field = descending ? String(raw.dropFirst()) : raw
        }

        /// The lead's key for this order.
        func key(_ lead: Lead, config: StoreConfig) -> SortKey {
            switch field {
            // Names in German phone-book order (DIN 5007-1): Ä as A, ß as ss, case ignored.
            case "name": return .text(lead.name.collationKey)
            case "company": return lead.company.map { .text($0.collationKey) } ?? .missing
            case "stage":
                let order = config.allStages.map(\.name)
                return .number(Int64(order.firstIndex(of: lead.stage) ?? order.count))
            case "value": return lead.value.map { .number($0.amount.units) } ?? .missing
            case "owner": return lead.owner.map { .text($0.collationKey) } ?? .missing
            case "close": return lead.expectedClose.map { .number(Int64($0.daysSinceEpoch)) } ?? .missing
            case "next": return lead.nextReminder.map { .number($0.due.dueInstant.seconds) } ?? .missing
            case "created": return .number(lead.createdAt.seconds)
            case "updated": return .number(lead.updatedAt.seconds)
            default: return .number(Int64(lead.id))
            }
        }

        /// Strict weak order; ties fall back to the ID so output is stable.
        func ordered(_ a: Row, _ b: Row) -> Bool {
            let c = compare(a.key, b.key)
            if c != 0 { return descending ? c > 0 : c < 0 }
            return a.id < b.id
        }

        private func compare(_ a: SortKey, _ b: SortKey) -> Int {
            func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
            switch (a, b) {
            case let (.number(x), .number(y)): return cmp(x, y)
            case let (.text(x), .text(y)): return cmp(x, y)
            case (.missing, .missing): return 0
            // Missing values sort last in either direction.
            case (.missing, _): return descending ? -1 : 1
            case (_, .missing): return descending ? 1 : -1
            default: return 0
            }
        }
    }
}
