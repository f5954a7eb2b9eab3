import Foundation
import Glibc
import LeadsCLI
import LeadsCore
import Testing

/// The lock each command takes is the one its table row declares: run under a lock held
/// by another process (LEADS_LOCK_TIMEOUT=0, so a conflict ends at once with 75), a
/// command declared `none` runs under either lock, `shared` only under a shared one, and
/// `exclusive` under neither. A command that took more than it declared would trap.
@Suite struct CommandLockTests {
    /// One command line per command and per option that changes the lock.
    static func samples(csv: String) -> [[String]] {
        [
            ["init"], ["add", "Lock Test"], ["show", "1"], ["list"], ["status", "1", "qualified"], ["assign", "1", "bob"],
            ["set", "1", "--phone", "1"], ["note", "1", "hello"], ["convert", "1"], ["delete", "1", "--yes"],
            ["stages"], ["customers"],
            ["remind", "1", "tomorrow"], ["remind", "--list"], ["remind", "--due"], ["remind", "--due", "--once"],
            ["remind", "--done", "1.1"], ["remind", "--snooze", "1.1", "+2d"],
            ["import-csv", csv], ["pipeline"], ["export-csv"], ["fsck"], ["fsck", "--repair"],
            ["lock", "--", "true"], ["lock", "--shared", "--", "true"], ["log"], ["help"], ["completion", "bash"],
            ["__man"], ["__complete", "leads"],
            ["users"], ["users", "add", "dora", "--email", "dora@example.com"], ["users", "remove", "dora"], ["dupes"], ["merge", "2", "3", "--dry-run"], ["merge", "2", "3"], ["unmerge", "2"], ["suppress", "gone@example.com"], ["retention"], ["retention", "--due"], ["retention", "--apply"], ["subject-access", "first@example.com"], ["report", "funnel"], ["doctor"],
            ["pipeline", "--as-of", "2026-01-01"],
            ["mail"], ["mail", "--dry-run"],
            ["attach", "1", csv], ["files", "1"], ["files", "1", "--json"], ["detach", "1", "in.csv"],
        ]
    }

    static let sampleMessage = "From: someone@example.com\nTo: crm@example.com\nSubject: Lead 1\nMessage-ID: <lock-sample@example.com>\n\nhello\n"

    /// Holds DIR/.lock as another program would: an open-file-description lock, which
    /// conflicts with the one the child process asks for.
    final class HeldLock {
        let fd: Int32
        init(_ path: String, exclusive: Bool, after: [String] = []) throws {
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
            var request = flock()
            request.l_type = Int16(exclusive ? F_WRLCK : F_RDLCK)
            request.l_whence = Int16(SEEK_SET)
            let F_OFD_SETLK: Int32 = 37
            // The lock released just before can outlive its close() for a moment: a child
            // another test is spawning holds a copy of every descriptor until it execs, and
            // an open-file-description lock goes only when its last copy closes. So a
            // conflict is retried for a while; one that lasts is a real holder.
            var taken = fd >= 0 && fcntl(fd, F_OFD_SETLK, &request) == 0
            var tries = 0
            while fd >= 0, !taken, errno == EAGAIN || errno == EACCES, tries < 200 {
                usleep(10_000)
                tries += 1
                taken = fcntl(fd, F_OFD_SETLK, &request) == 0
            }
            guard taken else {
                Issue.record("cannot take the lock before \(after.joined(separator: " ")): held by \(String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self))")
                throw POSIXError(.EAGAIN)
            }
        }
        private var isOpen = true
        /// Released at a known moment: the next sample must not meet this lock.
        func release() {
            if isOpen { close(fd) }
            isOpen = false
        }
        deinit { release() }
    }

    @Test func everyCommandTakesTheLockItsRowDeclares() throws {
        let box = Sandbox()
        #expect(box.run("remind", String(box.add("First")), "tomorrow").status == 0)
        #expect(box.add("Merge Keep") == 2 && box.add("Merge Other") == 3)
        let csv = box.root + "/in.csv"
        try "name\nImported\n".write(toFile: csv, atomically: true, encoding: .utf8)
        let samples = Self.samples(csv: csv)

        // Every command and every option a lock rule reads has a sample.
        let sampled = Set(samples.map { $0[0] })
        for command in CommandTable.commands {
            #expect(sampled.contains(command.name), "no sample for \(command.name): add one")
            for rule in command.lock.byOption {
                #expect(samples.contains { $0[0] == command.name && $0.contains("--" + rule.option) },
                        "no sample for \(command.name) --\(rule.option)")
            }
        }

        let quick: [String: String?] = ["LEADS_LOCK_TIMEOUT": "0"]
        for arguments in samples {
            let spec = try #require(CommandTable.command(named: arguments[0]))
            let declared = spec.lock.kind(for: try CommandLineParser.parse(["leads"] + arguments))
            for heldExclusive in [true, false] {
                let held = try HeldLock(box.dir + "/.lock", exclusive: heldExclusive, after: arguments)
                // `leads mail` reads its message first, then takes the lock.
                let result = box.run(arguments, stdin: arguments[0] == "mail" ? Self.sampleMessage : nil, env: quick)
                held.release()
                let blocked = declared == .exclusive || (declared == .shared && heldExclusive)
                let what = "\(arguments.joined(separator: " ")) (declared \(declared), other holds \(heldExclusive ? "exclusive" : "shared"))"
                if arguments[0] == "__complete" {
                    // It never fails in a prompt: a lock it cannot get means no values.
                    #expect(result.status == 0 && result.stdout.isEmpty == blocked, "\(what): \(result.stdout)")
                } else if blocked {
                    #expect(result.status == 75, "\(what): \(result.status) \(result.stderr)")
                } else {
                    #expect(result.status == 0, "\(what): \(result.status) \(result.stderr)")
                }
            }
        }
    }
}
