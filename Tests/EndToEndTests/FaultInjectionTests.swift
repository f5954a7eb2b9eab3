import Foundation
import Testing

/// I/O-error tests in the spirit of SQLite's: for every write path, each system call
/// that writes (open for writing, write, fsync, syncfs, rename, link, unlink, truncate,
/// mkdir — the lead files, the log append and the index writes all go through them)
/// fails in turn, with ENOSPC and with EIO, through an LD_PRELOAD shim built here with
/// cc (Tests/FaultShim/faultshim.c). After each: either exit 0 and exactly the change a
/// fault-free run makes, or exit ≠ 0 and the store byte-identical to before (derived
/// files aside); and `fsck` clean — after a success that warned, once `fsck --repair`
/// has mended what the warning named. The number of faults injected per path is
/// printed and recorded in Docs/reliability.md.
@Suite(.serialized) struct FaultInjectionTests {
    static let shim: String? = {
        guard let cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/local/bin/cc"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FaultShim/faultshim.c").path
        let output = NSTemporaryDirectory() + "leads-faultshim-\(getpid()).so"
        let result = Sandbox.execute(cc, ["-shared", "-fPIC", "-O1", "-o", output, source, "-ldl"], stdin: nil,
                                     environment: ["PATH": "/usr/bin:/bin"])
        return result.status == 0 ? output : nil
    }()

    static let calls = ["open", "write", "fsync", "syncfs", "rename", "link", "unlink", "truncate", "mkdir"]
    static let errnos: [(name: String, code: Int32)] = [("ENOSPC", ENOSPC), ("EIO", EIO)]

    /// One write path: how to make the store it starts from, and the command.
    struct WritePath: CustomTestStringConvertible, Sendable {
        var name: String
        var setup: @Sendable (Sandbox) -> Void
        var arguments: [String]
        var stdin: String? = nil
        var testDescription: String { name }
    }

    static func base(_ box: Sandbox) {
        _ = box.add("Ada Lovelace", "--email", "ada@example.com", "--value", "1200")
        _ = box.add("Grace Hopper", "--company", "Navy")
        box.run("remind", "1", "2026-11-20", "call back")
    }

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/files/" + name).path
    }

    /// The base store with files on both leads, one name on both (a merge renames it).
    static func withFiles(_ box: Sandbox) {
        base(box)
        box.run("attach", "1", fixture("Angebot.pdf"), fixture("Grundriss.png"))
        box.run("attach", "2", fixture("Angebot.pdf"))
    }

    static let paths: [WritePath] = [
        WritePath(name: "init", setup: { _ in }, arguments: ["init"]),
        WritePath(name: "add", setup: base, arguments: ["add", "Alan Turing", "--email", "alan@example.com"]),
        WritePath(name: "set", setup: base, arguments: ["set", "1", "--email", "ada@analytical.example"]),
        WritePath(name: "status", setup: base, arguments: ["status", "1", "2", "qualified"]),
        WritePath(name: "assign", setup: base, arguments: ["assign", "2", "bob"]),
        WritePath(name: "note", setup: base, arguments: ["note", "1", "called, interested"]),
        WritePath(name: "remind", setup: base, arguments: ["remind", "2", "2026-12-01", "send offer"]),
        WritePath(name: "remind --done", setup: base, arguments: ["remind", "--done", "1.1"]),
        WritePath(name: "remind --snooze", setup: base, arguments: ["remind", "--snooze", "1.1", "2026-12-05"]),
        WritePath(name: "remind --due --once", setup: base, arguments: ["remind", "--due", "--once"]),
        WritePath(name: "convert", setup: base, arguments: ["convert", "1"]),
        WritePath(name: "delete", setup: base, arguments: ["delete", "--yes", "2"]),
        WritePath(name: "merge", setup: base, arguments: ["merge", "1", "2"]),
        WritePath(name: "unmerge", setup: { box in
            base(box)
            box.run("merge", "1", "2")
        }, arguments: ["unmerge", "1"]),
        // The suppression key is random: made in the setup, so that a faulted run and the
        // fault-free one write the same list.
        WritePath(name: "suppress", setup: { box in
            base(box)
            box.run("suppress", "someone@example.com")
        }, arguments: ["suppress", "ada@example.com", "+49 30 1234567"]),
        WritePath(name: "delete --suppress", setup: { box in
            base(box)
            box.run("suppress", "someone@example.com")
        }, arguments: ["delete", "--yes", "--suppress", "1"]),
        WritePath(name: "import-csv", setup: base, arguments: ["import-csv", "-", "--on-duplicate", "update"],
                  stdin: "name,email,company\nKatherine Johnson,kj@example.com,NASA\nDorothy Vaughan,dv@example.com,NASA\nAda Lovelace,ada@example.com,Analytical Engines\n"),
        // A message filed on lead 1 with an attachment (note, file and record in one
        // commit), and one kept in DIR/mail/unmatched/.
        WritePath(name: "mail", setup: base, arguments: ["mail"],
                  stdin: "From: Ada <ada@example.com>\nTo: crm@example.com\nSubject: offer\nMessage-ID: <fault-1@example.com>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=utf-8\n\nsee the file\n--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=offer.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n"),
        WritePath(name: "mail unmatched", setup: base, arguments: ["mail"],
                  stdin: "From: nobody@example.org\nTo: crm@example.com\nSubject: hello\nMessage-ID: <fault-2@example.org>\n\nwho?\n"),
        // Two messages kept unmatched before lead 3 existed, one of them about it: the
        // erasure removes that one with the lead, in one commit.
        WritePath(name: "delete with unmatched mail", setup: { box in
            box.run(["mail"], stdin: "From: Alan <alan@example.com>\nTo: crm@example.com\nSubject: hello\nMessage-ID: <fault-3@example.com>\n\nplease call\n")
            box.run(["mail"], stdin: "From: nobody@example.org\nTo: crm@example.com\nSubject: hello\nMessage-ID: <fault-4@example.org>\n\nwho?\n")
            base(box)
            _ = box.add("Alan Turing", "--email", "alan@example.com")
        }, arguments: ["delete", "--yes", "3"]),
        WritePath(name: "attach", setup: base, arguments: ["attach", "1", fixture("Angebot.pdf"), fixture("Grundriss.png")]),
        WritePath(name: "attach -", setup: { box in
            base(box)
            box.run("attach", "2", fixture("Angebot.pdf"))
        }, arguments: ["attach", "2", "-", "--name", "Vertrag.txt"], stdin: "Vertrag zwischen Grace Hopper und der Navy\n"),
        WritePath(name: "detach", setup: withFiles, arguments: ["detach", "1", "Angebot.pdf"]),
        WritePath(name: "delete with files", setup: withFiles, arguments: ["delete", "--yes", "1"]),
        WritePath(name: "merge with files", setup: withFiles, arguments: ["merge", "1", "2"]),
        WritePath(name: "unmerge with files", setup: { box in
            withFiles(box)
            box.run("merge", "1", "2")
        }, arguments: ["unmerge", "1"]),
        WritePath(name: "fsck --repair", setup: { box in
            base(box)
            // What a killed command leaves: a stale temporary file and an unlogged lead.
            box.write("leads/.1.json.tmp-1-1", "{")
            box.write("leads/3.json", box.file("leads/2.json")!.replacingOccurrences(of: "\"id\": 2", with: "\"id\": 3"))
        }, arguments: ["fsck", "--repair"]),
    ]

    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var faults: [String: Int] = [:]
        func add(_ path: String, _ n: Int) { lock.lock(); faults[path, default: 0] += n; lock.unlock() }
    }
    static let counter = Counter()

    /// Copies the prepared store into a fresh sandbox.
    static func copy(of template: Sandbox) -> Sandbox {
        let box = Sandbox()
        if FileManager.default.fileExists(atPath: template.dir) {
            try? FileManager.default.copyItem(atPath: template.dir, toPath: box.dir)
        }
        return box
    }

    static func counts(_ path: WritePath, template: Sandbox, shim: String) -> [String: Int] {
        let box = copy(of: template)
        let file = box.root + "/counts"
        box.run(path.arguments, stdin: path.stdin, env: ["LD_PRELOAD": shim, "LEADS_FAULT_COUNT_FILE": file])
        var counts: [String: Int] = [:]
        for line in (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n") ?? [] {
            let parts = line.split(separator: " ")
            if parts.count == 2, let n = Int(parts[1]) { counts[String(parts[0]), default: 0] += n }
        }
        return counts
    }

    @Test(.enabled(if: shim != nil, "needs cc to build the LD_PRELOAD fault shim (.ci/run installs gcc)"), arguments: paths)
    func everyWritingCallFailsCleanly(_ path: WritePath) throws {
        let shim = try #require(Self.shim)
        let template = Sandbox()
        path.setup(template)
        let before = Self.content(template)
        // What fsck says of the starting store (nothing, except for `fsck --repair`'s).
        let problemsBefore = Set(template.run("fsck").stdout.split(separator: "\n"))

        let reference = Self.copy(of: template)
        let clean = reference.run(path.arguments, stdin: path.stdin)
        try #require(clean.status == 0, "the fault-free run failed: \(clean.stderr)")
        let after = Self.content(reference)
        #expect(after != before, "the command changes nothing to test")

        let counts = Self.counts(path, template: template, shim: shim)
        #expect((counts["write"] ?? 0) > 0, "the shim saw no write: is it loaded?")
        var injected = 0
        for call in Self.calls {
            for nth in stride(from: 1, through: counts[call] ?? 0, by: 1) {
                for fault in Self.errnos {
                    injected += 1
                    let box = Self.copy(of: template)
                    let label = "\(path.name): \(call) #\(nth) fails with \(fault.name)"
                    let result = box.run(path.arguments, stdin: path.stdin, env: [
                        "LD_PRELOAD": shim, "LEADS_FAULT_CALL": call, "LEADS_FAULT_NTH": String(nth),
                        "LEADS_FAULT_ERRNO": String(fault.code),
                    ])
                    let now = Self.content(box)
                    if result.status == 0 {
                        #expect(now == after, "\(label): exit 0 but not the whole change (\(result.stderr)): \(Self.difference(after, now))")
                        // A warning names what the next writer or fsck --repair mends.
                        if result.stderr.contains("warning:") { box.run("fsck", "--repair") }
                        let check = box.run("fsck")
                        #expect(check.status == 0, "\(label) (exit 0, \(result.stderr)): fsck found \(check.stdout) \(check.stderr)")
                    } else {
                        #expect(result.status == 1, "\(label): exit \(result.status), stderr: \(result.stderr)")
                        #expect(result.stderr.hasPrefix("leads: "), "\(label): no message")
                        #expect(now == before, "\(label): failed (\(result.stderr)) but changed the store: \(Self.difference(before, now))")
                        let problems = Set(box.run("fsck").stdout.split(separator: "\n"))
                        #expect(problems.isSubset(of: problemsBefore), "\(label) (exit \(result.status), \(result.stderr)): fsck found \(problems.subtracting(problemsBefore))")
                    }
                }
            }
        }
        Self.counter.add(path.name, injected)
        print("fault injection: \(path.name): \(injected) faults injected (\(counts.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")) calls × ENOSPC, EIO)")
        #expect(injected > 0)
    }

    /// The store's content: every file but the derived ones (`.index/`), the lock file and
    /// hidden temporary or backup files, which no command reads (scans skip them) and fsck
    /// reports, so a leftover one is caught by the fsck check instead.
    static func content(_ box: Sandbox) -> [String: String] {
        box.snapshot(includingDerived: false).filter { entry in
            let name = entry.key.split(separator: "/").last.map(String.init) ?? entry.key
            let transient = name.hasPrefix(".") && (name.contains(".tmp-") || name.contains(".bak-") || name.contains(".new-") || (name.hasPrefix(".import-") && name.hasSuffix(".tmp")))
            return !transient
        }
    }

    static func difference(_ a: [String: String], _ b: [String: String]) -> String {
        let keys = Set(a.keys).union(b.keys).sorted()
        return keys.filter { a[$0] != b[$0] }.map { "\($0): \(a[$0] ?? "absent") → \(b[$0] ?? "absent")" }.joined(separator: "; ")
    }
}
