import Foundation
import Testing

/// A command killed between changing files and logging the change leaves the backups of
/// the files it replaced or removed (StoreCommit.swift). `fsck --repair`, or the next
/// writing command, puts them back when no record after the change began names the
/// file, and neither rewrites the log.
@Suite struct UnfinishedChangeTests {
    func killed(_ box: Sandbox, _ arguments: String...) {
        let result = box.run(arguments, env: ["LEADS_TEST_CRASH": "after-lead-write"])
        #expect(result.status == 128 + SIGKILL, "the crash point was not reached: \(result.stderr)")
    }

    @Test func aKilledDeleteIsUndoneAndTheLogKeepsEveryRecord() throws {
        let box = Sandbox()
        box.add("A", "--email", "a@x.example")
        box.add("B", "--email", "b@x.example")
        #expect(box.run("note", "2", "called").status == 0)
        let lead = try #require(box.file("leads/2.json"))
        let log = try #require(box.file("activity.log"))
        killed(box, "delete", "2", "--yes")
        #expect(box.file("leads/2.json") == nil)

        let check = box.run("fsck")
        #expect(check.status == 1)
        #expect(check.stdout.hasPrefix("leads/2.json: an interrupted command changed or removed it and logged nothing; its backup .2.json.bak-"), "\(check.stdout)")
        #expect(!check.stdout.contains("log record"), "reported twice: \(check.stdout)")
        let repair = box.run("fsck", "--repair")
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        #expect(box.file("leads/2.json") == lead)
        #expect(box.file("activity.log") == log)
        #expect(box.run("fsck").status == 0)
        #expect(box.add("C") == 3)
    }

