import Foundation

/// Everything measured on one data set size.
struct SizeResult {
    let size: Int
    var jobs: [Job] = []
    var averageFileSize = 0
    var csvBytes = 0
    var secondReminders = 0
    var dueReminders = 0
    var notes: [String] = []

    func job(_ command: String) -> Job? { jobs.first { $0.command == command } }
}

/// Builds the data set of one size and times the commands, floors and peers on it.
///
/// Directory layout under `DIR/nSIZE/`: `leads.csv`, `tasks.json`; `import-R/` (a fresh
/// store per timed `import-csv`; `import-0`, the warm-up's, is the store every other
/// command runs on); `create-R/` (the create floor's files); `durable/`; `task-R/`.
struct SizeRun {
    let size: Int
    let dir: String
    let options: Options
    let tools: Toolbox
    let environment: [String: String]

    var store: String { dir + "/import-0" }
    /// Each costs a process and an fsync: 15,000 of them would add minutes to a 100,000 run.
    static let secondReminderLimit = 1000

    func leads(_ arguments: [String], store: String? = nil, stdout: String = "/dev/null") -> Invocation {
        var environment = environment
        environment["LEADS_DIR"] = store ?? self.store
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
        var creation = [importJob]
        if let floor = tools.floor {
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
        try Job.measure(creation, warmup: max(1, options.warmup), runs: options.runs, scratch: dir, launcher: tools.launcher, label: "\(size): creation")
        result.jobs += creation
        guard importJob.samples.count == options.runs else {
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
        result.notes += try checkPeers()
        let due = try Runner.check(leads(["remind", "--due", "--json"]), scratch: dir, what: "leads remind --due")
        result.dueReminders = due.components(separatedBy: "\"ref\"").count - 1

        // Reading: the same store, warm in the page cache, as a user running one command
        // after another sees it.
        let middle = "\(max(1, size / 2))"
        var reading: [Job] = [
            Job("leads --version", .leads, size: size) { _ in leads(["--version"]) },
            Job("leads show ID", .leads, size: size) { _ in leads(["show", middle]) },
            Job("leads list", .leads, size: size) { _ in leads(["list"]) },
            Job("leads list --json", .leads, size: size) { _ in leads(["list", "--json"]) },
            Job("leads pipeline", .leads, size: size) { _ in leads(["pipeline"]) },
            Job("leads pipeline --by owner", .leads, size: size) { _ in leads(["pipeline", "--by", "owner"]) },
            Job("leads remind --due", .leads, size: size) { _ in leads(["remind", "--due"]) },
            Job("leads export-csv", .leads, size: size) { _ in leads(["export-csv"]) },
        ]
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
        } else {
            reading.append(.skipped("C read-all floor", .floor, size: size, note: tools.missing["cc"]!))
        }
        let toolsDir = dir + "/../tools"
        if let jq = tools.jq {
            // 100,000 paths overflow ARG_MAX: stream the files through one jq process.
            let script = "find \"$1\" -maxdepth 1 -name '*.json' -print0 | xargs -0 cat | \"$2\" -n -c -f \"$3\""
            reading.append(Job("jq pipeline sums", .peer, size: size) { _ in
                Invocation(argv: [tools.shell, "-c", script, "sh", store + "/leads", jq, toolsDir + "/pipeline.jq"], environment: environment)
            })
        } else {
            reading.append(.skipped("jq pipeline sums", .peer, size: size, note: tools.missing["jq"]!))
        }
        if let python = tools.python {
            reading.append(Job("python pipeline sums", .peer, size: size) { _ in
                Invocation(argv: [python, toolsDir + "/pipeline.py", store + "/leads"], environment: environment)
            })
        } else {
            reading.append(.skipped("python pipeline sums", .peer, size: size, note: tools.missing["python3"]!))
        }
        if timeTask {
            reading.append(Job("task list", .peer, size: size) { _ in task(["list"], data: dir + "/task-0") })
            reading.append(Job("task summary", .peer, size: size) { _ in task(["summary"], data: dir + "/task-0") })
        }
        try Job.measure(reading, warmup: options.warmup, runs: options.runs, scratch: dir, launcher: tools.launcher, label: "\(size): reading")
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
        if timeTask {
            writing.append(Job("task add", .peer, size: size) { round in
                task(["add", "Rückruf Zoë Bench-Jäger \(round)", "project:bob", "due:2026-11-26"], data: dir + "/task-0")
            })
        }
        try Job.measure(writing, warmup: options.warmup, runs: options.runs, scratch: dir, launcher: tools.launcher, label: "\(size): writing")
        result.jobs += writing
        result.jobs.append(reminderJob)
        sync()

        if let failed = result.jobs.first(where: { $0.role == .leads && $0.failed }) {
            result.notes.append("\(failed.command): \(failed.note ?? "failed")")
        }
        return result
    }

    /// Compares the Python peer's sums with `leads pipeline --json` (counts and exact
    /// amounts per currency and stage), and checks that jq ran.
    func checkPeers() throws -> [String] {
        guard let python = tools.python else { return [] }
        let output = try Runner.check(leads(["pipeline", "--json"]), scratch: dir, what: "leads pipeline --json")
        guard let report = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
              let currencies = report["currencies"] as? [[String: Any]] else {
            return ["peer check: cannot read leads pipeline --json"]
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
        let peer = try Runner.check(Invocation(argv: [python, dir + "/../tools/pipeline.py", store + "/leads"], environment: environment),
                                    scratch: dir, what: "python pipeline sums")
        let got = peer.split(separator: "\n").map { line in
            let parts = line.split(separator: " ").map(String.init)
            return parts.count == 5 ? "\(parts[0]) \(parts[1]) \(parts[2]) \(normalise(parts[3])) \(normalise(parts[4]))" : String(line)
        }
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
