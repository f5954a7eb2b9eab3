import Foundation
import Testing

@Suite struct StatusTests {
    @Test func statusOnAnIDListWithPrefix() {
        let box = Sandbox()
        for i in 1...6 { box.add("Lead \(i)") }
        let result = box.run("status", "1", "2", "4-5", "prop")
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "leads: 4 leads: new → proposal (#1 Lead 1, #2 Lead 2, #4 Lead 4 and 1 more)\n")
        #expect((1...6).map { box.leadJSON($0)?["stage"] as? String }
                == ["proposal", "proposal", "new", "proposal", "proposal", "new"])
        let status = box.logEntries().filter { $0["action"] as? String == "status" }
        #expect(status.map { $0["lead"] as? Int } == [1, 2, 4, 5])
        #expect(status.allSatisfy { $0["from"] as? String == "new" && $0["to"] as? String == "proposal" })
    }

    @Test func ambiguousAndUnknownStagesAreRefusedListingTheValidOnes() {
        let box = Sandbox()
        box.add("A")
        let before = box.snapshot()
        let ambiguous = box.run("status", "1", "n")
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr == "leads: STAGE: stage 'n' is ambiguous: it could be new or negotiation\n")
        let unknown = box.run("status", "1", "hot")
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "leads: STAGE: unknown stage 'hot'; stages are: new, contacted, qualified, proposal, negotiation, won, lost, dnc\n")
        #expect(box.snapshot() == before)
    }

    @Test func stageNamesAreCaseInsensitive() {
        let box = Sandbox()
        box.add("A")
        #expect(box.run("status", "#1", "WON").status == 0)
        #expect(box.leadJSON(1)?["stage"] as? String == "won")
    }

    @Test func anUnknownLeadInTheListChangesNothing() {
        let box = Sandbox()
        box.add("A")
        box.add("B")
        let before = box.snapshot()
        let result = box.run("status", "1", "2", "9", "qualified")
        #expect(result.status == 1)
        #expect(result.stderr == "leads: no lead 9\n")
        #expect(box.snapshot() == before)
    }

    @Test func probabilityNoteAndLostReason() throws {
        let box = Sandbox()
        box.add("A", "--probability", "35")
        #expect(box.run("status", "1", "qualified").status == 0)
        #expect(box.leadJSON(1)?["probability"] == nil)  // the new stage's 40 % applies
        #expect(box.run("status", "1", "proposal", "--probability", "70", "--note", "sent the offer").status == 0)
        var lead = try #require(box.leadJSON(1))
        #expect(lead["probability"] as? Int == 70)
        #expect((lead["notes"] as? [[String: Any]])?.first?["text"] as? String == "sent the offer")
        #expect(box.run("status", "1", "lost", "--reason", "went with a competitor").status == 0)
        lead = try #require(box.leadJSON(1))
        #expect(lead["lost_reason"] as? String == "went with a competitor")
        #expect(box.run("show", "1").stdout.contains("  lost reason  went with a competitor\n"))
        let refused = box.run("status", "1", "new", "--reason", "x")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: --reason: 'x': a reason is recorded for lost or dnc leads only\n")
    }

    @Test func unchangedStageWritesNothing() {
        let box = Sandbox()
        box.add("A")
        let before = box.snapshot()
        #expect(box.run("status", "1", "new").status == 0)
        #expect(box.snapshot() == before)
    }

    @Test func unknownKeysSurviveARewrite() throws {
        let box = Sandbox()
        box.add("A")
        var text = try #require(box.file("leads/1.json"))
        text = text.replacingOccurrences(of: "\"format\": 1,", with: "\"format\": 1,\n  \"x_custom\": {\"nested\": [1, 2.50, \"drei\"]},")
        box.write("leads/1.json", text)
        #expect(box.run("status", "1", "qualified").status == 0)
        let after = try #require(box.file("leads/1.json"))
        #expect(after.hasSuffix("  \"x_custom\": {\n    \"nested\": [\n      1,\n      2.50,\n      \"drei\"\n    ]\n  }\n}\n"))
        #expect(box.leadJSON(1)?["stage"] as? String == "qualified")
    }

    @Test func idsFromStandardInput() {
        let box = Sandbox()
        box.add("A", "--owner", "bob")
        box.add("B", "--owner", "carol")
        box.add("C", "--owner", "bob")
        let ids = box.run("list", "--owner", "bob", "--ids")
        #expect(ids.stdout == "1\n3\n")
        let result = box.run(["assign", "-", "carol"], stdin: ids.stdout)
        #expect(result.status == 0)
        #expect((1...3).map { box.leadJSON($0)?["owner"] as? String } == ["carol", "carol", "carol"])
        #expect(box.logEntries().filter { $0["action"] as? String == "assign" }.count == 2)
        let bad = box.run(["status", "-", "won"], stdin: "1\n../etc/passwd\n")
        #expect(bad.status == 2)
        #expect(bad.stderr == "leads: invalid ID '../etc/passwd': an ID is a positive number such as 42 or #42\n")
        let nul = box.run(["status", "-", "won"], stdin: "1\u{0}\n")
        #expect(nul.status == 2)
        #expect(nul.stderr == "leads: invalid ID '1\\x00': an ID is a positive number such as 42 or #42\n")
    }
}

