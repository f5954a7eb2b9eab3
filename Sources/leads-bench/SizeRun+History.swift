import Foundation

/// The history set: issue 20's target is stated for "100,000 leads with a
/// 1,000,000-record log", and the import's log holds one creation per lead. Here the
/// store gets a history written by `leads` itself (HistoryPlan), then the six history
/// rows are timed on it against `cat` of that log.
extension SizeRun {
    /// The history rows' names. The `≤ 2 ×` target (Report.swift) is checked on these.
    static let historyRows = [
        "leads pipeline --as-of mid-history", "leads pipeline --as-of end of history",
        "leads report funnel, history", "leads report velocity, history", "leads report lost, history",
        "leads report winrate, history", "leads report accuracy, history",
    ]
    static let historyCat = "cat activity.log, history"

    func runHistory(into result: inout SizeResult) throws {
        let started = Runner.monotonic()
        let log = store + "/activity.log"
        var plan = HistoryPlan(count: size, seed: options.seed, rounds: options.historyRounds)
        var records = try Self.lines(of: log, from: 0)
        // Each round is a real workload, an update import of every lead that is not dnc:
        // shown as a row of its own (one sample per round, no warm-up).
        let updateJob = Job("leads import-csv --on-duplicate update", .leads, size: size) { _ in throw BenchError.failed("timed in the history build") }
        for round in 1...plan.rounds {
            progress("\r  \(size): history: round \(round)/\(plan.rounds)   ")
            let csv = dir + "/history-\(round).csv"
            let rows = try plan.writeNextRound(csv: csv)
            let offset = Self.fileSize(log)
            let invocation = leads(["import-csv", csv, "--on-duplicate", "update"], now: plan.now(round: round))
            let sample = try Runner.time(invocation, stderr: dir + "/last.err", launcher: tools.launcher)
            guard sample.status == 0 else {
                throw BenchError.failed("history round \(round), leads import-csv \(csv) --on-duplicate update (exit \(sample.status)): "
                                        + ((try? String(contentsOfFile: dir + "/last.err", encoding: .utf8)) ?? ""))
            }
            updateJob.samples.append(sample)
            // One `set` record per changed lead, or the record count is not what the
            // summary says (a row that changes nothing is skipped, writing none).
            let written = try Self.lines(of: log, from: offset)
            if written != rows {
                result.notes.append("history check: round \(round) imported \(rows) changed rows but wrote \(written) log records")
            }
            records += written
        }
        progress("\r  \(size): history: \(plan.rounds) rounds imported\(String(repeating: " ", count: 12))\n")
        result.jobs.append(updateJob)
        result.historyRounds = plan.rounds
        result.historyRecords = records
        result.historyLogBytes = Self.fileSize(log)
        // Checking the reports also writes the history checkpoint (the first report after
        // a change does), so the timed rows see the store as a user's second report does,
        // whatever --warmup says.
        result.notes += try checkHistoryReports(plan)
        sync()
        result.historySeconds = Runner.monotonic() - started

        let end = plan.end, middle = UTC.instant(plan.middle)
        var jobs: [Job] = [
            Job(Self.historyRows[0], .leads, size: size) { _ in leads(["pipeline", "--as-of", middle], now: end) },
            Job(Self.historyRows[1], .leads, size: size) { _ in leads(["pipeline", "--as-of", UTC.instant(end)], now: end) },
        ]
        for (name, kind) in zip(Self.historyRows.dropFirst(2), ["funnel", "velocity", "lost", "winrate", "accuracy"]) {
            jobs.append(Job(name, .leads, size: size) { _ in leads(["report", kind], now: end) })
        }
        // What the first report after a change of the whole log costs: no checkpoint.
        jobs.append(Job("leads pipeline --as-of mid-history, whole replay", .leads, size: size) { _ in
            var invocation = leads(["pipeline", "--as-of", middle], now: end)
            invocation.environment["LEADS_INDEX"] = "off"
            return invocation
        })
        if let cat = Runner.find("cat", path: Toolbox.path) {
            jobs.append(Job(Self.historyCat, .floor, size: size) { _ in Invocation(argv: [cat, log], environment: environment) })
        }
        try Job.measure(jobs, warmup: options.warmup, runs: runs, scratch: dir, launcher: tools.launcher, label: "\(size): history")
        result.jobs += jobs
    }

    /// Each history question must answer with a table that has rows, or its timing
    /// says nothing about issue 20's workload. Text output: a header and at least one row.
    func checkHistoryReports(_ plan: HistoryPlan) throws -> [String] {
        let end = plan.end
        let questions: [(String, [String])] = [
            ("report lost", ["report", "lost"]),
            ("report velocity", ["report", "velocity"]),
            ("report funnel --by owner", ["report", "funnel", "--by", "owner"]),
            ("report winrate", ["report", "winrate"]),
            ("report accuracy", ["report", "accuracy"]),
            ("pipeline --as-of mid-history", ["pipeline", "--as-of", UTC.instant(plan.middle)]),
        ]
        var notes: [String] = []
        for (what, arguments) in questions {
            let output = try Runner.check(leads(arguments, now: end), scratch: dir, what: "leads \(what) on the history")
            let lines = output.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
            if lines.count < 2 { notes.append("history check: leads \(what) printed \(lines.count) lines: \(output.prefix(200))") }
        }
        return notes
    }

    static func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    /// Newlines in a file from `offset` on: the records appended since then.
    static func lines(of path: String, from offset: Int) throws -> Int {
        guard let file = fopen(path, "r") else { throw BenchError.io("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        fseeko(file, off_t(offset), SEEK_SET)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var count = 0
        while true {
            let read = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if read == 0 { break }
            for byte in buffer[0..<read] where byte == UInt8(ascii: "\n") { count += 1 }
        }
        return count
    }
}
