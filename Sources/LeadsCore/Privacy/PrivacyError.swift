/// What the privacy commands (dupes, merge, unmerge, suppress, retention, subject-access)
/// and the suppression check can fail with. The CLI renders each case (ErrorReport).
public enum PrivacyError: Error, Sendable, Equatable {
    /// config.json's privacy keys (country, retention) are not valid.
    case invalidConfig(String)
    /// The person is on the suppression list: the message names the rule, never the person.
    case suppressed(rule: String)
    /// An address or number that normalises to nothing.
    case notSuppressible(String)
    case mergeWithItself(Int)
    /// The lead was merged into another and its ID is retired.
    case mergedAway(id: Int, into: Int)
    case nothingToUnmerge(Int)
    /// The merged-away data is gone (erased) or KEEP changed since in a way unmerge cannot undo.
    case unmergeImpossible(id: Int, reason: String)
    case unknownPerson(String)
}
