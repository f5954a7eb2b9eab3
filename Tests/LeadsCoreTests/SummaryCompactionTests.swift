import Glibc
import Testing
@testable import LeadsCore

/// The end of an import (`compactSummaries`): the summary index rewritten without the
/// lines that later lines of the same IDs replace, each ID's last line copied byte for
/// byte — but never one that the old index's time stamp did not vouch for, as the new
/// file's later time stamp would.
@Suite struct SummaryCompactionTests {
    /// Leads 1...count written in one batch, then the racy window waited out.
    func written(_ writer: StoreWriter, count: Int, long: Int? = nil) throws {
        let batch = writer.batch()
        for n in 1...count {
            var lead = Lead(id: try writer.newLeadID(), name: "Lead \(n)", stage: "new", createdAt: writer.actor.now, createdBy: writer.actor.user)
            // A line longer than the block the compaction reads at a time.
            if n == long { lead.address = String(repeating: "x", count: SummaryIndex.blockSize * 3 / 2) }
            try batch.add(lead, previous: nil, log: ActivityEntry(time: writer.actor.now, user: writer.actor.user, action: .add, lead: lead.id))
        }
        try batch.flush()
        waitOutTheWindow(writer)
    }

    func waitOutTheWindow(_ writer: StoreWriter) {
        let slack = SummaryIndex.racySlack(in: writer.leadsDir, writtenAt: SummaryIndex.realTime())
        usleep(UInt32((slack + 50_000_000) / 1000))
    }

    func recordAgain(_ writer: StoreWriter, _ ids: ClosedRange<Int>) throws {
        var leads: [(lead: Lead, bytes: [UInt8])] = []
        for id in ids {
            let lead = try writer.lead(id)
            leads.append((lead, lead.fileBytes))
        }
        _ = writer.recordSummaries(leads)
    }

    func indexBytes(_ writer: StoreWriter) throws -> [UInt8] {
        try #require(try writer.indexDir.read(SummaryIndex.fileName))
    }

    /// The lines after the header, each with its newline.
    func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes[SummaryIndex.header.count...].split(separator: 10).map { bytes[$0.startIndex...$0.endIndex] }
    }

    @Test func eachIDsLastLineIsKeptByteForByteInFileOrder() throws {
        let dir = StoreTests.TemporaryDirectory()
        let store = try StoreTests().store(dir)
        let count = 300
        try store.write { writer in
            try written(writer, count: count, long: 150)
            try recordAgain(writer, 101...count)
            try recordAgain(writer, 1...50)
            let before = try indexBytes(writer)
            #expect(try #require(SummaryIndex.load(from: writer.indexDir)).superseded == 250)
            #expect(writer.compactSummaries())
            let after = try indexBytes(writer)
            // Lines 51...100 from the first batch, then 101...300 and 1...50 as appended.
            let all = lines(before)
            let expected = all[50..<100] + all[count...]
            #expect(after == SummaryIndex.header + expected.flatMap { $0 }, "\(after.count) bytes, expected \(expected.reduce(SummaryIndex.header.count) { $0 + $1.count })")
            let index = try #require(SummaryIndex.load(from: writer.indexDir))
            #expect(index.superseded == 0 && index.entries.map(\.id) == Array(1...count))
            #expect(SummarySettleTests.trusted(index, writer) == count)
            #expect(index.entries[149].line.count > SummaryIndex.blockSize)
        }
    }

    @Test func fewReplacedLinesAreLeftAsTheyAre() throws {
        let dir = StoreTests.TemporaryDirectory()
        let store = try StoreTests().store(dir)
        try store.write { writer in
            try written(writer, count: 200)
            try recordAgain(writer, 1...32)
            let before = try indexBytes(writer)
            #expect(!writer.compactSummaries(), "32 replaced lines are not more than max(32, 200 / 64)")
            #expect(try indexBytes(writer) == before)
            try recordAgain(writer, 33...33)
            #expect(writer.compactSummaries())
            #expect(lines(try indexBytes(writer)).count == 200)
        }
    }

    /// Lines recorded for files that changed just before them are racy: no reader trusts
    /// them under the index's time stamp. Lead 5's line is made to say another stage, as
    /// if its file had changed again within the same tick after the line was made (the
    /// index's time stamp put back): a compaction done after the window has passed must
    /// not copy it under its own, later time stamp — nor lead 5's earlier, outdated line.
    @Test func noLineInsideTheOldRacyWindowIsCopied() throws {
        let dir = StoreTests.TemporaryDirectory()
        let store = try StoreTests().store(dir)
        let count = 100
        try store.write { writer in
            try written(writer, count: count)
            for id in 1...(count / 2) { #expect(utimensat(writer.leadsDir.fd, "\(id).json", nil, 0) == 0) }
            try recordAgain(writer, 1...count)
            var st = stat()
            #expect(fstatat(writer.indexDir.fd, SummaryIndex.fileName, &st, 0) == 0)
            var text = String(decoding: try indexBytes(writer), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let at = try #require(text.lastIndex { $0.hasPrefix("5\t") })
            #expect(text[at].contains("\tnew\t"))
            text[at] = text[at].replacingOccurrences(of: "\tnew\t", with: "\twon\t")
            try writer.indexDir.writeAtomically(SummaryIndex.fileName, Array(text.joined(separator: "\n").utf8), durable: false)
            var times = [st.st_atim, st.st_mtim]
            #expect(utimensat(writer.indexDir.fd, SummaryIndex.fileName, &times, 0) == 0)
            let before = try #require(SummaryIndex.load(from: writer.indexDir))
            #expect(before.superseded == count && SummarySettleTests.trusted(before, writer) == count / 2)

            waitOutTheWindow(writer)
            #expect(writer.compactSummaries())
            let after = try #require(SummaryIndex.load(from: writer.indexDir))
            #expect(after.superseded == 0)
            #expect(after.entries.map(\.id) == Array((count / 2 + 1)...count), "the racy leads have no line")
            #expect(SummarySettleTests.trusted(after, writer) == count / 2)
        }
        var stage5: String?
        #expect(try store.scanSummaries { if $0.id == 5 { stage5 = $0.stage } }.isEmpty)
        #expect(stage5 == "new", "lead 5 is read from its file")
    }
}
