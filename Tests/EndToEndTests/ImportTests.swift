import Foundation
import Testing

@Suite struct ImportTests {
    /// Writes bytes into the sandbox (outside the data directory) and returns the path.
    @Test func germanExcelExport() throws {
        let box = Sandbox()
        let csv = [0xEF, 0xBB, 0xBF] + Array((
            "Name;Firma;E-Mail;Telefon;Status;Wert;Wahrscheinlichkeit;Abschluss;Quelle;Kampagne;Verantwortlich;Tags;Notiz\r\n"
            + "\"Müller; Söhne\";Müller GmbH;info@mueller.example;+49 89 1;Angebot;12.500,50;45;31.01.2027;Messe;Frühjahr;bob;\"heiß,groß\";\"Zeile 1\r\nsagt \"\"ja\"\"\"\r\n"
            + "Schmidt;;s@x.example;;neu;1.000;;;;;;;\r\n").utf8)
        let path = box.input("excel.csv", csv)
        let ambiguous = box.run("import-csv", path)
        #expect(ambiguous.status == 1)
        #expect(ambiguous.stderr == """
            leads: \(path):4: Wert: '1.000' is ambiguous: 1000.00 if the separator groups thousands, 1.00 if it is the decimal point; write 1000.00 or 1.00 (import-csv: use --decimal . or --decimal ,; for every command: \"decimal\" in config.json)
            leads: \(path): 1 row rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        #expect(!FileManager.default.fileExists(atPath: box.dir + "/leads/1.json"))

        let result = box.run("import-csv", path, "--decimal", ",")
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "leads: \(path): 2 created, 0 updated, 0 skipped, 0 rejected\n")
        let lead = try #require(box.leadJSON(1))
        #expect(lead["name"] as? String == "Müller; Söhne")
        #expect(lead["company"] as? String == "Müller GmbH")
        #expect(lead["email"] as? String == "info@mueller.example")
        #expect(lead["phone"] as? String == "+49 89 1")
        #expect(lead["stage"] as? String == "proposal")
        #expect(lead["value"] as? String == "12500.50")
        #expect(lead["probability"] as? Int == 45)
        #expect(lead["expected_close"] as? String == "2027-01-31")
        #expect(lead["source"] as? String == "Messe")
        #expect(lead["campaign"] as? String == "Frühjahr")
        #expect(lead["owner"] as? String == "bob")
        #expect(lead["labels"] as? [String] == ["heiß", "groß"])
        let notes = try #require(lead["notes"] as? [[String: Any]])
        #expect(notes.first?["text"] as? String == "Zeile 1\r\nsagt \"ja\"")
        #expect(box.leadJSON(2)?["value"] as? String == "1000.00")
        #expect(box.leadJSON(2)?["stage"] as? String == "new")
        let imports = box.logEntries().filter { $0["action"] as? String == "import" }
        #expect(imports.map { $0["lead"] as? Int } == [1, 2])
        #expect(!(box.file("activity.log") ?? "").contains("Müller"))
    }

    @Test func cp1252File() throws {
        let box = Sandbox()
        // "Name;Stadt\r\nJürgen Bäcker;Köln €\r\n" in Windows-1252.
        let bytes: [UInt8] = Array("Name;Adresse\r\nJ".utf8) + [0xFC] + Array("rgen B".utf8) + [0xE4] + Array("cker;K".utf8) + [0xF6]
            + Array("ln ".utf8) + [0x80] + Array("\r\n".utf8)
        let path = box.input("win.csv", bytes)
        let refused = box.run("import-csv", path)
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: \(path):2: Name: not valid UTF-8; if the file comes from Excel on Windows, use --encoding cp1252\n")
        #expect(box.run("import-csv", path, "--encoding", "cp1252").status == 0)
        #expect(box.leadJSON(1)?["name"] as? String == "Jürgen Bäcker")
        #expect(box.leadJSON(1)?["address"] as? String == "Köln €")
    }

