import Foundation

/// `swift run -c release leads-bench`: times the `leads` binary as a user runs it, next
/// to what the machine cannot do faster (floors) and what a user would use instead
/// (peers). See Docs/performance.md.
@main
enum LeadsBench {
    static func main() {
        do {
            let options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
            exit(try run(options))
        } catch let error as BenchError {
            progress("leads-bench: \(error)\n")
            if case .usage = error { exit(2) }
            exit(1)
        } catch {
            progress("leads-bench: \(error)\n")
            exit(1)
        }
    }

    static func run(_ options: Options) throws -> Int32 {
        let fm = FileManager.default
        let out = options.out.hasPrefix("/") ? options.out : fm.currentDirectoryPath + "/" + options.out
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        // The previous run's directories are moved aside now (a rename) and deleted only
        // after this run's timings: deleting 100,000 files just before timing the creation
        // of as many makes the creation ten times slower.
        // Each run has its own trash directory, so a run never moves into one that an
        // earlier run's background remover is deleting.
        func trashes() -> [String] {
            ((try? fm.contentsOfDirectory(atPath: out)) ?? []).filter { $0.hasPrefix(".trash-") }.sorted().map { out + "/" + $0 }
        }
        var notes: [String] = []
        // Leftover trash alone does no harm (a remover that was stopped); a remover at
        // work competes for the disk.
        func removerRunning() -> Bool {
            let marker = "\u{0}remove\u{0}\(out)/.trash-"
            return ((try? fm.contentsOfDirectory(atPath: "/proc")) ?? []).contains { pid in
                guard Int(pid) != nil, let data = fm.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
                return String(decoding: data, as: UTF8.self).contains(marker)
            }
        }
        if !trashes().isEmpty && removerRunning() {
            notes.append("note: files of earlier runs were still being deleted during this run (\(out)/.trash-*): timings may suffer")
        }
        let trash = out + "/.trash-\(getpid())-\(Int(Date().timeIntervalSince1970))"
        // Only what a run makes (nSIZE/, tools/) is moved: --out may name a directory that holds other things.
        let ours = { (entry: String) in entry == "tools" || (entry.count > 1 && entry.first == "n" && entry.dropFirst().allSatisfy(\.isNumber)) }
        for entry in try fm.contentsOfDirectory(atPath: out) where ours(entry) {
            try fm.createDirectory(atPath: trash, withIntermediateDirectories: true)
            try fm.moveItem(atPath: out + "/" + entry, toPath: trash + "/" + entry)
        }
        let tools = out + "/tools"
        try fm.createDirectory(atPath: tools, withIntermediateDirectories: true)

        let environment: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
            "HOME": tools,
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "NO_COLOR": "1",
            "LEADS_NOW": DataSet.nowText,
            "LEADS_USER": "alice",
        ]
        let toolbox = try Toolbox.prepare(options: options, tools: tools, environment: environment)
        for note in toolbox.missing.values.sorted() { progress("note: \(note)\n") }

        var results: [SizeResult] = []
        for size in options.sizes {
            let run = SizeRun(size: size, dir: out + "/n\(size)", options: options, tools: toolbox, environment: environment)
            results.append(try run.run())
        }

        let report = Report(options: options, tools: toolbox, machine: machine(workDirectory: out), results: results, notes: notes)
        print(report.table())
        print()
        print(report.summary())
        print("machine: " + report.machine.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        fflush(nil)
        if let path = options.json {
            try report.json().write(to: URL(fileURLWithPath: path))
            progress("wrote \(path)\n")
        }

        // Deleting is slow here (a million files took over an hour on ext4 mounted with
        // `discard`), so it runs on in the background, at the lowest priority, after
        // this process has exited.
        // Earlier runs' leftovers too, should their remover have been stopped.
        let doomed = trashes()
        if !doomed.isEmpty {
            let remover = toolbox.floor.map { [$0, "remove"] } ?? ["/bin/rm", "-rf"]
            let nice = Runner.find("nice", path: Toolbox.path).map { [$0, "-n", "19"] } ?? []
            if let pid = try? Runner.spawnDetached(Invocation(argv: nice + remover + doomed, environment: environment)) {
                progress("deleting the previous run's files in the background (pid \(pid)): \(doomed.joined(separator: " "))\n")
            }
        }

        let failed = results.flatMap(\.jobs).filter { $0.role == .leads && $0.failed }
        for job in failed { progress("leads-bench: \(job.command) (\(job.size)): \(job.note ?? "failed")\n") }
        return failed.isEmpty ? 0 : 1
    }

    /// What the numbers depend on: cores, CPU, memory, kernel and the work directory's file system.
    static func machine(workDirectory: String) -> [String: String] {
        var info: [String: String] = ["date": ISO8601DateFormatter().string(from: Date())]
        info["nproc"] = "\(sysconf(Int32(_SC_NPROCESSORS_ONLN)))"
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let model = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) {
            info["cpu"] = model.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let total = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal") }) {
            info["memory"] = total.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        var name = utsname()
        uname(&name)
        info["kernel"] = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        // The file system of the longest mount point containing the work directory.
        if let mounts = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) {
            let real = URL(fileURLWithPath: workDirectory).resolvingSymlinksInPath().path
            var best: [String] = []
            for line in mounts.split(separator: "\n") {
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count > 2 else { continue }
                let inside = real == fields[1] || real.hasPrefix(fields[1] == "/" ? "/" : fields[1] + "/")
                if inside && (best.isEmpty || fields[1].count >= best[1].count) { best = fields }
            }
            if !best.isEmpty { info["filesystem"] = "\(best[2]) (\(best[0]) on \(best[1]))" }
        }
        return info
    }
}
