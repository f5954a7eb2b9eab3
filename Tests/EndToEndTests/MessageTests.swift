import Foundation
import Testing

/// The messages of the error paths a user meets first, exactly: `leads: ` on every line,
/// lower case, the argument, file or line named, the fix where there is one, and the
/// exit status (1 failure, 2 usage, 75 lock timeout). Nothing on stdout, nothing changed.
@Suite struct MessageTests {
    static let cases: [(arguments: [String], status: Int32, stderr: String)] = [
        (["lst"], 2, "unknown command 'lst'; did you mean 'list'?\nrun 'leads help' for the list of commands"),
        (["list", "--ownr", "bob"], 2, "unknown option '--ownr' for 'list'; did you mean '--owner'?\nrun 'leads list --help' for its options"),
        (["list", "--owner"], 2, "option '--owner' needs a value"),
        (["list", "--sort", "nme"], 2,
         "invalid --sort 'nme': sort by one of id, name, company, stage, value, owner, close, next, created, updated; did you mean 'name'?"),
        (["list", "--owner", "a", "--mine"], 2, "options '--owner' and '--mine' cannot be used together"),
        (["show"], 2, "show: missing ID\nrun 'leads show --help' for its usage"),
        (["show", "abc"], 2, "invalid ID 'abc': an ID is a positive number such as 42 or #42"),
        (["show", "99"], 1, "no lead 99"),
        (["status", "1", "n"], 1, "STAGE: stage 'n' is ambiguous: it could be new or negotiation"),
        (["status", "1", "xyz"], 1, "STAGE: unknown stage 'xyz'; stages are: new, contacted, qualified, proposal, negotiation, won, lost, dnc"),
        (["status", "1", "qualifed"], 1, "STAGE: unknown stage 'qualifed'; stages are: new, contacted, qualified, proposal, negotiation, won, lost, dnc; did you mean 'qualified'?"),
        (["add", "X", "--value", "12.500"], 1,
         "--value: '12.500' is ambiguous: 12500.00 if the separator groups thousands, 12.50 if it is the decimal point; write 12500.00 or 12.50 (import-csv: use --decimal . or --decimal ,; for every command: \"decimal\" in config.json)"),
        (["add", "X", "--close", "31.02.2027"], 1, "--close: '31.02.2027' does not exist in the calendar"),
        (["add", "X", "--currency", "EURO", "--value", "5"], 1, "--currency: unknown currency 'EURO': use an ISO 4217 code such as EUR, USD or CHF"),
        (["add", "Jane", "--email", "JANE@x.example"], 1, "lead 1 has the same e-mail address; use --allow-duplicate to add it anyway"),
        (["remind", "--snooze", "1.1"], 2, "remind --snooze: missing WHEN\nrun 'leads remind --help' for its usage"),
        (["remind", "--list", "1", "2"], 2, "remind: unexpected argument '2'\nrun 'leads remind --help' for its usage"),
        (["remind", "--once"], 2, "option '--once' works only with --due"),
        (["remind", "--done", "1.9"], 1, "no reminder 1.9"),
        (["pipeline", "--by", "stag"], 2, "invalid --by 'stag': group by one of stage, owner, month, source, label, campaign; did you mean 'stage'?"),
        (["export-csv", "--output", "/nonexistent/x.csv"], 1, "cannot create /nonexistent/x.csv: no such file or directory"),
        (["import-csv", "/nonexistent.csv"], 1, "cannot open /nonexistent.csv: no such file or directory"),
        (["delete", "1"], 1, "delete: not on a terminal; add --yes to confirm"),
        (["help", "lst"], 2, "no help for 'lst': not a command; did you mean 'list'?"),
    ]

    @Test func errorPathsSayWhatAndHow() {
        let box = Sandbox()
        box.add("Jane", "--email", "jane@x.example", "--next", "+1d")
        let before = box.snapshot()
        for (arguments, status, stderr) in Self.cases {
            let result = box.run(arguments)
            let expected = stderr.split(separator: "\n").map { "leads: \($0)\n" }.joined()
            #expect(result.status == status, "\(arguments)")
            #expect(result.stderr == expected, "\(arguments)")
            #expect(result.stdout == "", "\(arguments)")
        }
        #expect(box.snapshot() == before)
    }

    @Test func importProblemsNameFileLineAndColumn() throws {
        let box = Sandbox()
        let path = box.input("in.csv", "name,stage,value\nA,nope,12.500\n")
        #expect(box.refusedImport(path) == """
            leads: \(path):2: value: '12.500' is ambiguous: 12500.00 if the separator groups thousands, 12.50 if it is the decimal point; write 12500.00 or 12.50 (import-csv: use --decimal . or --decimal ,; for every command: \"decimal\" in config.json)
            leads: \(path): stage 'nope' (column 'stage', line 2) is no stage; read it with --map-value 'stage:nope=STAGE' (STAGE: new, contacted, qualified, proposal, negotiation, won, lost, dnc)
            leads: \(path): 1 row rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        _ = FileManager.default.createFile(atPath: path, contents: Data("Name,Emial\nA,a@x.example\n".utf8))
        #expect(box.run("import-csv", path).stderr
            == "leads: \(path): unknown column 'Emial' (did you mean email?); keep it with --map 'Emial=field:KEY' or drop it with --map 'Emial=-'\n")
    }

