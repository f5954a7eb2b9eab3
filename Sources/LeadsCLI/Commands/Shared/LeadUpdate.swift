import LeadsCore

/// The shape of every command that changes existing leads (status, assign, set, note…):
/// one exclusive lock for the whole command; every named lead is read and every change
/// computed and validated before the first write, so an unknown ID or a bad value
/// changes nothing; then one commit of every lead that actually changed, each with its
/// log line: all of them, or after a failure none.
enum LeadUpdate {
    /// What a run changed, as written: for the confirmation line.
    struct Outcome {
        var changed: [(before: Lead, after: Lead)] = []
        /// Named leads that needed no change (already in the stage, already the owner).
        var unchanged: [Lead] = []
    }

    /// `change` edits the lead and returns the log entry, or nil when nothing changed.
    @discardableResult
    static func apply(_ ids: [Int], in context: CommandContext,
                      _ change: (inout Lead, StoreWriter) throws -> ActivityEntry?) throws -> Outcome {
        let store = try context.store()
        return try store.write { writer in
            var planned: [(before: Lead, after: Lead, entry: ActivityEntry)] = []
            var outcome = Outcome()
            for id in ids {
                let before = try writer.lead(id)
                var after = before
                if let entry = try change(&after, writer) {
                    after.touch(at: writer.actor.now, by: writer.actor.user)
                    planned.append((before, after, entry))
                } else {
                    outcome.unchanged.append(before)
                }
            }
            try writer.save(planned.map { ($0.after, $0.before, $0.entry) })
            outcome.changed = planned.map { ($0.before, $0.after) }
            return outcome
        }
    }

    /// IDs from all positionals but the last (`status ID… STAGE`, `assign ID… USER`).
    static func idsAndLast(_ invocation: Invocation) throws -> (ids: [Int], last: String) {
        let positionals = invocation.positionals
        guard positionals.count >= 2, let last = positionals.last else {
            throw UsageError.missingArgument(command: invocation.command?.name ?? "", name: "ID")
        }
        return (try IDList.parse(Array(positionals.dropLast())), last)
    }
}
