import Foundation
import Testing

/// 2026-11-23 is a Monday; the sandbox clock is 2026-11-23T10:00:00Z.
@Suite struct RemindTests {
    @Test(arguments: [
        ("2026-12-01", "2026-12-01"), ("2026-12-01T14:30", "2026-12-01T13:30:00Z"), ("31.12.2026", "2026-12-31"),
        ("today", "2026-11-23"), ("tomorrow", "2026-11-24"), ("+3d", "2026-11-26"), ("+2w", "2026-12-07"),
        ("+1m", "2026-12-23"), ("monday", "2026-11-30"), ("Friday", "2026-11-27"), ("sun", "2026-11-29"),
        ("2026-12-01T14:30Z", "2026-12-01T14:30:00Z"),
    ])
    func everyWhenForm(when: String, stored: String) throws {
        let box = Sandbox(timeZone: "Europe/Berlin")
        box.add("A")
        let result = box.run("remind", "1", when, "call back")
        #expect(result.status == 0)
        #expect(result.stdout == "1.1\n")
        // The confirmation shows the due moment in local time (Europe/Berlin here).
        let shown = ["2026-12-01T13:30:00Z": "2026-12-01 14:30", "2026-12-01T14:30:00Z": "2026-12-01 15:30"][stored] ?? stored
        #expect(result.stderr == "leads: #1.1 due \(shown): call back\n")
        let reminder = try #require((box.leadJSON(1)?["reminders"] as? [[String: Any]])?.first)
        #expect(reminder["due"] as? String == stored)
        #expect(reminder["text"] as? String == "call back")
        #expect(reminder["owner"] as? String == "alice")
    }

    /// `--due` lists the soonest due first; a date counts from its local midnight, and
    /// reminders due at the same moment go by lead, then number.
    @Test func dueRemindersComeSoonestFirstWithDatesAtLocalMidnight() throws {
        let box = Sandbox(timeZone: "Europe/Berlin")
        for name in ["A", "B", "C"] { box.add(name) }
        #expect(box.run("remind", "1", "2026-11-01T00:30", "timed, local").status == 0)   // 2026-10-31T23:30Z
        #expect(box.run("remind", "3", "2026-11-01", "date").status == 0)                 // Berlin midnight, 23:00Z
        #expect(box.run("remind", "2", "2026-10-31T22:00Z", "timed, UTC").status == 0)
        #expect(box.run("remind", "1", "2026-11-01", "date, lower lead").status == 0)     // the same moment as 3.1
        func refs(_ timeZone: String) throws -> [String] {
            let out = box.run(["remind", "--due", "--json"], env: ["TZ": timeZone]).stdout
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
            return rows.compactMap { $0["ref"] as? String }
        }
        #expect(try refs("Europe/Berlin") == ["2.1", "1.2", "3.1", "1.1"])
        // In UTC the dates start an hour later, after the timed reminder of 23:30Z.
        #expect(try refs("UTC") == ["2.1", "1.1", "1.2", "3.1"])
    }

    @Test func referencesCountUpPerLeadAndOwnerDefaultsToTheLeadsOwner() throws {
        let box = Sandbox()
        box.add("A", "--owner", "bob", "--next", "+1d")
        #expect(box.run("remind", "1", "+2d").stdout == "1.2\n")
        #expect(box.run("remind", "1", "+3d", "--owner", "carol").stdout == "1.3\n")
        let reminders = try #require(box.leadJSON(1)?["reminders"] as? [[String: Any]])
        #expect(reminders.map { $0["owner"] as? String } == ["bob", "bob", "carol"])
        let log = box.logEntries().filter { $0["action"] as? String == "remind" }
        #expect(log.map { $0["reminder"] as? Int } == [2, 3])
        #expect(log.map { $0["due"] as? String } == ["2026-11-25", "2026-11-26"])
    }

    /// The rule notes follow: all-blank is the same as empty. A note needs a text, so both
    /// are refused; a reminder needs none, so both are no text.
    @Test func anAllBlankReminderTextIsNoTextAsAnEmptyOne() throws {
        let box = Sandbox()
        box.add("A", "-q")
        let blank = box.run("remind", "1", "tomorrow", "  \t")
        #expect(blank.status == 0)
        #expect(blank.stderr == "leads: #1.1 due 2026-11-24: follow-up on A\n")
        #expect(box.run("remind", "1", "tomorrow", "").stderr == "leads: #1.2 due 2026-11-24: follow-up on A\n")
        let reminders = try #require(box.leadJSON(1)?["reminders"] as? [[String: Any]])
        #expect(reminders.count == 2)
        #expect(reminders.allSatisfy { $0["text"] == nil })
    }

    @Test func invalidWhenChangesNothing() {
        let box = Sandbox()
        box.add("A")
        let before = box.snapshot()
        let result = box.run("remind", "1", "someday")
        #expect(result.status == 1)
        #expect(result.stderr == "leads: WHEN: 'someday' is not a date (examples: 2026-12-01, 2026-12-01T14:30, 31.12.2026, today, tomorrow, +3d, +2w, +1m, monday)\n")
        #expect(box.run("remind", "9", "today").stderr == "leads: no lead 9\n")
        #expect(box.run("remind", "1").status == 2)
        #expect(box.snapshot() == before)
    }

