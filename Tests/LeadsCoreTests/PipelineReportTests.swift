import Testing
@testable import LeadsCore

// Every expected number below was worked out by hand from the fixture, with the rule
// "value × percent / 100, rounded half away from zero to the cent, per lead; then summed".

private let created = Timestamp(seconds: 1_795_000_000)

private func lead(_ id: Int, _ stage: String, _ value: String?, _ currency: String = "EUR",
                  probability: Percent? = nil, owner: String? = nil, source: String? = nil, campaign: String? = nil,
                  labels: [String] = [], close: String? = nil) -> Lead {
    var lead = Lead(id: id, name: "Lead \(id)", stage: stage, createdAt: created, createdBy: "alice")
    lead.value = value.map { Money(amount: Amount(canonical: $0)!, currency: currency) }
    lead.probability = probability
    lead.owner = owner
    lead.source = source
    lead.campaign = campaign
    lead.labels = labels
    lead.expectedClose = close.map { CalendarDate(iso: $0)! }
    return lead
}

/// A block as plain text values: (currency, [(key, count, value, weighted)], total).
private struct Row: Equatable, CustomStringConvertible {
    var key: String?
    var count: Int
    var value: String
    var weighted: String

    init(_ key: String?, _ count: Int, _ value: String, _ weighted: String) {
        self.key = key
        self.count = count
        self.value = value
        self.weighted = weighted
    }

    var description: String { "(\(key ?? "nil"), \(count), \(value), \(weighted))" }
}

private struct Block: Equatable {
    var currency: String?
    var rows: [Row]
    var total: Row
}

private func blocks(_ report: PipelineReport) -> [Block] {
    report.result.map { block in
        Block(currency: block.currency,
              rows: block.groups.map { Row($0.key, $0.totals.count, $0.totals.value.canonical, $0.totals.weighted.canonical) },
              total: Row(nil, block.total.count, block.total.value.canonical, block.total.weighted.canonical))
    }
}

private func report(_ grouping: PipelineGrouping, _ leads: [Lead], won: Bool = false, lost: Bool = false,
                    config: StoreConfig = .defaults) throws -> PipelineReport {
    var report = PipelineReport(grouping: grouping, config: config, includeWon: won, includeLost: lost)
    for lead in leads { try report.add(lead) }
    return report
}

/// Default stages: new 10, contacted 20, qualified 40, proposal 60, negotiation 80.
private let stageFixture: [Lead] = [
    lead(1, "new", "1000.00"),                              // 100.00
    lead(2, "new", "333.33"),                               // 33.333 → 33.33
    lead(3, "qualified", "1234.5678", probability: 35),     // 432.09873 → 432.10 (override)
    lead(4, "proposal", "0.025"),                           // 0.015 → 0.02
    lead(5, "proposal", "0.025"),                           // 0.015 → 0.02 (rounded per lead: 0.04, not 0.03)
    lead(6, "won", "5000.00"),                              // 5000.00 when won is included
    lead(7, "lost", "700.00"),                              // 0.00 when lost is included
    lead(8, "dnc", "900.00"),                               // never
    lead(9, "negotiation", nil),                            // counted, no currency
    lead(10, "qualified", "999.99", "USD"),                 // 399.996 → 400.00
    lead(11, "new", "-5.00"),                               // -0.50
    lead(12, "archived", "100.00"),                         // stage no longer configured: 0 %
    lead(13, "contacted", "250.00", probability: 0),        // 0.00 (override 0 beats 20)
    lead(14, "negotiation", "10.00", "CHF", probability: 100), // 10.00 (override 100 beats 80)
]

