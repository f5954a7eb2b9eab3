import Foundation

/// Everything measured on one data set size.
struct SizeResult {
    let size: Int
    var jobs: [Job] = []
    var averageFileSize = 0
    var csvBytes = 0
    var secondReminders = 0
    var dueReminders = 0
    /// The history set (HistoryPlan): update imports run, records and bytes of the log
    /// after them, and the wall time of building it (generating, importing, checking).
    var historyRounds = 0
    var historyRecords = 0
    var historyLogBytes = 0
    var historySeconds = 0.0
    var notes: [String] = []

    func job(_ command: String) -> Job? { jobs.first { $0.command == command } }
}

/// Builds the data set of one size and times the commands, floors and peers on it.
///
/// Directory layout under `DIR/nSIZE/`: `leads.csv`, `tasks.json`; `import-R/` (a fresh
/// store per timed `import-csv`; `import-0`, the warm-up's, is the store every other
/// command runs on); `create-R/` (the create floor's files); `durable/`; `task-R/`;
/// `history-R.csv` (the history set's update rounds, imported into `import-0` last).
struct SizeRun {
    let size: Int
    let dir: String
    let options: Options
    let tools: Toolbox
    let environment: [String: String]

    var store: String { dir + "/import-0" }
    /// The opt-in 1,000,000-lead set (`--million`) times fewer rows: one import, no
    /// create-files floor, no list or export-csv, no jq or Python (each would take minutes),
    /// and at most 3 runs of the rest.
    var reduced: Bool { size >= Options.millionSize }
    var runs: Int { reduced ? min(options.runs, 3) : options.runs }
    /// Each costs a process and an fsync: 15,000 of them would add minutes to a 100,000 run.
    static let secondReminderLimit = 1000

    func leads(_ arguments: [String], store: String? = nil, stdout: String = "/dev/null", now: Int? = nil) -> Invocation {
        var environment = environment
        environment["LEADS_DIR"] = store ?? self.store
        if let now { environment["LEADS_NOW"] = UTC.instant(now) }
        return Invocation(argv: [tools.leads] + arguments, environment: environment, stdout: stdout)
    }

    func task(_ arguments: [String], data: String) -> Invocation {
        var environment = environment
        environment["TASKRC"] = dir + "/../tools/taskrc"
        environment["TASKDATA"] = data
        return Invocation(argv: [tools.task!] + arguments, environment: environment)
    }

