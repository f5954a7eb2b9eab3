import Foundation
import Testing
import LeadsCore

/// The store API a second caller (`leads mail`) uses: attachments staged on a lead and
/// committed in the same save as a note, numbered on a collision, and a refused file that
/// leaves the lead savable without it.
@Suite struct LeadFilesStoreTests {
    func store() throws -> (LeadStore, String) {
        var template = Array((NSTemporaryDirectory() + "leads-files-XXXXXX").utf8CString)
        let root = String(cString: mkdtemp(&template)!)
        let store = try LeadStore(path: root + "/data", actor: Actor(user: "mail", now: Timestamp(seconds: 1_795_000_000), command: "test"),
                                  lockTimeout: 1)
        return (store, root + "/data")
    }

    func entry(_ writer: StoreWriter, _ action: ActivityAction, _ id: Int) -> ActivityEntry {
        ActivityEntry(time: writer.actor.now, user: writer.actor.user, action: action, lead: id)
    }

    @Test func aNoteAndItsAttachmentsAreOneSave() throws {
        let (store, dir) = try store()
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let id = try store.write { writer -> Int in
            let lead = Lead(id: try writer.newLeadID(), name: "Greta Schulz", stage: "new", createdAt: writer.actor.now, createdBy: "mail")
            try writer.save(lead, previous: nil, log: entry(writer, .add, lead.id))
            return lead.id
        }
        let kept = try store.write { writer -> [LeadFile] in
            var lead = try writer.lead(id)
            let previous = lead
            lead.notes.append(Note(at: writer.actor.now, by: "mail", text: "Angebot anbei", contacted: false))
            let first = try writer.attach([(name: "image001.png", bytes: [1, 2, 3])], to: &lead, onCollision: .number)
            // A refused file: caught, and the lead is saved without it.
            #expect(throws: LeadFileError.empty(source: "leer.txt")) {
                _ = try writer.attach([(name: "ok.txt", bytes: [9]), (name: "leer.txt", bytes: [])], to: &lead, onCollision: .number)
            }
            let second = try writer.attach([(name: "image001.png", bytes: [4, 5]), (name: LeadFileName.sanitised("../Vertrag.pdf"), bytes: [6])],
                                           to: &lead, onCollision: .number)
            try writer.save(lead, previous: previous, log: entry(writer, .note, id))
            return first + second
        }
        #expect(kept.map(\.name) == ["image001.png", "image001 (2).png", "_Vertrag.pdf"])
        let lead = try store.lead(id)
        #expect(lead.notes.map(\.text) == ["Angebot anbei"])
        #expect(lead.files == kept)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/files/\(id)").sorted() == ["_Vertrag.pdf", "image001 (2).png", "image001.png"])
        #expect(FileManager.default.contents(atPath: dir + "/files/\(id)/image001 (2).png") == Data([4, 5]))
        #expect(try store.fileBytes(lead: id, lead.files[2]) == [6])
        #expect(try store.activity().map(\.action) == ["add", "note"])
        #expect(try store.check(repair: false).isEmpty)
    }

    @Test func aFailedSaveLeavesNoFileAndNoDirectory() throws {
        let (store, dir) = try store()
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let id = try store.write { writer -> Int in
            let lead = Lead(id: try writer.newLeadID(), name: "Greta Schulz", stage: "new", createdAt: writer.actor.now, createdBy: "mail")
            try writer.save(lead, previous: nil, log: entry(writer, .add, lead.id))
            return lead.id
        }
        // The lead file cannot be replaced (a directory in its place), so the commit fails
        // after the attachment was written: it must be taken back with its directories.
        try FileManager.default.removeItem(atPath: dir + "/leads/\(id).json")
        try FileManager.default.createDirectory(atPath: dir + "/leads/\(id).json", withIntermediateDirectories: false)
        var lead = Lead(id: id, name: "Greta Schulz", stage: "new", createdAt: Timestamp(seconds: 1_795_000_000), createdBy: "mail")
        let previous = lead
        #expect(throws: (any Error).self) {
            try store.write { writer in
                _ = try writer.attach([(name: "Angebot.pdf", bytes: [1])], to: &lead)
                try writer.save(lead, previous: previous, log: entry(writer, .note, id))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/files"))
        #expect(try store.activity().map(\.action) == ["add"])
    }
}
