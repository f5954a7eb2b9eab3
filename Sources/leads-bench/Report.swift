import Foundation

/// One comparison shown for a row: a ratio against a floor or a peer, and the issue's
/// target for it where there is one.
struct Check {
    let against: String
    /// For a floor: leads ÷ floor. For a peer: peer ÷ leads.
    let ratio: Double?
    /// `≤ 2×`, `≥ 5×`, `≤ 100 MB`.
    let target: String?
    let met: Bool?
    /// Shown instead of the ratio (e.g. the peak RSS for the memory target).
    var shown: String?
}

/// The issue's targets, and the ratios that give the table its meaning. Targets stated
/// for 10,000 leads apply to every size below 100,000 (so a `--quick` run shows them
/// too); those stated for 100,000 apply from 100,000 on.
enum Targets {
    static let large = 100_000
    static let memoryLimit = 100_000_000

    static func checks(for job: Job, in result: SizeResult) -> [Check] {
        let small = job.size < large
        func ratio(_ numerator: Double?, _ denominator: Double?) -> Double? {
            guard let numerator, let denominator, denominator > 0 else { return nil }
            return numerator / denominator
        }
        func floor(_ name: String, _ label: String, atMost limit: Double?) -> Check {
            let value = ratio(job.median, result.job(name)?.median)
            return Check(against: label, ratio: value, target: limit.map { "≤ \(Self.limit($0))×" },
                         met: limit.flatMap { limit in value.map { $0 <= limit } })
        }
        func peer(_ name: String, _ label: String, atLeast limit: Double?) -> Check {
            let value = ratio(result.job(name)?.median, job.median)
            return Check(against: label, ratio: value, target: limit.map { "≥ \(Self.limit($0))×" },
                         met: limit.flatMap { limit in value.map { $0 >= limit } })
        }
        var checks: [Check] = []
        switch job.command {
        case "leads --version":
            checks.append(floor("Swift start-up floor", "Swift start-up", atMost: 1.5))
        case "leads show ID", "leads log ID":
            // Issue 21: ≤ 3 × start-up on 100,000 leads with their log.
            checks.append(floor("Swift start-up floor", "Swift start-up", atMost: small ? nil : 3))
            if job.command == "leads show ID", result.job("sqlite3 one lead by ID") != nil {
                checks.append(floor("sqlite3 one lead by ID", "sqlite3 by ID", atMost: nil))
            }
        case "leads add":
            let start = result.job("Swift start-up floor")?.median, durable = result.job("C durable-change floor")?.median
            let combined = start.flatMap { s in durable.map { s + $0 } }
            let value = ratio(job.median, combined)
            // Issue 9 set ≤ 2 × on 10,000; issue 21 holds it on 100,000 too.
            checks.append(Check(against: "Swift start-up + C durable", ratio: value, target: "≤ 2×", met: value.map { $0 <= 2 }))
            if result.job("sqlite3 insert, synchronous=FULL") != nil {
                checks.append(floor("sqlite3 insert, synchronous=FULL", "sqlite3 insert", atMost: nil))
            }
            if result.job("sqlite3 insert, WAL, synchronous=FULL") != nil {
                checks.append(floor("sqlite3 insert, WAL, synchronous=FULL", "sqlite3 insert, WAL", atMost: nil))
            }
        case "leads remind ID WHEN TEXT":
            let start = result.job("Swift start-up floor")?.median, durable = result.job("C durable-change floor")?.median
            checks.append(Check(against: "Swift start-up + C durable", ratio: ratio(job.median, start.flatMap { s in durable.map { s + $0 } }),
                                target: nil, met: nil))
        case "leads list", "leads export-csv", "leads pipeline", "leads remind --due":
            let fast = job.command == "leads pipeline" || job.command == "leads remind --due"
            // Issue 21 tightened list on 10,000 from 2 × to 1.5 ×.
            let smallLimit = job.command == "leads list" ? 1.5 : 2
            checks.append(floor("C read-all floor", "C read-all", atMost: small ? smallLimit : (fast ? 1 : nil)))
            // Issue 21: pipeline and remind --due ≤ 1 × SQLite on 10,000, ≤ 1.5 × on 100,000.
            let sqlite = ["leads pipeline": "sqlite3 pipeline sums", "leads remind --due": "sqlite3 due reminders", "leads list": "sqlite3 list query"]
            if let name = sqlite[job.command], result.job(name) != nil {
                checks.append(floor(name, "sqlite3", atMost: fast ? (small ? 1 : 1.5) : nil))
            }
            if fast, result.job("C stat-all floor") != nil { checks.append(floor("C stat-all floor", "C stat-all", atMost: nil)) }
            if result.job("jq pipeline sums") != nil { checks.append(peer("jq pipeline sums", "jq ÷ leads", atLeast: small ? 5 : nil)) }
            if result.job("python pipeline sums") != nil { checks.append(peer("python pipeline sums", "python ÷ leads", atLeast: small ? 5 : nil)) }
        case "leads pipeline just after import-csv":
            checks.append(floor("leads pipeline", "leads pipeline later", atMost: nil))
            checks.append(floor("C read-all floor", "C read-all", atMost: nil))
        case "leads list --json", "leads pipeline --by owner":
            checks.append(floor("C read-all floor", "C read-all", atMost: nil))
        case "leads import-csv":
            checks.append(floor("C create-files floor", "C create files", atMost: small ? nil : 1.5))
            if result.job("task import") != nil { checks.append(peer("task import", "task import ÷ leads", atLeast: nil)) }
        case let history where SizeRun.historyRows.contains(history):
            // Issue 20: ≤ 2 × the time `cat` needs to read the log, stated for 100,000 leads
            // with a 1,000,000-record log: the history set's log (about ten records per
            // lead); applied from 100,000 leads on.
            checks.append(floor(SizeRun.historyCat, "cat activity.log", atMost: small ? nil : 2))
        case "leads pipeline --as-of mid-history, whole replay":
            // For reference: without the checkpoint (LEADS_INDEX=off), no target.
            checks.append(floor(SizeRun.historyCat, "cat activity.log", atMost: nil))
        case "leads pipeline --as-of", "leads report funnel", "leads report velocity", "leads report lost",
             "leads report winrate", "leads report accuracy", "leads pipeline --as-of, whole replay":
            // The same questions on the import's log (one creation per lead): shown to stay
            // comparable with earlier runs, not the log the issue's target is stated for.
            checks.append(floor("cat activity.log", "cat activity.log", atMost: nil))
        case let peer where Self.leadsCommandOfPeer[peer] != nil:
            let leads = Self.leadsCommandOfPeer[peer]!
            checks.append(Check(against: "÷ " + leads, ratio: ratio(job.median, result.job(leads)?.median), target: nil, met: nil))
        default:
            break
        }
        if job.role == .leads, !small, let rss = job.peakRSS {
            checks.append(Check(against: "peak RSS", ratio: nil, target: "≤ 100 MB", met: rss <= memoryLimit, shown: megabytes(rss)))
        }
        return checks
    }

