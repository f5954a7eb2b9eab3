/// What the privacy commands (dupes, merge, unmerge, suppress, retention, subject-access)
/// and the suppression check can fail with. The CLI renders each case (ErrorReport).
public enum PrivacyError: Error, Sendable, Equatable {
    /// config.json's privacy keys (country, retention) are not valid.
    case invalidConfig(String)
    /// The person is on the suppression list: the message names the rule, never the person.
    case suppressed(rule: String)
    case mergeWithItself(Int)
    /// OTHER became a customer: its customer record names it, so it cannot go away.
    case mergeConverted(id: Int, customer: Int)
    case nothingToUnmerge(Int)
    /// The merged-away data is gone (erased) or KEEP changed since in a way unmerge cannot undo.
    case unmergeImpossible(id: Int, reason: String)
}
