import Testing
@testable import LeadsCore

/// A hand-checked history of four leads (all changes at noon UTC, so local dates are those
/// of the UTC days in any zone from UTC-11 to UTC+11):
///
///     1 ann  web  1000 EUR close 03-15: new 01-10, contacted 01-20, qualified 02-04, won 03-10
///     2 bob  fair  500 EUR close 03-20: new 01-15, contacted 01-17, lost 02-01 ("price")
///     3 ann  web  2000 EUR close 03-31: new 02-05, qualified 02-15, new 02-20, lost 03-01
///     4 bob  -     300 USD close 02-28: contacted 02-10, won 02-25
private struct History {
    var lines: [[UInt8]] = []
    var leads: [Int: Lead] = [:]

    static func at(_ day: String) -> Timestamp { Timestamp(iso8601: "2026-\(day)T12:00:00Z")! }

    mutating func add(_ id: Int, _ day: String, stage: String, owner: String, source: String?, value: String, currency: String, close: String) {
        var lead = Lead(id: id, name: "Person \(id)", stage: stage, createdAt: Self.at(day), createdBy: owner)
        lead.owner = owner
        lead.source = source
        lead.value = Money(amount: Amount(canonical: value)!, currency: currency)
        lead.expectedClose = CalendarDate(iso: "2026-" + close)
        lines.append(ActivityEntry(time: Self.at(day), user: owner, action: .add, lead: id).recording(from: nil, to: lead).line)
        leads[id] = lead
    }

    mutating func status(_ id: Int, _ day: String, _ stage: String) {
        let before = leads[id]!
        var after = before
        after.stage = stage
        lines.append(ActivityEntry(time: Self.at(day), user: "ann", action: .status, lead: id).recording(from: before, to: after).line)
        leads[id] = after
    }

    static var standard: History {
        var h = History()
        h.add(1, "01-10", stage: "new", owner: "ann", source: "web", value: "1000", currency: "EUR", close: "03-15")
        h.add(2, "01-15", stage: "new", owner: "bob", source: "fair", value: "500", currency: "EUR", close: "03-20")
        h.status(2, "01-17", "contacted")
        h.status(1, "01-20", "contacted")
        h.status(2, "02-01", "lost")
        h.status(1, "02-04", "qualified")
        h.add(3, "02-05", stage: "new", owner: "ann", source: "web", value: "2000", currency: "EUR", close: "03-31")
        h.add(4, "02-10", stage: "contacted", owner: "bob", source: nil, value: "300", currency: "USD", close: "02-28")
        h.status(3, "02-15", "qualified")
        h.status(3, "02-20", "new")
        h.status(4, "02-25", "won")
        h.status(3, "03-01", "lost")
        h.status(1, "03-10", "won")
        return h
    }

    /// Every record read back from its bytes, as the command does.
    func transitions() throws -> [LeadTransition] {
        var history = LeadHistory()
        var texts = ReplayTexts()
        return try lines.compactMap { line in
            try Array(line.dropLast()).withUnsafeBufferPointer { bytes throws(JSONError) in
                history.transition(for: try ReplayRecord.parse(bytes, &texts))
            }
        }
    }
}

@Suite struct HistoryReportTests {
    let config = StoreConfig.defaults

