import Glibc
import Testing
@testable import LeadsCore

/// The end of an import (`settleSummaries`): lines recorded for files that changed just
/// before them are racy — no reader trusts them — until the importer has waited out the
/// window and recorded them again; then every one is trusted as the importer left it.
@Suite struct SummarySettleTests {
    @Test func settlingLeavesEveryRacyLineTrusted() throws {
        let dir = StoreTests.TemporaryDirectory()
        let store = try StoreTests().store(dir)
        let count = 100
        try store.write { writer in
            let batch = writer.batch()
            for n in 1...count {
                let lead = Lead(id: try writer.newLeadID(), name: "Lead \(n)", stage: "new", createdAt: writer.actor.now, createdBy: writer.actor.user)
                try batch.add(lead, previous: nil, log: ActivityEntry(time: writer.actor.now, user: writer.actor.user, action: .add, lead: lead.id))
            }
            try batch.flush()
            // Changed again just now, as the last files of an import are: racy for the
            // lines recorded next (the content is what was written, so they are recorded).
            var leads: [(lead: Lead, bytes: [UInt8])] = []
            for id in 1...count {
                #expect(utimensat(writer.leadsDir.fd, "\(id).json", nil, 0) == 0)
                let lead = try writer.lead(id)
                leads.append((lead, lead.fileBytes))
            }
            let racy = writer.recordSummaries(leads)
            #expect(racy.map(\.lead.id) == Array(1...count))
            let before = try #require(SummaryIndex.load(from: writer.indexDir))
            #expect(Self.trusted(before, writer) == 0, "racy lines are not trusted")

            writer.settleSummaries(racy)
            let after = try #require(SummaryIndex.load(from: writer.indexDir))
            #expect(Self.trusted(after, writer) == count, "after settling every line is trusted")
        }
    }

    /// A reader that refreshes the index writes it long after it read the files, so the
    /// index's time stamp cannot vouch for a file that changed just before it was read: it
    /// could change again within the same tick, after the read, and look unchanged. Such
    /// files are read but not recorded, until their window has passed.
    @Test func aRefreshDoesNotRecordFilesChangedJustBeforeTheScan() throws {
        let dir = StoreTests.TemporaryDirectory()
        let store = try StoreTests().store(dir)
        let count = 100
        var leadsDir: Directory?
        var indexDir: Directory?
        try store.write { writer in
            let batch = writer.batch()
            for n in 1...count {
                let lead = Lead(id: try writer.newLeadID(), name: "Lead \(n)", stage: "new", createdAt: writer.actor.now, createdBy: writer.actor.user)
                try batch.add(lead, previous: nil, log: ActivityEntry(time: writer.actor.now, user: writer.actor.user, action: .add, lead: lead.id))
            }
            try batch.flush()
            (leadsDir, indexDir) = (writer.leadsDir, writer.indexDir)
        }
        let leads = try #require(leadsDir), index = try #require(indexDir)
        func waitOutTheWindow() {
            let slack = SummaryIndex.racySlack(in: leads, writtenAt: SummaryIndex.realTime())
            usleep(UInt32((slack + 50_000_000) / 1000))
        }
        func recordedIDs() throws -> [Int] { try #require(SummaryIndex.load(from: index)).entries.map(\.id) }
        func scan() throws -> [Int] {
            var seen: [Int] = []
            #expect(try store.scanSummaries(fields: []) { seen.append($0.id) }.isEmpty)
            return seen
        }

        waitOutTheWindow()
        // Half the files changed just now (their content the same), and no index.
        for id in 1...(count / 2) { #expect(utimensat(leads.fd, "\(id).json", nil, 0) == 0) }
        try? index.remove(SummaryIndex.fileName)
        #expect(try scan() == Array(1...count))
        #expect(try recordedIDs() == Array((count / 2 + 1)...count), "only the files that changed before the window are recorded")

        waitOutTheWindow()
        #expect(try scan() == Array(1...count))
        #expect(try recordedIDs() == Array(1...count), "once the window has passed, the next reader records them")
    }

    /// How many of the leads' lines a reader would use as they are.
    static func trusted(_ index: SummaryIndex, _ writer: StoreWriter) -> Int {
        var n = 0
        for entry in index.entries {
            var st = stat()
            #expect(fstatat(writer.leadsDir.fd, "\(entry.id).json", &st, 0) == 0)
            if index.validEntry(entry.id, current: SummaryIndex.FileStat(st)) != nil { n += 1 }
        }
        return n
    }
}