@Suite struct AssignSetTests {
    @Test func assignMovesTheOwnersOpenReminders() throws {
        let box = Sandbox()
        box.add("A", "--owner", "bob", "--next", "+1d")
        #expect(box.run("assign", "1", "carol").status == 0)
        let lead = try #require(box.leadJSON(1))
        #expect(lead["owner"] as? String == "carol")
        #expect((lead["reminders"] as? [[String: Any]])?.first?["owner"] as? String == "carol")
        let entry = try #require(box.logEntries().last)
        #expect(entry["action"] as? String == "assign")
        #expect(entry["from"] as? String == "bob")
        #expect(entry["to"] as? String == "carol")
    }

    @Test func setChangesFieldsLabelsAndCustomFields() throws {
        let box = Sandbox()
        box.add("A", "--label", "old", "--field", "size=3", "--email", "a@x.example", "--value", "10")
        box.add("B")
        let result = box.run("set", "1-2", "--name", "Renamed", "--org", "--label", "+hot", "--label", "-old",
                             "--field", "size=", "--field", "region=Süd", "--value", "1.234,50 USD", "--close", "2027-03-31",
                             "--probability", "25")
        #expect(result.status == 0)
        let lead = try #require(box.leadJSON(1))
        #expect(lead["name"] as? String == "Renamed")
        #expect(lead["organization"] as? Bool == true)
        #expect(lead["labels"] as? [String] == ["hot"])
        #expect(lead["fields"] as? [String: String] == ["region": "Süd"])
        #expect(lead["value"] as? String == "1234.50")
        #expect(lead["currency"] as? String == "USD")
        #expect(lead["expected_close"] as? String == "2027-03-31")
        #expect(lead["probability"] as? Int == 25)
        #expect(box.leadJSON(2)?["name"] as? String == "Renamed")
        #expect(box.run("set", "1", "--email", "").status == 0)
        #expect(box.leadJSON(1)?["email"] == nil)
        let entry = try #require(box.logEntries().last)
        #expect(entry["fields"] as? [String] == ["email"])
    }

    @Test func anAllBlankCustomFieldValueRemovesTheFieldAsAnEmptyOneDoes() throws {
        let box = Sandbox()
        box.add("A", "-q", "--field", "size=3", "--field", "blank= ")
        #expect(box.leadJSON(1)?["fields"] as? [String: String] == ["size": "3"])
        #expect(box.run("set", "1", "--field", "size= \t").status == 0)
        #expect(box.leadJSON(1)?["fields"] == nil)
        #expect(box.logEntries().last?["fields"] as? [String] == ["field:size"])
        // Blank for a field the lead does not have: nothing to change, nothing written.
        let before = box.snapshot()
        #expect(box.run("set", "1", "--field", "other=  ").status == 0)
        #expect(box.snapshot() == before)
    }

    @Test func setWithoutChangesIsAUsageError() {
        let box = Sandbox()
        box.add("A")
        let result = box.run("set", "1")
        #expect(result.status == 1)
        #expect(result.stderr == "leads: set: nothing to change; give at least one option\n")
    }