    @Test func cp1252FileWithAByteCP1252LeavesUndefinedIsRefused() {
        let box = Sandbox()
        box.add("Existing")
        let before = box.snapshot()
        let path = box.input("notcp.csv", Array("Name;Firma\r\nA;x".utf8) + [0x81] + Array("y\r\n".utf8))
        let refused = box.run("import-csv", path, "--encoding", "cp1252")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: \(path):2: byte 0x81 has no character in cp1252, so the file is not cp1252; save it again as \"CSV UTF-8\"\n")
        #expect(box.snapshot() == before)
    }

    @Test func badRowsAreNamedAndNothingIsWritten() throws {
        let box = Sandbox()
        box.add("Existing")
        let path = box.input("bad.csv", """
            name,email,value,expected_close,probability
            Good One,one@x.example,100,2027-01-31,10
            Bad Mail,not-an-address,100,,
            Good Two,two@x.example,200,,20
            Bad Date,,,31.02.2027,150
            Good Three,,300,,

            """)
        let before = box.snapshot()
        let result = box.run("import-csv", path)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            leads: \(path):3: email: 'not-an-address': not an e-mail address (name@example.com)
            leads: \(path):5: expected_close: '31.02.2027' does not exist in the calendar
            leads: \(path):5: probability: '150': a probability is a percent from 0 to 100 (60, 33.33)
            leads: \(path): 2 rows rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        #expect(box.snapshot() == before)

        let skipped = box.run("import-csv", path, "--skip-invalid", "--json")
        #expect(skipped.status == 0)
        let report = try #require(try skipped.json() as? [String: Any])
        #expect(report["created"] as? Int == 3)
        #expect(report["rejected"] as? Int == 2)
        #expect(report["ids"] as? [String] == ["2-4"])
        #expect((report["problems"] as? [[String: Any]])?.map { $0["line"] as? Int } == [3, 5, 5])
        #expect(box.run("list", "--ids").stdout == "1\n2\n3\n4\n")
        #expect(box.leadJSON(4)?["name"] as? String == "Good Three")
    }

    @Test func recordsSpanningLinesAreReportedWhereTheyStart() {
        let box = Sandbox()
        let path = box.input("multi.csv", "name,notes,email\nA,\"one\ntwo\nthree\",a@x.example\nB,\"four\nfive\",broken\n")
        let result = box.run("import-csv", path)
        #expect(result.stderr.hasPrefix("leads: \(path):5: email: 'broken'"))
    }

    @Test func duplicatePolicies() throws {
        let box = Sandbox()
        box.add("Jane Roe", "--email", "jane@x.example", "--phone", "111")
        let path = box.input("dups.csv", """
            Name,E-Mail,Telefon,Quelle
            Jane Roe,JANE@x.example,222,web
            New Person,new@x.example,,fair
            New Person,,333,
            
            """)
        let error = box.run("import-csv", path)
        #expect(error.status == 1)
        #expect(error.stderr == """
            leads: \(path):2: duplicate of lead 1 (same e-mail address); use --on-duplicate skip, update or create
            leads: \(path):4: duplicate of line 3; use --on-duplicate skip, update or create
            leads: \(path): 2 rows rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        let skip = box.run("import-csv", path, "--on-duplicate", "skip")
        #expect(skip.stderr == "leads: \(path): 1 created, 0 updated, 2 skipped, 0 rejected\n")
        #expect(box.leadJSON(1)?["phone"] as? String == "111")
        let update = box.run("import-csv", path, "--on-duplicate", "update")
        #expect(update.status == 0)
        #expect(box.leadJSON(1)?["phone"] as? String == "222")
        #expect(box.leadJSON(1)?["name"] as? String == "Jane Roe")
        #expect(box.leadJSON(1)?["source"] as? String == "web")
        #expect(box.leadJSON(2)?["phone"] as? String == "333")
        #expect(box.leadJSON(2)?["source"] as? String == "fair")  // an empty cell changes nothing
        let sets = box.logEntries().filter { $0["action"] as? String == "set" }
        #expect(sets.map { $0["lead"] as? Int } == [1, 2])
        #expect(box.run("list", "--ids", "--all").stdout == "1\n2\n")
    }

    @Test func columnsMapsAndDefaults() throws {
        let box = Sandbox()
        let path = box.input("odd.csv", "Kunde,Größe,Intern,Betreuer\nAcme,XL,secret,\n")
        #expect(box.refusedImport(path) == """
            leads: \(path): unknown column 'Kunde'; keep it with --map 'Kunde=field:KEY' or drop it with --map 'Kunde=-'
            leads: \(path): unknown column 'Größe'; keep it with --map 'Größe=field:KEY' or drop it with --map 'Größe=-'
            leads: \(path): unknown column 'Intern'; keep it with --map 'Intern=field:KEY' or drop it with --map 'Intern=-'
            leads: \(path): --keep-unknown keeps all of them as custom fields, --drop-unknown drops them

            """)
        let mapped = box.run("import-csv", path, "--map", "Kunde=name", "--map", "Größe=field:size", "--map", "Intern=-",
                             "--default", "owner=carol", "--default", "stage=qualified")
        #expect(mapped.status == 0, "\(mapped.stderr)")
        let lead = try #require(box.leadJSON(1))
        #expect(lead["name"] as? String == "Acme")
        #expect(lead["fields"] as? [String: String] == ["size": "XL"])
        #expect(lead["owner"] as? String == "carol")
        #expect(lead["stage"] as? String == "qualified")
        #expect(!(box.file("leads/1.json") ?? "").contains("secret"))
        #expect(box.run("import-csv", path, "--map", "Nope=name").stderr == "leads: --map: the header has no column 'Nope'; its columns are 'Kunde', 'Größe', 'Intern', 'Betreuer'\n")
        #expect(box.run("import-csv", path, "--map", "Kunde=nonsense").status == 2)
        #expect(box.run("import-csv", path, "--map", "Kunde=name", "--map", "Größe=-", "--map", "Intern=-", "--default", "probability=200").stderr
                == "leads: --default probability: '200': a probability is a percent from 0 to 100 (60, 33.33)\n")
        let noName = box.input("noname.csv", "email\na@x.example\n")
        #expect(box.run("import-csv", noName).stderr == "leads: \(noName): no column holds the lead's name; name one with --map 'COLUMN=name'\n")
        // A default can stand in for the name column.
        #expect(box.run("import-csv", noName, "--default", "name=Web enquiry").status == 0)
        #expect(box.leadJSON(2)?["name"] as? String == "Web enquiry")
        #expect(box.leadJSON(2)?["email"] as? String == "a@x.example")
    }

    @Test func delimiterDetectionIsNotFooledByQuotedCommas() {
        let box = Sandbox()
        let path = box.input("semi.csv", "\"Name, full\";Firma\n\"Roe, Jane\";Acme\n")
        let result = box.run("import-csv", path, "--map", "Name, full=name")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(box.leadJSON(1)?["name"] as? String == "Roe, Jane")
        #expect(box.leadJSON(1)?["company"] as? String == "Acme")
        let tabs = box.input("tabs.tsv", "name\tcompany\nA\tB\n")
        #expect(box.run("import-csv", tabs).status == 0)
        #expect(box.leadJSON(2)?["company"] as? String == "B")
        let pipes = box.input("pipes.csv", "name|company\nC|D\n")
        #expect(box.run("import-csv", pipes, "--delimiter", "|").status == 0)
        #expect(box.leadJSON(3)?["company"] as? String == "D")
    }

    @Test func dryRunPrintsThePlanAndWritesNothing() {
        let box = Sandbox()
        box.add("Jane", "--email", "jane@x.example")
        let path = box.input("plan.csv", "name,email\nA,a@x.example\nJane,jane@x.example\nB,bad\n")
        let before = box.snapshot()
        let result = box.run("import-csv", path, "--dry-run", "--on-duplicate", "skip")
        #expect(result.status == 1)
        #expect(result.stdout == """
            \(path): would create 1, update 0, skip 1, reject 1
            columns:
              name   → name
              email  → email
            rows:
              line 2: name 'A', stage new, email a@x.example, owner alice
              line 3: name 'Jane', stage new, email jane@x.example, owner alice
            \(path):4: email: 'bad': not an e-mail address (name@example.com)

            """)
        #expect(result.stderr == "leads: \(path): 1 row rejected; the import would fail (fix them, or use --skip-invalid to import the other rows)\n")
        #expect(box.snapshot() == before)
        let fine = box.run("import-csv", path, "--dry-run", "--on-duplicate", "skip", "--skip-invalid")
        #expect(fine.status == 0)
        #expect(box.snapshot() == before)
    }

    @Test func standardInputAndHostileInput() {
        let box = Sandbox()
        let piped = box.run(["import-csv", "-"], stdin: "name\nFrom a pipe\n")
        #expect(piped.status == 0)
        #expect(piped.stderr == "leads: stdin: 1 created, 0 updated, 0 skipped, 0 rejected\n")
        #expect(box.leadJSON(1)?["name"] as? String == "From a pipe")
        let binary = box.run(["import-csv", "-"], stdin: "name\nok\n\u{0}\u{0}\u{0}")
        #expect(binary.status == 1)
        #expect(binary.stderr == "leads: stdin:3: NUL byte; this is not a text file\n")
        let unterminated = box.input("open.csv", "name\n\"never closed\nmore\n")
        #expect(box.run("import-csv", unterminated).stderr == "leads: \(unterminated):2: a quoted cell starts here and is never closed\n")
        let empty = box.input("empty.csv", "")
        #expect(box.run("import-csv", empty).stderr == "leads: \(empty): the file is empty; a header row naming the columns is required\n")
        #expect(box.run("import-csv", box.root + "/missing.csv").stderr == "leads: cannot open \(box.root)/missing.csv: no such file or directory\n")
        // No temporary file is left behind in the data directory.
        let hidden = (try? FileManager.default.contentsOfDirectory(atPath: box.dir))?.filter { $0.hasPrefix(".import") } ?? []
        #expect(hidden.isEmpty)
    }

    @Test func zeroDevicePipedIsRefusedAtOnce() throws {
        let box = Sandbox()
        let start = Date()
        let result = Sandbox.execute("/bin/sh", ["-c", "exec \"$0\" import-csv - < /dev/zero", Sandbox.binary], stdin: nil, environment: box.environment)
        #expect(result.status == 1)
        #expect(result.stderr == "leads: stdin:1: NUL byte; this is not a text file\n")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func hugeFieldIsRefusedQuicklyNamingTheLine() throws {
        let box = Sandbox()
        let path = box.input("huge.csv", "name,notes\nA,\"")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<200 { handle.write(chunk) }
        handle.write(Data("\"\n".utf8))
        try handle.close()
        let start = Date()
        let result = box.run("import-csv", path)
        #expect(result.status == 1)
        #expect(result.stderr == "leads: \(path):2: a cell is longer than 1 MiB; this does not look like a CSV file\n")
        #expect(Date().timeIntervalSince(start) < 5)
        try FileManager.default.removeItem(atPath: path)
    }

    @Test func killedImportResumesExactly() throws {
        let box = Sandbox()
        let rows = 30_000
        var text = "name,email,value\n"
        for i in 1...rows { text += "Lead \(i),lead\(i)@x.example,\(i).50\n" }
        let path = box.input("big.csv", text)
        // Start the import, kill it once some leads are on disk, then resume.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Sandbox.binary)
        process.arguments = ["import-csv", path]
        process.environment = box.environment
        process.standardError = FileHandle.nullDevice
        try process.run()
        var killed = false
        // Kill once the first batch is committed (its log lines appear): cheap to watch,
        // unlike listing a directory of thousands of files.
        for _ in 0..<6000 {
            let logged = (try? FileManager.default.attributesOfItem(atPath: box.dir + "/activity.log"))?[.size] as? Int ?? 0
            if logged > 0 {
                usleep(UInt32.random(in: 0...100_000))
                kill(process.processIdentifier, SIGKILL)
                killed = true
                break
            }
            usleep(2_000)
        }
        process.waitUntilExit()
        #expect(killed, "the import finished before it could be killed")
        let partial = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/leads").filter { $0.hasSuffix(".json") }.count
        #expect(partial < rows)
        // Every file on disk is a complete lead.
        #expect(box.run("list", "--ids").status == 0)

        let onDisk = Set(try FileManager.default.contentsOfDirectory(atPath: box.dir + "/leads")
            .filter { $0.hasSuffix(".json") }.compactMap { Int($0.dropLast(5)) })
        let logged = Set(box.logEntries().compactMap { $0["lead"] as? Int })

        let resume = box.run("import-csv", path, "--on-duplicate", "skip")
        #expect(resume.status == 0, "\(resume.stderr)")
        let ids = box.run("list", "--ids").lines
        #expect(ids.count == rows)
        // The leads of the killed batch are logged as recovered by the resuming import.
        let recovered = Set(box.logEntries().filter { $0["action"] as? String == "recover" }.compactMap { $0["lead"] as? Int })
        #expect(recovered == onDisk.subtracting(logged))
        let check = box.run("fsck")
        #expect(check.status == 0, "\(check.stdout.prefix(500))")
        let json = try #require(try box.run("list", "--json").json() as? [[String: Any]])
        #expect(Set(json.compactMap { $0["email"] as? String }).count == rows)
    }
}

/// What an independent check of real exports found, each a case a user hits.
@Suite struct ImportNamesWhatItDoesTests {
    @Test func aRefusedFileCreatesNoDataDirectory() throws {
        let box = Sandbox()
        let bad = box.input("bad.csv", Array("name,probability\nA,150\n".utf8))
        #expect(box.run("import-csv", bad).status == 1)
        let broken = box.input("broken.csv", Array("name,email\n\"A,a@x.example\n".utf8))
        #expect(box.run("import-csv", broken).status == 1)
        #expect(!FileManager.default.fileExists(atPath: box.dir), "a refused import made \(box.dir)")
        // A good file makes the store, and its leads are checked against each other still.
        let good = box.input("good.csv", Array("name,email\nA,a@x.example\nB,a@x.example\nC,c@x.example\n".utf8))
        let imported = box.run("import-csv", good, "--skip-invalid")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains(":3: "), "\(imported.stderr)")
        #expect(box.leadJSON(1)?["name"] as? String == "A" && box.leadJSON(2)?["name"] as? String == "C" && box.leadJSON(3) == nil)
        #expect(box.run("fsck").status == 0)
    }

    @Test func aValueUnderNoHeaderIsRefusedUnlessTheCommandLineSaysWhatItIs() throws {
        let box = Sandbox()
        box.add("Existing")
        let before = box.snapshot()
        let path = box.input("blank.csv", Array("Name,,Email,\nA,secret,a@x.example,\nB,,b@x.example,\n".utf8))
        let refused = box.run("import-csv", path)
        #expect(refused.status == 1)
        #expect(refused.stderr == """
            leads: \(path):2: column 2 (no header): 'secret': a value in a column without a header; give the column a header, or keep it with --keep-unknown (as field:column_2) or drop it with --drop-unknown
            leads: \(path): 1 row rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        #expect(box.snapshot() == before)

        let kept = box.run("import-csv", path, "--keep-unknown")
        #expect(kept.status == 0)
        #expect((box.leadJSON(2)?["fields"] as? [String: String]) == ["column_2": "secret"])
        #expect(box.leadJSON(3)?["fields"] == nil)

        let other = Sandbox()
        let dropped = other.run("import-csv", path, "--drop-unknown")
        #expect(dropped.status == 0)
        #expect(dropped.stderr.contains("leads: \(path): column 2 (no header) not imported: dropped (--drop-unknown)\n"))
        #expect(dropped.stderr.contains("leads: \(path): column 4 (no header) not imported: dropped (--drop-unknown)\n"))
    }

    @Test func aDateAtMidnightWithAZoneIsThatDateAndOtherTimesAreRefusedWithTheHint() {
        let box = Sandbox()
        let path = box.input("close.csv", Array("""
            name,Close Date
            A,2027-01-31T00:00:00Z
            B,2027-02-28T00:00:00.000Z
            C,31.03.2027 00:00+01:00
            D,2027-04-30 00:00-0500

            """.utf8))
        #expect(box.run("import-csv", path).status == 0)
        #expect((1...4).map { box.leadJSON($0)?["expected_close"] as? String } == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"])
        let timed = box.input("timed.csv", Array("name,Close Date\nE,2027-01-31T10:00:00.000Z\n".utf8))
        let refused = box.run("import-csv", timed)
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("leads: \(timed):2: Close Date: '2027-01-31T10:00:00.000Z': a date is expected, but the cell has the time 10:00:00.000Z; map the column"))
    }

    @Test func aMalformedMapOrDefaultIsAUsageError() {
        let box = Sandbox()
        let path = box.input("a.csv", Array("name\nA\n".utf8))
        for arguments in [["--map", "novalue"], ["--map", "name=nosuchfield"], ["--map-value", "stage:x"], ["--default", "owner"]] {
            let result = box.run(["import-csv", path] + arguments)
            #expect(result.status == 2, "\(arguments)")
        }
        #expect(box.leadJSON(1) == nil)
    }

    @Test func anUpdateWithoutACurrencyKeepsTheLeadsCurrencyAndACurrencyAloneKeepsTheValue() {
        let box = Sandbox()
        box.add("Anna", "--email", "a@x.example", "--value", "100", "--currency", "USD")
        let amount = box.input("amount.csv", Array("Name,Email,Value\nAnna,a@x.example,200\n".utf8))
        #expect(box.run("import-csv", amount, "--on-duplicate", "update").status == 0)
        #expect(box.leadJSON(1)?["value"] as? String == "200.00")
        #expect(box.leadJSON(1)?["currency"] as? String == "USD")
        let currencyOnly = box.input("currency.csv", Array("Name,Email,Value,Currency\nAnna,a@x.example,,CHF\n".utf8))
        let result = box.run("import-csv", currencyOnly, "--on-duplicate", "update")
        #expect(result.stderr.hasSuffix("0 created, 0 updated, 1 skipped, 0 rejected\n"))
        #expect(box.leadJSON(1)?["value"] as? String == "200.00")
        #expect(box.leadJSON(1)?["currency"] as? String == "USD")
        let named = box.input("named.csv", Array("Name,Email,Value\nAnna,a@x.example,300 EUR\n".utf8))
        #expect(box.run("import-csv", named, "--on-duplicate", "update").status == 0)
        #expect(box.leadJSON(1)?["currency"] as? String == "EUR")
    }

    @Test func theDryRunCountsAMatchThatChangesNothingAsASkipAsTheRealRunDoes() {
        let box = Sandbox()
        let path = box.input("u.csv", Array("Name,Email\nAnna,anna@x.example\n".utf8))
        #expect(box.run("import-csv", path).status == 0)
        let dry = box.run("import-csv", path, "--on-duplicate", "update", "--dry-run", "--json")
        let real = box.run("import-csv", path, "--on-duplicate", "update", "--json")
        for output in [dry.stdout, real.stdout] {
            let object = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any]
            #expect(object?["updated"] as? Int == 0)
            #expect(object?["skipped"] as? Int == 1)
        }
    }

    @Test func aDecomposedNameOrAddressIsTheSameKeyAsTheComposedOne() {
        let box = Sandbox()
        box.add("Jörg", "--email", "jörg@x.example")
        let path = box.input("nfd.csv", Array("Name,Email\nJo\u{308}rg,jo\u{308}rg@x.example\n".utf8))
        let result = box.run("import-csv", path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("duplicate of lead 1 (same e-mail address)"))
        // Name and company too, and `add` checks the same keys.
        box.add("Zoë", "--company", "Café")
        let add = box.run("add", "Zoe\u{308}", "--company", "Cafe\u{301}")
        #expect(add.status == 1)
        #expect(add.stderr == "leads: lead 2 has the same name and company; use --allow-duplicate to add it anyway\n")
    }

    /// A 5,000-row import with the fault shim told `fault`: it must stop at the second
    /// batch's first line with the first batch imported, `check` looks at what it left, and
    /// the same import with `--on-duplicate skip` must then bring in the rest.
    func importStoppedInTheSecondBatch(fault: [String: String], check: (Sandbox, RunResult) throws -> Void) throws {
        let box = Sandbox()
        let path = box.input("big.csv", Array(("name,company\n" + (0..<5000).map { "Lead \($0),Firma \($0)\n" }.joined()).utf8))
        let batch = Self.batchSize
        let failed = box.run(["import-csv", path], env: fault.mapValues { Optional($0) }.merging(["LD_PRELOAD": FaultInjectionTests.shim]) { $1 })
        #expect(failed.status == 1)
        #expect(failed.stderr.hasSuffix("leads: \(path):\(batch + 2): the import stopped at this line; the \(batch) leads before it are imported, the rest not: once that is mended, run the same import again with --on-duplicate skip to import the rest\n"), "\(failed.stderr)")
        try check(box, failed)
        // What the first batch wrote is whole, derived files included.
        let checked = box.run("fsck")
        #expect(checked.status == 0, "\(checked.stdout.prefix(300))")
        let resumed = box.run("import-csv", path, "--on-duplicate", "skip")
        #expect(resumed.stderr == "leads: \(path): \(5000 - batch) created, 0 updated, \(batch) skipped, 0 rejected\n")
        #expect(box.run("list", "--ids").lines.count == 5000)
        #expect(box.run("fsck").status == 0)
    }

    @Test(.enabled(if: FaultInjectionTests.shim != nil, "needs cc for the fault shim"))
    func aWriteErrorAfterABatchNamesTheLineItStoppedAtAndTheLeadsImported() throws {
        // The second batch's sync fails: the first batch stays, the second is undone. With
        // two cores the second fails while the third is being made (StoreBatch.swift).
        try importStoppedInTheSecondBatch(fault: ["LEADS_FAULT_CALL": "syncfs", "LEADS_FAULT_NTH": "2", "LEADS_FAULT_ERRNO": String(ENOSPC)]) { box, _ in
            let files = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/leads").filter { $0.hasSuffix(".json") }
            #expect(files.count == Self.batchSize)
        }
    }

    @Test(.enabled(if: FaultInjectionTests.shim != nil, "needs cc for the fault shim"))
    func aLeadFileThatCannotBeMadeAmongABatchsUndoesTheBatchWhole() throws {
        // The second batch's files are made on two threads: one in its middle cannot be
        // put in place (no hard links, as on some file systems, and then its rename
        // fails). Every other file of that batch, made before or after it on either
        // thread, is taken away again; the first batch stays.
        let batch = Self.batchSize
        try importStoppedInTheSecondBatch(fault: ["LEADS_FAULT_PATH": ".json", "LEADS_FAULT_ALWAYS": "link", "LEADS_FAULT_ALWAYS_ERRNO": String(EPERM),
                                                  "LEADS_FAULT_CALL": "rename", "LEADS_FAULT_NTH": String(batch + 700),
                                                  "LEADS_FAULT_ERRNO": String(ENOSPC)]) { box, failed in
            // The batch's 700th rename by the order the two threads got there in: one may
            // have taken its file long before the other went on past it.
            let named = failed.stderr.split(separator: "\n").first.flatMap { line in
                line.hasPrefix("leads: cannot replace leads/") && line.hasSuffix(".json: no space left on device")
                    ? Int(line.dropFirst(28).prefix { $0 != "." }) : nil
            }
            #expect(named.map { (batch + 1...batch + 701).contains($0) } == true, "\(failed.stderr)")
            let names = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/leads")
            let stray = Set(names).subtracting((1...batch).map { "\($0).json" })
            #expect(stray.isEmpty && names.count == batch, "\(names.count) names, among them \(stray.sorted().prefix(5))")
            #expect(box.logEntries().count == batch)
        }
    }

    /// Leads per import batch: StoreWriter.batch's default on this machine.
    static let batchSize = sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 ? 2048 : 4096

    @Test func aRowUpdatingALeadOfTheBatchStillCommittingReadsItAfterItsCommit() throws {
        // The first batch commits while the next rows are made. The last two rows update
        // the lead of a row of the next batch (still pending: it is committed, and waited
        // for, first) and that of row 5: each must see its lead as written, and change
        // only what it brings.
        let box = Sandbox()
        let created = Self.batchSize + 100, later = Self.batchSize + 12
        var text = "name,company,value\n" + (1...created).map { "Lead \($0),Firma \($0),\n" }.joined()
        text += "Lead \(later),Firma \(later),99 USD\nLead 5,Firma 5,1234.50 EUR\n"
        let path = box.input("grow.csv", text)
        let result = box.run("import-csv", path, "--on-duplicate", "update")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "leads: \(path): \(created) created, 2 updated, 0 skipped, 0 rejected\n", "\(result.stderr)")
        for (id, value, currency) in [(5, "1234.50", "EUR"), (later, "99.00", "USD")] {
            let lead = try #require(box.leadJSON(id))
            #expect(lead["name"] as? String == "Lead \(id)" && lead["company"] as? String == "Firma \(id)")
            #expect(lead["value"] as? String == value && lead["currency"] as? String == currency, "\(lead)")
        }
        let actions = box.logEntries().map { $0["action"] as? String }
        #expect(actions.count == created + 2 && actions.suffix(2) == ["set", "set"] && actions.dropLast(2).allSatisfy { $0 == "import" })
        #expect(box.run("fsck").status == 0)
    }

    @Test func aFullExportImportedAgainWithUpdateMatchesEachRowToItsOwnLead() {
        let box = Sandbox()
        box.add("Dup", "--company", "ACME")
        #expect(box.run("add", "Dup", "--company", "ACME", "--allow-duplicate", "-q").status == 0)
        #expect(box.run("convert", "1", "-q").status == 0)
        let full = box.run("export-csv", "--all", "--full")
        let path = box.input("full.csv", Array(full.stdout.utf8))
        let copy = Sandbox()
        #expect(copy.run("import-csv", path, "-q").status == 0)
        let again = copy.run("import-csv", path, "--on-duplicate", "update", env: ["LEADS_NOW": "2026-11-24T10:00:00Z"])
        #expect(again.status == 0)
        #expect(again.stderr.hasSuffix("0 created, 0 updated, 2 skipped, 0 rejected\n"))
        #expect(copy.leadJSON(1)?["stage"] as? String == "won")
        #expect(copy.leadJSON(2)?["stage"] as? String == "new")
    }
}

