import Foundation
import Testing

/// Incoming mail through a real MTA: Exim (Debian's exim4-daemon-light) started by the
/// test with its own configuration, listening on 127.0.0.1 on a free port, delivering
/// `crm@firma.test` to a pipe transport that runs `leads mail`, as an alias would. The
/// messages go in over SMTP (Python's smtplib) and must come out as notes; a delivery
/// while the store is locked exits 75 and Exim retries it. Exim is stopped by its PID.
///
/// .ci/run installs exim4-daemon-light (and stops the system daemon it would start).
/// Without Exim the suite is skipped on a developer's machine, saying so, and fails in CI.
@Suite(.serialized) struct MailMTATests {
    static let exim: String? = ["/usr/sbin/exim4", "/usr/sbin/exim"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let python = "/usr/bin/python3"

    static var available: Bool {
        if exim != nil { return true }
        FileHandle.standardError.write(Data("MailMTATests: SKIPPED: exim4 is missing (apt-get install exim4-daemon-light; .ci/run installs it)\n".utf8))
        return MailTools.inCI
    }

    /// A port nobody listens on now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// One Exim daemon in the foreground (-bdf), its spool in the sandbox.
    final class Exim {
        let process = Process()
        let port: Int
        let spool: String

        init(exim: String, box: Sandbox, user: String, env: [String: String]) throws {
            port = MailMTATests.freePort()
            spool = box.root + "/exim"
            try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
            let environment = env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let config = """
                primary_hostname = leads-test.localhost
                spool_directory = \(spool)
                log_file_path = \(spool)/log/%slog
                local_interfaces = 127.0.0.1
                domainlist local_domains = firma.test
                acl_smtp_rcpt = acl_check_rcpt
                keep_environment =
                begin acl
                acl_check_rcpt:
                  accept hosts = 127.0.0.1
                  deny
                begin routers
                leads:
                  driver = accept
                  domains = +local_domains
                  local_parts = crm
                  transport = leads_pipe
                begin transports
                leads_pipe:
                  driver = pipe
                  command = \(Sandbox.binary) mail
                  user = \(user)
                  environment = <; \(environment)
                  temp_errors = 75
                  return_fail_output
                  log_output
                begin retry
                * * F,5m,1s

                """
            // Exim gives up root for a -C configuration and runs as its own user; as root,
            // the test hands the sandbox to that user, who runs the pipe too.
            if getuid() == 0, let pw = getpwnam(user) {
                _ = Sandbox.execute("/bin/chown", ["-R", "\(pw.pointee.pw_uid):\(pw.pointee.pw_gid)", box.root], stdin: nil, environment: [:])
            }
            // Written after the chown: Exim refuses a configuration that its runner does not own.
            try config.write(toFile: box.root + "/exim.conf", atomically: true, encoding: .utf8)
            chmod(box.root + "/exim.conf", 0o644)
            process.executableURL = URL(fileURLWithPath: exim)
            process.arguments = ["-C", box.root + "/exim.conf", "-bdf", "-q1s", "-oX", String(port)]
            process.standardOutput = FileHandle.nullDevice
            _ = FileManager.default.createFile(atPath: box.root + "/exim.stderr", contents: nil)
            process.standardError = FileHandle(forWritingAtPath: box.root + "/exim.stderr")
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline, process.isRunning, !listening() { usleep(50_000) }
            guard listening() else {
                stop()
                Issue.record("exim did not start: \((try? String(contentsOfFile: box.root + "/exim.stderr", encoding: .utf8)) ?? "")")
                throw POSIXError(.ETIMEDOUT)
            }
        }

        func listening() -> Bool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
        }

        /// SMTP from Python's smtplib, as any mail client would send.
        func send(_ message: [UInt8]) {
            let script = "import smtplib,sys; s=smtplib.SMTP('127.0.0.1', \(port)); s.sendmail('sender@outside.example', ['crm@firma.test'], sys.stdin.buffer.read()); s.quit()"
            let result = Sandbox.execute(MailMTATests.python, ["-c", script], stdin: message, environment: ProcessInfo.processInfo.environment)
            #expect(result.status == 0, "smtplib: \(result.stderr)")
        }

        var mainlog: String { (try? String(contentsOfFile: spool + "/log/mainlog", encoding: .utf8)) ?? "" }

        /// SIGTERM by PID, then SIGKILL if it has not gone in 5 s.
        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        deinit { stop() }
    }

    static func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    @Test(.enabled(if: available)) func eximPipesMessagesIntoLeadsMail() throws {
        guard let exim = Self.exim else {
            Issue.record("exim4 is missing: .ci/run installs exim4-daemon-light")
            return
        }
        let box = try MailIncomingTests.store()
        let user = getuid() == 0 ? "Debian-exim" : String(cString: getpwuid(getuid())!.pointee.pw_name)
        let server = try Exim(exim: exim, box: box, user: user, env: [
            "LEADS_DIR": box.dir, "LEADS_NOW": "2026-12-02T09:00:00Z", "LEADS_USER": "mta", "LEADS_LOCK_TIMEOUT": "1",
            "HOME": box.root + "/home", "TZ": "UTC", "LANG": "C.UTF-8",
        ])
        defer { server.stop() }
        func notes(_ id: Int) -> [String] { (box.leadJSON(id)?["notes"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String } }

        // Filed by address, with its umlauts; the same message again is still one note.
        server.send(MailIncomingTests.message("thunderbird-plain-8bit"))
        #expect(Self.waitFor(30) { notes(1).count == 1 }, "not filed: \(server.mainlog)")
        #expect(notes(1).first?.contains("Viele Grüße") == true)
        server.send(MailIncomingTests.message("thunderbird-plain-8bit"))
        // Filed by the subject's number, from Outlook's Windows-1252.
        server.send(MailIncomingTests.message("outlook-cp1252-qp"))
        #expect(Self.waitFor(30) { notes(3).count == 1 }, "not filed: \(server.mainlog)")
        #expect(notes(3).first?.contains("1.250 € netto") == true)
        // Unmatched: kept, delivered (exit 0).
        server.send(MailIncomingTests.message("rule-stranger-unmatched"))
        #expect(Self.waitFor(30) { server.mainlog.components(separatedBy: "Completed").count - 1 == 4 }, "\(server.mainlog)")
        #expect(notes(1).count == 1, "the second delivery made a second note")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: box.dir + "/mail/unmatched"))?.count == 1)

        // The store locked: leads mail exits 75, Exim defers and retries once it is free.
        let held = try CommandLockTests.HeldLock(box.dir + "/.lock", exclusive: true)
        server.send(MailIncomingTests.message("gmail-alternative-base64"))
        #expect(Self.waitFor(30) { server.mainlog.contains("== crm@firma.test") }, "no deferral: \(server.mainlog)")
        #expect(notes(4).isEmpty)
        held.release()
        // The message waits in Exim's queue, not bounced; a queue run delivers it (-qf: now,
        // rather than at the retry time Exim computed, as an administrator would).
        #expect(server.mainlog.components(separatedBy: "**").count == 1, "bounced: \(server.mainlog)")
        // A queue run skips a message another run holds, so ask again until it is delivered.
        #expect(Self.waitFor(90) {
            _ = Sandbox.execute(exim, ["-C", box.root + "/exim.conf", "-qf"], stdin: nil, environment: [:])
            return Self.waitFor(3) { notes(4).count == 1 }
        }, "not retried: \(server.mainlog)")
        #expect(box.run("fsck").status == 0)
    }
}
