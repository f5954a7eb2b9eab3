import Foundation
import Testing

@Suite struct AddTests {
    @Test func addPrintsTheIDAndStoresExactMoney() {
        let box = Sandbox()
        let result = box.run("add", "Müller GmbH", "--value", "12.500,50", "--org")
        #expect(result.status == 0)
        #expect(result.stdout == "1\n")
        #expect(result.stderr == "leads: #1 Müller GmbH: added (new, alice, 12500.50 EUR)\n")
        #expect(box.file("leads/1.json") == """
            {
              "created_at": "2026-11-23T10:00:00Z",
              "created_by": "alice",
              "currency": "EUR",
              "format": 1,
              "id": 1,
              "name": "Müller GmbH",
              "organization": true,
              "owner": "alice",
              "stage": "new",
              "updated_at": "2026-11-23T10:00:00Z",
              "updated_by": "alice",
              "value": "12500.50"
            }

            """)
    }

    @Test func ambiguousAmountShowsBothReadingsAndWritesNothing() {
        let box = Sandbox()
        let result = box.run("add", "X", "--value", "12.500")
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("leads: --value: '12.500' is ambiguous: "))
        #expect(result.stderr.contains("12500.00"))
        #expect(result.stderr.contains("12.50"))
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }

    @Test(arguments: [
        ("12500", "12500.00", "EUR"), ("12500.50", "12500.50", "EUR"), ("12500,50", "12500.50", "EUR"),
        ("12,500.50", "12500.50", "EUR"), ("12 500,50", "12500.50", "EUR"), ("€12.500,50", "12500.50", "EUR"),
        ("12500 USD", "12500.00", "USD"), ("0.1234", "0.1234", "EUR"),
    ])
    func moneyForms(input: String, stored: String, currency: String) {
        let box = Sandbox()
        let id = box.add("X", "--value", input)
        #expect(box.leadJSON(id)?["value"] as? String == stored)
        #expect(box.leadJSON(id)?["currency"] as? String == currency)
    }

    @Test func invalidValuesAreRefusedNamingTheOption() {
        let box = Sandbox()
        box.add("Existing")
        let before = box.snapshot()
        let cases: [([String], String)] = [
            (["--value", "12.34567"], "leads: --value: '12.34567' has more than 4 decimal places; amounts are never rounded\n"),
            (["--value", "lots"], "leads: --value: 'lots' is not an amount (examples: 12500, 12500.50, 12.500,50, 12,500.50 EUR)\n"),
            (["--value", "5 EUR", "--currency", "USD"], "leads: --value: '5 EUR' names two different currencies\n"),
            (["--value", "€5k"], "leads: --value: 'k' is not a currency: shorthand for thousands (k) or millions (M) is not read; write the whole amount, e.g. 5000 or 5.000,00\n"),
            (["--value", "1.2M"], "leads: --value: 'M' is not a currency: shorthand for thousands (k) or millions (M) is not read; write the whole amount, e.g. 5000 or 5.000,00\n"),
            (["--currency", "euro"], "leads: --currency: unknown currency 'euro': use an ISO 4217 code such as EUR, USD or CHF\n"),
            (["--probability", "101"], "leads: --probability: '101': a probability is a percent from 0 to 100 (60, 33.33)\n"),
            (["--probability", "33.333"], "leads: --probability: '33.333': finer than a hundredth of a percent; probabilities are kept to 0.01 % and never rounded\n"),
            (["--email", "jane.example.com"], "leads: --email: 'jane.example.com': not an e-mail address (name@example.com)\n"),
            (["--close", "31.02.2027"], "leads: --close: '31.02.2027' does not exist in the calendar\n"),
            (["--close", "2027-01-31T10:00"], "leads: --close: '2027-01-31T10:00' has a time of day; a date is expected here\n"),
            (["--stage", "n"], "leads: --stage: stage 'n' is ambiguous: it could be new or negotiation\n"),
            (["--stage", "hot"], "leads: --stage: unknown stage 'hot'; stages are: new, contacted, qualified, proposal, negotiation, won, lost, dnc\n"),
            (["--label", "a,b"], "leads: --label: 'a,b': a label must not contain a comma\n"),
            (["--field", "novalue"], "leads: --field: 'novalue': expected KEY=VALUE\n"),
            (["--next", "some day"], "leads: --next: 'some day' is not a date (examples: 2026-12-01, 2026-12-01T14:30, 31.12.2026, today, tomorrow, +3d, +2w, +1m, monday)\n"),
        ]
        for (options, message) in cases {
            let result = box.run(["add", "New lead"] + options)
            #expect(result.status == 1, "\(options)")
            #expect(result.stdout == "", "\(options)")
            #expect(result.stderr == message, "\(options)")
        }
        #expect(box.snapshot() == before)
    }

    @Test func allOptionsAreStored() throws {
        let box = Sandbox(now: "2026-11-23T10:00:00Z")
        let id = box.add("Jane Roe", "--company", "Acme", "--email", "jane@acme.example", "--phone", "+49 89 1",
                         "--address", "Hauptstr. 1\n80331 München", "--owner", "bob", "--source", "fair",
                         "--campaign", "spring", "--stage", "QUAL", "--value", "5000", "--currency", "usd",
                         "--probability", "35%", "--close", "31.01.2027", "--label", "hot", "--field", "size=12",
                         "--note", "met at the fair", "--next", "+3d")
        let lead = try #require(box.leadJSON(id))
        #expect(lead["company"] as? String == "Acme")
        #expect(lead["email"] as? String == "jane@acme.example")
        #expect(lead["phone"] as? String == "+49 89 1")
        #expect(lead["address"] as? String == "Hauptstr. 1\n80331 München")
        #expect(lead["owner"] as? String == "bob")
        #expect(lead["source"] as? String == "fair")
        #expect(lead["campaign"] as? String == "spring")
        #expect(lead["stage"] as? String == "qualified")
        #expect(lead["value"] as? String == "5000.00")
        #expect(lead["currency"] as? String == "USD")
        #expect(lead["probability"] as? Int == 35)
        #expect(lead["expected_close"] as? String == "2027-01-31")
        #expect(lead["labels"] as? [String] == ["hot"])
        #expect(lead["organization"] as? Bool == false)
        let notes = try #require(lead["notes"] as? [[String: Any]])
        #expect(notes.count == 1)
        #expect(notes[0]["text"] as? String == "met at the fair")
        #expect(notes[0]["by"] as? String == "alice")
        let reminders = try #require(lead["reminders"] as? [[String: Any]])
        #expect(reminders[0]["due"] as? String == "2026-11-26")
        #expect(reminders[0]["owner"] as? String == "bob")
        #expect(reminders[0]["n"] as? Int == 1)
    }

    @Test func idsAreSequential() {
        let box = Sandbox()
        #expect((1...5).map { box.add("Lead \($0)") } == [1, 2, 3, 4, 5])
    }

    @Test func duplicatesAreRefusedNamingTheExistingLead() {
        let box = Sandbox()
        box.add("Jane Roe", "--email", "Jane@Example.com")
        box.add("Müller GmbH", "--company", "Müller")
        let before = box.snapshot()
        let email = box.run("add", "J. Roe", "--email", "jane@example.COM")
        #expect(email.status == 1)
        #expect(email.stderr == "leads: lead 1 has the same e-mail address; use --allow-duplicate to add it anyway\n")
        let name = box.run("add", "müller  gmbh", "--company", "MÜLLER")
        #expect(name.status == 1)
        #expect(name.stderr == "leads: lead 2 has the same name and company; use --allow-duplicate to add it anyway\n")
        #expect(box.snapshot() == before)
        #expect(box.run("add", "J. Roe", "--email", "jane@example.com", "--allow-duplicate").stdout == "3\n")
        // Another company with the same name is not a duplicate.
        #expect(box.run("add", "Müller GmbH", "--company", "Other").stdout == "4\n")
    }

    @Test func userComesFromFlagThenEnvironment() {
        let box = Sandbox(user: "alice")
        let fromEnv = box.add("A")
        let fromFlag = box.add("B", "--user", "bob")
        let fromUSER = box.run(["add", "C"], env: ["LEADS_USER": nil, "USER": "carol"])
        #expect(box.leadJSON(fromEnv)?["created_by"] as? String == "alice")
        #expect(box.leadJSON(fromFlag)?["created_by"] as? String == "bob")
        #expect(box.leadJSON(fromFlag)?["owner"] as? String == "bob")
        #expect(box.leadJSON(3)?["owner"] as? String == "carol")
        #expect(fromUSER.status == 0)
    }

    /// The acting user goes into every file and record a command writes: it follows the
    /// rule for owners (`assign`, `--owner`), checked before anything is written.
    @Test func aBlankOrMultiLineActingUserIsRefused() {
        let box = Sandbox(user: "alice")
        box.add("A", "-q")
        let before = box.snapshot()
        for (user, problem) in [(" ", "must not be empty"), ("\t", "must not be empty"), ("a\nb", "must be a single line"),
                                ("a\r\nb", "must be a single line")] {
            let flag = box.run("--user", user, "add", "C", "-q")
            #expect(flag.status == 2, "\(user.debugDescription)")
            #expect(flag.stderr.hasPrefix("leads: invalid --user '") && flag.stderr.hasSuffix("': \(problem)\n"), "\(flag.stderr)")
            let variable = box.run(["note", "1", "hi"], env: ["LEADS_USER": user])
            #expect(variable.status == 2, "\(user.debugDescription)")
            #expect(variable.stderr.hasPrefix("leads: LEADS_USER='") && variable.stderr.hasSuffix("' is not valid: \(problem)\n"),
                    "\(variable.stderr)")
            #expect(flag.stdout == "" && variable.stdout == "")
        }
        #expect(box.run(["add", "C", "-q", "--user", " "]).stderr == "leads: invalid --user ' ': must not be empty\n")
        #expect(box.run(["add", "C", "-q"], env: ["LEADS_USER": " "]).stderr == "leads: LEADS_USER=' ' is not valid: must not be empty\n")
        #expect(box.snapshot() == before)
        // --user wins over a bad variable; `log --user` is log's filter, not the acting user.
        #expect(box.run(["note", "1", "hi", "-q", "--user", "bob"], env: ["LEADS_USER": " "]).status == 0)
        #expect(box.run("log", "--user", " ").status == 0)
    }

    @Test func defaultDataDirectoryIsCreatedPrivate() throws {
        let box = Sandbox()
        let xdg = box.root + "/xdg"
        let result = box.run(["add", "A"], env: ["LEADS_DIR": nil, "XDG_DATA_HOME": xdg])
        #expect(result.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: xdg + "/leads")
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        #expect(FileManager.default.fileExists(atPath: xdg + "/leads/leads/1.json"))
        let home = box.run(["add", "B"], env: ["LEADS_DIR": nil])
        #expect(home.status == 0)
        #expect(FileManager.default.fileExists(atPath: box.root + "/home/.local/share/leads/leads/1.json"))
    }

    @Test func noHomeAndNoDirectoryIsAUsageError() {
        let box = Sandbox()
        let result = box.run(["add", "A"], env: ["LEADS_DIR": nil, "HOME": nil])
        #expect(result.status == 2)
        #expect(result.stderr == "leads: no data directory: HOME is not set; use --dir DIR or set LEADS_DIR\n")
    }

    @Test func initWritesDefaultConfig() throws {
        let box = Sandbox()
        let result = box.run("init")
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "leads: created a data directory in \(box.dir)\n")
        let config = try #require(box.file("config.json"))
        #expect(config.contains("\"name\": \"proposal\""))
        #expect(config.contains("\"probability\": 60"))
        #expect(box.run("init").stderr == "leads: \(box.dir) is already initialised\n")
        let other = box.root + "/other"
        #expect(box.run("init", other).status == 0)
        #expect(FileManager.default.fileExists(atPath: other + "/config.json"))
    }
}

@Suite struct ShowListLogTests {
    @Test func showText() {
        let box = Sandbox()
        box.add("Jane Roe", "--company", "Acme", "--email", "jane@acme.example", "--value", "1000", "--stage", "proposal",
                "--note", "first call", "--next", "2026-11-20", "--label", "hot")
        let result = box.run("show", "#1")
        #expect(result.status == 0)
        #expect(result.stdout == """
            #1 Jane Roe
              stage    proposal (60 %)
              value    1000.00 EUR   weighted 600.00 EUR
              owner    alice
              company  Acme
              email    jane@acme.example
              labels   hot
              created  2026-11-23 10:00 by alice
              updated  2026-11-23 10:00 by alice

            Reminders
              1.1  2026-11-20  alice  ! 3 days overdue

            Notes
              2026-11-23 10:00  alice
                first call

            History
              2026-11-23 10:00  alice  add (proposal, alice)

            """)
    }

    @Test func showJSON() throws {
        let box = Sandbox()
        box.add("Jane", "--value", "999.99", "--probability", "33")
        let result = box.run("show", "1", "--json")
        #expect(result.status == 0)
        let lead = try #require(try result.json() as? [String: Any])
        #expect(lead["id"] as? Int == 1)
        #expect(lead["effective_probability"] as? Int == 33)
        #expect(lead["weighted_value"] as? String == "329.997".replacingOccurrences(of: "329.997", with: "330.00"))
        #expect(lead["overdue"] as? Bool == false)
        let history = try #require(lead["history"] as? [[String: Any]])
        #expect(history.map { $0["action"] as? String } == ["add"])
    }

    @Test func showUnknownLead() {
        let result = Sandbox().run("show", "7")
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == "leads: no lead 7\n")
    }

    @Test func listShowsOpenLeadsWithFilters() throws {
        let box = Sandbox()
        box.add("Alpha", "--owner", "bob", "--label", "hot", "--source", "web", "--value", "300")
        box.add("Beta", "--stage", "won", "--value", "100")
        box.add("Gamma", "--email", "gamma@x.example", "--note", "asked about Pricing", "--value", "200")
        box.add("Delta", "--stage", "qualified", "--campaign", "fair")
        func ids(_ arguments: String...) -> [String] { box.run(["list", "--ids"] + arguments).lines }
        #expect(ids() == ["1", "3", "4"])
        #expect(ids("--all") == ["1", "2", "3", "4"])
        #expect(ids("--stage", "won") == ["2"])
        #expect(ids("--stage", "qual", "--stage", "new") == ["1", "3", "4"])
        #expect(ids("--owner", "bob") == ["1"])
        #expect(ids("--mine") == ["3", "4"])
        #expect(ids("--label", "hot") == ["1"])
        #expect(ids("--source", "web") == ["1"])
        #expect(ids("--campaign", "fair") == ["4"])
        #expect(ids("--search", "pricing") == ["3"])
        #expect(ids("--search", "GAMMA@") == ["3"])
        #expect(ids("--sort", "-value") == ["1", "3", "4"])
        #expect(ids("--sort", "value") == ["3", "1", "4"])
        #expect(ids("--sort", "name", "--limit", "2") == ["1", "4"])
        let json = try #require(try box.run("list", "--json").json() as? [[String: Any]])
        #expect(json.map { $0["id"] as? Int } == [1, 3, 4])
        #expect(json[0]["value"] as? String == "300.00")
        #expect(json[0]["weighted_value"] as? String == "30.00")
    }

    @Test func listTableIsPlainIntoAPipe() {
        let box = Sandbox()
        box.add("Alpha", "--value", "300", "--next", "2026-11-01")
        box.add("Beta GmbH", "--company", "Beta", "--owner", "bob")
        let result = box.run("list")
        #expect(result.status == 0)
        #expect(result.stdout == """
            ID  NAME       COMPANY  STAGE       VALUE  OWNER  NEXT          LAST CONTACT
             1  Alpha               new    300.00 EUR  alice  2026-11-01 !
             2  Beta GmbH  Beta     new                bob

            """)
        #expect(!result.stdout.contains("\u{1B}"))
    }

    @Test func emptyListPrintsNothing() {
        let result = Sandbox().run("list")
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "")
    }

    @Test func corruptLeadIsNamedAndOthersStayUsable() {
        let box = Sandbox()
        box.add("Good")
        box.add("Broken")
        box.write("leads/2.json", "{\n  \"id\": 2,\n  \"name\": \"Broken\"\n  \"stage\": \"new\"\n}\n")
        let before = box.fileBytes("leads/2.json")
        let show = box.run("show", "2")
        #expect(show.status == 1)
        #expect(show.stderr == "leads: leads/2.json:4:3: unexpected character '\"'\nleads: run 'leads fsck' to check the store\n")
        #expect(box.run("show", "1").status == 0)
        let list = box.run("list", "--ids")
        #expect(list.status == 1)
        #expect(list.stdout == "1\n")
        #expect(list.stderr.hasPrefix("leads: leads/2.json:4:3: "))
        #expect(box.fileBytes("leads/2.json") == before)
        // Writers keep working on the good leads.
        #expect(box.add("Third") == 3)
    }

    @Test func logShowsEntriesWithNamesJoinedIn() throws {
        let box = Sandbox(now: "2026-11-20T09:00:00Z")
        box.add("Alpha")
        box.run(["add", "Beta"], env: ["LEADS_NOW": "2026-11-22T09:00:00Z", "LEADS_USER": "bob"])
        let all = box.run("log")
        #expect(all.status == 0)
        #expect(all.stdout == """
            2026-11-20 09:00  alice  #1 Alpha  add (new, alice)
            2026-11-22 09:00  bob    #2 Beta   add (new, bob)

            """)
        #expect(box.run("log", "2").lines.count == 1)
        #expect(box.run("log", "--since", "2026-11-21").lines.count == 1)
        #expect(box.run("log", "--user", "alice").lines.count == 1)
        #expect(box.run("log", "-n", "1").stdout.contains("Beta"))
        #expect(box.run("log", "--action", "status").stdout == "")
        let json = try #require(try box.run("log", "--json").json() as? [[String: Any]])
        #expect(json.count == 2)
        #expect(json[0]["name"] as? String == "Alpha")
        #expect(json[0]["lead"] as? Int == 1)
        #expect(json[0]["time"] as? String == "2026-11-20T09:00:00Z")
    }

    @Test func activityLogHoldsNoPersonalData() throws {
        let box = Sandbox()
        box.add("Jane Secretname", "--company", "Hidden Corp", "--email", "jane@secret.example",
                "--phone", "+49 555 0101", "--address", "Secret Street 5", "--note", "a confidential remark")
        let log = try #require(box.file("activity.log"))
        for secret in ["Secretname", "Hidden", "secret.example", "555", "Secret Street", "confidential"] {
            #expect(!log.contains(secret), "log contains \(secret)")
        }
        #expect(box.logEntries().count == 1)
        for line in log.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil)
        }
    }

    @Test func tornLastLogLineIsCutByTheNextWriter() throws {
        let box = Sandbox()
        box.add("A")
        let handle = try #require(FileHandle(forWritingAtPath: box.dir + "/activity.log"))
        handle.seekToEndOfFile()
        handle.write(Data("{\"action\":\"add\",\"le".utf8))
        try handle.close()
        box.add("B")
        let lines = try #require(box.file("activity.log")).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)  // two records and the empty string after the final newline
        #expect(box.logEntries().map { $0["lead"] as? Int } == [1, 2])
    }
}
