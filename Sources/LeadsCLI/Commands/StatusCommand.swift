import LeadsCore

enum StatusCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let (ids, stageText) = try LeadUpdate.idsAndLast(invocation)
        let config = try context.store().config()
        let now = try context.now()
        let stage = try FieldParser.stage(stageText, field: "STAGE", config: config)
        let probability = try invocation.value("probability").map { try FieldParser.probability($0, field: "--probability") }
        let note = try invocation.value("note").map { raw throws(FieldError) in try FieldParser.note(raw, field: "--note") }
        let reason = invocation.value("reason")
        if let reason, stage != .lost && stage != .dnc {
            throw FieldError(field: "--reason", value: reason, problem: .invalid("a reason is recorded for lost or dnc leads only"))
        }
        let outcome = try LeadUpdate.apply(ids, in: context) { lead, writer in
            let from = lead.stage
            let before = lead
            if lead.stage != stage.name {
                lead.stage = stage.name
                // A new stage brings its own default probability unless one is given.
                lead.probability = nil
                if stage != .lost && stage != .dnc { lead.lostReason = nil }
            }
            if let probability { lead.probability = probability }
            if let reason { lead.lostReason = FieldParser.text(reason) }
            if let note { lead.notes.append(Note(at: now, by: writer.actor.user, text: note, contacted: false)) }
            guard lead != before else { return nil }
            var details: [String: JSONValue] = ["from": .string(from), "to": .string(lead.stage)]
            if lead.probability != before.probability { details["probability"] = lead.probability.map { .number($0.description) } ?? .null }
            if note != nil { details["note"] = .bool(true) }
            return ActivityEntry(time: now, user: writer.actor.user, action: .status, lead: lead.id, details: details)
        }
        try context.confirm(Confirmation.leads(outcome.changed.map { ($0.after, change(from: $0.before, to: $0.after)) },
                                               summary: "→ " + stage.name, unchanged: outcome.unchanged))
        return ExitStatus.success
    }

    /// "proposal → negotiation", "new → lost (went elsewhere)", "probability 70 %, note added".
    static func change(from before: Lead, to after: Lead) -> String {
        var parts: [String] = []
        if before.stage != after.stage { parts.append("\(before.stage) → \(after.stage)") }
        if after.probability != before.probability, let p = after.probability { parts.append("probability \(p) %") }
        if after.lostReason != before.lostReason, let reason = after.lostReason { parts.append("reason: \(reason)") }
        if after.notes.count > before.notes.count { parts.append("note added") }
        return parts.joined(separator: ", ")
    }
}