    /// A CRM's export read without --from: the refusal names the profile that reads it,
    /// and only when the columns point to one or two systems.
    @Test func anExportWithoutFromNamesTheProfileThatReadsIt() {
        let box = Sandbox()
        let path = box.root + "/contacts.csv"
        _ = FileManager.default.createFile(atPath: path, contents: Data(
            "Record ID,First Name,Last Name,Email,Lifecycle Stage\r\n7,Jana,Novak,jana@example.cz,lead\r\n".utf8))
        let before = box.snapshot()
        let result = box.run("import-csv", path)
        #expect(result.status == 1)
        #expect(box.snapshot() == before)
        #expect(result.stderr.hasSuffix("leads: \(path): --from hubspot reads these columns as that system exports them (see import-csv --help)\n"))
        #expect(box.run("import-csv", path, "--from", "hubspot").status == 0)
        #expect(box.leadJSON(1)?["name"] as? String == "Jana Novak")
        // First Name and Last Name alone are five systems' headers: no guess.
        _ = FileManager.default.createFile(atPath: path, contents: Data("First Name,Last Name\nA,B\n".utf8))
        #expect(!box.run("import-csv", path).stderr.contains("--from"))
    }

    /// Several broken files: each named with its line and column, the advice given once.
    @Test func brokenFilesAreNamedAndTheAdviceGivenOnce() {
        let box = Sandbox()
        for name in ["A", "B", "C"] { box.add(name) }
        box.write("leads/2.json", "{\n")
        box.write("leads/3.json", "{\"id\": 3,\n")
        let result = box.run("list", "--ids")
        #expect(result.status == 1)
        #expect(result.stdout == "1\n")
        #expect(result.stderr == """
            leads: leads/2.json:2:1: unexpected end of file (truncated?)
            leads: leads/3.json:2:1: unexpected end of file (truncated?)
            leads: run 'leads fsck' to check the store

            """)
    }

    /// Another program holds the lock (as `lockf` takes it): exit 75 naming the holder
    /// and the variable that sets the wait, and nothing changed.
    @Test func aLockTimeoutNamesTheHolder() throws {
        let box = Sandbox()
        box.add("Jane")
        let before = box.snapshot()
        let script = """
            import fcntl, json, os, subprocess, sys
            held = os.open(sys.argv[1], os.O_RDWR)
            fcntl.lockf(held, fcntl.LOCK_EX)
            results = []
            for arguments in (["add", "X"], ["list"], ["remind", "--due", "--once"]):
                run = subprocess.run([sys.argv[2]] + arguments, capture_output=True, text=True)
                results.append({"status": run.returncode, "stdout": run.stdout, "stderr": run.stderr})
            print(json.dumps(results))
            """
        var environment = box.environment
        environment["LEADS_LOCK_TIMEOUT"] = "0.2"
        let run = Sandbox.execute("/usr/bin/env", ["python3", "-c", script, box.dir + "/.lock", Sandbox.binary],
                                  stdin: nil, environment: environment)
        let results = try #require(try run.json() as? [[String: Any]], "\(run.stderr)")
        #expect(results.count == 3)
        for result in results {
            #expect(result["status"] as? Int == 75)
            #expect(result["stdout"] as? String == "")
            let stderr = try #require(result["stderr"] as? String)
            #expect(stderr.hasPrefix("leads: the store is locked by pid "), "\(stderr)")
            #expect(stderr.hasSuffix("; gave up after 0.2 s (LEADS_LOCK_TIMEOUT); try again later\n"), "\(stderr)")
            // The holder's command line, a multi-line script here, on one short line.
            #expect(stderr.contains(" (python3 -c import fcntl, json, os, subprocess, sys held = "), "\(stderr)")
            #expect(stderr.contains("…) user "), "\(stderr)")
            #expect(stderr.split(separator: "\n").count == 1)
        }
        #expect(box.snapshot() == before)
    }

    @Test func environmentErrorsNameTheVariable() {
        let box = Sandbox()
        let now = box.run(["list"], env: ["LEADS_NOW": "tomorrow"])
        #expect(now.status == 2)
        #expect(now.stderr == "leads: LEADS_NOW='tomorrow' is not valid: expected an ISO-8601 date-time such as 2026-11-22T09:30:00Z\n")
        let timeout = box.run(["add", "X"], env: ["LEADS_LOCK_TIMEOUT": "soon"])
        #expect(timeout.status == 2)
        #expect(timeout.stderr == "leads: LEADS_LOCK_TIMEOUT='soon' is not valid: expected a number of seconds such as 10 or 0.5\n")
        let home = box.run(["list"], env: ["HOME": nil, "LEADS_DIR": nil])
        #expect(home.status == 2)
        #expect(home.stderr == "leads: no data directory: HOME is not set; use --dir DIR or set LEADS_DIR\n")
    }

    /// A name typed in a Latin-1 terminal arrives as bytes that are not UTF-8. Swift's own
    /// argument list would repair them into U+FFFD and the lead would be stored altered;
    /// it is refused instead, naming the argument and the byte, and nothing is written.
    @Test func anArgumentThatIsNotUTF8IsRefused() {
        let box = Sandbox()
        var environment = box.environment
        environment["LEADS"] = Sandbox.binary
        let result = Sandbox.execute("/bin/sh", ["-c", #"exec "$LEADS" add "$(printf 'M\374ller')" --company "$(printf 'B\344ckerei')""#],
                                     stdin: nil, environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr == "leads: argument 2 is not UTF-8 text: byte 0xFC after 'M'; leads reads arguments as UTF-8 (is the terminal set to Latin-1?)\n")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: box.dir))
        let first = Sandbox.execute("/bin/sh", ["-c", #"exec "$LEADS" "$(printf '\377')""#], stdin: nil, environment: environment)
        #expect(first.stderr == "leads: argument 1 is not UTF-8 text: byte 0xFF at its start; leads reads arguments as UTF-8 (is the terminal set to Latin-1?)\n")
        #expect(box.add("Müller") == 1)
    }
}