    @Test func aKilledMergePutsBothLeadsBack() throws {
        let box = Sandbox()
        box.add("Anna", "--email", "anna@x.example")
        box.add("Anna", "--email", "anna.b@x.example", "--allow-duplicate")
        let first = try #require(box.file("leads/1.json")), second = try #require(box.file("leads/2.json"))
        killed(box, "merge", "1", "2")
        let repair = box.run("fsck", "--repair")
        #expect(repair.status == 0)
        // Its writer settled them as it started; fsck reports them as its findings, once.
        #expect(repair.stdout.contains("leads/1.json: an interrupted command changed or removed it"), "\(repair.stdout)")
        #expect(repair.stdout.contains("leads/2.json: an interrupted command changed or removed it"), "\(repair.stdout)")
        #expect(repair.stderr == "leads: 2 problems, 2 repaired\n", "\(repair.stderr)")
        #expect(box.file("leads/1.json") == first)
        #expect(box.file("leads/2.json") == second)
        let check = box.run("fsck")
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func theNextCommandUndoesAKilledChangeFirstAndSaysSo() throws {
        let box = Sandbox()
        box.add("A")
        let log = try #require(box.file("activity.log"))
        killed(box, "status", "1", "won")
        // The file as the killed command left it (read straight, not by a leads reader).
        #expect(box.leadJSON(1)?["stage"] as? String == "won")
        let note = box.run("note", "1", "after the crash")
        #expect(note.status == 0, "\(note.stderr)")
        #expect(note.stderr.hasPrefix("leads: a command was killed in the middle of a change and logged none of it (pid "), "\(note.stderr)")
        #expect(note.stderr.contains("(leads status) user alice since 2026-"), "\(note.stderr)")
        #expect(note.stderr.hasSuffix("; undone before this one: leads/1.json put back as before\nleads: #1 A: note added\n"), "\(note.stderr)")
        #expect(box.leadJSON(1)?["stage"] as? String == "new")
        #expect((box.leadJSON(1)?["notes"] as? [[String: Any]])?.count == 1)
        #expect(box.file("activity.log")?.starts(with: log) == true)
        #expect(box.logEntries().map { $0["action"] as? String }.suffix(2) == ["add", "note"])
        let hidden = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/leads").filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "\(hidden)")
        #expect(box.run("fsck").status == 0)
        // Said once: the next command finds nothing to settle.
        let again = box.run("note", "1", "again")
        #expect(again.status == 0 && again.stderr == "leads: #1 A: note added\n", "\(again.stderr)")
    }

    @Test func aReaderUndoesAKilledChangeBeforeItShowsAnything() throws {
        // A scan (shared lock) and a single-lead read (no lock) each find the killed
        // writer's line in the lock file and settle its commit first, so no reader shows
        // a change that was never logged.
        for reader in [["list", "--json"], ["show", "1", "--json"], ["pipeline", "--json"]] {
            let box = Sandbox()
            box.add("A", "--value", "100 EUR")
            let lead = try #require(box.file("leads/1.json"))
            let log = try #require(box.file("activity.log"))
            killed(box, "status", "1", "won")
            #expect(box.leadJSON(1)?["stage"] as? String == "won")
            let read = box.run(reader)
            #expect(read.status == 0, "\(reader): \(read.stderr)")
            #expect(read.stdout.contains("\"new\"") && !read.stdout.contains("\"won\""), "\(reader) showed the unlogged change: \(read.stdout)")
            #expect(read.stderr.hasPrefix("leads: a command was killed in the middle of a change and logged none of it (pid "), "\(reader): \(read.stderr)")
            #expect(read.stderr.hasSuffix("; undone before this one: leads/1.json put back as before\n"), "\(reader): \(read.stderr)")
            #expect(box.file("leads/1.json") == lead)
            #expect(box.file("activity.log") == log)
            #expect(box.run("fsck").status == 0)
            let again = box.run(reader)
            #expect(again.status == 0 && again.stderr.isEmpty, "\(reader) settled twice: \(again.stderr)")
        }
    }

    @Test func aReaderThatCannotTakeTheLockToSettleReadsTheFilesAsTheyAre() throws {
        let box = Sandbox()
        box.add("A")
        killed(box, "status", "1", "won")
        // Another program holds a shared lock, so the reader's exclusive lock would wait.
        let holder = try ForeignLock(box, exclusive: false)
        let read = box.run(["list", "--all", "--json"], env: ["LEADS_LOCK_TIMEOUT": "0.5"])
        #expect(read.status == 0 && read.stderr.isEmpty, "\(read.stderr)")
        #expect(read.stdout.contains("\"won\""), "\(read.stdout)")
        // Once the holder is gone the next reader settles it.
        holder.release()
        let after = box.run("list", "--json")
        #expect(after.status == 0 && after.stdout.contains("\"new\""), "\(after.stdout)")
        #expect(after.stderr.hasSuffix("; undone before this one: leads/1.json put back as before\n"), "\(after.stderr)")
    }

    @Test func aCheckReportsAKilledChangeAndLeavesItToTheRepair() throws {
        let box = Sandbox()
        box.add("A")
        killed(box, "status", "1", "won")
        let killedFile = try #require(box.file("leads/1.json"))
        let check = box.run("fsck")
        #expect(check.status == 1)
        #expect(check.stdout.hasPrefix("leads/1.json: an interrupted command changed or removed it and logged nothing"), "\(check.stdout)")
        #expect(box.file("leads/1.json") == killedFile, "fsck without --repair changed the file")
        // The lock file still names the killed writer: the next reader settles it.
        let show = box.run("show", "1", "--json")
        #expect(show.status == 0 && show.stdout.contains("\"new\""), "\(show.stdout)\(show.stderr)")
        #expect(box.run("fsck").status == 0)
    }

    @Test func aCommandKilledAfterItsLogRecordKeepsItsChange() throws {
        let box = Sandbox()
        box.add("A")
        let result = box.run(["status", "1", "won"], env: ["LEADS_TEST_CRASH": "after-log-append"])
        #expect(result.status == 128 + SIGKILL, "the crash point was not reached: \(result.stderr)")
        let check = box.run("fsck")
        #expect(check.stdout.contains("temporary file left by an interrupted command"), "\(check.stdout)")
        let note = box.run("note", "1", "after the crash")
        #expect(note.status == 0 && note.stderr == "leads: #1 A: note added\n", "\(note.stderr)")
        #expect(box.leadJSON(1)?["stage"] as? String == "won")
        #expect(box.logEntries().map { $0["action"] as? String }.suffix(2) == ["status", "note"])
        let hidden = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/leads").filter { $0.hasPrefix(".") }
        #expect(hidden.isEmpty, "\(hidden)")
        #expect(box.run("fsck").status == 0)
    }

    @Test func aChangeNoRecordFollowsIsUndone() throws {
        let box = Sandbox()
        box.add("A")
        let lead = try #require(box.file("leads/1.json"))
        killed(box, "status", "1", "won")
        #expect(box.run("list", "--all").status == 0)
        #expect(box.run("fsck", "--repair").status == 0)
        #expect(box.file("leads/1.json") == lead)
        #expect(box.run("fsck").status == 0)
    }

    @Test func aKilledConvertTakesItsNewCustomerAwayWithTheLeadsChange() throws {
        let box = Sandbox()
        box.add("Ada", "--company", "Engines", "--email", "ada@x.example")
        let lead = try #require(box.file("leads/1.json"))
        killed(box, "convert", "1", "--project", "P1")
        #expect(box.file("customers/1.json") != nil)
        let check = box.run("fsck")
        #expect(check.stdout.contains("customers/1.json: an interrupted command created it and logged nothing (.1.json.new-"), "\(check.stdout)")
        #expect(!check.stdout.contains("no log record mentions it"), "reported twice: \(check.stdout)")
        #expect(box.run("fsck", "--repair").status == 0)
        #expect(box.file("leads/1.json") == lead)
        #expect(box.file("customers/1.json") == nil)
        #expect(box.run("fsck").status == 0)
        // Converted again, the lead has one customer.
        #expect(box.run("convert", "1", "--project", "P1", "-q").status == 0)
        let customers = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/customers").filter { $0.hasSuffix(".json") }
        #expect(customers.count == 1)
    }

    @Test func aKilledConvertIsUndoneWholeByTheNextCommand() throws {
        let box = Sandbox()
        box.add("Ada", "--company", "Engines")
        let lead = try #require(box.file("leads/1.json"))
        killed(box, "convert", "1")
        #expect(box.file("customers/1.json") != nil)
        let add = box.run("add", "Bea")
        #expect(add.status == 0)
        #expect(add.stderr.contains("; undone before this one: leads/1.json put back as before; customers/1.json taken away\n"), "\(add.stderr)")
        #expect(box.file("leads/1.json") == lead)
        #expect(box.file("customers/1.json") == nil)
        let check = box.run("fsck")
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func aLeadFileRemovedByHandIsReportedAndItsRecordsStay() throws {
        let box = Sandbox()
        box.add("A")
        box.add("B")
        #expect(box.run("note", "2", "hi").status == 0)
        try FileManager.default.removeItem(atPath: box.dir + "/leads/2.json")
        let log = try #require(box.file("activity.log"))
        let repair = box.run("fsck", "--repair")
        #expect(repair.status == 1)
        #expect(repair.stdout == "leads/2.json: 2 log records name it, but the file is missing and no record deletes it; restore it from a backup, or 'leads delete' it once it is back (the log is never rewritten)\n")
        #expect(box.file("activity.log") == log)
        // Its ID is never handed out again.
        #expect(box.add("C") == 3)
    }
}
