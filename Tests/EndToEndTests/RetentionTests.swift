import Foundation
import Testing

/// `leads retention` with a moving clock: what is due when, what --apply erases and
/// suppresses, and that cron hears nothing when nothing is due.
@Suite struct RetentionTests {
    func box() -> Sandbox {
        let box = Sandbox(now: "2024-03-15T09:00:00Z")
        #expect(box.run("init").status == 0)
        box.write("config.json", #"{"format": 1, "retention": [{"stage": "lost", "months": 24}, {"stage": "open", "months": 36}]}"# + "\n")
        return box
    }

    func at(_ time: String) -> [String: String?] { ["LEADS_NOW": time] }

    @Test func leadsBecomeDueWhenTheirRuleSaysAndNotADayBefore() throws {
        let box = box()
        let lost = box.add("Lost Person", "--email", "lost@example.com")
        #expect(box.run("status", String(lost), "lost", "--reason", "price").status == 0)
        let open = box.add("Open Person", "--phone", "+43 1 5551234")
        let busy = box.add("Busy Person", "--email", "busy@example.com")
        #expect(box.run("status", String(busy), "lost", "--reason", "timing").status == 0)
        // Busy Person is touched later: a note restarts the clock.
        #expect(box.run(["note", String(busy), "still interested next year"], env: at("2025-06-01T09:00:00Z")).status == 0)

        #expect(box.run(["retention", "--due"], env: at("2026-03-14T23:00:00Z")).stdout.isEmpty)
        let due = box.run(["retention", "--due"], env: at("2026-03-15T00:00:00Z"))
        #expect(due.status == 0 && due.stderr.isEmpty)
        #expect(due.lines.count == 2, "\(due.stdout)")
        #expect(due.lines.last?.contains("Lost Person") == true && due.lines.last?.contains("2024-03-15") == true
                && due.lines.last?.contains("1 (lost after 24 months)") == true, "\(due.stdout)")
        let later = box.run(["retention", "--due"], env: at("2027-03-15T09:00:00Z"))
        #expect(later.lines.dropFirst().map { $0.split(separator: " ").first.map(String.init) } == [String(lost), String(open)], "\(later.stdout)")
        let last = box.run(["retention", "--due"], env: at("2027-06-01T09:00:00Z"))
        #expect(last.lines.count == 4, "\(last.stdout)")
        // Reviewing changes nothing.
        #expect(FileManager.default.fileExists(atPath: box.dir + "/leads/\(lost).json"))
    }

    @Test func applyErasesWhatIsDueSuppressesItAndLogsOneRecordEach() throws {
        let box = box()
        let lost = box.add("Lost Person", "--email", "lost@example.com", "--phone", "+49 30 555")
        #expect(box.run("status", String(lost), "lost", "--reason", "price").status == 0)
        let kept = box.add("Fresh Lead", "--email", "fresh@example.com")
        #expect(box.run(["note", String(kept), "called"], env: at("2026-01-01T09:00:00Z")).status == 0)
        // Mail kept unmatched naming each of them in its text: the erased person's goes too.
        for (n, address) in [(1, "Lost@Example.com"), (2, "fresh@example.com")] {
            let message = "From: tipp@other.example\nSubject: Tipp\nMessage-ID: <r\(n)@other.example>\n\nschreibt an \(address)\n"
            #expect(box.run(["mail"], stdin: message, env: at("2026-01-02T09:00:00Z")).status == 0)
        }
        let logBefore = try String(contentsOfFile: box.dir + "/activity.log", encoding: .utf8)

        let applied = box.run(["retention", "--apply"], env: at("2026-04-01T09:00:00Z"))
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.lines == ["erased #\(lost) (lost, untouched since 2024-03-15; retention rule 1 (lost after 24 months)), with 1 unmatched message"], "\(applied.stdout)")
        #expect(!applied.stdout.contains("Lost Person"))
        #expect(!FileManager.default.fileExists(atPath: box.dir + "/leads/\(lost).json"))
        #expect(FileManager.default.fileExists(atPath: box.dir + "/leads/\(kept).json"))
        let added = try String(contentsOfFile: box.dir + "/activity.log", encoding: .utf8).dropFirst(logBefore.count)
        let records = added.split(separator: "\n")
        #expect(records.count == 1 && records[0].contains("\"action\":\"delete\"") && records[0].contains("\"retention\":1")
                && records[0].contains("\"suppressed\":[1,2]") && records[0].contains("\"unmatched_mail\":1"), "\(added)")
        let mail = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/mail/unmatched")
        let left = try mail.map { try String(contentsOfFile: box.dir + "/mail/unmatched/" + $0, encoding: .utf8) }
        #expect(left.count == 1 && left[0].contains("fresh@example.com"), "\(left)")

        let back = box.run(["add", "Lost Person", "--email", "LOST@example.com"], env: at("2026-04-02T09:00:00Z"))
        #expect(back.status == 1 && back.stderr.contains("refused by suppression entry 1"), "\(back.stderr)")
        // Nothing left to do: silent, for cron.
        let again = box.run(["retention", "--apply"], env: at("2026-04-02T09:00:00Z"))
        #expect(again.status == 0 && again.stdout.isEmpty && again.stderr.isEmpty)
        #expect(box.run("fsck").status == 0)
    }

    @Test func aDueLeadThatBecameACustomerIsNamedAndKept() {
        let box = Sandbox(now: "2020-01-10T09:00:00Z")
        #expect(box.run("init").status == 0)
        box.write("config.json", #"{"format": 1, "retention": [{"stage": "won", "months": 12}]}"# + "\n")
        let won = box.add("Won Person", "--email", "won@example.com")
        #expect(box.run("status", String(won), "won").status == 0)
        #expect(box.run("convert", String(won)).status == 0)
        let result = box.run(["retention", "--apply"], env: at("2022-01-01T09:00:00Z"))
        #expect(result.status == 0 && result.stdout.isEmpty)
        #expect(result.stderr.contains("#\(won) is due under retention rule 1 (won after 12 months) but became customer 1"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: box.dir + "/leads/\(won).json"))
    }

    @Test func withoutOptionsTheRulesAreListed() {
        let box = box()
        let result = box.run("retention")
        #expect(result.status == 0)
        #expect(result.lines == ["1  lost untouched for 24 months", "2  open leads untouched for 36 months"])
        box.write("config.json", #"{"format": 1, "retention": [{"stage": "lost", "months": 0}]}"# + "\n")
        let bad = box.run("retention", "--due")
        #expect(bad.status == 1 && bad.stderr.contains("config.json: retention rule 1 must be"), "\(bad.stderr)")
    }
}
