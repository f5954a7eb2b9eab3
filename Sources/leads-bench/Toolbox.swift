import Foundation

/// The binaries a run uses, found or built once. A missing peer or compiler is not an
/// error: its rows are printed with a note instead of numbers.
struct Toolbox {
    var leads = ""
    var floor: String?
    var launcher: String?
    var swiftFloor: String?
    var swiftStaticExecutable: String?
    var jq: String?
    var python: String?
    var task: String?
    var sqlite3: String?
    var shell = "/bin/sh"
    /// Why a tool is missing, by tool.
    var missing: [String: String] = [:]
    var versions: [String: String] = [:]

    static let path = ProcessInfo.processInfo.environment["PATH"]
    static let swiftFallbacks = ["/opt/swift/usr/bin"]

    static func prepare(options: Options, tools dir: String, environment: [String: String]) throws -> Toolbox {
        var box = Toolbox()
        box.leads = try leadsBinary(options: options, scratch: dir)
        let base = Invocation(argv: [], environment: environment)
        func version(_ argv: [String]) -> String? {
            var invocation = base
            invocation.argv = argv
            let text = try? Runner.check(invocation, scratch: dir, what: argv.joined(separator: " "))
            return text?.split(separator: "\n").first.map(String.init)
        }
        box.versions["leads"] = version([box.leads, "--version"])

        let cc = Runner.find("cc", path: path) ?? Runner.find("clang", path: path, fallbacks: swiftFallbacks.map { $0 + "/clang" })
        if let cc {
            try ProgramSources.floorC.write(toFile: dir + "/floor.c", atomically: true, encoding: .utf8)
            do {
                var invocation = base
                invocation.argv = [cc, "-O2", "-o", dir + "/floor", dir + "/floor.c"]
                try Runner.check(invocation, scratch: dir, what: "cc floor.c")
                box.floor = dir + "/floor"
                try ProgramSources.launcherC.write(toFile: dir + "/launch.c", atomically: true, encoding: .utf8)
                invocation.argv = [cc, "-O2", "-o", dir + "/launch", dir + "/launch.c"]
                try Runner.check(invocation, scratch: dir, what: "cc launch.c")
                box.launcher = dir + "/launch"
                box.versions["cc"] = version([cc, "--version"])
            } catch {
                box.missing["cc"] = "C floor not built: \(error)"
            }
        } else {
            box.missing["cc"] = "skipped: no C compiler (cc or clang) found"
        }

        if let swiftc = Runner.find("swiftc", path: path, fallbacks: swiftFallbacks.map { $0 + "/swiftc" }) {
            try ProgramSources.floorSwift.write(toFile: dir + "/start.swift", atomically: true, encoding: .utf8)
            box.versions["swiftc"] = version([swiftc, "--version"])
            // -static-stdlib links the Swift runtime statically and glibc dynamically, as
            // `swift build --static-swift-stdlib` links `leads`: that is the floor.
            // -static-executable (glibc too) is shown for reference.
            for (flag, name) in [("-static-stdlib", "start-static-stdlib"), ("-static-executable", "start-static-executable")] {
                var invocation = base
                invocation.argv = [swiftc, "-O", flag, "-o", dir + "/" + name, dir + "/start.swift"]
                do {
                    try Runner.check(invocation, scratch: dir, what: "swiftc \(flag)")
                    if flag == "-static-stdlib" { box.swiftFloor = dir + "/" + name } else { box.swiftStaticExecutable = dir + "/" + name }
                } catch {
                    box.missing["swiftc" + flag] = "skipped: swiftc \(flag) failed"
                }
            }
        } else {
            box.missing["swiftc-static-stdlib"] = "skipped: swiftc not found"
            box.missing["swiftc-static-executable"] = "skipped: swiftc not found"
        }

        if let jq = Runner.find("jq", path: path) {
            box.jq = jq
            box.versions["jq"] = version([jq, "--version"])
        } else {
            box.missing["jq"] = "skipped: jq not installed"
        }

        // pyenv and similar put a shell script named python3 first on PATH; time the
        // interpreter itself, as a user of a system Python would.
        if let launcher = Runner.find("python3", path: path) {
            var invocation = base
            invocation.argv = [launcher, "-c", "import sys; print(sys.executable)"]
            if let real = try? Runner.check(invocation, scratch: dir, what: "python3").trimmingCharacters(in: .whitespacesAndNewlines),
               !real.isEmpty {
                box.python = real
                try ProgramSources.python.write(toFile: dir + "/pipeline.py", atomically: true, encoding: .utf8)
                box.versions["python3"] = version([real, "--version"])
            } else {
                box.missing["python3"] = "skipped: python3 does not run"
            }
        } else {
            box.missing["python3"] = "skipped: python3 not installed"
        }
        if box.jq != nil { try ProgramSources.jq.write(toFile: dir + "/pipeline.jq", atomically: true, encoding: .utf8) }

        // The SQLite peer needs the shell's fsdir table (to load the lead files), the JSON
        // functions and unixepoch() (3.38+): Debian bookworm's sqlite3 3.40 has all three.
        if let sqlite3 = Runner.find("sqlite3", path: path) {
            var invocation = base
            invocation.argv = [sqlite3, ":memory:", "SELECT json_extract('{\"a\":1}', '$.a') + unixepoch('1970-01-02') + count(*) * 0 FROM fsdir('\(dir)');"]
            if let answer = try? Runner.check(invocation, scratch: dir, what: "sqlite3"), answer.hasPrefix("86401") {
                box.sqlite3 = sqlite3
                box.versions["sqlite3"] = version([sqlite3, "--version"]).map { String($0.split(separator: " ").prefix(2).joined(separator: " ")) }
            } else {
                box.missing["sqlite3"] = "skipped: sqlite3 lacks fsdir, JSON or unixepoch (3.38+ needed)"
            }
        } else {
            box.missing["sqlite3"] = "skipped: sqlite3 not installed"
        }

        if let task = Runner.find("task", path: path) {
            box.task = task
            box.versions["task"] = version([task, "--version"])
            // No confirmations, no news nag, no hooks: the timed runs must not wait for input.
            try """
            confirmation=off
            news.version=2.6.0
            hooks=off
            verbose=nothing

            """.write(toFile: dir + "/taskrc", atomically: true, encoding: .utf8)
        } else {
            box.missing["task"] = "skipped: taskwarrior not installed"
        }
        return box
    }