@Suite struct PipelineReportTests {
    @Test func byStageOpenLeadsOnly() throws {
        let r = try report(.stage, stageFixture)
        #expect(blocks(r) == [
            Block(currency: "CHF", rows: [Row("negotiation", 1, "10.00", "10.00")], total: Row(nil, 1, "10.00", "10.00")),
            Block(currency: "EUR", rows: [
                Row("new", 3, "1328.33", "132.83"),
                Row("contacted", 1, "250.00", "0.00"),
                Row("qualified", 1, "1234.5678", "432.10"),
                Row("proposal", 2, "0.05", "0.04"),
                Row("archived", 1, "100.00", "0.00"),
            ], total: Row(nil, 8, "2912.9478", "564.97")),
            Block(currency: "USD", rows: [Row("qualified", 1, "999.99", "400.00")], total: Row(nil, 1, "999.99", "400.00")),
            Block(currency: nil, rows: [Row("negotiation", 1, "0.00", "0.00")], total: Row(nil, 1, "0.00", "0.00")),
        ])
    }

    @Test func wonAndLostOnlyWhenAskedForAndDncNever() throws {
        let eur = { (r: PipelineReport) in blocks(r).first { $0.currency == "EUR" }! }

        let won = eur(try report(.stage, stageFixture, won: true))
        #expect(won.rows.map(\.key) == ["new", "contacted", "qualified", "proposal", "archived", "won"])
        #expect(won.rows.last == Row("won", 1, "5000.00", "5000.00"))
        #expect(won.total == Row(nil, 9, "7912.9478", "5564.97"))

        let lost = eur(try report(.stage, stageFixture, lost: true))
        #expect(lost.rows.last == Row("lost", 1, "700.00", "0.00"))
        #expect(lost.total == Row(nil, 9, "3612.9478", "564.97"))

        let both = eur(try report(.stage, stageFixture, won: true, lost: true))
        #expect(both.rows.map(\.key) == ["new", "contacted", "qualified", "proposal", "archived", "won", "lost"])
        #expect(both.total == Row(nil, 10, "8612.9478", "5564.97"))
        #expect(!both.rows.contains { $0.key == "dnc" })
    }

    @Test func addReportsWhetherTheLeadCounted() throws {
        var r = PipelineReport(grouping: .stage, config: .defaults, includeWon: true, includeLost: true)
        #expect(try r.add(lead(1, "dnc", "900.00")) == false)
        #expect(try r.add(lead(2, "won", "1.00")) == true)
        #expect(try r.add(lead(3, "lost", "1.00")) == true)
        #expect(try r.add(lead(4, "new", nil)) == true)
        var open = PipelineReport(grouping: .stage, config: .defaults)
        #expect(try open.add(lead(5, "won", "1.00")) == false)
        #expect(try open.add(lead(6, "lost", "1.00")) == false)
        #expect(open.result == [])
        #expect(!open.covers(lead(7, "dnc", nil)))
        #expect(open.covers(lead(8, "archived", nil)))
    }

    @Test func anOverrideAppliesInAClosedStageToo() throws {
        // As in `show`: the effective probability is the lead's override, else its stage's.
        let r = try report(.stage, [lead(1, "won", "200.00", probability: 50), lead(2, "lost", "80.00", probability: 25)],
                           won: true, lost: true)
        #expect(blocks(r) == [Block(currency: "EUR", rows: [Row("won", 1, "200.00", "100.00"), Row("lost", 1, "80.00", "20.00")],
                                    total: Row(nil, 2, "280.00", "120.00"))])
    }

    @Test func negativeAmountsRoundAwayFromZero() throws {
        let r = try report(.stage, [lead(1, "proposal", "-0.025"), lead(2, "proposal", "-0.025"), lead(3, "new", "-0.05")])
        // -0.015 → -0.02 twice; -0.005 → -0.01.
        #expect(blocks(r) == [Block(currency: "EUR", rows: [Row("new", 1, "-0.05", "-0.01"), Row("proposal", 2, "-0.05", "-0.04")],
                                    total: Row(nil, 3, "-0.10", "-0.05"))])
    }

    @Test func stagesFollowTheConfiguredOrder() throws {
        let config = StoreConfig(stages: [Stage(name: "warm", probability: 50), Stage(name: "cold", probability: 5)])
        let leads = [lead(1, "cold", "100.00"), lead(2, "zombie", "1.00"), lead(3, "lost", "1.00"), lead(4, "won", "1.00"),
                     lead(5, "warm", "100.00"), lead(6, "ancient", "1.00")]
        let r = try report(.stage, leads, won: true, lost: true, config: config)
        #expect(blocks(r) == [Block(currency: "EUR", rows: [
            Row("warm", 1, "100.00", "50.00"), Row("cold", 1, "100.00", "5.00"),
            Row("ancient", 1, "1.00", "0.00"), Row("zombie", 1, "1.00", "0.00"),
            Row("won", 1, "1.00", "1.00"), Row("lost", 1, "1.00", "0.00"),
        ], total: Row(nil, 6, "204.00", "56.00"))])
    }

    @Test func byOwnerLargestWeightedFirstAndNoOwnerLast() throws {
        let leads = [
            lead(1, "new", "1000.00", owner: "bob"),                    // 100.00
            lead(2, "proposal", "500.00", owner: "carol"),              // 300.00
            lead(3, "negotiation", "100.00", owner: "bob"),             // 80.00
            lead(4, "new", "10000.00"),                                 // 1000.00, no owner
            lead(5, "new", "1.00", owner: ""),                          // 0.10, empty owner = none
            lead(6, "contacted", "3000.00", owner: "dave"),             // 600.00
            lead(7, "won", "99999.00", owner: "zoe"),                   // not in scope
        ]
        #expect(blocks(try report(.owner, leads)) == [Block(currency: "EUR", rows: [
            Row("dave", 1, "3000.00", "600.00"),
            Row("carol", 1, "500.00", "300.00"),
            Row("bob", 2, "1100.00", "180.00"),
            Row(nil, 2, "10001.00", "1000.10"),
        ], total: Row(nil, 6, "14601.00", "2080.10"))])
    }

    @Test func tiesBreakByValueThenCountThenKey() throws {
        let leads = [
            lead(1, "qualified", "500.00", owner: "erin"),              // 200.00
            lead(2, "new", "250.00", probability: 80, owner: "frank"),  // 200.00, less value
            lead(3, "new", "100.00", owner: "hank"),                    // 10.00
            lead(4, "new", "100.00", owner: "gina"),                    // 10.00, same value: by name
            lead(5, "new", "50.00", owner: "ivy"),                      // 5.00
            lead(6, "new", "50.00", owner: "ivy"),                      // 5.00 → ivy 10.00, 100.00, 2 leads
        ]
        #expect(blocks(try report(.owner, leads))[0].rows == [
            Row("erin", 1, "500.00", "200.00"),
            Row("frank", 1, "250.00", "200.00"),
            Row("ivy", 2, "100.00", "10.00"),
            Row("gina", 1, "100.00", "10.00"),
            Row("hank", 1, "100.00", "10.00"),
        ])
    }

    @Test func byMonthOfExpectedCloseWithNoDateLast() throws {
        let leads = [
            lead(1, "new", "100.00", close: "2027-01-15"),              // 10.00
            lead(2, "proposal", "100.00", close: "2026-12-31"),         // 60.00
            lead(3, "negotiation", "0.10", close: "2026-12-01"),        // 0.08
            lead(4, "qualified", "1000.00"),                            // 400.00, no date
            lead(5, "contacted", "12.34", close: "2027-01-01"),         // 2.468 → 2.47
            lead(6, "new", "1.00", "USD", close: "2026-11-30"),         // 0.10
        ]
        #expect(blocks(try report(.month, leads)) == [
            Block(currency: "EUR", rows: [
                Row("2026-12", 2, "100.10", "60.08"),
                Row("2027-01", 2, "112.34", "12.47"),
                Row(nil, 1, "1000.00", "400.00"),
            ], total: Row(nil, 5, "1212.44", "472.55")),
            Block(currency: "USD", rows: [Row("2026-11", 1, "1.00", "0.10")], total: Row(nil, 1, "1.00", "0.10")),
        ])
    }

    @Test func bySourceAndByCampaign() throws {
        let leads = [
            lead(1, "new", "300.00", source: "web", campaign: "spring"),        // 30.00
            lead(2, "qualified", "100.00", source: "fair", campaign: "spring"), // 40.00
            lead(3, "new", "50.00", source: "web"),                             // 5.00
            lead(4, "proposal", "10.00", campaign: ""),                         // 6.00
        ]
        #expect(blocks(try report(.source, leads)) == [Block(currency: "EUR", rows: [
            Row("fair", 1, "100.00", "40.00"), Row("web", 2, "350.00", "35.00"), Row(nil, 1, "10.00", "6.00"),
        ], total: Row(nil, 4, "460.00", "81.00"))])
        #expect(blocks(try report(.campaign, leads)) == [Block(currency: "EUR", rows: [
            Row("spring", 2, "400.00", "70.00"), Row(nil, 2, "60.00", "11.00"),
        ], total: Row(nil, 4, "460.00", "81.00"))])
    }

    @Test func byLabelCountsALeadInEachOfItsLabelsButOnceInTheTotal() throws {
        let leads = [
            lead(1, "new", "1000.00", labels: ["hot", "fair"]),         // 100.00
            lead(2, "qualified", "100.00", labels: ["hot"]),            // 40.00
            lead(3, "proposal", "10.00"),                               // 6.00, no label
            lead(4, "new", "20.00", labels: ["hot", "hot"]),            // 2.00, a label twice counts once
            lead(5, "new", "7.00", "USD", labels: ["fair"]),            // 0.70
        ]
        #expect(blocks(try report(.label, leads)) == [
            Block(currency: "EUR", rows: [
                Row("hot", 3, "1120.00", "142.00"),
                Row("fair", 1, "1000.00", "100.00"),
                Row(nil, 1, "10.00", "6.00"),
            ], total: Row(nil, 4, "1130.00", "148.00")),
            Block(currency: "USD", rows: [Row("fair", 1, "7.00", "0.70")], total: Row(nil, 1, "7.00", "0.70")),
        ])
    }

    @Test func aTotalBeyondTheExactRangeNamesTheLead() throws {
        var r = PipelineReport(grouping: .stage, config: .defaults)
        var big = lead(1, "new", nil)
        big.value = Money(amount: Amount(units: Int64.max), currency: "EUR")
        try r.add(big)
        #expect(throws: ReportError.amountTooLarge(lead: 2, currency: "EUR")) { try r.add(lead(2, "new", "0.0001")) }
        // Another currency is another sum.
        #expect(try r.add(lead(3, "new", "1.00", "USD")))
    }

    @Test func manyLeadsKeepOnlyTheirGroups() throws {
        // 100,000 leads of 0.05 at 10 %: 0.005 each rounds to 0.01, so the weighted sum
        // is 1000.00, where rounding the sum (500.00) would give half of it.
        var r = PipelineReport(grouping: .stage, config: .defaults)
        var one = lead(0, "new", "0.05")
        for id in 1...100_000 {
            one.id = id
            try r.add(one)
        }
        #expect(blocks(r) == [Block(currency: "EUR", rows: [Row("new", 100_000, "5000.00", "1000.00")],
                                    total: Row(nil, 100_000, "5000.00", "1000.00"))])
    }
}
