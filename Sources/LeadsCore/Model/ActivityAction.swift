/// Every action a log record can name: the one list that the log writer, `log --action`,
/// its completion and Docs/json.md all follow (a test checks the doc against it).
///
/// Adding an action: a case here (its raw value is what the log stores), its details in
/// Docs/json.md's `log --json` tables, and its words in `LeadView.describe` if it has
/// details worth showing. A log may still hold actions a newer version wrote; readers
/// keep them as text (`ActivityEntry.action`).
public enum ActivityAction: String, Sendable, CaseIterable {
    case add
    case `import`
    case set
    case status
    case assign
    case note
    case remind
    case remindDone = "remind-done"
    case remindSnooze = "remind-snooze"
    case remindAnnounce = "remind-announce"
    case convert
    /// `leads attach`: files kept on the lead; details count and total size, never names
    /// (a file name is often personal data: "Greta_Schulz_Vertrag.pdf").
    case attach
    /// `leads detach`: a file taken off the lead; its size, never its name.
    case detach
    case delete
    /// `leads merge`: on KEEP, with `from` (OTHER); OTHER's own record is a `delete`
    /// with `merged_into`, as its file is gone.
    case merge
    /// `leads unmerge`: on KEEP (back to its state before), and on OTHER (recreated).
    case unmerge
    /// `leads suppress`: entries added to the suppression list (their numbers, no person).
    case suppress
    /// `leads mail`: a message filed as a note on the lead, with `matched_by` (`subject` or
    /// `address`), `contacted` when a user sent it, `attachments` (count) when any were kept.
    case mail
    /// `leads mail`: a message kept in DIR/mail/unmatched/ (no lead): `file` (its key),
    /// `reason`, and `candidates` ([integer]) or `suppression` (entry number) where they apply.
    case mailUnmatched = "mail-unmatched"
    /// A lead or customer file that no record mentioned: `fsck --repair`, or the next
    /// commit for leads just past the ID mark (DerivedStateRecovery.swift).
    case recover
    /// The first chained record of a log written before the hash chain (LogChain.swift).
    case chainStart = "chain-start"

    /// The names as `log --action` accepts them, in this order.
    public static var names: [String] { allCases.map(\.rawValue) }
}
