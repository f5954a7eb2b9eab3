import Foundation
import Testing

/// Every read command's `--json`, parsed by Foundation and checked against the schema of
/// Docs/json.md: every documented key with its type, and no key the page does not list
/// (a new key must be documented before it ships).
@Suite struct JSONOutputTests {
    // MARK: The documented shapes

    static let timeShape = Shape.string("a UTC time") { $0.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/) != nil }
    static let date = Shape.string("a date") { $0.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) != nil }
    static let due = Shape.string("a date or a UTC time") {
        $0.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?/) != nil
    }
    static let money = Shape.string("a decimal string") { $0.wholeMatch(of: /-?[0-9]+\.[0-9]{2,4}/) != nil }
    static let cents = Shape.string("a decimal string with two decimals") { $0.wholeMatch(of: /-?[0-9]+\.[0-9]{2}/) != nil }
    static let currency = Shape.string("an ISO 4217 code") { $0.wholeMatch(of: /[A-Z]{3}/) != nil }
    static let text = Shape.string("a string") { _ in true }
    static let percent = Shape.integer { (0...100).contains($0) }
    static let count = Shape.integer { $0 >= 0 }
    static let id = Shape.integer { $0 > 0 }

    static let lead = Shape.object(required: [
        "format": .integer { $0 == 1 }, "id": id, "name": text, "organization": .bool, "stage": text,
        "effective_probability": percent, "overdue": .bool,
        "created_at": timeShape, "created_by": text, "updated_at": timeShape, "updated_by": text,
    ], optional: [
        "company": text, "email": text, "phone": text, "address": text, "owner": text, "source": text, "campaign": text,
        "labels": .array(text), "probability": percent, "value": money, "currency": currency, "weighted_value": cents,
        "expected_close": date, "lost_reason": text, "fields": .map(text),
        "notes": .array(.object(required: ["at": timeShape, "by": text, "text": text], optional: ["contacted": .bool])),
        "reminders": .array(.object(required: ["n": id, "due": due, "owner": text, "created_at": timeShape],
                                    optional: ["text": text, "done_at": timeShape, "announced_at": timeShape])),
        "last_contact": .object(required: ["at": timeShape, "by": text], optional: [:]),
        "conversion": .object(required: ["customer": id, "projects": .array(text), "at": timeShape, "by": text], optional: [:]),
        "files": .array(leadFile),
    ])
    static let sha256 = Shape.string("64 lower-case hex digits") { $0.wholeMatch(of: /[0-9a-f]{64}/) != nil }
    static let leadFile = Shape.object(required: ["name": text, "size": count, "sha256": sha256, "added_at": timeShape, "added_by": text], optional: [:])
    static let listedFile: Shape = {
        guard case let .object(required, optional) = leadFile else { fatalError() }
        return .object(required: required.merging(["path": text]) { a, _ in a }, optional: optional)
    }()

    static let logDetails: [String: Shape] = [
        "stage": text, "owner": text, "value": money, "currency": currency, "due": due,
        "fields": .array(text), "probability": .either(percent, .null), "import": .bool,
        "from": text, "to": text, "note": .bool, "contacted": .bool, "at": timeShape,
        "reminder": id, "reminders": .array(id), "new_customer": .bool, "projects_added": count,
        "files": count, "bytes": count,
        // Log format 2 (Docs/json.md): the lead's state after the change, the old values of what changed.
        "format": .integer { $0 == 2 }, "created": .bool,
        "state": .object(required: ["stage": text, "created": timeShape], optional: snapshotFields),
        "old": .object(required: [:], optional: snapshotFields.mapValues { .either($0, .null) }.merging(["stage": text, "created": timeShape]) { a, _ in a }),
    ]
    static let snapshotFields: [String: Shape] = [
        "value": money, "currency": currency, "probability": percent, "close": date, "owner": text,
        "labels": .array(text), "source": text, "campaign": text, "due": due,
    ]
    static let logEntry = Shape.object(required: ["time": timeShape, "user": text, "action": text],
                                       optional: logDetails.merging(["lead": id, "customer": id, "name": text]) { a, _ in a })
    static let historyEntry = Shape.object(required: ["time": timeShape, "user": text, "action": text],
                                           optional: logDetails.merging(["lead": id, "customer": id]) { a, _ in a })
    static let shownLead: Shape = {
        guard case let .object(required, optional) = lead else { fatalError() }
        return .object(required: required.merging(["history": .array(historyEntry)]) { a, _ in a }, optional: optional)
    }()

    static let stage = Shape.object(required: ["name": text, "probability": .either(percent, .null), "closed": .bool, "leads": count],
                                    optional: ["unknown": .bool])
    static let customer = Shape.object(required: [
        "format": .integer { $0 == 1 }, "id": id, "name": text, "organization": .bool, "leads": .array(id),
        "projects": .array(.object(required: ["name": text, "lead": id, "at": timeShape], optional: [:])),
        "created_at": timeShape, "created_by": text, "updated_at": timeShape, "updated_by": text,
    ], optional: ["company": text, "email": text, "phone": text, "address": text])

    static let totals: [String: Shape] = ["count": count, "value": money, "weighted": cents]
    static let pipeline = Shape.object(required: [
        "by": .string("a grouping") { ["stage", "owner", "month", "source", "label", "campaign"].contains($0) },
        "currencies": .array(.object(required: [
            "currency": .either(currency, .null),
            "groups": .array(.object(required: totals.merging(["key": .either(text, .null)]) { a, _ in a }, optional: [:])),
            "total": .object(required: totals, optional: [:]),
        ], optional: [:])),
    ], optional: [:])

    static let reminderRow = Shape.object(required: [
        "ref": .string("ID.N") { $0.wholeMatch(of: /[1-9][0-9]*\.[1-9][0-9]*/) != nil }, "lead": id, "name": text, "owner": text,
        "due": due, "text": text, "overdue": .bool, "overdue_days": count, "overdue_seconds": count,
    ], optional: [:])

    static let importSummary = Shape.object(required: [
        "file": text, "dry_run": .bool, "written": .bool, "created": count, "updated": count, "skipped": count, "rejected": count,
        "ids": .array(.string("an ID range") { $0.wholeMatch(of: /[1-9][0-9]*(-[1-9][0-9]*)?/) != nil }),
        "problems": .array(.object(required: ["line": id, "message": text], optional: [:])),
        "unmapped": .array(.object(required: ["field": text, "value": text, "column": text, "lines": .array(id)], optional: [:])),
        "passed": .array(.object(required: ["line": id, "what": text], optional: [:])),
        "values": .array(.object(required: ["field": text, "source": text, "target": .string("text") { _ in true }, "rows": count], optional: [:])),
    ], optional: [
        "columns": .array(.object(required: ["header": .string("text") { _ in true }, "use": .string("a column use") {
            ["field", "composed", "state", "export-only", "dropped", "blank"].contains($0)
        }, "origin": text], optional: ["field": text, "composed_of": .array(text)])),
    ])

    // MARK: A populated store

    /// Leads with every kind of field, reminders due and not, a closed, a converted and a
    /// deleted lead, two currencies and none, so that every documented key turns up.
    static func populated() -> Sandbox {
        let box = Sandbox()
        box.add("Alpha", "--company", "Acme", "--email", "alpha@acme.example", "--phone", "+49 30 1", "--address", "Street 1\nBerlin",
                "--source", "fair", "--campaign", "spring", "--value", "1234.5678", "--probability", "35", "--close", "2027-01-31",
                "--label", "hot", "--label", "b2b", "--field", "industry=metal", "--note", "first", "--next", "2026-11-20")
        box.add("Beta", "--value", "100", "--currency", "USD", "--stage", "proposal")
        box.add("Gamma", "--org")
        box.add("Delta", "--value", "50", "--stage", "dnc")
        box.add("Epsilon")
        let steps: [[String]] = [
            ["note", "1", "called", "--contacted"], ["note", "1", "earlier", "--at", "2026-11-01T08:00"],
            ["status", "1", "qualified", "--probability", "40", "--note", "moved"], ["status", "2", "negotiation"],
            ["assign", "2", "bob"], ["set", "1", "--phone", "+49 30 2", "--value", "1300.1250"],
            ["remind", "2", "2026-11-22T08:30", "call back"], ["remind", "1", "+3d", "later"], ["remind", "3", "2026-11-01"],
            ["remind", "--done", "3.1"], ["remind", "3", "2026-11-02"], ["remind", "--snooze", "3.2", "2026-11-03"],
            ["convert", "3", "--project", "Website", "--keep-reminders"], ["delete", "5", "--yes"],
        ]
        for step in steps {
            let result = box.run(step)
            #expect(result.status == 0, "\(step): \(result.stderr)")
        }
        return box
    }

    /// Runs a read command, checks the output's form (pretty-printed, final newline, no
    /// message on stderr) and returns it parsed.
    static func run(_ box: Sandbox, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
        let result = box.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr == "", sourceLocation: sourceLocation)
        #expect(result.stdout.hasSuffix("\n"), sourceLocation: sourceLocation)
        #expect(result.stdout.hasPrefix("{\n") || result.stdout.hasPrefix("[\n") || result.stdout == "[]\n", sourceLocation: sourceLocation)
        return try result.json()
    }

    static func conforms(_ value: Any, _ shape: Shape, sourceLocation: SourceLocation = #_sourceLocation) {
        let problems = shape.problems(value, at: "$")
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    // MARK: The commands

    @Test func show() throws {
        let box = Self.populated()
        for id in ["1", "2", "3", "4"] { Self.conforms(try Self.run(box, "show", id, "--json"), Self.shownLead) }
        let alpha = try #require(try Self.run(box, "show", "1", "--json") as? [String: Any])
        // Every optional key of a lead turns up in lead 1 or lead 3.
        #expect(Set(alpha.keys).isSuperset(of: ["company", "email", "phone", "address", "owner", "source", "campaign", "labels",
                                                "probability", "value", "currency", "weighted_value", "expected_close", "fields",
                                                "notes", "reminders", "last_contact", "history"]))
        #expect(alpha["value"] as? String == "1300.125")
        #expect(alpha["currency"] as? String == "EUR")
        #expect(alpha["probability"] as? Int == 40)
        #expect(alpha["effective_probability"] as? Int == 40)
        #expect(alpha["weighted_value"] as? String == "520.05")
        #expect(alpha["overdue"] as? Bool == true)
        #expect(alpha["fields"] as? [String: String] == ["industry": "metal"])
        #expect(alpha["labels"] as? [String] == ["hot", "b2b"])
        let notes = try #require(alpha["notes"] as? [[String: Any]])
        #expect(notes.map { $0["text"] as? String } == ["earlier", "first", "called", "moved"])
        #expect(notes.map { $0["at"] as? String } == ["2026-11-01T08:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z"])
        #expect(notes.map { $0["contacted"] as? Bool } == [nil, nil, true, nil])
        #expect((alpha["last_contact"] as? [String: String]) == ["at": "2026-11-23T10:00:00Z", "by": "alice"])
        let history = try #require(alpha["history"] as? [[String: Any]])
        #expect(history.map { $0["action"] as? String } == ["add", "note", "note", "status", "set", "remind"])
        #expect(history.allSatisfy { $0["name"] == nil && $0["lead"] as? Int == 1 })

        let gamma = try #require(try Self.run(box, "show", "3", "--json") as? [String: Any])
        #expect(gamma["organization"] as? Bool == true)
        #expect(gamma["stage"] as? String == "won")
        #expect(gamma["value"] == nil && gamma["currency"] == nil && gamma["weighted_value"] == nil)
        #expect(gamma["effective_probability"] as? Int == 100)
        #expect(gamma["overdue"] as? Bool == false)
        let conversion = try #require(gamma["conversion"] as? [String: Any])
        #expect(conversion["customer"] as? Int == 1 && conversion["projects"] as? [String] == ["Website"])
        let reminders = try #require(gamma["reminders"] as? [[String: Any]])
        #expect(reminders.map { $0["n"] as? Int } == [1, 2])
        #expect(reminders.map { $0["due"] as? String } == ["2026-11-01", "2026-11-03"])
        #expect(reminders[0]["done_at"] as? String == "2026-11-23T10:00:00Z" && reminders[1]["done_at"] == nil)

        let delta = try #require(try Self.run(box, "show", "4", "--json") as? [String: Any])
        #expect(delta["weighted_value"] as? String == "0.00")  // dnc never weighs
    }

    @Test func list() throws {
        let box = Self.populated()
        let all = try #require(try Self.run(box, "list", "--all", "--json") as? [[String: Any]])
        for lead in all { Self.conforms(lead, Self.lead) }
        #expect(all.map { $0["id"] as? Int } == [1, 2, 3, 4])
        #expect(all.allSatisfy { $0["history"] == nil })
        let open = try #require(try Self.run(box, "list", "--json", "--sort", "-value") as? [[String: Any]])
        #expect(open.map { $0["id"] as? Int } == [1, 2])
        #expect(open[1]["value"] as? String == "100.00" && open[1]["currency"] as? String == "USD")
        #expect(open[1]["weighted_value"] as? String == "80.00")
        #expect(open[1]["owner"] as? String == "bob")
        #expect(open[1]["overdue"] as? Bool == true)
        // Nothing matches: an empty array, not nothing.
        #expect(box.run("list", "--json", "--owner", "nobody").stdout == "[]\n")
        #expect(Sandbox().run("list", "--json").stdout == "[]\n")
    }

    @Test func log() throws {
        let box = Self.populated()
        let entries = try #require(try Self.run(box, "log", "--json") as? [[String: Any]])
        Self.conforms(entries, .array(Self.logEntry))
        #expect(entries.map { $0["action"] as? String } == [
            "add", "add", "add", "add", "add", "note", "note", "status", "status", "assign", "set",
            "remind", "remind", "remind", "remind-done", "remind", "remind-snooze", "convert", "delete",
        ])
        // Names come from the current files: the deleted lead 5 has none.
        #expect(entries.map { $0["name"] as? String } == [
            "Alpha", "Beta", "Gamma", "Delta", nil, "Alpha", "Alpha", "Alpha", "Beta", "Beta", "Alpha",
            "Beta", "Alpha", "Gamma", "Gamma", "Gamma", "Gamma", "Gamma", nil,
        ])
        let add = entries[0]
        #expect(add["value"] as? String == "1234.5678" && add["currency"] as? String == "EUR")
        #expect(add["due"] as? String == "2026-11-20" && add["stage"] as? String == "new" && add["owner"] as? String == "alice")
        #expect(entries[6]["at"] as? String == "2026-11-01T08:00:00Z")
        #expect(entries[5]["contacted"] as? Bool == true)
        #expect(entries[7]["from"] as? String == "new" && entries[7]["to"] as? String == "qualified")
        #expect(entries[7]["probability"] as? Int == 40 && entries[7]["note"] as? Bool == true)
        #expect(entries[9]["from"] as? String == "alice" && entries[9]["to"] as? String == "bob")
        #expect(entries[10]["fields"] as? [String] == ["phone", "value"] && entries[10]["value"] as? String == "1300.125")
        #expect(entries[11]["reminder"] as? Int == 1 && entries[11]["due"] as? String == "2026-11-22T08:30:00Z")
        #expect(entries[14]["reminders"] as? [Int] == [1])
        #expect(entries[17]["customer"] as? Int == 1 && entries[17]["new_customer"] as? Bool == true)
        #expect(entries[17]["projects_added"] as? Int == 1)
        #expect(entries[18].keys.sorted() == ["action", "format", "lead", "time", "user"])
        // A status change that drops the lead's own probability logs it as null.
        #expect(box.run("status", "1", "proposal").status == 0)
        let last = try #require((try Self.run(box, "log", "1", "-n", "1", "--json") as? [[String: Any]])?.first)
        #expect(last["probability"] is NSNull)
        #expect(box.run("log", "--json", "--user", "nobody").stdout == "[]\n")
    }

    @Test func stages() throws {
        let box = Self.populated()
        // A stage config.json no longer lists still shows, with its leads.
        var lead = try #require(box.file("leads/2.json"))
        lead = lead.replacingOccurrences(of: "\"stage\": \"negotiation\"", with: "\"stage\": \"pitch\"")
        box.write("leads/2.json", lead)
        let stages = try #require(try Self.run(box, "stages", "--json") as? [[String: Any]])
        Self.conforms(stages, .array(Self.stage))
        #expect(stages.map { $0["name"] as? String } == ["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dnc", "pitch"])
        #expect(stages.map { $0["probability"] as? Int } == [10, 20, 40, 60, 80, 100, 0, 0, nil])
        #expect(stages.map { $0["closed"] as? Bool } == [false, false, false, false, false, true, true, true, false])
        #expect(stages.map { $0["leads"] as? Int } == [0, 0, 1, 0, 0, 1, 0, 1, 1])
        #expect(stages[8]["probability"] is NSNull && stages[8]["unknown"] as? Bool == true)
        #expect(stages[0]["unknown"] == nil)
    }

    @Test func files() throws {
        let box = Sandbox()
        let id = String(box.add("Greta Schulz"))
        let path = box.input("Angebot.pdf", "%PDF-1.4\n")
        #expect(box.run("attach", id, path).status == 0)
        #expect(box.run(["attach", id, "-", "--name", "Notiz.txt"], stdin: "Rückruf\n").status == 0)
        let files = try #require(try Self.run(box, "files", id, "--json") as? [[String: Any]])
        Self.conforms(files, .array(Self.listedFile))
        #expect(files.map { $0["name"] as? String } == ["Angebot.pdf", "Notiz.txt"])
        #expect(files.map { $0["size"] as? Int } == [9, 9])
        Self.conforms(try Self.run(box, "show", id, "--json"), Self.shownLead)
        Self.conforms(try Self.run(box, "log", "--json"), .array(Self.logEntry))
        Self.conforms(try Self.run(box, "list", "--json"), .array(Self.lead))
        #expect(box.run("detach", id, "Notiz.txt").status == 0)
        Self.conforms(try Self.run(box, "log", "--json"), .array(Self.logEntry))
    }

    @Test func customers() throws {
        let box = Self.populated()
        let customers = try #require(try Self.run(box, "customers", "--json") as? [[String: Any]])
        Self.conforms(customers, .array(Self.customer))
        #expect(customers.count == 1)
        #expect(customers[0]["name"] as? String == "Gamma" && customers[0]["organization"] as? Bool == true)
        #expect(customers[0]["leads"] as? [Int] == [3])
        #expect(Sandbox().run("customers", "--json").stdout == "[]\n")
    }

    @Test func pipeline() throws {
        let box = Self.populated()
        for by in ["stage", "owner", "month", "source", "label", "campaign"] {
            Self.conforms(try Self.run(box, "pipeline", "--by", by, "--all", "--json"), Self.pipeline)
        }
        let report = try #require(try Self.run(box, "pipeline", "--json", "--include-won") as? [String: Any])
        #expect(report["by"] as? String == "stage")
        let blocks = try #require(report["currencies"] as? [[String: Any]])
        #expect(blocks.map { $0["currency"] as? String } == ["EUR", "USD", nil])
        #expect(blocks[2]["currency"] is NSNull)
        let eur = try #require(blocks[0]["total"] as? [String: Any])
        #expect(eur["count"] as? Int == 1 && eur["value"] as? String == "1300.125" && eur["weighted"] as? String == "520.05")
        let byMonth = try #require(try Self.run(box, "pipeline", "--by", "month", "--json") as? [String: Any])
        let months = try #require((byMonth["currencies"] as? [[String: Any]])?.first?["groups"] as? [[String: Any]])
        #expect(months.map { $0["key"] as? String } == ["2027-01"])
        let nobody = box.run("pipeline", "--json", "--owner", "nobody")
        #expect(nobody.status == 0 && nobody.stderr == "leads: no lead has the owner 'nobody'\n")
        let none = try #require(try nobody.json() as? [String: Any])
        #expect((none["currencies"] as? [Any])?.isEmpty == true)
    }

    @Test func remindListAndDue() throws {
        let box = Self.populated()
        let open = try #require(try Self.run(box, "remind", "--list", "--json") as? [[String: Any]])
        Self.conforms(open, .array(Self.reminderRow))
        // Lead 3 is won: its open reminder is listed only when the lead is named.
        #expect(open.map { $0["ref"] as? String } == ["1.1", "2.1", "1.2"])
        #expect(open.map { $0["overdue"] as? Bool } == [true, true, false])
        #expect(open[2]["overdue_days"] as? Int == 0 && open[2]["overdue_seconds"] as? Int == 0)
        #expect(open[2]["text"] as? String == "later" && open[0]["text"] as? String == "")
        let won = try #require(try Self.run(box, "remind", "--list", "3", "--json") as? [[String: Any]])
        #expect(won.map { $0["ref"] as? String } == ["3.2"])

        let due = try #require(try Self.run(box, "remind", "--due", "--json") as? [[String: Any]])
        Self.conforms(due, .array(Self.reminderRow))
        #expect(due.map { $0["ref"] as? String } == ["1.1", "2.1"])
        #expect(due.map { $0["due"] as? String } == ["2026-11-20", "2026-11-22T08:30:00Z"])
        #expect(due.map { $0["owner"] as? String } == ["alice", "bob"])
        #expect(due.map { $0["name"] as? String } == ["Alpha", "Beta"])
        #expect(due.map { $0["overdue_days"] as? Int } == [3, 1])
        #expect(due.map { $0["overdue_seconds"] as? Int } == [3 * 86_400 + 36_000, 86_400 + 5_400])

        // Nothing at all when nothing is due (cron mails any output); [] for an empty --list.
        let quiet = box.run("remind", "--due", "--json", "--owner", "carol")
        #expect(quiet.status == 0 && quiet.stdout == "" && quiet.stderr == "")
        #expect(Sandbox().run("remind", "--list", "--json").stdout == "[]\n")
    }

    @Test func importSummary() throws {
        let box = Sandbox()
        let path = box.input("in.csv", "name,value\nOne,10\nTwo,x\nThree,30\n")

        let refused = box.run("import-csv", path, "--json")
        #expect(refused.status == 1)
        let failed = try #require(try refused.json() as? [String: Any])
        Self.conforms(failed, Self.importSummary)
        #expect(failed["written"] as? Bool == false && failed["rejected"] as? Int == 1 && failed["ids"] as? [String] == [])
        #expect(refused.stderr.hasPrefix("leads: \(path):3: value: 'x' is not an amount"))

        let dryRun = box.run("import-csv", path, "--json", "--dry-run", "--skip-invalid")
        #expect(dryRun.status == 0)
        let dry = try #require(try dryRun.json() as? [String: Any])
        Self.conforms(dry, Self.importSummary)
        #expect(dry["dry_run"] as? Bool == true && dry["written"] as? Bool == false && dry["created"] as? Int == 2)

        let result = box.run("import-csv", path, "--json", "--skip-invalid")
        #expect(result.status == 0)
        let summary = try #require(try result.json() as? [String: Any])
        Self.conforms(summary, Self.importSummary)
        #expect(summary["file"] as? String == path)
        #expect(summary["written"] as? Bool == true && summary["dry_run"] as? Bool == false)
        #expect(summary["created"] as? Int == 2 && summary["rejected"] as? Int == 1)
        #expect(summary["updated"] as? Int == 0 && summary["skipped"] as? Int == 0)
        #expect(summary["ids"] as? [String] == ["1-2"])
        let problems = try #require(summary["problems"] as? [[String: Any]])
        #expect(problems.count == 1 && problems[0]["line"] as? Int == 3)
        #expect((problems[0]["message"] as? String)?.hasPrefix("value: 'x' is not an amount") == true)

        let again = try #require(try box.run("import-csv", path, "--json", "--skip-invalid", "--on-duplicate", "skip").json()
            as? [String: Any])
        #expect(again["skipped"] as? Int == 2 && again["created"] as? Int == 0 && again["ids"] as? [String] == [])
    }

    /// Docs/json.md documents exactly the commands tested here.
    @Test func theDocumentationCoversEveryReadCommand() throws {
        let page = try #require(GeneratedDocsTests.committed("Docs/json.md"))
        let headings = page.split(separator: "\n").filter { $0.hasPrefix("## `") }.map(String.init)
        #expect(headings == [
            "## `show ID --json`", "## `list --json`", "## `log --json`", "## `files ID --json`", "## `stages --json`", "## `customers --json`",
            "## `pipeline --json`", "## `report KIND --json`", "## `remind --list [ID] --json` and `remind --due --json`",
            "## `import-csv FILE --json`",
        ])
        for command in ["show", "list", "log", "files", "stages", "customers", "pipeline", "report", "remind", "import-csv"] {
            #expect(Sandbox().run("help", command).stdout.contains("--json"), "\(command) has no --json")
        }
    }
}

