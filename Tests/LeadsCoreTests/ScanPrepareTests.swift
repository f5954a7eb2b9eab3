import Foundation
import Testing
@testable import LeadsCore

/// Scans with `prepare`: what a command makes of each lead on the core that decoded it
/// must reach `visit` beside that same lead, in ID order, whichever path read it.
@Suite struct ScanPrepareTests {
    /// More leads than a scan does on one thread (512 for summaries), so workers run.
    static let count = 1_300

    func makeStore(_ dir: StoreTests.TemporaryDirectory) throws -> LeadStore {
        let store = try StoreTests().store(dir)
        try store.write { writer in
            let batch = writer.batch()
            for n in 1...Self.count {
                var lead = Lead(id: try writer.newLeadID(), name: "Lead \(n)", stage: n % 3 == 0 ? "won" : "new",
                                createdAt: writer.actor.now, createdBy: writer.actor.user)
                lead.owner = n % 2 == 0 ? "bob" : "carol"
                try batch.add(lead, previous: nil, log: ActivityEntry(time: writer.actor.now, user: writer.actor.user, action: .add, lead: lead.id))
            }
            try batch.flush()
        }
        return store
    }

    func check(_ scan: (@escaping @Sendable (Lead) -> String, (Lead, String) -> Void) throws -> [StoreError]) throws {
        var visited: [Int] = []
        let problems = try scan({ lead in "\(lead.id):\(lead.name):\(lead.owner ?? "")" }) { lead, prepared in
            #expect(prepared == "\(lead.id):\(lead.name):\(lead.owner ?? "")")
            visited.append(lead.id)
        }
        #expect(problems.isEmpty)
        #expect(visited == Array(1...Self.count))
    }

    @Test func summaryScansHandEachLeadItsOwnPreparedValue() throws {
        let dir = StoreTests.TemporaryDirectory()
        let store = try makeStore(dir)
        // The first scan reads the files and writes the index; the second reads the index.
        for _ in 0..<2 {
            try check { prepare, visit in try store.scanSummaries(prepare: prepare, visit) }
        }
    }

    @Test func fullScansHandEachLeadItsOwnPreparedValue() throws {
        let dir = StoreTests.TemporaryDirectory()
        let store = try makeStore(dir)
        try check { prepare, visit in try store.scan(notes: true, prepare: prepare, visit) }
        var search = LeadFilter()
        search.search = "Lead"
        try check { prepare, visit in try store.scan(for: search, prepare: prepare, visit) }
    }

    @Test func withOpenRemindersOnlyLeadsWithOneAreVisitedAndPrepared() throws {
        let dir = StoreTests.TemporaryDirectory()
        let store = try makeStore(dir)
        try store.write { writer in
            for id in [5, 700, 1_299] {
                var lead = try writer.lead(id)
                let previous = lead
                lead.reminders.append(Reminder(number: 1, due: .day(CalendarDate(year: 2026, month: 12, day: 1)!), text: "call",
                                               owner: "bob", createdAt: writer.actor.now))
                try writer.save(lead, previous: previous, log: ActivityEntry(time: writer.actor.now, user: writer.actor.user, action: .remind, lead: id))
            }
        }
        let prepared = PreparedIDs()
        var visited: [Int] = []
        for _ in 0..<2 {
            visited = []
            _ = try store.scanSummaries(withOpenReminders: true, prepare: { lead in prepared.add(lead.id); return lead.id }) { lead, id in
                #expect(id == lead.id)
                visited.append(lead.id)
            }
            #expect(visited == [5, 700, 1_299])
        }
        #expect(Set(prepared.ids) == [5, 700, 1_299])
    }
}

/// IDs that `prepare` saw, from whichever core ran it.
private final class PreparedIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Int] = []
    func add(_ id: Int) { lock.withLock { seen.append(id) } }
    var ids: [Int] { lock.withLock { seen } }
}