    /// Each peer's row is shown as a ratio to the `leads` command that answers the same question.
    static let leadsCommandOfPeer = [
        "jq pipeline sums": "leads pipeline", "python pipeline sums": "leads pipeline",
        "sqlite3 pipeline sums": "leads pipeline", "sqlite3 due reminders": "leads remind --due",
        "sqlite3 list query": "leads list", "sqlite3 one lead by ID": "leads show ID",
        "sqlite3 insert, synchronous=FULL": "leads add", "sqlite3 insert, WAL, synchronous=FULL": "leads add",
        "task add": "leads add", "task list": "leads list", "task summary": "leads pipeline", "task import": "leads import-csv",
    ]

    static func format(_ ratio: Double) -> String {
        String(format: ratio >= 100 ? "%.0f" : ratio >= 10 ? "%.1f" : "%.2f", ratio)
    }

    /// A target's number as the issue writes it: 1.5, 2, 5.
    static func limit(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}

struct Report {
    let options: Options
    let tools: Toolbox
    let machine: [String: String]
    let results: [SizeResult]
    let notes: [String]

    static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "—" }
        if seconds >= 1 { return String(format: "%.2f s", seconds) }
        let ms = seconds * 1000
        return ms >= 100 ? String(format: "%.0f ms", ms) : ms >= 10 ? String(format: "%.1f ms", ms) : String(format: "%.2f ms", ms)
    }

    static func span(_ job: Job) -> String {
        guard let low = job.minimum, let high = job.maximum else { return "" }
        let (from, to) = (duration(low), duration(high))
        // "4.1–5.2 ms" rather than "4.1 ms–5.2 ms" when both are in the same unit.
        for unit in [" ms", " s"] where from.hasSuffix(unit) && to.hasSuffix(unit) {
            return "\(from.dropLast(unit.count))–\(to)"
        }
        return "\(from)–\(to)"
    }

    /// Rows in a fixed order: the leads commands, then floors, then peers.
    static func ordered(_ jobs: [Job]) -> [Job] {
        let roles: [Job.Role] = [.leads, .floor, .peer]
        return jobs.enumerated().sorted { a, b in
            (roles.firstIndex(of: a.element.role)!, a.offset) < (roles.firstIndex(of: b.element.role)!, b.offset)
        }.map(\.element)
    }

    func table() -> String {
        let header = ["command", "size", "median", "min–max", "peak RSS", "compared with", "ratio", "target", "met"]
        var rows: [[String]] = []
        for result in results {
            for job in Self.ordered(result.jobs) {
                let checks = Targets.checks(for: job, in: result)
                let first = checks.first
                let metText: (Check?) -> String = { $0?.met.map { $0 ? "✓" : "✗" } ?? "" }
                let ratioText: (Check?) -> String = { check in
                    guard let check else { return "" }
                    if let shown = check.shown { return shown }
                    return check.ratio.map { Targets.format($0) + "×" } ?? (check.target == nil ? "" : "—")
                }
                if let note = job.note, job.samples.isEmpty {
                    rows.append([job.command, "\(job.size)", "—", "", "", note, "", "", ""])
                    continue
                }
                rows.append([job.command, "\(job.size)", Self.duration(job.median), Self.span(job),
                             job.peakRSS.map(Targets.megabytes) ?? "", first?.against ?? "", ratioText(first),
                             first?.target ?? "", metText(first)])
                for check in checks.dropFirst() {
                    rows.append(["", "", "", "", "", check.against, ratioText(check), check.target ?? "", metText(check)])
                }
            }
        }
        // Right-align the numbers, left-align the text; widths count characters, so
        // ÷ and – line up.
        let numeric: Set<Int> = [1, 2, 4, 6]
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return numeric.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = [line(header), line(widths.map { String(repeating: "-", count: $0) })]
        var previousSize: String?
        for row in rows {
            if !row[1].isEmpty, let previous = previousSize, previous != row[1] { out.append("") }
            if !row[1].isEmpty { previousSize = row[1] }
            out.append(line(row))
        }
        return out.joined(separator: "\n")
    }

    func summary() -> String {
        var lines = notes
        if tools.launcher == nil {
            lines.append("note: no C compiler, so no launcher: every peak RSS includes the benchmark's own")
        }
        for result in results {
            lines.append("\(result.size) leads: CSV \(String(format: "%.1f", Double(result.csvBytes) / 1e6)) MB; lead files \(result.averageFileSize) bytes on average; "
                         + "\(result.secondReminders) second reminders added with leads remind; \(result.dueReminders) reminders due at LEADS_NOW"
                         + (result.historyRounds == 0 ? "" : "; history: \(result.historyRounds) update imports, the log then \(result.historyRecords) records, "
                            + "\(String(format: "%.1f", Double(result.historyLogBytes) / 1e6)) MB, built in \(Report.duration(result.historySeconds))"))
            lines += result.notes
        }
        let missed = results.flatMap { result in
            result.jobs.flatMap { job in
                Targets.checks(for: job, in: result).filter { $0.met == false }.map { "\(job.command) (\(job.size)): \($0.against) \($0.shown ?? ($0.ratio.map { Targets.format($0) + "×" } ?? "")), target \($0.target!)" }
            }
        }
        lines.append(missed.isEmpty ? "all targets met" : "targets missed:\n  " + missed.joined(separator: "\n  "))
        return lines.joined(separator: "\n")
    }

    func json() throws -> Data {
        var sizes: [[String: Any]] = []
        for result in results {
            var rows: [[String: Any]] = []
            for job in Self.ordered(result.jobs) {
                var row: [String: Any] = ["command": job.command, "role": job.role.rawValue, "size": job.size, "runs": job.samples.count]
                if let median = job.median { row["median_s"] = median }
                if let low = job.minimum, let high = job.maximum { row["min_s"] = low; row["max_s"] = high }
                if let rss = job.peakRSS { row["peak_rss_bytes"] = rss }
                if let note = job.note { row["note"] = note }
                row["checks"] = Targets.checks(for: job, in: result).map { check -> [String: Any] in
                    var entry: [String: Any] = ["against": check.against]
                    if let ratio = check.ratio { entry["ratio"] = ratio }
                    if let target = check.target { entry["target"] = target }
                    if let met = check.met { entry["met"] = met }
                    return entry
                }
                rows.append(row)
            }
            sizes.append(["size": result.size, "csv_bytes": result.csvBytes, "average_lead_file_bytes": result.averageFileSize,
                          "second_reminders": result.secondReminders, "due_reminders": result.dueReminders,
                          "history_rounds": result.historyRounds, "history_records": result.historyRecords,
                          "history_log_bytes": result.historyLogBytes, "history_build_s": result.historySeconds,
                          "notes": result.notes, "rows": rows])
        }
        let document: [String: Any] = [
            "machine": machine, "versions": tools.versions,
            "options": ["runs": options.runs, "warmup": options.warmup, "seed": options.seed, "quick": options.quick,
                        "sizes": options.sizes, "leads": tools.leads, "history_rounds": options.historyRounds],
            "results": sizes,
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
    }
}