    @Test func setRefusesBadValuesBeforeChangingAnything() {
        let box = Sandbox()
        box.add("A")
        box.add("B")
        let before = box.snapshot()
        let result = box.run("set", "1", "2", "--value", "12,500")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("leads: --value: '12,500' is ambiguous"))
        #expect(box.run("set", "1", "--currency", "USD").stderr == "leads: --currency: 'USD': the lead has no value to give a currency; use --value\n")
        #expect(box.run("set", "1", "--org", "--no-org").status == 2)
        #expect(box.snapshot() == before)
    }

    @Test func anEmptyValueWithACurrencyIsRefusedByAddAndSet() {
        let box = Sandbox()
        box.add("A", "-q", "--value", "100")
        let before = box.snapshot()
        let message = "leads: --currency: 'CHF': an empty --value means no value, which has no currency; give an amount or leave out --currency\n"
        for arguments in [["set", "1", "--value", "", "--currency", "CHF"], ["set", "1", "--value", " ", "--currency", "chf"],
                          ["add", "B", "--value", "", "--currency", "CHF"]] {
            let result = box.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == message, "\(arguments)")
            #expect(result.stdout == "", "\(arguments)")
        }
        #expect(box.snapshot() == before)
    }

    @Test func setCurrencyAloneChangesTheCurrencyOfTheExistingValue() throws {
        let box = Sandbox()
        box.add("A", "-q", "--value", "100")
        box.add("B", "-q")
        let result = box.run("set", "1", "--currency", "USD")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "leads: #1 A: value 100.00 USD\n")
        let lead = try #require(box.leadJSON(1))
        #expect(lead["value"] as? String == "100.00")  // the amount as it was: no conversion
        #expect(lead["currency"] as? String == "USD")
        let entry = try #require(box.logEntries().last)
        #expect(entry["action"] as? String == "set")
        #expect(entry["fields"] as? [String] == ["value"])
        #expect(entry["value"] as? String == "100.00")
        #expect(entry["currency"] as? String == "USD")
        #expect((entry["old"] as? [String: Any])?["currency"] as? String == "EUR")
        // A lead that really has no value is still refused, and with it every lead named.
        let before = box.snapshot()
        let refused = box.run("set", "1", "2", "--currency", "CHF")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: --currency: 'CHF': the lead has no value to give a currency; use --value\n")
        #expect(box.snapshot() == before)
    }
}

@Suite struct NoteTests {
    @Test func notesWithAuthorTimeAndContact() throws {
        let box = Sandbox(now: "2026-11-23T10:00:00Z")
        box.add("A")
        #expect(box.run(["note", "1", "called, no answer", "--contacted"], env: ["LEADS_USER": "bob"]).status == 0)
        #expect(box.run(["note", "1", "-"], stdin: "line one\nline two\n").status == 0)
        #expect(box.run("note", "1", "earlier visit", "--at", "2026-11-20T09:15", "--contacted").status == 0)
        let lead = try #require(box.leadJSON(1))
        let notes = try #require(lead["notes"] as? [[String: Any]])
        #expect(notes.map { $0["text"] as? String } == ["earlier visit", "called, no answer", "line one\nline two"])
        #expect(notes.map { $0["by"] as? String } == ["alice", "bob", "alice"])
        #expect(notes[0]["at"] as? String == "2026-11-20T09:15:00Z")
        let contact = try #require(lead["last_contact"] as? [String: String])
        #expect(contact == ["at": "2026-11-23T10:00:00Z", "by": "bob"])  // the later contact wins
        let list = box.run("list")
        #expect(list.stdout.contains("2026-11-23 bob"))
        #expect(box.run("show", "1").stdout.contains("  last contact  2026-11-23 10:00 by bob\n"))
        #expect(box.run("list", "--ids", "--search", "NO ANSWER").stdout == "1\n")
    }

    @Test func emptyNotesAreRefused() {
        let box = Sandbox()
        box.add("A")
        #expect(box.run("note", "1", "  ").stderr == "leads: TEXT: '  ': a note must not be empty\n")
        #expect(box.run(["note", "1", "-"], stdin: "").status == 1)
    }

