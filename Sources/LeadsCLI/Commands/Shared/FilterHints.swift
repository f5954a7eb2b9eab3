import LeadsCore

/// What a filtered reading command tells a person besides its data: that a filter value
/// exists on no lead at all, with the nearest one that does ("did you mean"); that the
/// store is empty and how to start; that nothing matched, and how many closed leads
/// the default view hid. It watches every lead the scan visits, matching or not.
struct FilterHints {
    let filter: LeadFilter
    private(set) var seen = 0
    private(set) var matched = 0
    private(set) var hiddenClosed = 0
    /// Every value of the filtered fields, lower-cased → as first written, only for the
    /// fields a filter names.
    private var owners: [String: String] = [:]
    private var labels: [String: String] = [:]
    private var sources: [String: String] = [:]
    private var campaigns: [String: String] = [:]

    init(_ filter: LeadFilter) { self.filter = filter }

    /// Call for each lead of the scan; returns whether it matches the filter.
    mutating func observe(_ lead: Lead) -> Bool {
        observe(lead, matching: filter.matches(lead))
    }

    /// As `observe(_:)`, for a scan that matched the lead against `filter` already, on
    /// the core that decoded it (`list`, `export-csv`).
    @discardableResult
    mutating func observe(_ lead: Lead, matching: Bool) -> Bool {
        seen += 1
        // The first spelling met stands for the others ("sabine" and "Sabine" are one owner).
        func note(_ value: String, in known: inout [String: String]) {
            let key = value.lowercased()
            if known[key] == nil { known[key] = value }
        }
        if !filter.owners.isEmpty, let owner = lead.owner { note(owner, in: &owners) }
        if !filter.labels.isEmpty { for label in lead.labels { note(label, in: &labels) } }
        if filter.source != nil, let source = lead.source { note(source, in: &sources) }
        if filter.campaign != nil, let campaign = lead.campaign { note(campaign, in: &campaigns) }
        if matching {
            matched += 1
            return true
        }
        if filter.hidesOnlyForBeingClosed(lead) { hiddenClosed += 1 }
        return false
    }

    /// "no lead has the owner 'sabin'; did you mean 'sabine'?": one line per filter value
    /// that no lead in the store has, whatever else matched.
    var unknownValues: [String] {
        var lines: [String] = []
        func check(_ values: [String], _ known: [String: String], _ what: String) {
            for value in values where known[value.lowercased()] == nil {
                var line = "no lead has the \(what) '\(value)'"
                // Compared lower-cased on both sides: the filters ignore case.
                if let near = Suggestion.nearest(to: value.lowercased(), in: known.keys.sorted()), let original = known[near] {
                    line += ErrorReport.didYouMean(original)
                }
                lines.append(line)
            }
        }
        check(filter.owners.sorted(), owners, "owner")
        check(filter.labels, labels, "label")
        check(filter.source.map { [$0] } ?? [], sources, "source")
        check(filter.campaign.map { [$0] } ?? [], campaigns, "campaign")
        return lines
    }

    /// The hints after the command's output: unknown values on stderr always (a typo in a
    /// cron job's filter deserves a word too); the rest only for a person at a terminal.
    func report(_ context: CommandContext, nothing: String? = nil) throws {
        let nothing = nothing ?? self.nothing
        for line in unknownValues where !context.quiet {
            try context.output.flush()
            ErrorReport.notice(printable(line))
        }
        if seen == 0 {
            try context.hint("no leads yet: add one with 'leads add NAME', or import a CSV file with 'leads import-csv FILE'")
        } else if matched == 0 {
            try context.hint(nothing + (hiddenClosed > 0 ? "; \(hiddenClosed) closed " + (hiddenClosed == 1 ? "one" : "ones") + " hidden, see --all" : ""))
        } else if hiddenClosed > 0 {
            try context.hint(Confirmation.count(hiddenClosed, "closed lead") + " hidden, see --all")
        }
    }

    /// "no open leads", "no leads match": what a command found nothing of.
    var nothing: String {
        let filtered = !filter.owners.isEmpty || !filter.labels.isEmpty || filter.source != nil || filter.campaign != nil
            || filter.search != nil || filter.overdueAt != nil || !filter.stages.isEmpty
        let open = filter.stages.isEmpty && !filter.includeClosed
        return (open ? "no open leads" : "no leads") + (filtered ? " match" : "")
    }
}
