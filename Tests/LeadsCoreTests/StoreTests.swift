import Foundation
import Testing
@testable import LeadsCore

/// The store in-process: lock, atomic files, the log, derived files. The end-to-end
/// suite shows the same through the binary, with many processes and kill -9.
@Suite struct StoreTests {
    final class TemporaryDirectory {
        let path: String
        init() {
            var template = Array((NSTemporaryDirectory() + "leads-store-XXXXXX").utf8CString)
            path = String(cString: mkdtemp(&template)!)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    func store(_ dir: TemporaryDirectory, user: String = "alice", timeout: Double = 0.2) throws -> LeadStore {
        try LeadStore(path: dir.path + "/data", actor: Actor(user: user, now: Timestamp(seconds: 1_795_000_000), command: "test"),
                      lockTimeout: timeout)
    }

    func add(_ store: LeadStore, _ name: String, email: String? = nil) throws -> Int {
        try store.write { writer in
            var lead = Lead(id: try writer.newLeadID(), name: name, stage: "new", createdAt: writer.actor.now, createdBy: writer.actor.user)
            lead.email = email
            try writer.save(lead, previous: nil, log: ActivityEntry(time: writer.actor.now, user: writer.actor.user, action: .add, lead: lead.id))
            return lead.id
        }
    }

    @Test func aMissingStoreReadsAsEmptyAndIsNotCreated() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        #expect(!store.exists)
        #expect(try store.allLeads().leads.isEmpty)
        #expect(try store.activity().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data"))
    }

    @Test func writesCreateTheLayoutWithPrivateModes() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        #expect(try add(store, "A") == 1)
        for name in ["", "/leads", "/customers", "/.index"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir.path + "/data" + name)[.posixPermissions] as? Int
            #expect(mode == 0o700, "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: dir.path + "/data/.lock"))
    }

    @Test func anExclusiveLockExcludesWritersAndReaders() throws {
        let dir = TemporaryDirectory()
        let first = try store(dir)
        _ = try add(first, "A")
        // Two stores in one process: OFD locks conflict between open file descriptions
        // even within a process, exactly as between processes.
        let second = try store(dir, timeout: 0.2)
        try first.holdingLock(.exclusive) { () throws in
            #expect(throws: StoreError.self) { try add(second, "B") }
            do {
                _ = try second.allLeads()
                Issue.record("a reader got past an exclusive lock")
            } catch let error as StoreError {
                guard case .lockTimeout(let holder, let seconds) = error else { throw error }
                #expect(seconds == 0.2)
                #expect(holder?.pid == getpid())
                #expect(holder?.command == "leads test")
                #expect(holder?.user == "alice")
            }
        }
        #expect(try add(second, "B") == 2)
    }

    @Test func sharedLocksLetReadersTogether() throws {
        let dir = TemporaryDirectory()
        let first = try store(dir)
        _ = try add(first, "A")
        let second = try store(dir)
        try first.holdingLock(.shared) { () throws in
            #expect(try second.allLeads().leads.count == 1)
            #expect(throws: StoreError.self) { try add(second, "B") }
        }
    }

    @Test func lockHolderLinesParse() {
        let line = LockHolder.identityLine(pid: 42, host: "box", user: "bob", since: "2026-11-23T10:00:00Z", command: "leads import-csv")
        let holder = LockHolder.parse(line, shared: false)
        #expect(holder == LockHolder(pid: 42, host: "box", user: "bob", command: "leads import-csv", since: "2026-11-23T10:00:00Z", shared: false))
    }

    @Test func atomicReplacementKeepsNoTemporaryFiles() throws {
        let dir = TemporaryDirectory()
        let directory = try #require(try Directory.open(dir.path, label: "", followLinks: true))
        try directory.writeAtomically("a.json", Array("one\n".utf8), durable: true)
        try directory.writeAtomically("a.json", Array("two\n".utf8), durable: true)
        try directory.createAtomically("b.json", Array("new\n".utf8), durable: true)
        #expect(throws: SystemError.self) { try directory.createAtomically("b.json", Array("again\n".utf8), durable: true) }
        #expect(try String(contentsOfFile: dir.path + "/a.json", encoding: .utf8) == "two\n")
        #expect(try String(contentsOfFile: dir.path + "/b.json", encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a.json", "b.json"])
    }

    @Test func restoringABackupPutsTheOldFileBack() throws {
        let dir = TemporaryDirectory()
        let directory = try #require(try Directory.open(dir.path, label: "", followLinks: true))
        try directory.writeAtomically("a.json", Array("old\n".utf8), durable: false)
        let backup = try directory.backup("a.json", token: "1-2-0")
        try directory.writeAtomically("a.json", Array("new\n".utf8), durable: false)
        directory.restore("a.json", from: backup)
        #expect(try String(contentsOfFile: dir.path + "/a.json", encoding: .utf8) == "old\n")
        // Restoring before the file was replaced leaves one file, not two links.
        let early = try directory.backup("a.json", token: "1-2-0")
        directory.restore("a.json", from: early)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.json"])
    }

