import Foundation
import Testing

/// The README's five-minute tour, run as written: the shell block after the
/// `<!-- tour` comment goes to `bash -e` with the built binary as `leads` on PATH, in a
/// scratch directory holding a copy of Docs/examples. Nothing of the developer's
/// environment is inherited (no HOME data, no LEADS_DIR, no LEADS_NOW): the tour sets up
/// its own data directory, as a reader following it does.
@Suite struct ReadmeTourTests {
    static let root = GeneratedDocsTests.repositoryRoot

    /// The tour's commands: the first ```bash fence after the marker comment.
    static func tourBlock() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        let marker = try #require(lines.firstIndex { $0.hasPrefix("<!-- tour") }, "README.md has no <!-- tour --> marker")
        let open = try #require(lines[marker...].firstIndex { $0 == "```bash" }, "no ```bash block after the tour marker")
        let close = try #require(lines[(open + 1)...].firstIndex { $0 == "```" }, "the tour's block is not closed")
        return lines[(open + 1)..<close].joined(separator: "\n") + "\n"
    }

    @Test func theTourRunsAsWritten() throws {
        let tour = try Self.tourBlock()
        // The tour is written for an installed `leads`: no build step hides in it.
        #expect(!tour.contains("swift "))
        #expect(tour.contains("export LEADS_DIR=$(mktemp -d)"))

        let scratch = try TemporaryDirectory()
        let fm = FileManager.default
        for directory in ["bin", "home", "tmp", "Docs"] {
            try fm.createDirectory(atPath: scratch.path + "/" + directory, withIntermediateDirectories: true)
        }
        try fm.copyItem(atPath: Self.root.appendingPathComponent("Docs/examples").path, toPath: scratch.path + "/Docs/examples")
        try fm.createSymbolicLink(atPath: scratch.path + "/bin/leads", withDestinationPath: Sandbox.binary)
        // `remind 7 +1w` is a week from the real clock (the tour fixes none), in UTC as the
        // tour's TZ says; a date written into the test fails from the day after. Taken before
        // and after the run, so a run across midnight is not a failure.
        func aWeekOn() -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let day = calendar.dateComponents([.year, .month, .day], from: Date().addingTimeInterval(7 * 86_400))
            return String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
        }
        let weekBefore = aWeekOn()
        let script = "cd '\(scratch.path)'\n" + tour
        let result = Sandbox.execute("/bin/bash", ["-e", "-o", "pipefail", "-c", script], stdin: nil, environment: [
            "PATH": scratch.path + "/bin:/usr/bin:/bin",
            "HOME": scratch.path + "/home",
            "TMPDIR": scratch.path + "/tmp",
            "TZ": "UTC",
            "LANG": "C.UTF-8",
        ])
        #expect(result.status == 0, "the tour failed: \(result.stderr)")
        let weekAfter = aWeekOn()
        // The import's summary and one confirmation per write are the tour's only messages.
        #expect([weekBefore, weekAfter].map { due in """
            leads: Docs/examples/leads.csv: 40 created, 0 updated, 0 skipped, 0 rejected
            leads: #7 Greta Schulz: note added, contacted
            leads: #7 Greta Schulz: proposal → negotiation
            leads: #7.1 done: follow-up on Greta Schulz
            leads: #7.2 due \(due): ask for the signed order

            """ }.contains(result.stderr), "\(result.stderr)")

        let lines = result.lines
        // list: 32 open leads, a header each time; list --mine: alice's 11; --owner bob: 11.
        #expect(lines.filter { $0.hasPrefix("ID  NAME") }.count == 3)
        #expect(lines.contains(" 7  Greta Schulz     Schulz Elektrotechnik GmbH    proposal     31200.00 EUR  alice  2026-11-18 !  2026-11-13 alice"))
        #expect(lines.contains("#7 Greta Schulz"))
        #expect(lines.contains("7.2"))  // remind prints the new reminder's reference
        // pipeline after lead 7 moved from proposal (60 %) to negotiation (80 %).
        #expect(lines.contains("negotiation      3  115700.00   92560.00"))
        #expect(lines.contains("total           23  527100.50  262025.10"))
        #expect(lines.contains("total            6  256500.00  162550.00"))
        // pipeline --by owner
        #expect(lines.contains("alice     10  244550.50  118855.10"))
        // remind --due: the sample's follow-ups of November 2026 and earlier are due for
        // ever after; 7.1 was done in the tour. (Its later ones fall due as time passes.)
        let due = lines.drop { !$0.hasPrefix("REF ") }
        #expect(due.first == "REF   DUE         OVERDUE          OWNER  LEAD                 TEXT")
        #expect(due.contains { $0.hasPrefix("6.1   2026-11-09  ") && $0.hasSuffix("  carol  #6 Lena Hoffmann") })
        #expect(due.filter { $0.hasPrefix("7.1 ") }.isEmpty)
        #expect(due.count >= 17)

        // export-csv --excel wrote leads.csv next to the tour: BOM, ; and decimal comma.
        let export = try #require(fm.contents(atPath: scratch.path + "/leads.csv"))
        let text = String(decoding: export, as: UTF8.self)
        #expect(Array(export.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(text.hasPrefix("\u{FEFF}id;name;organization;company;"))
        #expect(text.contains("\r\n7;Greta Schulz;no;Schulz Elektrotechnik GmbH;"))
        #expect(text.contains(";negotiation;;31200,00;EUR;24960,00;2026-12-20;"))
        #expect(text.components(separatedBy: "\r\n").count == 1 + 32 + 1)  // header, open leads, final CRLF

        // The data went to the scratch directory mktemp made, nowhere else.
        #expect(!fm.fileExists(atPath: scratch.path + "/home/.local"))
        let made = try fm.contentsOfDirectory(atPath: scratch.path + "/tmp")
        #expect(made.count == 1)
        #expect(fm.fileExists(atPath: scratch.path + "/tmp/" + (made.first ?? "") + "/leads/40.json"))
    }

    /// The sample imports cleanly without any option, as the README promises.
    @Test func theSampleImportsCleanly() throws {
        let box = Sandbox()
        let path = Self.root.appendingPathComponent("Docs/examples/leads.csv").path
        let result = box.run("import-csv", path, "--json")
        #expect(result.status == 0)
        let summary = try #require(try result.json() as? [String: Any])
        #expect(summary["created"] as? Int == 40)
        #expect(summary["rejected"] as? Int == 0)
        #expect(summary["ids"] as? [String] == ["1-40"])
        let stages = try #require(try box.run("stages", "--json").json() as? [[String: Any]])
        #expect(stages.map { $0["name"] as? String } == ["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dnc"])
        #expect(stages.map { $0["leads"] as? Int } == [8, 7, 7, 6, 4, 4, 3, 1])
        let leads = try #require(try box.run("list", "--all", "--json").json() as? [[String: Any]])
        #expect(Set(leads.compactMap { $0["owner"] as? String }) == ["alice", "bob", "carol"])
        #expect(Set(leads.compactMap { $0["currency"] as? String }) == ["EUR", "USD"])
    }
}

/// A directory under the system's temporary directory, removed when released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "leads-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
