/// Which leads a report or listing covers (`list`, `pipeline`, `export-csv`).
public struct LeadFilter: Sendable {
    /// Include won, lost and dnc leads (otherwise only when named by `stages`).
    public var includeClosed = false
    public var stages: Set<String> = []
    public var owners: Set<String> = []
    /// Every label must be present.
    public var labels: [String] = []
    public var source: String?
    public var campaign: String?
    /// Case-insensitive substring of name, company, e-mail or any note.
    public var search: String?
    /// Only leads with an open reminder due at or before this instant.
    public var overdueAt: Timestamp?

    public init() {}

    public func matches(_ lead: Lead) -> Bool {
        if !stages.isEmpty {
            if !stages.contains(lead.stage) { return false }
        } else if !includeClosed && lead.isClosed {
            return false
        }
        if !owners.isEmpty && !owners.contains(lead.owner ?? "") { return false }
        for label in labels where !lead.labels.contains(label) { return false }
        if let source, lead.source != source { return false }
        if let campaign, lead.campaign != campaign { return false }
        if let overdueAt {
            guard !lead.isClosed, let next = lead.nextReminder, next.due.dueInstant <= overdueAt else { return false }
        }
        if let search {
            let needle = search.lowercased()
            let haystacks = [lead.name, lead.company ?? "", lead.email ?? ""] + lead.notes.map(\.text)
            if !haystacks.contains(where: { $0.lowercased().contains(needle) }) { return false }
        }
        return true
    }
}