    @Test func aTornLogTailIsCut() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/log"
        try "{\"a\":1}\n{\"b\":".write(toFile: path, atomically: true, encoding: .utf8)
        let fd = open(path, O_RDWR)
        defer { close(fd) }
        #expect(try ActivityLog.cutTornTail(fd: fd, path: "log") == 5)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"a\":1}\n")
        #expect(try ActivityLog.cutTornTail(fd: fd, path: "log") == 0)
    }

    @Test func logLinesRoundTripWithoutPersonalFields() throws {
        let entry = ActivityEntry(time: Timestamp(seconds: 1_795_000_000), user: "bob", action: .status, lead: 7,
                                  details: ["from": .string("new"), "to": .string("won")])
        let line = entry.line
        #expect(String(decoding: line, as: UTF8.self) == "{\"action\":\"status\",\"from\":\"new\",\"lead\":7,\"time\":\"2026-11-18T11:06:40Z\",\"to\":\"won\",\"user\":\"bob\"}\n")
        #expect(try ActivityEntry(line: Array(line.dropLast())) == entry)
    }

    @Test func idsSurviveLostDerivedFilesAndDeletedLeads() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        for name in ["A", "B", "C"] { _ = try add(store, name) }
        try store.write { writer in
            try writer.delete(try writer.lead(3), log: ActivityEntry(time: writer.actor.now, user: "alice", action: .delete, lead: 3))
        }
        try FileManager.default.removeItem(atPath: dir.path + "/data/.index")
        #expect(try add(store, "D") == 4)
    }

    @Test func duplicateChecksFindByEmailAndNameAndVerifyAgainstTheFile() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        _ = try add(store, "Jane Roe", email: "Jane@Example.com")
        try store.write { (writer: StoreWriter) throws in
            var probe = Lead(id: 0, name: "Someone", stage: "new", createdAt: writer.actor.now, createdBy: "")
            probe.email = "jane@example.COM"
            #expect(try writer.duplicate(of: probe)?.id == 1)
            #expect(try writer.duplicate(of: probe)?.match == .email)
            let byName = Lead(id: 0, name: "jane  ROE", stage: "new", createdAt: writer.actor.now, createdBy: "")
            #expect(try writer.duplicate(of: byName)?.match == .nameAndCompany)
        }
        // A stale key (the file now says otherwise) never refuses an add.
        var text = try String(contentsOfFile: dir.path + "/data/leads/1.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "Jane@Example.com", with: "other@example.com")
        try text.write(toFile: dir.path + "/data/leads/1.json", atomically: true, encoding: .utf8)
        try store.write { (writer: StoreWriter) throws in
            var probe = Lead(id: 0, name: "Someone", stage: "new", createdAt: writer.actor.now, createdBy: "")
            probe.email = "jane@example.com"
            #expect(try writer.duplicate(of: probe) == nil)
        }
    }

    @Test func leadFilesRoundTripWithUnknownKeys() throws {
        var lead = Lead(id: 5, name: "Müller \"GmbH\"", stage: "proposal", createdAt: Timestamp(seconds: 1_795_000_000), createdBy: "alice")
        lead.value = Money(amount: Amount(units: 125_005_000), currency: "EUR")
        lead.labels = ["hot", "b2b"]
        lead.fields = ["size": "XL"]
        lead.reminders = [Reminder(number: 1, due: .day(CalendarDate(year: 2026, month: 12, day: 1)!), text: "call", owner: "bob",
                                   createdAt: Timestamp(seconds: 1_795_000_000))]
        lead.extra = ["x_future": .object(["a": .number("1.50")])]
        let decoded = try Lead(bytes: lead.fileBytes, expectedID: 5)
        #expect(decoded == lead)
        #expect(String(decoding: lead.fileBytes, as: UTF8.self).contains("\"value\": \"12500.50\""))
        #expect(throws: JSONError.self) { try Lead(bytes: lead.fileBytes, expectedID: 6) }
    }

    @Test func keyIndexKeepsEveryIDOfASharedKeyThroughRemovalsAndRereads() throws {
        let dir = TemporaryDirectory()
        let directory = try #require(try Directory.open(dir.path, label: "keys", followLinks: true))
        let key = DuplicateKey.email("Anna@Example.com")
        let index = DuplicateKeyIndex(directory: directory, groupShared: false)
        for id in [7, 3, 9, 3] { try index.insert(key, id: id) }
        #expect(try index.ids(for: key) == [7, 3, 9])
        try index.remove(key, id: 7)  // the one held inline
        #expect(try index.ids(for: key) == [3, 9])
        try index.remove(key, id: 42)  // not there: nothing changes
        try index.flush()
        let reread = DuplicateKeyIndex(directory: directory, groupShared: false)
        #expect(try reread.ids(for: key).sorted() == [3, 9])
        try reread.remove(key, id: 3)
        try reread.remove(key, id: 9)
        #expect(try reread.ids(for: key).isEmpty)
        try reread.flush()
        #expect(try DuplicateKeyIndex(directory: directory, groupShared: false).ids(for: key).isEmpty)
    }
}
