import LeadsCore

/// The one line a write command says on stderr when it has done its work, so a rep
/// sees what happened without a second command: `leads: #7 Greta Schulz: proposal →
/// negotiation`. stdout is never touched (it carries data only); `-q`/`--quiet`
/// silences it. A command builds the text with the functions below and hands it to
/// `CommandContext.confirm`, which makes it terminal-safe and prints it: one call, so a
/// new write command cannot forget the escaping or the quiet flag.
enum Confirmation {
    /// Names longer than this are cut with "…": a confirmation stays one readable line.
    static let nameLimit = 40
    /// At most this many leads are named; the rest are counted.
    static let namedLimit = 3

    /// "#7 Greta Schulz".
    static func name(_ lead: Lead) -> String { name(id: lead.id, lead.name) }

    static func name(id: Int, _ name: String) -> String { "#\(id) " + cut(name) }

    /// `text` on one line, cut to `limit` characters with "…".
    static func cut(_ text: String, to limit: Int = nameLimit) -> String {
        let flat = printable(text)
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }

    /// "#7 Greta Schulz: proposal → negotiation".
    static func lead(_ lead: Lead, _ change: String) -> String { name(lead) + ": " + change }

    /// One line for a change to several leads. `changes` holds each changed lead with
    /// what happened to it; when all say the same, that is the line's change, else
    /// `summary` is ("→ qualified"). `unchanged` are the leads the command left as they
    /// were (already in the stage, already the owner).
    ///
    ///     #7 Greta Schulz: proposal → negotiation
    ///     #1 Anna, #2 Bert: new → proposal
    ///     5 leads: new → proposal (#1 Anna, #2 Bert, #4 Cem and 2 more)
    ///     #1 Anna: new → proposal; unchanged: #2 Bert
    ///     nothing changed: #2 Bert
    static func leads(_ changes: [(lead: Lead, change: String)], summary: String, unchanged: [Lead] = []) -> String {
        var text: String
        if changes.isEmpty {
            text = "nothing changed"
        } else {
            let common = changes.allSatisfy { $0.change == changes[0].change } ? changes[0].change : summary
            if changes.count <= namedLimit {
                text = changes.map { name($0.lead) }.joined(separator: ", ") + ": " + common
            } else {
                text = "\(changes.count) leads: \(common) (\(list(changes.map(\.lead))))"
            }
        }
        if !unchanged.isEmpty {
            text += (changes.isEmpty ? ": " : "; unchanged: ") + list(unchanged)
        }
        return text
    }

    /// "#1 Anna, #2 Bert, #4 Cem and 2 more".
    static func list(_ leads: [Lead]) -> String {
        let named = leads.prefix(namedLimit).map(name).joined(separator: ", ")
        return leads.count > namedLimit ? named + " and \(leads.count - namedLimit) more" : named
    }

    /// "12500.00 EUR".
    static func money(_ money: Money) -> String { money.amount.canonical + " " + money.currency }

    /// "2026-12-09", "2026-12-09 14:30".
    static func due(_ when: When) -> String { LeadView.due(when) }

    /// "1 reminder", "3 reminders".
    static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
    }
}

extension CommandContext {
    /// Whether `-q`/`--quiet` was given: no confirmations, no hints; errors still show.
    var quiet: Bool { invocation.flag("quiet") }

    /// Says `line` on stderr as `leads: LINE`, terminal-safe, unless `--quiet`. What
    /// the command printed on stdout goes out first, so on a terminal the two appear
    /// in the order they were made.
    func confirm(_ line: String) throws {
        guard !quiet else { return }
        try output.flush()
        ErrorReport.notice(printable(line))
    }

    /// A hint for a person (nothing found, closed leads hidden, how to start): only when
    /// stderr is a terminal and not `--quiet`, so scripts and cron see exactly what
    /// they saw before.
    func hint(_ line: String) throws {
        guard !quiet, environment.stderrIsTerminal else { return }
        try output.flush()
        ErrorReport.notice(printable(line))
    }
}