    @Test func nothingDueIsSilent() {
        let box = Sandbox()
        box.add("A", "--next", "tomorrow")
        for arguments in [["remind", "--due"], ["remind", "--due", "--once"], ["remind", "--due", "--json"]] {
            let result = box.run(arguments)
            #expect(result.status == 0)
            #expect(result.stdout == "")
            #expect(result.stderr == "")
        }
        let empty = Sandbox().run("remind", "--due")
        #expect(empty.status == 0 && empty.stdout == "" && empty.stderr == "")
    }

    @Test func dueListsOpenLeadsOldestFirstWithLateness() throws {
        let box = Sandbox()
        box.add("Alpha")
        box.add("Beta", "--owner", "bob")
        box.add("Won deal")
        box.add("Lost deal")
        box.run("remind", "1", "2026-11-23T09:30", "timed")
        box.run("remind", "1", "2026-11-20", "call back")
        box.run("remind", "2", "yesterday")
        box.run("remind", "1", "tomorrow", "not yet")
        box.run("remind", "3", "2026-11-01")
        box.run("remind", "4", "2026-11-01")
        box.run("status", "3", "won")
        box.run("status", "4", "lost")
        let result = box.run("remind", "--due")
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == """
            REF  DUE               OVERDUE             OWNER  LEAD      TEXT
            1.2  2026-11-20        3 days overdue      alice  #1 Alpha  call back
            2.1  2026-11-22        1 day overdue       bob    #2 Beta
            1.1  2026-11-23 09:30  30 minutes overdue  alice  #1 Alpha  timed

            """)
        #expect(box.run("remind", "--due", "--owner", "bob").lines.count == 2)
        #expect(box.run("remind", "--due", "--mine").lines.count == 3)
        let json = try #require(try box.run("remind", "--due", "--json").json() as? [[String: Any]])
        #expect(json.map { $0["ref"] as? String } == ["1.2", "2.1", "1.1"])
        #expect(json[0]["overdue_days"] as? Int == 3)
        #expect(json[0]["name"] as? String == "Alpha")
        #expect(json[2]["overdue_seconds"] as? Int == 1800)
        #expect(box.run("list", "--overdue", "--ids").stdout == "1\n2\n")
    }

    @Test func dateOnlyRemindersFallDueAtLocalMidnight() {
        let box = Sandbox(timeZone: "Asia/Kolkata")
        box.add("A")
        box.run("remind", "1", "2026-11-24")
        // Midnight of 24 November in Kolkata (+05:30) is 2026-11-23T18:30:00Z.
        #expect(box.run(["remind", "--due"], env: ["LEADS_NOW": "2026-11-23T18:29:00Z"]).stdout == "")
        #expect(box.run(["remind", "--due"], env: ["LEADS_NOW": "2026-11-23T18:30:00Z"]).lines.count == 2)
        // The same reminder in UTC is not due until midnight UTC.
        #expect(box.run(["remind", "--due"], env: ["LEADS_NOW": "2026-11-23T18:30:00Z", "TZ": "UTC"]).stdout == "")
    }

    @Test func onceAnnouncesEachReminderOnlyOnce() throws {
        let box = Sandbox()
        box.add("A", "--next", "2026-11-01")
        let first = box.run("remind", "--due", "--once")
        #expect(first.lines.count == 2)
        let second = box.run("remind", "--due", "--once")
        #expect(second.status == 0 && second.stdout == "" && second.stderr == "")
        let reminder = try #require((box.leadJSON(1)?["reminders"] as? [[String: Any]])?.first)
        #expect(reminder["announced_at"] as? String == "2026-11-23T10:00:00Z")
        // Plain --due still lists it: it is still due.
        #expect(box.run("remind", "--due").lines.count == 2)
        // Snoozed and due again: announced again.
        box.run("remind", "--snooze", "1.1", "2026-11-02")
        #expect(box.run("remind", "--due", "--once").lines.count == 2)
    }

    @Test func onceInTwoParallelRunsAnnouncesEveryReminderExactlyOnce() throws {
        let box = Sandbox()
        for i in 1...40 { box.add("Lead \(i)", "--next", "2026-11-\(String(format: "%02d", i % 20 + 1))") }
        for _ in 0..<3 {
            box.add("Later", "--allow-duplicate")
        }
        let results = concurrently(2) { _ in box.run("remind", "--due", "--once", "--json") }
        var refs: [String] = []
        for result in results {
            #expect(result.status == 0)
            if result.stdout.isEmpty { continue }
            let rows = try #require(try result.json() as? [[String: Any]])
            refs += rows.compactMap { $0["ref"] as? String }
        }
        #expect(refs.count == 40)
        #expect(Set(refs).count == 40)
    }

    @Test func doneAndSnooze() throws {
        let box = Sandbox()
        box.add("A", "--next", "2026-11-01")
        box.run("remind", "1", "2026-11-02")
        #expect(box.run("remind", "--done", "1.1", "#1.2").status == 0)
        #expect(box.run("remind", "--due").stdout == "")
        let reminders = try #require(box.leadJSON(1)?["reminders"] as? [[String: Any]])
        #expect(reminders.allSatisfy { $0["done_at"] as? String == "2026-11-23T10:00:00Z" })
        #expect(box.logEntries().last?["action"] as? String == "remind-done")
        #expect(box.logEntries().last?["reminders"] as? [Int] == [1, 2])

        box.run("remind", "1", "2026-11-03")
        #expect(box.run("remind", "--snooze", "1.3", "+2d").status == 0)
        #expect((box.leadJSON(1)?["reminders"] as? [[String: Any]])?.last?["due"] as? String == "2026-11-25")
        #expect(box.run("remind", "--due").stdout == "")
        let done = box.run("remind", "--snooze", "1.1", "+2d")
        #expect(done.status == 1)
        #expect(done.stderr == "leads: reminder 1.1 is done; add a new one with 'leads remind'\n")
        let missing = box.run("remind", "--done", "1.9")
        #expect(missing.status == 1)
        #expect(missing.stderr == "leads: no reminder 1.9\n")
        let bad = box.run("remind", "--done", "1")
        #expect(bad.status == 2)
        #expect(bad.stderr == "leads: invalid REF '1': a reminder is named ID.N, such as 12.1 (see 'leads remind --list')\n")
        // The N is a reminder's number, and the message says so rather than speak of IDs.
        for (ref, reason) in [("1.0", "reminder numbers (the N of ID.N) start at 1"),
                              ("1.x", "a reminder is named ID.N, such as 12.1 (see 'leads remind --list')"),
                              ("1.", "a reminder is named ID.N, such as 12.1 (see 'leads remind --list')"),
                              ("1.9999999999999999", "no reminder has a number that large"),
                              ("0.1", "IDs start at 1")] {
            let refused = box.run("remind", "--done", ref)
            #expect(refused.status == 2)
            #expect(refused.stderr == "leads: invalid REF '\(ref)': \(reason)\n")
        }
        #expect(box.run("remind", "--once").stderr == "leads: option '--once' works only with --due\n")
        #expect(box.run("remind", "--due", "--list").status == 2)
    }

    @Test func listShowsOpenRemindersAndMarksOverdue() {
        let box = Sandbox()
        box.add("A", "--next", "2026-11-01")
        box.add("B", "--next", "2026-12-24")
        box.run("remind", "2", "2026-12-01", "earlier")
        let result = box.run("remind", "--list")
        #expect(result.stdout == """
            REF  DUE         OVERDUE          OWNER  LEAD  TEXT
            1.1  2026-11-01  22 days overdue  alice  #1 A
            2.2  2026-12-01                   alice  #2 B  earlier
            2.1  2026-12-24                   alice  #2 B

            """)
        #expect(box.run("remind", "--list", "2").lines.count == 3)
        #expect(box.run("show", "1").stdout.contains("  1.1  2026-11-01  alice  ! 22 days overdue\n"))
        #expect(box.run("list").stdout.contains("2026-11-01 !"))
    }

    @Test func cronEnvironmentWithOnlyPathAndDataDirectory() {
        let box = Sandbox()
        box.add("A", "--next", "2020-01-15")
        box.add("B", "--next", "2020-01-16")
        let cron = Sandbox.execute(Sandbox.binary, ["remind", "--due", "--once"], stdin: nil,
                                   environment: ["PATH": "/usr/bin:/bin", "LEADS_DIR": box.dir])
        #expect(cron.status == 0)
        #expect(cron.stderr == "")
        #expect(cron.lines.count == 3)
        #expect(cron.stdout.contains("#1 A"))
        let again = Sandbox.execute(Sandbox.binary, ["remind", "--due", "--once"], stdin: nil,
                                    environment: ["PATH": "/usr/bin:/bin", "LEADS_DIR": box.dir])
        #expect(again.status == 0 && again.stdout == "" && again.stderr == "")
        // The announcing run was recorded as some user even without USER or HOME.
        let announce = box.logEntries().filter { $0["action"] as? String == "remind-announce" }
        #expect(announce.count == 2)
        #expect(announce.allSatisfy { !(($0["user"] as? String) ?? "").isEmpty })
    }
}

@Suite struct WholeSecondTests {
    @Test func aFractionOfASecondIsRefusedNotCutOffAndZeroIsFine() {
        let box = Sandbox()
        box.add("A")
        let before = box.snapshot()
        let refused = box.run("remind", "1", "2026-12-01T14:30:59.5Z", "call")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: WHEN: '2026-12-01T14:30:59.5Z' has a fraction of a second; times are kept to the second, so write it without one\n")
        #expect(box.snapshot() == before)
        #expect(box.run("remind", "1", "2026-12-01T14:30:59.000Z", "call").status == 0)
        let path = box.input("ms.csv", "name,created\nB,2024-03-05T10:00:00.123Z\n")
        let imported = box.run("import-csv", path)
        #expect(imported.status == 1)
        #expect(imported.stderr.hasPrefix("leads: \(path):2: created: '2024-03-05T10:00:00.123Z' has a fraction of a second"), "\(imported.stderr)")
    }
}
