import Foundation
import Testing

/// What one run of the binary did.
struct RunResult {
    var status: Int32
    var stdoutBytes: [UInt8]
    var stderr: String

    var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    /// Stdout lines without the final newline's empty line.
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    /// Parses stdout as JSON (Foundation's parser: independent of ours).
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdoutBytes), options: [.fragmentsAllowed])
    }
}

/// A fresh temporary data directory and a fixed environment: a clock fixed by
/// LEADS_NOW, a fixed user and time zone, no colour, and nothing inherited from the
/// developer's shell (no HOME data, no LEADS_DIR).
final class Sandbox: @unchecked Sendable {
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["LEADS_BIN"] { return path }
        // The test bundle sits in the build directory next to the executable.
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidate = bundleDirectory.appendingPathComponent("leads").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/leads").path
    }()

    let root: String
    var environment: [String: String]

    var dir: String { root + "/data" }

    init(now: String = "2026-11-23T10:00:00Z", user: String = "alice", timeZone: String = "UTC") {
        let template = NSTemporaryDirectory() + "leads-e2e-XXXXXX"
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else { fatalError("mkdtemp failed") }
        root = String(cString: made)
        try? FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        environment = [
            "PATH": "/usr/bin:/bin",
            "HOME": root + "/home",
            "LEADS_DIR": root + "/data",
            "LEADS_NOW": now,
            "LEADS_USER": user,
            "TZ": timeZone,
            "LANG": "C.UTF-8",
            "LEADS_LOCK_TIMEOUT": "20",
        ]
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Runs `leads ARGS…` and waits for it.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, env extra: [String: String?] = [:]) -> RunResult {
        var env = environment
        for (key, value) in extra { env[key] = value }
        return Sandbox.execute(Sandbox.binary, arguments, stdin: stdin.map { Array($0.utf8) }, environment: env)
    }

    @discardableResult
    func run(_ arguments: String..., stdin: String? = nil, env extra: [String: String?] = [:]) -> RunResult {
        run(arguments, stdin: stdin, env: extra)
    }

    /// Adds a lead and returns its ID, failing the test if that did not work.
    @discardableResult
    func add(_ name: String, _ options: String..., sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        let result = run(["add", name] + options)
        #expect(result.status == 0, "add failed: \(result.stderr)", sourceLocation: sourceLocation)
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func file(_ relative: String) -> String? {
        FileManager.default.contents(atPath: dir + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    func fileBytes(_ relative: String) -> [UInt8]? {
        FileManager.default.contents(atPath: dir + "/" + relative).map { Array($0) }
    }

    /// A file in the data directory, as a hand edit makes it.
    func write(_ relative: String, _ text: String) {
        Self.put(dir + "/" + relative, Array(text.utf8))
    }

    /// `import-csv PATH ARGUMENTS…` refused: exit 1, and the data directory as it was. Its stderr.
    func refusedImport(_ path: String, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let before = snapshot()
        let result = run(["import-csv", path] + arguments)
        #expect(result.status == 1, sourceLocation: sourceLocation)
        #expect(snapshot() == before, "the refused import changed the store", sourceLocation: sourceLocation)
        return result.stderr
    }

    /// A file beside the data directory (a CSV to import, a profile, an attachment); its path.
    @discardableResult
    func input(_ name: String, _ bytes: [UInt8]) -> String {
        Self.put(root + "/" + name, bytes)
    }

    @discardableResult
    func input(_ name: String, _ text: String) -> String { input(name, Array(text.utf8)) }

    @discardableResult
    private static func put(_ path: String, _ bytes: [UInt8]) -> String {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// A lead file as a JSON object (parsed by Foundation).
    func leadJSON(_ id: Int) -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: dir + "/leads/\(id).json") else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The activity log, one parsed object per line.
    func logEntries() -> [[String: Any]] {
        (file("activity.log") ?? "").split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Every file below the data directory with its size and a hash of its bytes, for
    /// "nothing changed" checks. The lock file's content names a holder while held and is
    /// emptied after; derived files (.index/) are caches and may be left out.
    func snapshot(includingDerived: Bool = true) -> [String: String] {
        var files: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return files }
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let path = dir + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if relative == ".lock" || (!includingDerived && relative.hasPrefix(".index/")) { continue }
            let bytes = FileManager.default.contents(atPath: path).map { Array($0) } ?? []
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            files[relative] = "\(bytes.count) bytes, \(String(hash, radix: 16))"
        }
        return files
    }

    /// Writes a child's standard input without dying of SIGPIPE when the child exits before
    /// reading it all (a fault injected at its first open): SIGPIPE is blocked in this
    /// thread for the write, which then fails with EPIPE, and the pending signal is taken
    /// back. Not ignored process-wide: children would inherit that (`yes | head` in a test
    /// shell would complain of broken pipes).
    static func feed(_ handle: FileHandle, _ bytes: [UInt8]) {
        var block = sigset_t(), old = sigset_t()
        sigemptyset(&block)
        sigaddset(&block, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &block, &old)
        try? handle.write(contentsOf: Data(bytes))
        try? handle.close()
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1 {
            var zero = timespec()
            _ = sigtimedwait(&block, nil, &zero)
        }
        pthread_sigmask(SIG_SETMASK, &old, nil)
    }

    /// Runs a program with posix_spawn, stdout and stderr captured through files so
    /// that large outputs cannot deadlock.
    static func execute(_ program: String, _ arguments: [String], stdin: [UInt8]?, environment: [String: String]) -> RunResult {
        let outPath = NSTemporaryDirectory() + "leads-out-\(UUID().uuidString)"
        let errPath = NSTemporaryDirectory() + "leads-err-\(UUID().uuidString)"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = FileHandle(forWritingAtPath: outPath)!
        let err = FileHandle(forWritingAtPath: errPath)!
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        do { try process.run() } catch { fatalError("cannot run \(program): \(error)") }
        if let stdin {
            feed(input.fileHandleForWriting, stdin)
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let stdout = FileManager.default.contents(atPath: outPath).map { Array($0) } ?? []
        let stderr = FileManager.default.contents(atPath: errPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return RunResult(status: status, stdoutBytes: stdout, stderr: stderr)
    }
}

/// Runs `body(i)` for every i in 0..<count, each on its own thread, all at once, and
/// returns the results in index order. Real threads: the tests' cooperative pool has
/// only as many threads as there are cores, and each body blocks on child processes,
/// so tasks would not run the processes concurrently.
func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = ConcurrentResults<T>()
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        let thread = Thread {
            let value = body(i)
            results.lock.lock()
            results.values[i] = value
            results.lock.unlock()
            group.leave()
        }
        thread.start()
    }
    group.wait()
    return (0..<count).map { results.values[$0]! }
}

/// Another program holding the store's lock as Python's `fcntl.lockf` takes it (a
/// classic POSIX lock), shared or exclusive, until `release()`: it exits when its
/// standard input closes, as a signal may be blocked for the test's children.
final class ForeignLock {
    let process = Process()
    private let input = Pipe()
    private var released = false

    init(_ box: Sandbox, exclusive: Bool) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import fcntl, sys
            f = open(sys.argv[1], "a" if sys.argv[2] == "exclusive" else "r")
            fcntl.lockf(f, fcntl.LOCK_EX if sys.argv[2] == "exclusive" else fcntl.LOCK_SH)
            print("locked", flush=True)
            sys.stdin.read()
            """, box.dir + "/.lock", exclusive ? "exclusive" : "shared"]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        _ = output.fileHandleForReading.availableData  // "locked"
    }

    var pid: Int32 { process.processIdentifier }

    func release() {
        guard !released else { return }
        released = true
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { release() }
}

final class ConcurrentResults<T>: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: T] = [:]
}