    func run() throws -> SizeResult {
        var result = SizeResult(size: size)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let csv = dir + "/leads.csv"
        let timeTask = tools.task != nil && size <= options.taskLimit
        progress("\(size) leads: generating \(csv)\n")
        let second = try DataSet.write(count: size, seed: options.seed, csv: csv,
                                       tasks: timeTask ? dir + "/tasks.json" : nil)
        result.csvBytes = (try? FileManager.default.attributesOfItem(atPath: csv)[.size] as? Int) ?? 0

        // Creation: every timed run writes into a directory that does not exist yet.
        // Nothing large is deleted before these runs (the file system skips recently freed
        // inodes: creating 100,000 files right after deleting as many took ten times longer).
        var averageSize: Int?
        func leadFileStats(_ leadsDir: String) throws -> (files: Int, bytes: Int) {
            guard let floor = tools.floor else { return (0, 0) }
            let text = try Runner.check(Invocation(argv: [floor, "read", leadsDir], environment: environment), scratch: dir, what: "read floor")
            let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
            return numbers.count == 2 ? (numbers[0], numbers[1]) : (0, 0)
        }
        let importJob = Job("leads import-csv", .leads, size: size) { round in
            leads(["import-csv", csv], store: dir + "/import-\(round)")
        }
        // The first reader right after an import: every lead file is then inside the
        // racy-timestamp window of the index the importer wrote (issue 21: "no slow
        // window after an import").
        let afterImport = Job("leads pipeline just after import-csv", .leads, size: size) { round in
            leads(["pipeline"], store: dir + "/import-\(round)")
        }
        var creation = [importJob, afterImport]
        if reduced {
            creation.append(.skipped("C create-files floor", .floor, size: size, note: "not timed on the --million set"))
        } else if let floor = tools.floor {
            creation.append(Job("C create-files floor", .floor, size: size) { round in
                if averageSize == nil {
                    // The warm-up import (round 0) ran just before: its files give the size.
                    let stats = try leadFileStats(store + "/leads")
                    averageSize = stats.files > 0 ? stats.bytes / stats.files : 1500
                }
                return Invocation(argv: [floor, "create", dir + "/create-\(round)", "\(size)", "\(averageSize!)"], environment: environment)
            })
        } else {
            creation.append(.skipped("C create-files floor", .floor, size: size, note: tools.missing["cc"]!))
        }
        if timeTask {
            creation.append(Job("task import", .peer, size: size) { round in
                let data = dir + "/task-\(round)"
                try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
                return task(["import", dir + "/tasks.json"], data: data)
            })
        }
        // The 1,000,000 set is imported once, and that import is the row.
        let (creationWarmup, creationRuns) = reduced ? (0, 1) : (max(1, options.warmup), options.runs)
        try Job.measure(creation, warmup: creationWarmup, runs: creationRuns, scratch: dir, launcher: tools.launcher, label: "\(size): creation")
        result.jobs += creation
        guard importJob.samples.count == creationRuns else {
            throw BenchError.failed("leads import-csv of \(size) rows: \(importJob.note ?? "failed")")
        }
        let stats = try leadFileStats(store + "/leads")
        if tools.floor != nil, stats.files != size {
            throw BenchError.failed("the store has \(stats.files) lead files, expected \(size)")
        }
        result.averageFileSize = stats.files > 0 ? stats.bytes / stats.files : 0

        // The importer takes one reminder per row; the second ones (drawn for 15 % of the
        // leads, at most `secondReminderLimit` of them, spread over the IDs) are added the
        // way a user would, one `leads remind` each. Those runs are timed too: a write of
        // one lead in a store of this size.
        let stride = max(1, (second.count + Self.secondReminderLimit - 1) / Self.secondReminderLimit)
        let sample = second.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
        let reminderJob = Job("leads remind ID WHEN TEXT", .leads, size: size) { _ in throw BenchError.failed("unused") }
        for (id, due) in sample {
            let sample = try Runner.time(leads(["remind", "\(id)", UTC.day(due), "Angebot nachfassen – Rückruf"]), stderr: dir + "/last.err",
                                         launcher: tools.launcher)
            guard sample.status == 0 else {
                throw BenchError.failed("leads remind \(id): \((try? String(contentsOfFile: dir + "/last.err", encoding: .utf8)) ?? "")")
            }
            reminderJob.samples.append(sample)
        }
        result.secondReminders = sample.count
        if sample.isEmpty { reminderJob.note = "no second reminders in this data set" }
        sync()

        // The peers must compute what `leads pipeline` computes, or the ratio means nothing.
        if !reduced { result.notes += try checkPeers() }
        let due = try Runner.check(leads(["remind", "--due", "--json"]), scratch: dir, what: "leads remind --due")
        result.dueReminders = due.components(separatedBy: "\"ref\"").count - 1

        // SQLite: the same leads, loaded from the files `leads` wrote (second reminders
        // included), in a database with a rollback journal (SQLite's default) and a copy in
        // WAL mode for the insert.
        let database = dir + "/leads.db", walDatabase = dir + "/leads-wal.db"
        let middleID = max(1, size / 2)
        if let sqlite3 = tools.sqlite3 {
            let (load, notes) = try loadSQLite(sqlite3, database: database, walDatabase: walDatabase, middleID: middleID, dueCount: result.dueReminders)
            result.jobs.append(load)
            result.notes += notes
        }

        // Reading: the same store, warm in the page cache, as a user running one command
        // after another sees it.
        let middle = "\(max(1, size / 2))"
        var reading: [Job] = [
            Job("leads --version", .leads, size: size) { _ in leads(["--version"]) },
            Job("leads show ID", .leads, size: size) { _ in leads(["show", middle]) },
            Job("leads log ID", .leads, size: size) { _ in leads(["log", middle]) },
            Job("leads pipeline", .leads, size: size) { _ in leads(["pipeline"]) },
            Job("leads pipeline --by owner", .leads, size: size) { _ in leads(["pipeline", "--by", "owner"]) },
            Job("leads remind --due", .leads, size: size) { _ in leads(["remind", "--due"]) },
        ]
        if !reduced {
            reading += [
                Job("leads list", .leads, size: size) { _ in leads(["list"]) },
                Job("leads list --json", .leads, size: size) { _ in leads(["list", "--json"]) },
                Job("leads export-csv", .leads, size: size) { _ in leads(["export-csv"]) },
            ]
        }
        // Issue 20's questions about the past on the log as the import left it: one
        // record per lead, all from LEADS_NOW (the import, the second reminders), so
        // `--as-of` is LEADS_NOW, the whole log replayed, and `report lost` and
        // `velocity` have nothing to count. Kept, without a target, to stay comparable
        // with earlier runs; the target is checked on the history set's rows below.
        reading += [
            Job("leads pipeline --as-of", .leads, size: size) { _ in leads(["pipeline", "--as-of", DataSet.nowText]) },
            Job("leads report funnel", .leads, size: size) { _ in leads(["report", "funnel"]) },
            Job("leads report velocity", .leads, size: size) { _ in leads(["report", "velocity"]) },
            Job("leads report lost", .leads, size: size) { _ in leads(["report", "lost"]) },
            Job("leads report winrate", .leads, size: size) { _ in leads(["report", "winrate"]) },
            Job("leads report accuracy", .leads, size: size) { _ in leads(["report", "accuracy"]) },
            // The same question with the history checkpoint ignored: the whole log parsed,
            // what the first report after a change of the whole log costs.
            Job("leads pipeline --as-of, whole replay", .leads, size: size) { _ in
                var invocation = leads(["pipeline", "--as-of", DataSet.nowText])
                invocation.environment["LEADS_INDEX"] = "off"
                return invocation
            },
        ]
        if let cat = Runner.find("cat", path: Toolbox.path) {
            reading.append(Job("cat activity.log", .floor, size: size) { _ in Invocation(argv: [cat, store + "/activity.log"], environment: environment) })
        }
        if let swiftFloor = tools.swiftFloor {
            reading.append(Job("Swift start-up floor", .floor, size: size) { _ in Invocation(argv: [swiftFloor], environment: environment) })
        } else {
            reading.append(.skipped("Swift start-up floor", .floor, size: size, note: tools.missing["swiftc-static-stdlib"]!))
        }
        if let exe = tools.swiftStaticExecutable {
            reading.append(Job("Swift start-up, -static-executable", .floor, size: size) { _ in Invocation(argv: [exe], environment: environment) })
        }
        if let floor = tools.floor {
            reading.append(Job("C read-all floor", .floor, size: size) { _ in Invocation(argv: [floor, "read", store + "/leads"], environment: environment) })
            // Issue 21's "stat validation stays": what listing and stat-ing the lead files
            // costs by itself, against which the sqlite3 targets can be read.
            reading.append(Job("C stat-all floor", .floor, size: size) { _ in Invocation(argv: [floor, "stat", store + "/leads"], environment: environment) })
        } else {
            reading.append(.skipped("C read-all floor", .floor, size: size, note: tools.missing["cc"]!))
        }
        let toolsDir = dir + "/../tools"
        if reduced {
            reading.append(.skipped("jq pipeline sums", .peer, size: size, note: "not timed on the --million set"))
            reading.append(.skipped("python pipeline sums", .peer, size: size, note: "not timed on the --million set"))
        } else if let jq = tools.jq {
            // 100,000 paths overflow ARG_MAX: stream the files through one jq process.
            let script = "find \"$1\" -maxdepth 1 -name '*.json' -print0 | xargs -0 cat | \"$2\" -n -c -f \"$3\""
            reading.append(Job("jq pipeline sums", .peer, size: size) { _ in
                Invocation(argv: [tools.shell, "-c", script, "sh", store + "/leads", jq, toolsDir + "/pipeline.jq"], environment: environment)
            })
        } else {
            reading.append(.skipped("jq pipeline sums", .peer, size: size, note: tools.missing["jq"]!))
        }
        if reduced {
        } else if let python = tools.python {
            reading.append(Job("python pipeline sums", .peer, size: size) { _ in
                Invocation(argv: [python, toolsDir + "/pipeline.py", store + "/leads"], environment: environment)
            })
        } else {
            reading.append(.skipped("python pipeline sums", .peer, size: size, note: tools.missing["python3"]!))
        }
        if let sqlite3 = tools.sqlite3 {
            let now = DataSet.now
            reading += [
                Job("sqlite3 pipeline sums", .peer, size: size) { _ in Invocation(argv: [sqlite3, database, SQLitePeer.pipelineSQL], environment: environment) },
                Job("sqlite3 due reminders", .peer, size: size) { _ in Invocation(argv: [sqlite3, database, SQLitePeer.dueSQL(now: now)], environment: environment) },
                Job("sqlite3 one lead by ID", .peer, size: size) { _ in Invocation(argv: [sqlite3, database, SQLitePeer.showSQL(id: middleID)], environment: environment) },
            ]
            if !reduced {
                reading.append(Job("sqlite3 list query", .peer, size: size) { _ in Invocation(argv: [sqlite3, database, SQLitePeer.listSQL], environment: environment) })
            }
        } else {
            for name in ["sqlite3 pipeline sums", "sqlite3 due reminders", "sqlite3 list query", "sqlite3 one lead by ID"] {
                reading.append(.skipped(name, .peer, size: size, note: tools.missing["sqlite3"]!))
            }
        }
        if timeTask {
            reading.append(Job("task list", .peer, size: size) { _ in task(["list"], data: dir + "/task-0") })
            reading.append(Job("task summary", .peer, size: size) { _ in task(["summary"], data: dir + "/task-0") })
        }
        try Job.measure(reading, warmup: options.warmup, runs: runs, scratch: dir, launcher: tools.launcher, label: "\(size): reading")
        result.jobs += reading

        // Writing one lead: each run adds a new, unique lead, the real workload.
        var writing: [Job] = [
            Job("leads add", .leads, size: size) { round in
                leads(["add", "Zoë Bench-Jäger \(round)", "--company", "Prüfstand \(round) GmbH",
                       "--email", "zoe.bench.\(round)@pruefstand.example", "--phone", "+49 89 555 \(round)",
                       "--owner", "bob", "--value", "12500.50", "--currency", "EUR", "--label", "hot",
                       "--note", "Erstkontakt auf der Messe, Rückruf vereinbart", "--next", "+3d"])
            },
        ]
        if let floor = tools.floor {
            let bytes = result.averageFileSize > 0 ? result.averageFileSize : 1500
            writing.append(Job("C durable-change floor", .floor, size: size) { _ in
                Invocation(argv: [floor, "durable", dir + "/durable", "\(bytes)"], environment: environment)
            })
        } else {
            writing.append(.skipped("C durable-change floor", .floor, size: size, note: tools.missing["cc"]!))
        }
        if let sqlite3 = tools.sqlite3 {
            writing.append(Job("sqlite3 insert, synchronous=FULL", .peer, size: size) { round in
                Invocation(argv: [sqlite3, database, SQLitePeer.insertSQL(round: round, now: DataSet.now)], environment: environment)
            })
            writing.append(Job("sqlite3 insert, WAL, synchronous=FULL", .peer, size: size) { round in
                Invocation(argv: [sqlite3, walDatabase, SQLitePeer.insertSQL(round: round, now: DataSet.now)], environment: environment)
            })
        } else {
            writing.append(.skipped("sqlite3 insert, synchronous=FULL", .peer, size: size, note: tools.missing["sqlite3"]!))
        }
        if timeTask {
            writing.append(Job("task add", .peer, size: size) { round in
                task(["add", "Rückruf Zoë Bench-Jäger \(round)", "project:bob", "due:2026-11-26"], data: dir + "/task-0")
            })
        }
        try Job.measure(writing, warmup: options.warmup, runs: runs, scratch: dir, launcher: tools.launcher, label: "\(size): writing")
        result.jobs += writing
        result.jobs.append(reminderJob)
        sync()

        // The history set comes last: every row above runs on the store as before, and
        // the history is written into that same store (a copy of 100,000 lead files
        // would cost a minute and a gigabyte for nothing the rows need).
        if !reduced && options.historyRounds > 0 { try runHistory(into: &result) }

        if let failed = result.jobs.first(where: { $0.role == .leads && $0.failed }) {
            result.notes.append("\(failed.command): \(failed.note ?? "failed")")
        }
        return result
    }

