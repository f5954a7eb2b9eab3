import Foundation
import Testing

/// A command killed between changing files and logging the change leaves the backups of
/// the files it replaced or removed (StoreCommit.swift). `fsck --repair` puts them back
/// when no record after the change began names the file, and never rewrites the log.
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
        #expect(box.run("fsck", "--repair").status == 0)
        #expect(box.file("leads/1.json") == first)
        #expect(box.file("leads/2.json") == second)
        let check = box.run("fsck")
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func aChangeLoggedSinceKeepsTheFileAsItIs() throws {
        let box = Sandbox()
        box.add("A")
        killed(box, "status", "1", "won")
        #expect(box.leadJSON(1)?["stage"] as? String == "won")
        // A later command read the file as the killed one left it and logged its change.
        #expect(box.run("note", "1", "after the crash").status == 0)
        let lead = try #require(box.file("leads/1.json"))
        let repair = box.run("fsck", "--repair")
        #expect(repair.stdout.contains("temporary file left by an interrupted command (repaired)"), "\(repair.stdout)")
        #expect(box.file("leads/1.json") == lead)
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
        let customers = try #require(try FileManager.default.contentsOfDirectory(atPath: box.dir + "/customers").filter { $0.hasSuffix(".json") })
        #expect(customers.count == 1)
    }

    @Test func aKilledConvertALaterCommandLoggedIsKeptWhole() throws {
        let box = Sandbox()
        box.add("Ada", "--company", "Engines")
        killed(box, "convert", "1")
        #expect(box.run("note", "1", "after the crash").status == 0)
        #expect(box.run("fsck", "--repair").status == 0)
        #expect(box.leadJSON(1)?["stage"] as? String == "won")
        #expect(box.file("customers/1.json") != nil)
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
