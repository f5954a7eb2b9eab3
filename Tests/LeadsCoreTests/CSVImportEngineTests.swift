import Foundation
import Testing
@testable import LeadsCore

/// The import engine in-process, without the command: its two passes, the plan per row,
/// the typed rejections, batching, and the full layout read back through it.
@Suite struct CSVImportEngineTests {
    final class TemporaryDirectory {
        let path: String
        init() {
            var template = Array((NSTemporaryDirectory() + "leads-engine-XXXXXX").utf8CString)
            path = String(cString: mkdtemp(&template)!)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static let now = Timestamp(seconds: 1_795_000_000)

    func store(_ dir: TemporaryDirectory) throws -> LeadStore {
        try LeadStore(path: dir.path + "/data", actor: Actor(user: "alice", now: Self.now, command: "test"), lockTimeout: 5)
    }

    func input(_ dir: TemporaryDirectory, _ text: String, store: LeadStore) throws -> CSVImportEngine.Input {
        let path = dir.path + "/in.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try CSVImportEngine.Input.open(path, store: store)
    }

    func engine(_ configure: (inout CSVImportEngine.Options) -> Void = { _ in }) -> CSVImportEngine {
        var options = CSVImportEngine.Options()
        configure(&options)
        return CSVImportEngine(options: options, config: .defaults, now: Self.now, user: "alice")
    }

    @Test func validRowsAreCreatedInFileOrderWithOneImportRecordEach() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        let input = try input(dir, "name,email,value\r\nAnna,a@x.de,\"1.200,50\"\r\n\r\nBen,,7\r\n", store: store)
        defer { input.close() }
        var rows: [Int] = []
        var engine = engine()
        engine.progress = { rows.append($0) }
        let report = try engine.run(input, store: store)
        #expect(report.created == 2 && report.rejected == 0)
        #expect(report.ids == [1, 2])
        #expect(rows.contains(0))
        let leads = try store.allLeads().leads
        #expect(leads.map(\.name) == ["Anna", "Ben"])
        #expect(leads[0].value == Money(amount: Amount(canonical: "1200.50")!, currency: "EUR"))
        let log = try store.activity()
        #expect(log.map(\.action) == ["import", "import"])
        #expect(log[0].details["value"] == .string("1200.50"))
    }

    @Test func passOnePlansEveryRowAndNamesEachRejection() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        let input = try input(dir, "name,email,probability\nAnna,a@x.de,10\nAnnette,A@X.DE,20\nBad,no-mail,500\nC,c@x.de,1,extra\n", store: store)
        defer { input.close() }
        let (plan, report) = try store.write { writer in try engine().validate(input, writer: writer) }
        #expect(plan == [.create, .reject, .reject, .reject])
        #expect(report.rejected == 3)
        let reasons = report.problems.map(\.reason)
        #expect(reasons.first == .duplicateOfLine(2))
        #expect(reasons.contains(.cells(count: 4, columns: 3)))
        #expect(reasons.contains { if case .cell(let problem) = $0 { problem.column == "email" } else { false } })
        #expect(reasons.contains { if case .cell(let problem) = $0 { problem.column == "probability" } else { false } })
        // Nothing was written: pass one only plans.
        #expect(try store.allLeads().leads.isEmpty)
    }

    @Test func aRejectedRowStopsTheWholeFileUnlessSkipInvalid() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        let text = "name,probability\nAnna,10\nBad,500\n"
        let refused = try engine().run(try input(dir, text, store: store), store: store)
        #expect(refused.rejected == 1 && refused.ids.isEmpty)
        #expect(try store.allLeads().leads.isEmpty)
        let skipped = try engine { $0.skipInvalid = true }.run(try input(dir, text, store: store), store: store)
        #expect(skipped.ids == [1])
    }

    @Test func updateMergesIntoTheStoredLeadOfTheSameNameOnly() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        _ = try engine().run(try input(dir, "name,email\nAnna,a@x.de\n", store: store), store: store)
        let report = try engine { $0.policy = .update }
            .run(try input(dir, "name,email,phone\nanna,a@x.de,123\nBerta,a@x.de,456\n", store: store), store: store)
        #expect(report.problems.map(\.reason) == [.otherNameThanLead(1)])
        #expect(report.rejected == 1)
        let again = try engine { $0.policy = .update; $0.skipInvalid = true }
            .run(try input(dir, "name,email,phone\nanna,a@x.de,123\n", store: store), store: store)
        #expect(again.updated == 1)
        let lead = try store.lead(1)
        #expect(lead.phone == "123")
        #expect(try store.activity().last?.details["import"] == .bool(true))
    }

    @Test func aDryRunWithoutAStoreCreatesNone() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        let report = try engine { $0.dryRun = true }.run(try input(dir, "name\nAnna\n", store: store), store: store)
        #expect(report.created == 1 && report.ids.isEmpty)
        #expect(!store.exists)
    }

    @Test func moreRowsThanABatchAllArriveWithConsecutiveIDs() throws {
        let dir = TemporaryDirectory()
        let store = try store(dir)
        var text = "name,email\n"
        for i in 0..<5000 { text += "Lead \(i),l\(i)@x.de\n" }
        let report = try engine().run(try input(dir, text, store: store), store: store)
        #expect(report.created == 5000)
        #expect(ImportReport.ranges(report.ids) == ["1-5000"])
        #expect(try store.allLeads().leads.count == 5000)
    }

    @Test func aFullExportReadsBackEveryField() throws {
        var lead = Lead(id: 7, name: "=Müller, \"Hans\"", stage: "won", createdAt: Timestamp(seconds: 1_700_000_000), createdBy: "bob")
        lead.updatedAt = Timestamp(seconds: 1_700_000_500)
        lead.updatedBy = "carol"
        lead.owner = nil
        lead.labels = ["Messe;VIP", "@home"]
        lead.fields = ["delta": "-5", "phone2": "+49 1"]
        lead.value = Money(amount: Amount(canonical: "1234.5678")!, currency: "JPY")
        lead.notes = [Note(at: Timestamp(seconds: 1_700_000_100), by: "", text: "line 1\r\nline 2", contacted: true)]
        var reminder = Reminder(number: 3, due: .day(CalendarDate(iso: "2027-01-02")!), text: "", owner: "bob",
                                createdAt: Timestamp(seconds: 1_700_000_200))
        reminder.doneAt = Timestamp(seconds: 1_700_000_300)
        lead.reminders = [reminder]
        lead.conversion = Conversion(customer: 4, projects: ["Web", "App"], at: Timestamp(seconds: 1_700_000_400), by: "dave")
        lead.lastContact = Contact(at: Timestamp(seconds: 1_700_000_100), by: "")
        var shape = FullLayoutShape()
        shape.add(lead)
        let export = CSVExport(columns: shape.columns, config: .defaults)
        var bytes: [UInt8] = []
        export.appendHeader(to: &bytes)
        try export.append(lead, to: &bytes)

        let dir = TemporaryDirectory()
        let store = try store(dir)
        let report = try engine().run(try input(dir, String(decoding: bytes, as: UTF8.self), store: store), store: store)
        #expect(report.plan?.isFullLayout == true)
        #expect(report.ids == [1])
        var back = try store.lead(1)
        back.id = 7
        #expect(back == lead)
    }
}
