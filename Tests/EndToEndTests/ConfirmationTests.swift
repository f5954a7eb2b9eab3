import Foundation
import Testing

/// Every write command says what it did in one line on stderr; stdout keeps only data;
/// `-q` silences the line (SPEC §10).
@Suite struct ConfirmationTests {
    static func check(_ result: RunResult, stdout: String = "", stderr: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout == stdout, sourceLocation: sourceLocation)
        #expect(result.stderr == stderr, sourceLocation: sourceLocation)
    }

    @Test func eachWriteCommandConfirms() {
        let box = Sandbox()
        Self.check(box.run("add", "Greta Schulz", "--company", "Schulz KG", "--value", "12500", "--stage", "proposal"),
                   stdout: "1\n", stderr: "leads: #1 Greta Schulz: added (proposal, alice, 12500.00 EUR)\n")
        Self.check(box.run("add", "Hans Groß", "--owner", "bob", "--next", "morgen"),
                   stdout: "2\n", stderr: "leads: #2 Hans Groß: added (new, bob, follow-up 2026-11-24)\n")
        Self.check(box.run("status", "1", "negotiation"), stderr: "leads: #1 Greta Schulz: proposal → negotiation\n")
        Self.check(box.run("status", "1", "nego", "--probability", "70", "--note", "price agreed"),
                   stderr: "leads: #1 Greta Schulz: probability 70 %, note added\n")
        Self.check(box.run("assign", "1", "bob"), stderr: "leads: #1 Greta Schulz: owner alice → bob\n")
        Self.check(box.run("assign", "2", "carol"), stderr: "leads: #2 Hans Groß: owner bob → carol, 1 follow-up moved\n")
        Self.check(box.run("set", "1", "--value", "15000", "--label", "+hot", "--email", "greta@schulz.example", "--close", "2026-12-31"),
                   stderr: "leads: #1 Greta Schulz: email greta@schulz.example, value 15000.00 EUR, close 2026-12-31, labels +hot\n")
        Self.check(box.run("set", "1", "--email", "", "--label", "-hot", "--field", "Branche=Bäckerei"),
                   stderr: "leads: #1 Greta Schulz: email removed, labels -hot, Branche Bäckerei\n")
        Self.check(box.run("note", "1", "called, wants the order form", "--contacted"),
                   stderr: "leads: #1 Greta Schulz: note added, contacted\n")
        Self.check(box.run("note", "1", "met at the fair", "--at", "gestern"),
                   stderr: "leads: #1 Greta Schulz: note added at 2026-11-22 00:00\n")
        Self.check(box.run("remind", "1", "2026-12-09", "ask for the signed order"),
                   stdout: "1.1\n", stderr: "leads: #1.1 due 2026-12-09: ask for the signed order\n")
        Self.check(box.run("remind", "1", "freitag"), stdout: "1.2\n", stderr: "leads: #1.2 due 2026-11-27: follow-up on Greta Schulz\n")
        Self.check(box.run("remind", "1", "in 2 Wochen", "call back", "--owner", "alice"),
                   stdout: "1.3\n", stderr: "leads: #1.3 due 2026-12-07 for alice: call back\n")
        Self.check(box.run("remind", "--snooze", "1.1", "2026-12-11"),
                   stderr: "leads: #1.1 due 2026-12-11 (was 2026-12-09): ask for the signed order\n")
        Self.check(box.run("remind", "--done", "1.2"), stderr: "leads: #1.2 done: follow-up on Greta Schulz\n")
        Self.check(box.run("remind", "--done", "1.2"), stderr: "leads: nothing changed: #1.2 was already done\n")
        Self.check(box.run("convert", "1", "--project", "Website"), stdout: "1\n",
                   stderr: "leads: #1 Greta Schulz: negotiation → won, new customer #1, 1 project added, 2 reminders closed\n")
        Self.check(box.run("convert", "1"), stdout: "1\n", stderr: "leads: #1 Greta Schulz: already converted to customer #1\n")
        Self.check(box.run("delete", "2", "--yes"), stderr: "leads: #2 Hans Groß: deleted\n")
    }

    @Test func severalLeadsInOneLine() {
        let box = Sandbox()
        for name in ["Anna Abel", "Bert Brandt", "Cem Çelik", "Dora Dürr", "Emil Engel"] { box.add(name) }
        box.run("status", "5", "contacted")
        Self.check(box.run("status", "1", "2", "qualified"), stderr: "leads: #1 Anna Abel, #2 Bert Brandt: new → qualified\n")
        Self.check(box.run("status", "1-5", "proposal"),
                   stderr: "leads: 5 leads: → proposal (#1 Anna Abel, #2 Bert Brandt, #3 Cem Çelik and 2 more)\n")
        Self.check(box.run("status", "1", "3", "proposal"), stderr: "leads: nothing changed: #1 Anna Abel, #3 Cem Çelik\n")
        Self.check(box.run("assign", "1-4", "bob"),
                   stderr: "leads: 4 leads: owner alice → bob (#1 Anna Abel, #2 Bert Brandt, #3 Cem Çelik and 1 more)\n")
        Self.check(box.run("assign", "4", "5", "bob"), stderr: "leads: #5 Emil Engel: owner alice → bob; unchanged: #4 Dora Dürr\n")
        Self.check(box.run("remind", "1", "+1d"), stdout: "1.1\n", stderr: "leads: #1.1 due 2026-11-24: follow-up on Anna Abel\n")
        box.run("remind", "1", "+2d")
        box.run("remind", "2", "+2d")
        Self.check(box.run("remind", "--done", "1.1", "1.2", "2.1"), stderr: "leads: #1.1, #1.2, #2.1: done\n")
        Self.check(box.run("delete", "4", "5", "--yes"), stderr: "leads: #4 Dora Dürr, #5 Emil Engel: deleted\n")
    }

    @Test func quietSilencesTheLineAndStdoutStaysData() {
        let box = Sandbox()
        Self.check(box.run("-q", "add", "Greta Schulz"), stdout: "1\n", stderr: "")
        Self.check(box.run("add", "Hans Groß", "--quiet"), stdout: "2\n", stderr: "")
        Self.check(box.run("status", "1", "2", "won", "-q"), stderr: "")
        Self.check(box.run("remind", "1", "morgen", "-q"), stdout: "1.1\n", stderr: "")
        Self.check(box.run("--quiet", "note", "1", "x"), stderr: "")
        // Errors are never silenced.
        let failed = box.run("-q", "status", "9", "won")
        #expect(failed.status == 1)
        #expect(failed.stderr == "leads: no lead 9\n")
    }

    /// A name is data: it can neither break the line nor drive the terminal.
    @Test func theLineIsTerminalSafe() {
        let box = Sandbox()
        // (add refuses a name with a line break; an escape code is stored as typed)
        let result = box.run("add", "Evil\u{1B}[2JName")
        Self.check(result, stdout: "1\n", stderr: "leads: #1 Evil\u{FFFD}[2JName: added (new, alice)\n")
        // A long name is cut: the line stays one readable line.
        let long = String(repeating: "x", count: 60)
        Self.check(box.run("add", long), stdout: "2\n", stderr: "leads: #2 \(String(repeating: "x", count: 39))…: added (new, alice)\n")
    }

    @Test func convertClosesOpenRemindersUnlessKept() throws {
        let box = Sandbox()
        box.add("Won deal", "--next", "+1d")
        box.run("remind", "1", "+2d", "second")
        box.run("remind", "1", "+3d", "third")
        box.run("remind", "--done", "1.3")
        let result = box.run("convert", "1")
        Self.check(result, stdout: "1\n", stderr: "leads: #1 Won deal: new → won, new customer #1, 2 reminders closed\n")
        let reminders = try #require(box.leadJSON(1)?["reminders"] as? [[String: Any]])
        #expect(reminders.allSatisfy { $0["done_at"] as? String == "2026-11-23T10:00:00Z" })
        let convert = try #require(box.logEntries().last)
        #expect(convert["action"] as? String == "convert")
        #expect(convert["reminders_closed"] as? [Int] == [1, 2])
        #expect(box.run("log", "1", "-n", "1").stdout.contains("convert → customer 1, 2 reminders closed"))
        #expect(box.run("list", "--all").lines[1].contains("won"))
        #expect(!box.run("list", "--all").stdout.contains("2026-11-2"))  // no NEXT date left
        #expect(box.run("remind", "--list", "1").stdout == "")

        let kept = Sandbox()
        kept.add("Kept", "--next", "+1d")
        Self.check(kept.run("convert", "1", "--keep-reminders"), stdout: "1\n", stderr: "leads: #1 Kept: new → won, new customer #1\n")
        #expect((kept.leadJSON(1)?["reminders"] as? [[String: Any]])?.first?["done_at"] == nil)
        #expect(kept.logEntries().last?["reminders_closed"] == nil)
    }

    @Test func historyLinesReadWell() {
        let box = Sandbox()
        box.add("Greta", "--value", "1000")
        box.run("set", "1", "--value", "12500", "--label", "+hot")
        box.run("set", "1", "--probability", "70")
        box.run("status", "1", "proposal", "--probability", "65")
        box.run("remind", "1", "+1d")
        box.run("remind", "--done", "1.1")
        let lines = box.run("log").lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).joined(separator: " ") }
        #expect(lines == [
            "add (new, alice)",
            "set value 12500.00 EUR, labels",
            "set probability 70 %",
            "status new → proposal, probability 65 %",
            "remind 1.1 due 2026-11-24",
            "remind-done 1.1",
        ])
    }
}