/// What a JSON value must look like, as Docs/json.md describes it.
indirect enum Shape: Sendable {
    case string(String, @Sendable (String) -> Bool)
    case integer(@Sendable (Int) -> Bool)
    case bool
    case null
    case array(Shape)
    /// A {string: value} map with free keys.
    case map(Shape)
    /// Every required key, any of the optional ones, nothing else.
    case object(required: [String: Shape], optional: [String: Shape])
    case either(Shape, Shape)

    func problems(_ value: Any, at path: String) -> [String] {
        switch self {
        case let .string(what, valid):
            guard let text = value as? String else { return ["\(path): expected \(what), got \(value)"] }
            return valid(text) ? [] : ["\(path): \(text.debugDescription) is not \(what)"]
        case .integer(let valid):
            guard let number = value as? NSNumber, !Shape.isBool(number), let int = value as? Int, Double(int) == number.doubleValue
            else { return ["\(path): expected an integer, got \(value)"] }
            return valid(int) ? [] : ["\(path): \(int) is out of range"]
        case .bool:
            guard let number = value as? NSNumber, Shape.isBool(number) else { return ["\(path): expected true or false, got \(value)"] }
            return []
        case .null:
            return value is NSNull ? [] : ["\(path): expected null, got \(value)"]
        case .array(let element):
            guard let array = value as? [Any] else { return ["\(path): expected an array, got \(value)"] }
            return array.enumerated().flatMap { element.problems($1, at: "\(path)[\($0)]") }
        case .map(let element):
            guard let object = value as? [String: Any] else { return ["\(path): expected an object, got \(value)"] }
            return object.keys.sorted().flatMap { element.problems(object[$0]!, at: "\(path).\($0)") }
        case let .object(required, optional):
            guard let object = value as? [String: Any] else { return ["\(path): expected an object, got \(value)"] }
            var problems = required.keys.filter { object[$0] == nil }.sorted().map { "\(path): missing \($0)" }
            for key in object.keys.sorted() {
                guard let shape = required[key] ?? optional[key] else {
                    problems.append("\(path): \(key) is not documented")
                    continue
                }
                problems += shape.problems(object[key]!, at: "\(path).\(key)")
            }
            return problems
        case let .either(a, b):
            let first = a.problems(value, at: path)
            if first.isEmpty { return [] }
            let second = b.problems(value, at: path)
            return second.isEmpty ? [] : first + second
        }
    }

    /// Foundation's parser gives true and false as NSNumbers of type char.
    static func isBool(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }
}
