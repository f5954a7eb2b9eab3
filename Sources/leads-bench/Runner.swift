import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    case io(String)
    case failed(String)

    var description: String {
        switch self {
        case .usage(let text), .io(let text), .failed(let text): return text
        }
    }
}

/// One way to start a process: argv[0] is an absolute path.
struct Invocation {
    var argv: [String]
    var environment: [String: String]
    var stdout = "/dev/null"
    var stdin = "/dev/null"
}

/// One timed run of a whole process.
struct Sample {
    let seconds: Double
    /// ru_maxrss of the process (or, for a shell pipeline, of its largest member), bytes.
    let peakRSS: Int
    let status: Int32
}

/// Starts processes with posix_spawn and reaps them with wait4, which hands back the
/// child's rusage: wall time and peak RSS come from the same run, without a wrapper
/// process (like `/usr/bin/time`) whose own start-up would be counted.
enum Runner {
    /// Times one run. With a launcher (see `ProgramSources.launcherC`) the launcher
    /// measures; without one (no C compiler) the benchmark does, and the peak RSS is at
    /// least its own.
    static func time(_ invocation: Invocation, stderr: String, launcher: String?) throws -> Sample {
        guard let launcher else { return try run(invocation, stderr: stderr) }
        let resultPath = stderr + ".result"
        var wrapped = invocation
        wrapped.argv = [launcher] + invocation.argv
        let outer = try run(wrapped, stderr: stderr, resultFile: resultPath)
        let fields = ((try? String(contentsOfFile: resultPath, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace)
        guard outer.status == 0, fields.count == 3, let seconds = Double(fields[0]), let kib = Int(fields[1]),
              let status = Int32(fields[2]) else {
            throw BenchError.failed("the launcher failed for \(invocation.argv[0]) (exit \(outer.status))")
        }
        return Sample(seconds: seconds, peakRSS: kib * 1024, status: status)
    }

    static func run(_ invocation: Invocation, stderr: String, resultFile: String? = nil) throws -> Sample {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, invocation.stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, invocation.stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let resultFile { posix_spawn_file_actions_addopen(&actions, 3, resultFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }

        let argv = invocation.argv.map { strdup($0) } + [nil]
        let envp = invocation.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = monotonic()
        let spawned = posix_spawn(&pid, argv[0]!, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw BenchError.failed("cannot start \(invocation.argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError.failed("wait4: \(String(cString: strerror(errno)))") }
        }
        let seconds = monotonic() - start
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Sample(seconds: seconds, peakRSS: usage.ru_maxrss * 1024, status: exitStatus)
    }

    /// Starts a process in a session of its own and does not wait for it: it goes on
    /// after the benchmark exits.
    static func spawnDetached(_ invocation: Invocation) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc, _GNU_SOURCE only, so not imported): a session of its own.
        posix_spawnattr_setflags(&attributes, 0x80)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd in Int32(0)...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv = invocation.argv.map { strdup($0) } + [nil]
        let envp = invocation.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0]!, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw BenchError.failed("cannot start \(invocation.argv[0]): \(String(cString: strerror(spawned)))") }
        return pid
    }

    /// Runs a helper step (not timed) and fails with its standard error when it fails.
    @discardableResult
    static func check(_ invocation: Invocation, scratch: String, what: String) throws -> String {
        var invocation = invocation
        let out = scratch + "/helper.out", err = scratch + "/helper.err"
        invocation.stdout = out
        let sample = try run(invocation, stderr: err)
        let output = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard sample.status == 0 else {
            let message = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
            throw BenchError.failed("\(what) failed (exit \(sample.status)): \(message.suffix(2000))")
        }
        return output
    }

    static func monotonic() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The first executable `name` on PATH, then in the given fallbacks.
    static func find(_ name: String, path: String?, fallbacks: [String] = []) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let dirs = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for candidate in dirs.map({ $0 + "/" + name }) + fallbacks where access(candidate, X_OK) == 0 {
            return candidate
        }
        return nil
    }
}