    @Test func funnelCountsEntriesAndMovesOnPerMonth() throws {
        var report = FunnelReport(scope: HistoryScope(), config: config)
        for t in try History.standard.transitions() { report.add(t) }
        let rows = report.rows.map { "\($0.period) \($0.stage) \($0.entered) \($0.movedOn)" }
        #expect(rows == [
            "2026-01 new 2 2", "2026-01 contacted 2 1",
            "2026-02 new 2 1", "2026-02 contacted 1 1", "2026-02 qualified 2 1", "2026-02 won 1 0", "2026-02 lost 1 0",
            "2026-03 won 1 0", "2026-03 lost 1 0",
        ])
        // Only February's entries; their moving on is counted when it happens before --until.
        var february = FunnelReport(scope: HistoryScope(since: History.at("02-01"), until: History.at("03-05")), config: config)
        for t in try History.standard.transitions() { february.add(t) }
        #expect(february.rows.map { "\($0.period) \($0.stage) \($0.entered) \($0.movedOn)" } == [
            "2026-02 new 2 1", "2026-02 contacted 1 1", "2026-02 qualified 2 0", "2026-02 won 1 0", "2026-02 lost 1 0",
            "2026-03 lost 1 0",
        ])
    }

    @Test func velocityGivesMedianMeanAndP90OfStays() throws {
        var report = VelocityReport(scope: HistoryScope(), config: config)
        for t in try History.standard.transitions() { report.add(t) }
        let day: Int64 = 86_400
        #expect(report.rows.map(\.stage) == ["new", "contacted", "qualified"])
        // new: 10, 2, 10 and 9 days → median 9.5, mean 7.75, p90 10.
        #expect(report.rows[0].summary == DurationSummary([10 * day, 2 * day, 10 * day, 9 * day]))
        #expect(report.rows[0].summary.count == 4 && report.rows[0].summary.median == 9 * day + day / 2)
        #expect(report.rows[0].summary.mean == 7 * day + 3 * day / 4 && report.rows[0].summary.p90 == 10 * day)
        #expect(DurationSummary.days(report.rows[0].summary.mean) == "7.8")
        // contacted: 15 days three times; qualified: 34 and 5 days.
        #expect(report.rows[1].summary.count == 3 && report.rows[1].summary.median == 15 * day && report.rows[1].summary.p90 == 15 * day)
        #expect(report.rows[2].summary.median == 19 * day + day / 2 && report.rows[2].summary.p90 == 34 * day)
        var byOwner = VelocityReport(scope: HistoryScope(grouping: .owner), config: config)
        for t in try History.standard.transitions() { byOwner.add(t) }
        #expect(byOwner.rows.map { "\($0.key ?? "-") \($0.stage) \($0.summary.count)" } == [
            "ann new 3", "ann contacted 1", "ann qualified 2", "bob new 1", "bob contacted 2",
        ])
    }

    @Test func lostRanksReasonsWithTheStagesLostFrom() throws {
        var report = LostReport(scope: HistoryScope(), config: config)
        for t in try History.standard.transitions() { report.add(t) }
        #expect(report.leads == [2, 3])
        let rows = report.rows(reasons: [2: "price"])
        #expect(rows.map { "\($0.reason ?? "-") \($0.count) \($0.from.map { "\($0.stage):\($0.count)" })" } == [
            "price 1 [\"contacted:1\"]", "- 1 [\"new:1\"]",
        ])
        let same = report.rows(reasons: [2: "price", 3: "price"])
        #expect(same.count == 1 && same[0].count == 2 && same[0].from.map(\.stage) == ["new", "contacted"])
    }

    @Test func winRateByOwnerAndSource() throws {
        var all = WinRateReport(scope: HistoryScope())
        var owners = WinRateReport(scope: HistoryScope(grouping: .owner))
        var sources = WinRateReport(scope: HistoryScope(grouping: .source))
        var march = WinRateReport(scope: HistoryScope(since: History.at("03-01")))
        for t in try History.standard.transitions() {
            all.add(t); owners.add(t); sources.add(t); march.add(t)
        }
        #expect(all.total == WinRateRow(key: nil, won: 2, lost: 2) && all.total.rate == "50.0")
        #expect(owners.rows == [WinRateRow(key: "ann", won: 1, lost: 1), WinRateRow(key: "bob", won: 1, lost: 1)])
        #expect(sources.rows == [WinRateRow(key: "web", won: 1, lost: 1), WinRateRow(key: "fair", won: 0, lost: 1),
                                 WinRateRow(key: nil, won: 1, lost: 0)])
        #expect(march.total == WinRateRow(key: nil, won: 1, lost: 1))
        #expect(WinRateRow(key: nil, won: 2, lost: 1).rate == "66.7")
    }

    @Test func accuracyComparesTheFirstOfTheMonthWithWhatWasWon() throws {
        var report = AccuracyReport(months: AccuracyReport.months(from: CalendarDate(iso: "2026-02-10")!, through: CalendarDate(iso: "2026-03-02")!),
                                    config: config)
        #expect(report.months.map(\.iso) == ["2026-02-01", "2026-03-01"])
        var moments = LeadsAtMoments(moments: report.moments)
        for t in try History.standard.transitions() { try moments.add(t) { try report.observe(moment: $0, leads: $1) } }
        try moments.finish { try report.observe(moment: $0, leads: $1) }
        #expect(!moments.outOfOrder)
        let rows = report.rows(gaps: moments.gaps)
        // February: nothing open was expected then (lead 4 came later); lead 4 won, USD.
        // March: leads 1 (qualified, 40 % of 1000) and 3 (new, 10 % of 2000) forecast 600.00; lead 1 won 1000.00.
        #expect(rows.map { "\($0.month) \($0.currency ?? "-") \($0.forecast.count) \($0.forecast.value) \($0.forecast.weighted) \($0.won.count) \($0.won.value) \($0.ratio ?? "-") \($0.gaps)" } == [
            "2026-02 USD 0 0.00 0.00 1 300.00 - 0",
            "2026-03 EUR 2 3000.00 600.00 1 1000.00 166.7 0",
        ])
    }

    @Test func asOfRebuildsEveryLeadAndNamesFormatOneGaps() throws {
        var then = LeadsAsOf(moment: History.at("02-16"))
        for t in try History.standard.transitions() { then.add(t) }
        #expect(then.leads.map { "\($0.id) \($0.stage) \($0.owner ?? "")" } == ["1 qualified ann", "2 lost bob", "3 qualified ann", "4 contacted bob"])
        #expect(then.gaps.isEmpty)

        // Format 1: an add (a creation) says when the lead began, but a later set does not
        // say which value it set.
        let legacy = [
            #"{"action":"add","lead":9,"stage":"new","time":"2026-01-01T12:00:00Z","user":"ann"}"#,
            #"{"action":"set","fields":["source"],"lead":9,"time":"2026-01-05T12:00:00Z","user":"ann"}"#,
            #"{"action":"status","from":"new","lead":8,"time":"2026-01-07T12:00:00Z","to":"won","user":"ann"}"#,
        ]
        var history = LeadHistory()
        var early = LeadsAsOf(moment: Timestamp(iso8601: "2025-12-01T00:00:00Z")!)
        var later = LeadsAsOf(moment: Timestamp(iso8601: "2026-01-03T00:00:00Z")!)
        for line in legacy {
            let t = try #require(history.transition(for: try ActivityEntry(line: Array(line.utf8))))
            early.add(t)
            later.add(t)
        }
        // Lead 9 did not exist yet; lead 8 existed before its first record, unknown how long.
        #expect(early.gaps == [8] && early.leads.isEmpty)
        #expect(later.gaps == [8, 9])
    }

    @Test func snapshotRoundTripsAndOldOverlaysState() throws {
        var lead = Lead(id: 3, name: "X", stage: "proposal", createdAt: History.at("01-01"), createdBy: "ann")
        lead.value = Money(amount: Amount(canonical: "12.50")!, currency: "CHF")
        lead.probability = 35
        lead.labels = ["a", "b"]
        lead.reminders = [Reminder(number: 1, due: .day(CalendarDate(iso: "2026-05-01")!), text: "call", owner: "ann", createdAt: History.at("01-01"))]
        let snapshot = LeadSnapshot(lead)
        #expect(LeadSnapshot(json: snapshot.json) == snapshot)
        var changed = lead
        changed.value = nil
        changed.probability = nil
        changed.labels = []
        changed.owner = "bob"
        let entry = ActivityEntry(time: History.at("01-02"), user: "ann", action: .set, lead: 3).recording(from: lead, to: changed)
        let read = try ActivityEntry(line: Array(entry.line.dropLast()))
        #expect(read.format == 2)
        let state = try #require(read.details["state"].flatMap(LeadSnapshot.init(json:)))
        #expect(state == LeadSnapshot(changed))
        #expect(state.before(old: read.details["old"]!) == snapshot)
        #expect(read.details["old"] == .object(["value": .string("12.50"), "currency": .string("CHF"), "probability": .number("35"),
                                                "labels": .array([.string("a"), .string("b")]), "owner": .null]))
    }
}
