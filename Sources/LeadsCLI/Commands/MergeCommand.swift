import LeadsCore

/// `leads merge KEEP OTHER [--dry-run] [--json]` and `leads unmerge KEEP`: one duplicate
/// folded into another, reversibly (Docs/privacy.md). The rule per field is Core's
/// (LeadMerge); the files are the store's (MergedLeadFiles.swift).
enum MergeCommand {
    static func merge(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let keepID = try IDList.single(invocation.positionals[0])
        let otherID = try IDList.single(invocation.positionals[1])
        guard keepID != otherID else { throw PrivacyError.mergeWithItself(keepID) }
        let now = try context.now()
        let store = try context.store()
        let dryRun = invocation.flag("dry-run")
        func plan(_ keep: Lead, _ other: Lead, user: String) throws -> LeadMerge {
            if let conversion = other.conversion { throw PrivacyError.mergeConverted(id: other.id, customer: conversion.customer) }
            return LeadMerge(keep: keep, other: other, at: now, by: user)
        }
        let (keep, other, merge): (Lead, Lead, LeadMerge)
        if dryRun {
            (keep, other) = (try store.lead(keepID), try store.lead(otherID))
            merge = try plan(keep, other, user: context.user)
        } else {
            (keep, other, merge) = try store.write { writer in
                let keep = try writer.lead(keepID), other = try writer.lead(otherID)
                let merge = try plan(keep, other, user: writer.actor.user)
                let user = writer.actor.user
                var details: [String: JSONValue] = ["from": .integer(otherID),
                                                    "fields": .array(merge.steps.filter { $0.outcome != .kept }.map { .string($0.field) })]
                if !other.files.isEmpty { details["files"] = .integer(other.files.count) }
                if !merge.renumbered.isEmpty {
                    details["reminders"] = .array(merge.renumbered.map { .array([.integer($0.from), .integer($0.to)]) })
                }
                try writer.merge(MergedLead(other: other, keepBefore: keep, keepAfter: merge.merged, at: now, by: user), log: [
                    ActivityEntry(time: now, user: user, action: .merge, lead: keepID, details: details).recording(from: keep, to: merge.merged),
                    ActivityEntry(time: now, user: user, action: .delete, lead: otherID, details: ["merged_into": .integer(keepID)]).recordingDeletion(),
                ])
                return (keep, other, merge)
            }
        }
        let out = context.output
        if invocation.flag("json") {
            try out.write(bytes: JSONWriter.pretty(.object([
                "keep": .integer(keep.id), "other": .integer(other.id), "dry_run": .bool(dryRun),
                "steps": .array(merge.steps.map { .object(["field": .string($0.field), "keep": .string($0.keep), "other": .string($0.other),
                                                          "outcome": .string($0.outcome.rawValue)]) }),
                "reminders": .array(merge.renumbered.map { .object(["from": .string("\(other.id).\($0.from)"), "to": .string("\(keep.id).\($0.to)")]) }),
                "files": .array(merge.renamedFiles.map { .object(["from": .string($0.from), "to": .string($0.to)]) }),
            ])))
        } else if dryRun {
            var table = TextTable([.init(title: "FIELD"), .init(title: "#\(keep.id)", flexible: true), .init(title: "#\(other.id)", flexible: true),
                                   .init(title: "RESULT")])
            for step in merge.steps {
                let result: String
                switch step.outcome {
                case .kept: result = "#\(keep.id)'s"
                case .taken: result = "#\(other.id)'s"
                case .combined: result = "both"
                }
                table.add([step.field, printable(step.keep), printable(step.other), result])
            }
            if !merge.steps.isEmpty {
                for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout) { try out.line(line) }
            }
            for move in merge.renumbered { try out.line("reminder \(other.id).\(move.from) becomes \(keep.id).\(move.to)") }
            for move in merge.renamedFiles { try out.line(printable("file \(move.from) of #\(other.id) becomes \(move.to) on #\(keep.id)")) }
        }
        if !dryRun {
            try context.confirm("#\(keep.id) \(keep.name): merged #\(other.id) into it ('leads unmerge \(keep.id)' undoes it)")
        }
        return ExitStatus.success
    }

    static func unmerge(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let keepID = try IDList.single(invocation.positionals[0])
        let now = try context.now()
        let record = try context.store().write { writer -> MergedLead in
            let current = try writer.lead(keepID)
            guard let record = try writer.mergedLeads(into: keepID).last else { throw PrivacyError.nothingToUnmerge(keepID) }
            // Only a lead as the merge left it can go back: a later change would be lost.
            guard current == record.keepAfter else {
                throw PrivacyError.unmergeImpossible(id: keepID, reason: "it changed after the merge of \(record.at.iso8601.prefix(10)) (see 'leads log \(keepID)'); undoing the merge would undo those changes too")
            }
            let user = writer.actor.user
            try writer.unmerge(record, log: [
                ActivityEntry(time: now, user: user, action: .unmerge, lead: keepID, details: ["other": .integer(record.other.id)])
                    .recording(from: current, to: record.keepBefore),
                ActivityEntry(time: now, user: user, action: .unmerge, lead: record.other.id, details: ["into": .integer(keepID)])
                    .recording(from: nil, to: record.other),
            ])
            return record
        }
        try context.confirm("#\(keepID) \(record.keepBefore.name): unmerged #\(record.other.id) \(record.other.name); both are as before the merge")
        return ExitStatus.success
    }
}