    /// Builds the SQLite peer's database from the store's lead files (timed once, as the
    /// row `sqlite3 load from the lead files`), makes the WAL copy, and checks that the
    /// SQL answers what `leads` answers: the same pipeline sums, as many due reminders,
    /// as many open leads.
    func loadSQLite(_ sqlite3: String, database: String, walDatabase: String, middleID: Int, dueCount: Int) throws -> (Job, [String]) {
        let fm = FileManager.default
        for path in [database, walDatabase, walDatabase + "-wal", walDatabase + "-shm", database + "-journal"] { try? fm.removeItem(atPath: path) }
        let script = dir + "/sqlite-load.sql"
        try SQLitePeer.buildSQL(leadsDirectory: store + "/leads").write(toFile: script, atomically: true, encoding: .utf8)
        let load = Job("sqlite3 load from the lead files", .peer, size: size) { _ in throw BenchError.failed("timed once") }
        let output = dir + "/sqlite-load.out"
        let sample = try Runner.time(Invocation(argv: [sqlite3, database], environment: environment, stdout: output, stdin: script),
                                     stderr: dir + "/last.err", launcher: tools.launcher)
        let counts = ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
        guard sample.status == 0, counts.hasPrefix("\(size)|") else {
            throw BenchError.failed("sqlite3 load of \(store)/leads (exit \(sample.status)): \(counts) \((try? String(contentsOfFile: dir + "/last.err", encoding: .utf8)) ?? "")")
        }
        load.samples.append(sample)
        try fm.copyItem(atPath: database, toPath: walDatabase)
        let wal = try Runner.check(Invocation(argv: [sqlite3, walDatabase, "PRAGMA journal_mode=WAL;"], environment: environment), scratch: dir, what: "sqlite3 journal_mode=WAL")
        guard wal.hasPrefix("wal") else { throw BenchError.failed("sqlite3 would not switch \(walDatabase) to WAL: \(wal)") }

        var notes: [String] = []
        func query(_ sql: String) throws -> [String] {
            try Runner.check(Invocation(argv: [sqlite3, database, sql], environment: environment), scratch: dir, what: "sqlite3 \(sql.prefix(40))")
                .split(separator: "\n").map(String.init)
        }
        if let expected = try leadsPipelineLines() {
            let got = SQLitePeer.pipelineLines(try query(SQLitePeer.pipelineSQL).joined(separator: "\n")).map(normaliseLine)
            if got.sorted() != expected.sorted() {
                notes.append("peer check: sqlite3 sums differ from leads pipeline --json:\n  leads:   \(expected.sorted().prefix(4))\n  sqlite3: \(got.sorted().prefix(4))")
            }
        } else {
            notes.append("peer check: cannot read leads pipeline --json")
        }
        let due = try query(SQLitePeer.dueSQL(now: DataSet.now)).count
        if due != dueCount { notes.append("peer check: sqlite3 finds \(due) due reminders, leads remind --due \(dueCount)") }
        let open = try Runner.check(leads(["list", "--ids"]), scratch: dir, what: "leads list --ids").split(separator: "\n").count
        let rows = try query(SQLitePeer.listSQL).count
        if rows != open { notes.append("peer check: the sqlite3 list query finds \(rows) open leads, leads list \(open)") }
        if try query(SQLitePeer.showSQL(id: middleID)).isEmpty { notes.append("peer check: sqlite3 finds no lead \(middleID)") }
        return (load, notes)
    }