    @Test func concurrentNotesOnOneLeadAreAllKept() throws {
        let box = Sandbox()
        box.add("Busy lead")
        let writers = 8, notesEach = 25
        let statuses = concurrently(writers) { w in
            (0..<notesEach).map { n in box.run("note", "1", "writer \(w) note \(n)").status }
        }.flatMap { $0 }
        #expect(statuses.count == writers * notesEach)
        #expect(statuses.allSatisfy { $0 == 0 })
        let notes = try #require(box.leadJSON(1)?["notes"] as? [[String: Any]])
        #expect(notes.count == writers * notesEach)
        #expect(Set(notes.compactMap { $0["text"] as? String }).count == writers * notesEach)
        #expect(box.logEntries().filter { $0["action"] as? String == "note" }.count == writers * notesEach)
    }
}

@Suite struct ConvertDeleteTests {
    @Test func convertCreatesACustomerAndAddsProjectsLater() throws {
        let box = Sandbox()
        box.add("Jane Roe", "--company", "Acme", "--email", "jane@acme.example", "--phone", "+1 555", "--note", "keep me")
        let first = box.run("convert", "1", "--project", "Website")
        #expect(first.status == 0)
        #expect(first.stdout == "1\n")
        #expect(box.run("convert", "1", "--project", "App").stdout == "1\n")
        let lead = try #require(box.leadJSON(1))
        #expect(lead["stage"] as? String == "won")
        let conversion = try #require(lead["conversion"] as? [String: Any])
        #expect(conversion["customer"] as? Int == 1)
        #expect(conversion["projects"] as? [String] == ["Website", "App"])
        #expect((lead["notes"] as? [[String: Any]])?.count == 1)
        let customer = try #require(box.file("customers/1.json"))
        #expect(customer.contains("\"name\": \"Acme\""))
        #expect(customer.contains("\"email\": \"jane@acme.example\""))
        let customers = try #require(try box.run("customers", "--json").json() as? [[String: Any]])
        #expect(customers.count == 1)
        #expect((customers[0]["projects"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Website", "App"])
        #expect(box.run("customers").stdout == """
            ID  NAME  EMAIL              LEADS  PROJECTS
             1  Acme  jane@acme.example  1      Website, App

            """)
        let converts = box.logEntries().filter { $0["action"] as? String == "convert" }
        #expect(converts.count == 2)
        #expect(converts.allSatisfy { $0["customer"] as? Int == 1 })
    }

    @Test func aProjectRepeatedInOneConvertIsRecordedOnce() throws {
        let box = Sandbox()
        box.add("A", "-q")
        let result = box.run("convert", "1", "--project", "App", "--project", "Web", "--project", "App")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "leads: #1 A: new → won, new customer #1, 2 projects added\n")
        #expect((box.leadJSON(1)?["conversion"] as? [String: Any])?["projects"] as? [String] == ["App", "Web"])
        let customers = try #require(try box.run("customers", "--json").json() as? [[String: Any]])
        #expect((customers.first?["projects"] as? [[String: Any]])?.map { $0["name"] as? String } == ["App", "Web"])
        #expect(box.logEntries().last?["projects_added"] as? Int == 2)
        // Converting again with a repeated, already recorded project changes nothing.
        let before = box.snapshot()
        #expect(box.run("convert", "1", "--project", "Web", "--project", "Web").stderr == "leads: #1 A: already converted to customer #1\n")
        #expect(box.snapshot() == before)
    }

    @Test func convertLinksAnExistingCustomer() throws {
        let box = Sandbox()
        box.add("First deal", "--company", "Acme")
        box.add("Second deal", "--company", "Acme")
        #expect(box.run("convert", "1", "--customer-name", "Acme Group").stdout == "1\n")
        #expect(box.run("convert", "2", "--customer", "1").stdout == "1\n")
        #expect(box.file("customers/1.json")?.contains("\"name\": \"Acme Group\"") == true)
        let customer = try #require(try box.run("customers", "--json").json() as? [[String: Any]])
        #expect(customer[0]["leads"] as? [Int] == [1, 2])
        box.add("Third deal")
        #expect(box.run("convert", "3", "--customer", "7").stderr == "leads: no customer 7\n")
        #expect(box.run("convert", "2", "--customer", "7").stderr == "leads: lead 2 was converted to customer 1; convert it again without --customer to add projects\n")
    }

    @Test func convertingALostLeadNeedsForce() {
        let box = Sandbox()
        box.add("A")
        box.run("status", "1", "lost")
        let before = box.snapshot()
        let refused = box.run("convert", "1")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: lead 1 is lost; use --force to convert it anyway\n")
        #expect(box.snapshot() == before)
        #expect(box.run("convert", "1", "--force").stdout == "1\n")
    }

    @Test func deleteErasesAndRetiresTheID() throws {
        let box = Sandbox()
        box.add("Jane Secret", "--email", "jane@secret.example", "--note", "private words")
        box.add("B")
        let refused = box.run("delete", "1")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: delete: not on a terminal; add --yes to confirm\n")
        #expect(box.leadJSON(1) != nil)
        #expect(box.run("delete", "1", "2", "--yes").status == 0)
        #expect(box.leadJSON(1) == nil)
        #expect(box.add("C") == 3)
        // Even with the derived files gone, the log keeps the ID retired.
        try FileManager.default.removeItem(atPath: box.dir + "/.index")
        #expect(box.add("D") == 4)
        #expect(box.add("Jane Secret", "--email", "jane@secret.example") == 5)  // no longer a duplicate
        let deletes = box.logEntries().filter { $0["action"] as? String == "delete" }
        #expect(deletes.map { $0["lead"] as? Int } == [1, 2])
        // "prev" is the hash chain (SPEC section 9): a digest of the record before, no personal data.
        #expect(deletes.allSatisfy { Set($0.keys) == ["action", "format", "lead", "prev", "time", "user"] })
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/leads")
        #expect(leftovers.sorted() == ["3.json", "4.json", "5.json"])
    }

    @Test func stagesListsCountsAndJSON() throws {
        let box = Sandbox()
        box.add("A")
        box.add("B", "--stage", "won")
        box.add("C", "--stage", "won")
        #expect(box.run("stages").stdout == """
            STAGE          PROBABILITY  LEADS
            new                   10 %      1
            contacted             20 %      0
            qualified             40 %      0
            proposal              60 %      0
            negotiation           80 %      0
            won (closed)         100 %      2
            lost (closed)          0 %      0
            dnc (closed)           0 %      0

            """)
        let json = try #require(try box.run("stages", "--json").json() as? [[String: Any]])
        #expect(json.map { $0["name"] as? String } == ["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dnc"])
        #expect(json[5]["leads"] as? Int == 2)
        #expect(json[5]["closed"] as? Bool == true)
    }

    @Test func configuredStages() {
        let box = Sandbox()
        box.write("config.json", """
            {"format": 1, "currency": "CHF", "stages": [{"name": "lead", "probability": 5}, {"name": "offer", "probability": 50}]}
            """)
        #expect(box.add("A", "--value", "100") == 1)
        #expect(box.leadJSON(1)?["stage"] as? String == "lead")
        #expect(box.leadJSON(1)?["currency"] as? String == "CHF")
        #expect(box.run("status", "1", "off").status == 0)
        #expect(box.leadJSON(1)?["stage"] as? String == "offer")
        #expect(box.run("status", "1", "new").stderr == "leads: STAGE: unknown stage 'new'; stages are: lead, offer, won, lost, dnc\n")
    }

    @Test func invalidConfigIsReportedByFileAndPosition() {
        let box = Sandbox()
        box.write("config.json", "{\"stages\": [{\"name\": \"won\", \"probability\": 10}]}\n")
        let result = box.run("add", "A")
        #expect(result.status == 1)
        #expect(result.stderr == "leads: config.json:1:22: \"won\" is a built-in stage and cannot be configured\nleads: run 'leads fsck' to check the store\n")
        box.write("config.json", "{\"stages\": [{\"name\": \"x\", \"probability\": 150}]}\n")
        #expect(box.run("stages").stderr.hasPrefix("leads: config.json:1:42: probability must be 0 to 100\n"))
    }

    @Test func logHoldsNoPersonalDataAfterEveryCommand() throws {
        let box = Sandbox()
        box.add("Jane Secretname", "--company", "Hidden Corp", "--email", "jane@secret.example", "--phone", "+49 555 0101")
        box.run("note", "1", "a confidential remark", "--contacted")
        box.run("set", "1", "--email", "other@secret.example", "--address", "Secret Street 5", "--field", "birthday=1970-01-01")
        box.run("status", "1", "lost", "--reason", "private reason text")
        box.run("convert", "1", "--force", "--customer-name", "Secretname Holding", "--project", "Secret project")
        box.run("delete", "1", "--yes", "--with-customer")
        let log = try #require(box.file("activity.log"))
        for secret in ["Secretname", "Hidden", "secret.example", "555", "Secret Street", "confidential", "1970", "private reason", "Secret project"] {
            #expect(!log.contains(secret), "log contains \(secret)")
        }
        #expect(box.logEntries().map { $0["action"] as? String } == ["add", "note", "set", "status", "convert", "delete", "delete"])
    }

    /// Issue 15, defect 5: IDs on standard input are bounded (8 MiB), so endless input ends
    /// at once with a usage error naming the bound, and nothing changes.
    @Test func idsOnStandardInputAreBounded() {
        let box = Sandbox()
        box.add("Lead 1")
        let before = box.snapshot()
        let endless = Sandbox.execute("/bin/sh", ["-c", "yes 1 | head -c 9000000 | '\(Sandbox.binary)' status - qualified"],
                                      stdin: nil, environment: ["LEADS_DIR": box.dir, "LEADS_NOW": "2026-11-23T10:00:00Z", "LEADS_USER": "alice"])
        #expect(endless.status == 2)
        #expect(endless.stderr == "leads: invalid ID '-': more than 8 MiB of IDs on standard input; give less at a time\n")
        #expect(box.snapshot() == before)
        let fine = box.run(["status", "-", "qualified"], stdin: "1\n")
        #expect(fine.status == 0)
    }

    /// Issue 15, defect 6: a converted lead's customer holds the same person, so deleting
    /// the lead alone is refused naming the customer and the flag; with the flag no file of
    /// the directory holds the person any more.
    @Test func deletingAConvertedLeadErasesItsCustomerOrRefuses() throws {
        let box = Sandbox()
        box.add("Anna Berg", "--email", "anna.berg@example.de", "--phone", "+49 30 1234567", "--address", "Hauptstr. 1")
        #expect(box.run("convert", "1").status == 0)
        let before = box.snapshot()
        let refused = box.run("delete", "1", "--yes")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: lead #1 was converted: customer #1 holds the same person's contact data; add --with-customer to erase it too\n")
        #expect(box.snapshot() == before)

        let erased = box.run("delete", "1", "--yes", "--with-customer")
        #expect(erased.status == 0, "\(erased.stderr)")
        #expect(box.file("customers/1.json") == nil)
        let deletes = box.logEntries().filter { $0["action"] as? String == "delete" }
        #expect(deletes.map { $0["lead"] as? Int } == [1, nil])
        #expect(deletes.map { $0["customer"] as? Int } == [nil, 1])
        let found = Sandbox.execute("/bin/grep", ["-rlF", "-e", "anna.berg@example.de", "-e", "Anna Berg", "-e", "1234567", "-e", "Hauptstr", box.dir],
                                    stdin: nil, environment: [:])
        #expect(found.stdout == "", "personal data left in: \(found.stdout)")
    }

    @Test func aCustomerOfSeveralLeadsIsKeptUntilAllAreDeleted() {
        let box = Sandbox()
        box.add("Anna Berg", "--email", "anna@example.de")
        box.add("Anna Berg (2)", "--email", "anna2@example.de")
        #expect(box.run("convert", "1").status == 0)
        #expect(box.run("convert", "2", "--customer", "1").status == 0)
        let before = box.snapshot()
        let refused = box.run("delete", "1", "--yes", "--with-customer")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: customer #1 also belongs to lead #2; delete those with it, or keep the customer\n")
        #expect(box.snapshot() == before)
        #expect(box.run("delete", "1", "2", "--yes", "--with-customer").status == 0)
        #expect(box.file("customers/1.json") == nil)
    }
}