    /// `--leads PATH`, else the release build of this package, linked as it is shipped.
    static func leadsBinary(options: Options, scratch: String) throws -> String {
        if let given = options.leads {
            let absolute = given.hasPrefix("/") ? given : FileManager.default.currentDirectoryPath + "/" + given
            guard access(absolute, X_OK) == 0 else { throw BenchError.usage("--leads \(given): not an executable file") }
            return absolute
        }
        var root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            guard root.path != "/" else {
                throw BenchError.usage("not inside the leads package: run from its directory or give --leads PATH")
            }
            root.deleteLastPathComponent()
        }
        guard let swift = Runner.find("swift", path: path, fallbacks: swiftFallbacks.map { $0 + "/swift" }) else {
            throw BenchError.usage("swift not found to build leads: give --leads PATH")
        }
        let flags = ["-c", "release", "--static-swift-stdlib", "--package-path", root.path]
        progress("building: swift build \(flags.joined(separator: " ")) --product leads\n")
        let environment = ProcessInfo.processInfo.environment
        let build = Invocation(argv: [swift, "build"] + flags + ["--product", "leads"], environment: environment)
        let sample = try Runner.run(Invocation(argv: build.argv, environment: environment, stdout: scratch + "/build.out"),
                                    stderr: scratch + "/build.err")
        guard sample.status == 0 else {
            let log = (try? String(contentsOfFile: scratch + "/build.err", encoding: .utf8)) ?? ""
            let out = (try? String(contentsOfFile: scratch + "/build.out", encoding: .utf8)) ?? ""
            throw BenchError.failed("swift build of leads failed:\n\(out.suffix(3000))\(log.suffix(3000))")
        }
        let binPath = try Runner.check(Invocation(argv: [swift, "build"] + flags + ["--show-bin-path"], environment: environment),
                                       scratch: scratch, what: "swift build --show-bin-path")
        return binPath.trimmingCharacters(in: .whitespacesAndNewlines) + "/leads"
    }
}