    /// `leads pipeline --json` as `CURRENCY STAGE COUNT VALUE WEIGHTED` lines, amounts normalised.
    func leadsPipelineLines() throws -> [String]? {
        let output = try Runner.check(leads(["pipeline", "--json"]), scratch: dir, what: "leads pipeline --json")
        guard let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let currencies = report["currencies"] as? [[String: Any]] else {
            return nil
        }
        var expected: [String] = []
        for block in currencies {
            let currency = block["currency"] as? String ?? "-"
            for group in block["groups"] as? [[String: Any]] ?? [] {
                let count = group["count"] as? Int ?? -1
                let key = group["key"] as? String ?? "?"
                let value = (group["value"] as? String).map(normalise) ?? "0"
                let weighted = (group["weighted"] as? String).map(normalise) ?? "0"
                expected.append("\(currency) \(key) \(count) \(value) \(weighted)")
            }
        }
        return expected
    }

    /// `EUR new 3 12.50 1.25` with both amounts normalised.
    func normaliseLine(_ line: String) -> String {
        let parts = line.split(separator: " ").map(String.init)
        return parts.count == 5 ? "\(parts[0]) \(parts[1]) \(parts[2]) \(normalise(parts[3])) \(normalise(parts[4]))" : line
    }

    /// Compares the Python peer's sums with `leads pipeline --json` (counts and exact
    /// amounts per currency and stage).
    func checkPeers() throws -> [String] {
        guard let python = tools.python else { return [] }
        guard let expected = try leadsPipelineLines() else { return ["peer check: cannot read leads pipeline --json"] }
        let peer = try Runner.check(Invocation(argv: [python, dir + "/../tools/pipeline.py", store + "/leads"], environment: environment),
                                    scratch: dir, what: "python pipeline sums")
        let got = peer.split(separator: "\n").map { normaliseLine(String($0)) }
        if got.sorted() == expected.sorted() { return [] }
        return ["peer check: python sums differ from leads pipeline --json:\n  leads:  \(expected.sorted().prefix(4))\n  python: \(got.sorted().prefix(4))"]
    }

    /// `12.50`, `12.5000`, `12.5` → `12.5`; `0.00` → `0`.
    func normalise(_ amount: String) -> String {
        guard amount.contains(".") else { return amount }
        var text = amount
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" || text.isEmpty ? "0" : text
    }
}