/// SPEC §5's money rule for other systems' files, and export-csv's own files read back as written.
@Suite struct ImportOwnExportTests {
    @Test func anAmountFinerThanItsCurrencyIsRefusedInAnotherSystemsFile() {
        let box = Sandbox()
        let path = box.input("fine.csv", "name,value\nA,JPY 1000.5\nB,EUR 0.001\nC,JPY 1000.00\nD,BHD 0.125\n")
        let refused = box.run("import-csv", path)
        #expect(refused.status == 1)
        #expect(refused.stderr == """
            leads: \(path):2: value: 'JPY 1000.5' is finer than JPY counts (no decimal places); amounts are never rounded or shifted
            leads: \(path):3: value: 'EUR 0.001' is finer than EUR counts (2 decimal places); amounts are never rounded or shifted
            leads: \(path): 2 rows rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        #expect(box.run("import-csv", path, "--skip-invalid").status == 0)
        #expect(box.leadJSON(1)?["value"] as? String == "1000.00")
        #expect(box.leadJSON(2)?["value"] as? String == "0.125")
    }

    @Test func theDefaultExportRoundTripsFourDigitsAndALabelWithASemicolon() {
        let box = Sandbox()
        box.add("X", "--label", "hot", "--label", "b;2b", "--value", "0.001")
        let exported = box.run("export-csv", "--all")
        #expect(exported.status == 0)
        let path = box.root + "/own.csv"
        FileManager.default.createFile(atPath: path, contents: Data(exported.stdout.utf8))
        let copy = Sandbox()
        let imported = copy.run("import-csv", path)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(copy.leadJSON(1)?["labels"] as? [String] == ["hot", "b;2b"])
        #expect(copy.leadJSON(1)?["value"] as? String == "0.001")
    }
}
