import Foundation
import Testing

/// A real mail path for the end-to-end tests of `remind --due --mail`: an SMTP server
/// (Python's aiosmtpd, from PyPI) on 127.0.0.1 on a port the system picks, and msmtp
/// (Debian) as the sendmail program that leads pipes each message to. What arrives is
/// read back with Python's `email` package (Fixtures/mail-tools/read_messages.py), a
/// MIME parser that shares nothing with leads.
///
/// .ci/run installs msmtp and aiosmtpd. Without them the tests are skipped on a
/// developer's machine (the suite says so) and fail in CI (`CI` set).
enum MailTools {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mail-tools").path

    static let inCI = ProcessInfo.processInfo.environment["CI"] != nil

    /// Every executable called `name` on the test's PATH, in order.
    static func onPath(_ name: String) -> [String] {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(name)" }
            .filter { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The first python3 on PATH that imports aiosmtpd: the one `.ci/run`'s
    /// `python3 -m pip install aiosmtpd` installed into.
    static let python: String? = onPath("python3").first { candidate in
        Sandbox.execute(candidate, ["-c", "import aiosmtpd"], stdin: nil, environment: ProcessInfo.processInfo.environment).status == 0
    }

    static let msmtp: String? = onPath("msmtp").first

    /// What is missing, for the skip note and the CI failure; nil when all is there.
    static let missing: String? = {
        var missing: [String] = []
        if msmtp == nil { missing.append("msmtp (Debian package msmtp)") }
        if python == nil { missing.append("aiosmtpd for python3 (python3 -m pip install aiosmtpd)") }
        return missing.isEmpty ? nil : missing.joined(separator: " and ")
    }()

    /// The suite runs when the tools are there, and always in CI, where a missing tool
    /// must fail rather than skip.
    static let enabled = missing == nil || inCI

    /// The tools, or a recorded failure (only reached when missing in CI).
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> (python: String, msmtp: String) {
        guard let python, let msmtp else {
            Issue.record("\(missing ?? "") missing: .ci/run installs them", sourceLocation: sourceLocation)
            throw POSIXError(.ENOENT)
        }
        return (python, msmtp)
    }
}

/// One aiosmtpd server, stopped by PID when the test is done with it.
final class SMTPServer {
    let directory: String
    let port: Int
    private let process: Process

    /// Starts the server storing into `directory` (created). `reject`: recipients
    /// refused with 550.
    init(directory: String, reject: [String] = [], python: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [MailTools.directory + "/smtp_server.py", directory] + reject.flatMap { ["--reject", $0] }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // It writes the port it listens on once it accepts connections.
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil, Date() < deadline, process.isRunning {
            port = (try? String(contentsOfFile: directory + "/port", encoding: .utf8)).flatMap { Int($0) }
            if port == nil { usleep(20_000) }
        }
        guard let port else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            Issue.record("the SMTP server did not start")
            throw POSIXError(.ETIMEDOUT)
        }
        self.port = port
    }

    /// SIGTERM, then SIGKILL if it has not gone within 5 s; by PID, never by name.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    /// Writes an msmtp configuration that sends to this server, without TLS or auth
    /// (loopback only), with `from` as the envelope sender; msmtp wants it private.
    func msmtprc(at path: String, from: String = "crm@firma.de") throws -> String {
        let text = "account default\nhost 127.0.0.1\nport \(port)\nfrom \(from)\nauth off\ntls off\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        return path
    }

    /// Every message received so far, as Python's `email` package reads it, in the order
    /// received: see read_messages.py for the keys.
    func messages() throws -> [[String: Any]] {
        let result = Sandbox.execute(MailTools.python!, [MailTools.directory + "/read_messages.py", directory], stdin: nil,
                                     environment: ProcessInfo.processInfo.environment)
        #expect(result.status == 0, "read_messages.py: \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdoutBytes)) as? [[String: Any]])
    }
}

extension Sandbox {
    /// Adds `mail` settings to config.json (created by a first write if missing).
    func setMail(_ mail: [String: Any], users extraUsers: [[String: Any]] = []) throws {
        if file("config.json") == nil { #expect(run("init").status == 0) }
        var config = try #require(try JSONSerialization.jsonObject(with: Data(file("config.json")!.utf8)) as? [String: Any])
        config["mail"] = mail
        if !extraUsers.isEmpty { config["users"] = ((config["users"] as? [[String: Any]]) ?? []) + extraUsers }
        write("config.json", String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self))
    }

    /// The reminders of lead `id` that are marked announced, by number.
    func announced(_ id: Int) -> [Int] {
        ((leadJSON(id)?["reminders"] as? [[String: Any]]) ?? []).filter { $0["announced_at"] != nil }.compactMap { $0["n"] as? Int }
    }
}
