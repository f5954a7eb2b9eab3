import LeadsCore

enum ListCommand {
    static let sortFields = ["id", "name", "company", "stage", "value", "owner", "close", "next", "created", "updated"]

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let config = try store.config()
        let now = try context.now()
        var filter = try FilterOptions.filter(invocation, config: config, user: context.user)
        if invocation.flag("overdue") { filter.overdueAt = now }
        let sort = try invocation.value("sort").map(SortOrder.init) ?? SortOrder(field: "id", descending: false)
        let limit = try invocation.value("limit").map { raw throws(UsageError) -> Int in
            guard let n = Int(raw), n >= 0 else {
                throw UsageError.invalidArgument(argument: "--limit", value: raw, reason: "expected a count such as 20")
            }
            return n
        }

        let out = context.output
        if invocation.flag("json") {
            // The whole leads, notes included, streamed in ID order as the scan delivers
            // them; another order is sorted on summaries first and each lead read again.
            var array = JSONArrayWriter(output: out)
            let problems: [StoreError]
            if sort.field == "id" && !sort.descending {
                var written = 0
                problems = try store.scan(notes: true) { lead in
                    guard filter.matches(lead), written < (limit ?? .max) else { return }
                    written += 1
                    try array.append(LeadView.json(lead, config: config, now: now))
                }
            } else {
                problems = try store.withLock(.shared) { () throws -> [StoreError] in
                    let (sorted, problems) = try summaries(store, filter: filter, sort: sort, config: config, limit: limit)
                    for summary in sorted { try array.append(LeadView.json(try store.lead(summary.id), config: config, now: now)) }
                    return problems
                }
            }
            try array.finish()
            if !problems.isEmpty { throw CorruptFiles(problems: problems) }
            return ExitStatus.success
        }

        let (leads, problems) = try summaries(store, filter: filter, sort: sort, config: config, limit: limit)
        if invocation.flag("ids") {
            for lead in leads { try out.line(String(lead.id)) }
        } else if !leads.isEmpty {
            let color = context.environment.colorOnStdout
            var table = TextTable([
                .init(title: "ID", alignment: .right), .init(title: "NAME", flexible: true),
                .init(title: "COMPANY", flexible: true), .init(title: "STAGE"),
                .init(title: "VALUE", alignment: .right), .init(title: "OWNER", flexible: true),
                .init(title: "NEXT"), .init(title: "LAST CONTACT", flexible: true),
            ])
            for lead in leads {
                var next = ""
                var overdue = false
                if let reminder = lead.nextReminder {
                    next = LeadView.due(reminder.due)
                    overdue = LeadView.isOverdue(lead, now: now)
                    if overdue { next += " !" }
                }
                let contact = lead.lastContact.map { "\(LocalTime.date(of: $0.at).iso) \($0.by)" } ?? ""
                table.add([String(lead.id), lead.name, lead.company ?? "", lead.stage, LeadView.money(lead.value),
                           lead.owner ?? "", next, contact], style: overdue ? Style.red : nil)
            }
            for line in table.render(width: context.environment.terminalColumns, color: color) { try out.line(line) }
        }
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }

    /// The matching leads in order, without their notes (read only to search them).
    static func summaries(_ store: LeadStore, filter: LeadFilter, sort: SortOrder, config: StoreConfig,
                          limit: Int?) throws -> (leads: [Lead], problems: [StoreError]) {
        var leads: [Lead] = []
        let problems = try store.scan(for: filter) { lead in
            guard filter.matches(lead) else { return }
            var kept = lead
            kept.notes = []
            leads.append(kept)
        }
        leads.sort { sort.ordered($0, $1, config: config) }
        if let limit { leads = Array(leads.prefix(limit)) }
        return (leads, problems)
    }

    struct SortOrder {
        var field: String
        var descending: Bool

        init(field: String, descending: Bool) {
            self.field = field
            self.descending = descending
        }

        init(_ raw: String) throws(UsageError) {
            descending = raw.hasPrefix("-")
            field = descending ? String(raw.dropFirst()) : raw
            guard ListCommand.sortFields.contains(field) else {
                throw .invalidArgument(argument: "--sort", value: raw,
                                       reason: "sort by one of " + ListCommand.sortFields.joined(separator: ", ")
                                           + (Suggestion.nearest(to: field, in: ListCommand.sortFields).map { "; did you mean '\($0)'?" } ?? ""))
            }
        }

        /// Strict weak order; ties fall back to the ID so output is stable.
        func ordered(_ a: Lead, _ b: Lead, config: StoreConfig) -> Bool {
            let c = compare(a, b, config: config)
            if c != 0 { return descending ? c > 0 : c < 0 }
            return a.id < b.id
        }

        private func compare(_ a: Lead, _ b: Lead, config: StoreConfig) -> Int {
            func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
            func optional<T: Comparable>(_ x: T?, _ y: T?) -> Int {
                // Missing values sort last in either direction.
                switch (x, y) {
                case let (x?, y?): return cmp(x, y)
                case (nil, nil): return 0
                case (nil, _): return descending ? -1 : 1
                case (_, nil): return descending ? 1 : -1
                }
            }
            switch field {
            case "name": return cmp(a.name.lowercased(), b.name.lowercased())
            case "company": return optional(a.company?.lowercased(), b.company?.lowercased())
            case "stage":
                let order = config.allStages.map(\.name)
                return cmp(order.firstIndex(of: a.stage) ?? order.count, order.firstIndex(of: b.stage) ?? order.count)
            case "value": return optional(a.value?.amount, b.value?.amount)
            case "owner": return optional(a.owner, b.owner)
            case "close": return optional(a.expectedClose, b.expectedClose)
            case "next": return optional(a.nextReminder?.due.dueInstant, b.nextReminder?.due.dueInstant)
            case "created": return cmp(a.createdAt, b.createdAt)
            case "updated": return cmp(a.updatedAt, b.updatedAt)
            default: return cmp(a.id, b.id)
            }
        }
    }
}

/// The filter options shared by list, pipeline and export-csv.
enum FilterOptions {
    static func filter(_ invocation: Invocation, config: StoreConfig, user: String) throws -> LeadFilter {
        var filter = LeadFilter()
        filter.includeClosed = invocation.flag("all")
        for raw in invocation.values("stage") {
            filter.stages.insert(try FieldParser.stage(raw, field: "--stage", config: config).name)
        }
        filter.owners = Set(invocation.values("owner"))
        if invocation.flag("mine") { filter.owners = [user] }
        filter.labels = invocation.values("label")
        filter.source = invocation.value("source")
        filter.campaign = invocation.value("campaign")
        filter.search = invocation.value("search")
        return filter
    }
}
