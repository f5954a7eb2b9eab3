import Testing
@testable import LeadsCore

/// The import engine without the binary: profiles, the column plan, value maps and the
/// readings of dates, probabilities and labels.
@Suite struct ImportEngineTests {
    @Test(arguments: BuiltinProfiles.names)
    func everyBuiltinProfileParsesAndNamesItself(name: String) throws {
        let text = try #require(BuiltinProfiles.text(name))
        let profile = try ImportProfile.parse(Array(text.utf8), file: name)
        #expect(profile.name == name)
        #expect(!profile.description.isEmpty)
        // Every value rule targets a stage of the default config (or open, for a state).
        let config = StoreConfig.defaults
        for (field, rules) in profile.values.entries where field == "stage" || field == "state" {
            for entry in rules.values where entry.target != "open" {
                #expect((try? config.stage(matching: entry.target)) != nil, "\(name): \(entry.source) → \(entry.target)")
            }
        }
    }

    @Test func closedSourceStatesMapToClosedStages() throws {
        let closed: [(String, String, String)] = [
            ("erpnext", "Converted", "won"), ("erpnext", "Lost Quotation", "lost"), ("erpnext", "Do Not Contact", "dnc"),
            ("hubspot", "closedwon", "won"), ("hubspot", "CLOSEDLOST", "lost"), ("salesforce", "Closed - Converted", "won"),
            ("salesforce", "closed - not converted", "lost"), ("zoho", "Junk Lead", "dnc"), ("zoho", "Lost Lead", "lost"),
            ("odoo", "Won", "won"), ("perfex", "Customer", "won"), ("moco", "Gewonnen", "won"), ("moco", "Abgesagt", "lost"),
            ("pipedrive", "deleted", "lost"),
        ]
        for (system, source, target) in closed {
            let profile = try #require(BuiltinProfiles.profile(system))
            let field = ["moco", "pipedrive"].contains(system) ? "state" : "stage"
            #expect(profile.values.target(field, "  " + source + " ")?.target == target, "\(system): \(source)")
        }
    }

    @Test func aBrokenProfileIsNamedWithItsReason() {
        func reason(_ json: String) -> String? {
            do { _ = try ImportProfile.parse(Array(json.utf8), file: "p.json"); return nil } catch {
                if case .badProfile(_, let reason) = error { return reason }
                return "\(error)"
            }
        }
        #expect(reason("[]") == "a profile is a JSON object")
        #expect(reason("{\"colour\": 1}")?.hasPrefix("unknown key \"colour\"") == true)
        #expect(reason("{\"date_order\": \"DDMM\"}") == "\"date_order\" must be DMY, MDY or YMD")
        #expect(reason("{\"century\": 2027}") == "\"century\" must be a year that starts a century, such as 2000")
        #expect(reason("{\"compose\": {\"name\": [\"A\"]}}") == "compose: \"name\" needs at least two columns")
        #expect(reason("{\"values\": {\"colour\": {}}}")?.hasPrefix("values: \"colour\" must be a field name") == true)
        #expect(reason("{\"name\": \"ok\", \"footers\": [\"Total\"]}") == nil)
    }

