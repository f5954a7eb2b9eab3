import LeadsCore

enum FsckCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let repair = invocation.flag("repair")
        let store = try context.store()
        // What its writer settled first is among the problems it prints.
        store.onSettledKilledCommit = nil
        // A check reports a killed command's commit; only --repair settles it.
        store.readersSettleKilledCommits = false
        let problems = try store.check(repair: repair)
        let out = context.output
        if invocation.flag("json") {
            try out.write(bytes: JSONWriter.pretty(.object([
                "ok": .bool(problems.allSatisfy(\.repaired)),
                "problems": .array(problems.map(json)),
            ])))
        } else {
            for problem in problems { try out.line(printable(text(problem))) }
        }
        let left = problems.filter { !$0.repaired }
        if let mount = DoctorCommand.networkMount(try context.dataDirectory(), context.environment) {
            ErrorReport.notice("the data directory is on \(mount.type), a file system other machines may share: 'leads doctor' checks its mount options")
        }
        guard !problems.isEmpty else { return ExitStatus.success }
        let repaired = problems.count - left.count
        var summary = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        if repair { summary += ", \(repaired) repaired" }
        if !repair && problems.contains(where: \.repairable) { summary += "; run 'leads fsck --repair' to mend what can be mended" }
        if left.contains(where: { !$0.repairable }) { summary += "; broken files are left as they are: mend them by hand (leads lock -- $EDITOR FILE)" }
        ErrorReport.notice(summary)
        return left.isEmpty ? ExitStatus.success : ExitStatus.failure
    }

    static func text(_ problem: StoreProblem) -> String {
        let (position, message) = describe(problem)
        return problem.path + position + ": " + message + (problem.repaired ? " (repaired)" : "")
    }

    /// ":LINE:COL" where known, and the reason.
    static func describe(_ problem: StoreProblem) -> (String, String) {
        switch problem.kind {
        case .corrupt(let error): return (":\(error.line):\(error.column)", ErrorReport.json(error.reason))
        case .corruptLogLine(let error): return (":\(error.line):\(error.column)", ErrorReport.json(error.reason))
        case .unreadable(let error): return ("", ErrorReport.render(error).0 ?? "unreadable")
        case .unknownStage(let stage): return ("", "stage '\(stage)' is not in config.json")
        case .staleTemporaryFile: return ("", "temporary file left by an interrupted command")
        case .unloggedChange(let backup):
            return ("", "an interrupted command changed or removed it and logged nothing; its backup \(backup) puts the old version back")
        case .unloggedCreation(let mark):
            return ("", "an interrupted command created it and logged nothing (\(mark)); the repair removes it")
        case .unexpectedFile: return ("", "not a store file (expected ID.json); left alone")
        case .tornLogTail(let bytes): return ("", "the last line is incomplete (\(bytes) bytes): a writer was interrupted")
        case .unlogged: return ("", "no log record mentions it: an interrupted command wrote it")
        case let .idMarkBehind(next, highest): return ("", "next ID \(next) is not above the highest ID in use, \(highest)")
        case .keysMissing: return ("", "missing from the duplicate-check keys")
        case .recordsWithoutFile(let count):
            return ("", "\(count) log record\(count == 1 ? "" : "s") name\(count == 1 ? "s" : "") it, but the file is missing and no record deletes it; restore it from a backup, or 'leads delete' it once it is back (the log is never rewritten)")
        case let .chainBroken(line, reason): return (":\(line)", "the hash chain breaks at this record: " + reason)
        case .fileMissing: return ("", "the lead lists this file, but it is missing; restore it from a backup, or 'leads detach' it")
        case let .fileChanged(size, sha256):
            return ("", "its bytes are not those the lead records (\(size) bytes, SHA-256 \(sha256.prefix(12))…); restore it from a backup, or 'leads detach' it")
        case .fileNotRecorded(let lead): return ("", "lead \(lead) does not list this file; left alone ('leads attach \(lead)' a copy, or remove it)")
        case .filesWithoutLead: return ("", "files of a lead that no longer exists (erased or merged away)")
        }
    }

    static func json(_ problem: StoreProblem) -> JSONValue {
        let kind: String
        var object: [String: JSONValue] = ["path": .string(problem.path), "repaired": .bool(problem.repaired)]
        switch problem.kind {
        case .corrupt(let e), .corruptLogLine(let e):
            kind = { if case .corrupt = problem.kind { return "corrupt" } else { return "corrupt-log-line" } }()
            object["line"] = .integer(e.line)
            object["column"] = .integer(e.column)
        case .unreadable: kind = "unreadable"
        case .unknownStage: kind = "unknown-stage"
        case .staleTemporaryFile: kind = "stale-temporary-file"
        case .unloggedChange(let backup):
            kind = "unlogged-change"
            object["backup"] = .string(backup)
        case .unloggedCreation(let mark):
            kind = "unlogged-creation"
            object["mark"] = .string(mark)
        case .unexpectedFile: kind = "unexpected-file"
        case .tornLogTail: kind = "torn-log-tail"
        case .unlogged: kind = "unlogged"
        case .idMarkBehind: kind = "id-mark-behind"
        case .keysMissing: kind = "keys-missing"
        case .recordsWithoutFile(let count):
            kind = "records-without-file"
            object["records"] = .integer(count)
        case .chainBroken(let line, _):
            kind = "chain-broken"
            object["line"] = .integer(line)
        case .fileMissing: kind = "file-missing"
        case let .fileChanged(size, sha256):
            kind = "file-changed"
            object["size"] = .integer(size)
            object["sha256"] = .string(sha256)
        case .fileNotRecorded(let lead):
            kind = "file-not-recorded"
            object["lead"] = .integer(lead)
        case .filesWithoutLead: kind = "files-without-lead"
        }
        object["kind"] = .string(kind)
        object["message"] = .string(describe(problem).1)
        return .object(object)
    }
}
