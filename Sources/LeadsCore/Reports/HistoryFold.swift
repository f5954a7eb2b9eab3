/// A reader of the log's transitions that can be fed in parts split by lead
/// (`LeadStore.replayLog(into:)`): each part gets every transition of its leads, in log
/// order, and none of the others'; then one part takes in the other with `absorb`, and
/// neither is fed any more. The history reports are all such folds: what they keep per
/// lead depends on that lead's transitions alone, and what they add up does not depend
/// on the order of leads. The history checkpoint keeps its transitions in two parts,
/// which two cores decode at once (HistoryCheckpoint.swift, Docs/performance.md).
public protocol HistoryFold {
    mutating func add(_ transition: LeadTransition) throws
    /// Takes in `other`, made as this one was and fed the transitions of other leads.
    mutating func absorb(_ other: Self) throws
}

extension LeadsAsOf: HistoryFold {}

extension FunnelReport: HistoryFold {}
extension VelocityReport: HistoryFold {}
extension LostReport: HistoryFold {}
extension WinRateReport: HistoryFold {}