    @Test func thePlanSaysWhatEveryColumnBecomes() throws {
        var rules = ColumnPlan.Rules()
        rules.maps = [("first name+last name", .field(.name)), ("MEMO", .field(.field("memo")))]
        rules.unknown = .drop
        let plan = try ColumnPlan(file: "f", header: ["First Name", "Last Name", "memo", "id", "Farbe", "", "E-Mail"], rules: rules)
        #expect(plan.entries.map(\.use) == [
            .part(.name, columns: ["First Name", "Last Name"]), .part(.name, columns: ["First Name", "Last Name"]),
            .field(.field("memo")), .exportOnly, .dropped, .dropped, .field(.email),
        ])
        // --drop-unknown drops a column without a header too, and the summary names it.
        #expect(plan.notImported.map(\.header) == ["id", "Farbe", ""])
        #expect(plan.columnLabel(5) == "column 6 (no header)")
        let converter = RowConverter(plan: plan, config: .defaults, now: Timestamp(seconds: 0), user: "u", decimal: nil, defaults: [:])
        guard case .success(let row) = converter.lead(from: ["Ann", "", "m", "7", "rot", "", "a@x.example"], line: 2) else {
            Issue.record("row refused")
            return
        }
        #expect(row.lead.name == "Ann")
        #expect(row.lead.fields == ["memo": "m"])
    }

    @Test func aProfileCompositionGivesWayToANameColumn() throws {
        var rules = ColumnPlan.Rules()
        rules.profile = BuiltinProfiles.profile("erpnext")
        let plan = try ColumnPlan(file: "f", header: ["ID", "Full Name", "First Name", "Last Name"], rules: rules)
        #expect(plan.fields == [.field("erpnext_id"), .name, .field("first_name"), .field("last_name")])
        #expect(plan.compositions.isEmpty)
    }

    @Test func unknownColumnsAreRefusedByNameWithoutARule() {
        #expect(throws: ImportError.unknownColumns(file: "f", columns: ["Farbe"], suggestions: [:], profiles: [])) {
            try ColumnPlan(file: "f", header: ["name", "Farbe"])
        }
    }

    @Test func numericDatesFollowTheFilesOrder() throws {
        var cells = CellReading()
        let now = Timestamp(seconds: 0)
        #expect(try cells.date("31.12.2026", field: "d", now: now).description == "2026-12-31")
        #expect(throws: FieldError.self) { try cells.date("3/5/2026", field: "d", now: now) }
        #expect(throws: FieldError.self) { try cells.date("01.01.27", field: "d", now: now) }
        #expect(try cells.date("2027-01-01 00:00", field: "d", now: now).description == "2027-01-01")
        #expect(try cells.date("2027-01-01T00:00:00", field: "d", now: now).description == "2027-01-01")
        #expect(throws: FieldError.self) { try cells.date("2027-01-01 09:00", field: "d", now: now) }
        cells.dateOrder = .mdy
        cells.century = 2000
        #expect(try cells.date("3/5/2026", field: "d", now: now).description == "2026-03-05")
        #expect(try cells.date("12/31/27", field: "d", now: now).description == "2027-12-31")
        cells.dateOrder = .dmy
        #expect(try cells.date("3/5/2026", field: "d", now: now).description == "2026-05-03")
        #expect(try cells.date("01.01.27", field: "d", now: now).description == "2027-01-01")
    }

    @Test func probabilitiesAreExactToAHundredthOnEitherScale() throws {
        var cells = CellReading()
        #expect(try cells.probability("60", field: "p") == 60)
        #expect(try cells.probability("60 %", field: "p") == 60)
        #expect(try cells.probability("10.0", field: "p") == 10)
        #expect(try cells.probability("33.33", field: "p") == Percent(hundredths: 3333))
        #expect(try cells.probability("33,3", field: "p") == Percent(hundredths: 3330))
        #expect(try cells.probability("0.5 %", field: "p") == Percent(hundredths: 50))
        #expect(throws: FieldError.self) { try cells.probability("33.333", field: "p") }
        // 0.6 % or 60 %: the file has to say.
        #expect(throws: FieldError.self) { try cells.probability("0.6", field: "p") }
        #expect(throws: FieldError.self) { try cells.probability("101", field: "p") }
        #expect(throws: FieldError.self) { try cells.probability("100.01", field: "p") }
        #expect(throws: FieldError.self) { try cells.probability("-5", field: "p") }
        #expect(throws: FieldError.self) { try cells.probability("1e2", field: "p") }
        cells.probabilityScale = .percent
        #expect(try cells.probability("0.6", field: "p") == Percent(hundredths: 60))
        cells.probabilityScale = .fraction
        #expect(try cells.probability("0.6", field: "p") == 60)
        #expect(try cells.probability("0,25", field: "p") == 25)
        #expect(try cells.probability("1", field: "p") == 100)
        #expect(try cells.probability("45 %", field: "p") == 45)
        #expect(try cells.probability("0.333", field: "p") == Percent(hundredths: 3330))
        #expect(try cells.probability("0.3333", field: "p") == Percent(hundredths: 3333))
        #expect(throws: FieldError.self) { try cells.probability("0.33333", field: "p") }
        #expect(throws: FieldError.self) { try cells.probability("60", field: "p") }
        #expect(throws: FieldError.self) { try cells.probability("1.0001", field: "p") }
    }

    @Test func percentReadsAndPrintsItsShortestForm() {
        let cases: [(String, Int?)] = [("60", 6000), ("10.0", 1000), ("33.33", 3333), ("33.330", 3333), ("33.3", 3330),
                                       ("0.05", 5), ("100", 10_000), ("100.00", 10_000), ("0", 0),
                                       ("33.333", nil), ("100.01", nil), ("101", nil), ("-1", nil), ("+1", nil), ("1e2", nil),
                                       ("", nil), (".5", nil), ("5.", nil), ("5,5", nil), (" 5", nil), ("١٠", nil)]
        for (text, hundredths) in cases {
            #expect(Percent(exactly: text)?.hundredths == hundredths, "\(text)")
        }
        #expect([Percent(hundredths: 3333)!, Percent(hundredths: 3330)!, Percent(hundredths: 5)!, Percent(hundredths: 6000)!].map(\.description)
                == ["33.33", "33.3", "0.05", "60"])
        for h in 0...10_000 { #expect(Percent(exactly: Percent(hundredths: h)!.description)?.hundredths == h) }
    }

    @Test func labelsSplitOnTheSeparators() throws {
        var cells = CellReading()
        #expect(try cells.labels("Messe;VIP, b2b,,VIP", field: "l") == ["Messe", "VIP", "b2b"])
        cells.labelSeparators = ";"
        #expect(try cells.labels("a;b", field: "l") == ["a", "b"])
    }

    @Test func mapValueRulesParse() throws {
        #expect(try ValueMap.parse("stage:Open - Not Contacted=new") == ("stage", "Open - Not Contacted", "new"))
        #expect(try ValueMap.parse("owner:hans.meier@firma.de=hans") == ("owner", "hans.meier@firma.de", "hans"))
        #expect(throws: ImportError.badMapValue("colour:red=blue")) { try ValueMap.parse("colour:red=blue") }
        #expect(throws: ImportError.badMapValue("stage=new")) { try ValueMap.parse("stage=new") }
        var map = ValueMap()
        map.add(field: "stage", source: "Closed  Won", target: "won", origin: "--map-value")
        #expect(map.target("stage", " closed won ")?.target == "won")
        #expect(map.target("owner", "closed won") == nil)
    }

    @Test func aContinuationRowJoinsTheRecordAbove() throws {
        var rules = ColumnPlan.Rules()
        rules.profile = BuiltinProfiles.profile("erpnext")
        let plan = try ColumnPlan(file: "f", header: ["ID", "Full Name", "Note (Notes)"], rules: rules)
        var rows = ContinuationRows(plan: plan, profile: rules.profile)
        #expect(rows.add(CSVRecord(fields: ["L1", "A", "one"], line: 2)) == nil)
        #expect(rows.add(CSVRecord(fields: ["", "", "two"], line: 3)) == nil)
        #expect(rows.add(CSVRecord(fields: ["L2", "B", ""], line: 4)) == CSVRecord(fields: ["L1", "A", "one\u{1E}two"], line: 2))
        #expect(rows.finish() == CSVRecord(fields: ["L2", "B", ""], line: 4))
        #expect(rows.joined.map(\.line) == [3])
    }
}
