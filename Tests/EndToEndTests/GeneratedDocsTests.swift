import Foundation
import Testing

/// The man page and the completion scripts are generated from the command table by the
/// binary and committed; these tests fail when the committed files drift from the table.
@Suite struct GeneratedDocsTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// What regenerates every generated file, from the repository root.
    static let regenerate = "swift run leads __man > Docs/leads.1"
        + " && swift run leads completion bash > completions/leads.bash"
        + " && swift run leads completion zsh > completions/_leads"
        + " && swift run leads completion fish > completions/leads.fish"

    /// (committed file, arguments that generate it)
    static let generated: [(String, [String])] = [
        ("Docs/leads.1", ["__man"]),
        ("completions/leads.bash", ["completion", "bash"]),
        ("completions/_leads", ["completion", "zsh"]),
        ("completions/leads.fish", ["completion", "fish"]),
    ]

    static func committed(_ relative: String) -> String? {
        FileManager.default.contents(atPath: repositoryRoot.appendingPathComponent(relative).path)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    @Test(arguments: generated.map(\.0))
    func committedFileIsWhatTheTableGenerates(file: String) throws {
        let arguments = try #require(Self.generated.first { $0.0 == file }?.1)
        let result = Sandbox().run(arguments)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(!result.stdout.isEmpty)
        let committed = Self.committed(file)
        // Compared as a Bool: a failure shows the first different line, not both files.
        let current = committed == result.stdout
        #expect(current, """
            \(file) differs from what `leads \(arguments.joined(separator: " "))` generates from the command table \
            (\(committed.map { Self.firstDifference($0, result.stdout) } ?? "the file is missing")). \
            Regenerate the generated files from the repository root with:
            \(Self.regenerate)
            """)
    }

    static func firstDifference(_ committed: String, _ generated: String) -> String {
        let x = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let y = generated.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(x.count, y.count) {
            let a = index < x.count ? String(x[index]) : "(end of file)"
            let b = index < y.count ? String(y[index]) : "(end of file)"
            if a != b { return "line \(index + 1): committed \(a.debugDescription), generated \(b.debugDescription)" }
        }
        return "no difference"
    }

    @Test(.enabled(if: Tool.path("mandoc") != nil, "mandoc is not installed (apt-get install mandoc); .ci/run installs it"))
    func manPageLintsClean() throws {
        let box = Sandbox()
        let page = box.run("__man")
        #expect(page.status == 0)
        let path = box.root + "/leads.1"
        try page.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        let lint = Sandbox.execute(try #require(Tool.path("mandoc")), ["-T", "lint", "-W", "all", path], stdin: nil, environment: ["PATH": "/usr/bin:/bin"])
        #expect(lint.stdout + lint.stderr == "", "mandoc -T lint reports problems in the generated page")
        #expect(lint.status == 0)
        // And it renders: the sections the issue asks for are there.
        let rendered = Sandbox.execute(try #require(Tool.path("mandoc")), ["-T", "utf8", path], stdin: nil, environment: ["PATH": "/usr/bin:/bin"]).stdout
        // Bold and underline are overstruck ("X\bX"): keep the last character of each.
        var text = ""
        for character in rendered { if character == "\u{8}" { _ = text.popLast() } else { text.append(character) } }
        for heading in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "FILES", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "SEE ALSO"] {
            #expect(text.contains("\n" + heading + "\n"), "no \(heading) section")
        }
    }

    @Test func manPageHasEveryCommandOptionAndTheRequiredExamples() {
        let box = Sandbox()
        let page = box.run("__man").stdout
        // Every command `leads help` lists, and every option its help lists.
        for command in Self.visibleCommands(box) {
            #expect(page.contains("\n.SS " + command.replacingOccurrences(of: "-", with: "\\-") + "\n"), "no section for \(command)")
            for option in Self.options(box, command) {
                #expect(page.contains("\\fB" + option.replacingOccurrences(of: "-", with: "\\-") + "\\fR"), "\(command) \(option) missing")
            }
        }
        #expect(page.contains("\n*/15 * * * * leads remind \\-\\-due \\-\\-once\n"))
        #expect(page.contains("\nleads export\\-csv \\-\\-excel \\-\\-output leads.csv\n"))
        #expect(page.hasPrefix(".\\\" Generated by `leads __man`"))
        #expect(page.contains("\n.TH LEADS 1 "))
        // Hidden commands stay out.
        #expect(!page.contains("__complete"))
        #expect(!page.contains(".SS _"))
    }

    @Test func generatorsTouchNeitherTheDataDirectoryNorTheEnvironment() {
        // No HOME, no LEADS_DIR, an invalid LEADS_NOW: phase one only, like help.
        let box = Sandbox()
        for arguments in [["__man"], ["completion", "bash"], ["completion", "zsh"], ["completion", "fish"]] {
            let bare = Sandbox.execute(Sandbox.binary, arguments, stdin: nil, environment: ["LEADS_NOW": "never"])
            #expect(bare.status == 0, "\(arguments)")
            #expect(bare.stderr == "")
            #expect(bare.stdout == box.run(arguments).stdout)
        }
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }

    @Test func completionRefusesAnUnknownShell() {
        let box = Sandbox()
        let result = box.run("completion", "tcsh")
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "leads: invalid SHELL 'tcsh': expected one of bash, zsh, fish\n")
        let missing = box.run("completion")
        #expect(missing.status == 2)
        #expect(missing.stderr == "leads: completion: missing SHELL\nleads: run 'leads completion --help' for its usage\n")
    }

    @Test func hiddenCommandsStayOutOfHelpButWork() {
        let box = Sandbox()
        let help = box.run("help").stdout
        #expect(help.contains("\n  completion  "))
        #expect(!help.contains("__"))
        #expect(box.run("__man", "--help").stdout.hasPrefix("leads __man: "))
    }

    // MARK: - __complete

    @Test func liveLeadsAreIDsWithNames() {
        let box = Sandbox()
        _ = box.add("Jane Roe")
        _ = box.add("Müller GmbH", "--org")
        for _ in 3...12 { _ = box.add("Lead", "--allow-duplicate") }
        let all = box.run("__complete", "leads")
        #expect(all.status == 0)
        #expect(all.stderr == "")
        #expect(all.lines.prefix(3) == ["1\tJane Roe", "2\tMüller GmbH", "3\tLead"])
        #expect(all.lines.count == 12)
        let prefixed = box.run("__complete", "leads", "1")
        #expect(prefixed.lines == ["1\tJane Roe", "10\tLead", "11\tLead", "12\tLead"])
    }

    @Test func liveValuesOfEveryKind() {
        let box = Sandbox()
        _ = box.add("Jane Roe", "--label", "vip", "--label", "big deal", "--source", "web", "--campaign", "fair-2026", "--next", "+3d", "--owner", "bob")
        _ = box.add("Acme", "--org", "--label", "vip", "--source", "referral", "--stage", "qualified")
        #expect(box.run("__complete", "stages").lines == ["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dnc"])
        #expect(box.run("__complete", "stages", "ne").lines == ["new", "negotiation"])
        #expect(box.run("__complete", "owners").lines == ["alice", "bob"])
        #expect(box.run("__complete", "labels").lines == ["big deal", "vip"])
        #expect(box.run("__complete", "sources").lines == ["referral", "web"])
        #expect(box.run("__complete", "campaigns").lines == ["fair-2026"])
        #expect(box.run("__complete", "reminders").lines == ["1.1\tJane Roe"])
        #expect(box.run("__complete", "customers").lines == [])
    }

    @Test func liveCustomersAreIDsWithNames() {
        let box = Sandbox()
        _ = box.add("Jane Roe")
        box.write("customers/1.json", """
            {"created_at":"2026-11-23T10:00:00Z","created_by":"alice","format":1,"id":1,"leads":[1],"name":"Roe Ltd","organization":true,"projects":[],"updated_at":"2026-11-23T10:00:00Z","updated_by":"alice"}
            """)
        #expect(box.run("__complete", "customers").lines == ["1\tRoe Ltd"])
    }

    @Test func liveValuesKeepOneLinePerValue() {
        // `add` refuses such a name; a file written by hand or by another tool may have one.
        let box = Sandbox()
        box.write("leads/1.json", """
            {"created_at":"2026-11-23T10:00:00Z","created_by":"alice","format":1,"id":1,"name":"Line\\none\\tand two","owner":"alice","stage":"new","updated_at":"2026-11-23T10:00:00Z","updated_by":"alice"}
            """)
        #expect(box.run("__complete", "leads").stdout == "1\tLine one and two\n")
    }

    @Test func liveValuesHonourDir() {
        let box = Sandbox()
        _ = box.add("Jane Roe")
        let other = Sandbox()
        #expect(other.run("--dir", box.dir, "__complete", "leads").lines == ["1\tJane Roe"])
        #expect(other.run("__complete", "leads").stdout == "")
    }

    @Test func liveValuesFailSilently() throws {
        let box = Sandbox()
        // No store at all.
        var result = box.run("__complete", "leads")
        #expect(result.status == 0 && result.stdout == "" && result.stderr == "")
        #expect(!FileManager.default.fileExists(atPath: box.dir))
        // The data directory is a file.
        _ = FileManager.default.createFile(atPath: box.dir, contents: Data("x".utf8))
        for kind in ["leads", "stages", "owners", "customers", "reminders"] {
            result = box.run("__complete", kind)
            #expect(result.status == 0 && result.stdout == "" && result.stderr == "", "\(kind)")
        }
        try FileManager.default.removeItem(atPath: box.dir)
        _ = box.add("Jane Roe")
        _ = box.add("Acme")
        // A broken config.json: no stages, no error.
        box.write("config.json", "{ broken")
        result = box.run("__complete", "stages")
        #expect(result.status == 0 && result.stdout == "" && result.stderr == "")
        try FileManager.default.removeItem(atPath: box.dir + "/config.json")
        // An unknown kind, an invalid clock.
        result = box.run("__complete", "nonsense")
        #expect(result.status == 0 && result.stdout == "" && result.stderr == "")
        result = box.run(["__complete", "leads"], env: ["LEADS_NOW": "never"])
        #expect(result.status == 0 && result.stdout == "1\tJane Roe\n2\tAcme\n" && result.stderr == "")
        // A corrupt lead file is skipped: a completion is only a suggestion.
        box.write("leads/2.json", "{")
        result = box.run("__complete", "leads")
        #expect(result.status == 0 && result.stdout == "1\tJane Roe\n" && result.stderr == "")
    }

    // MARK: - Helpers

    /// The commands `leads help` lists.
    static func visibleCommands(_ box: Sandbox) -> [String] {
        box.run("help").stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("Commands:") }.dropFirst().prefix { !$0.isEmpty }
            .map { String($0.split(separator: " ")[0]) }
    }

    /// The long and short options `leads COMMAND --help` lists.
    static func options(_ box: Sandbox, _ command: String) -> [String] {
        var options: [String] = []
        for line in box.run(command, "--help").lines where line.hasPrefix("  ") {
            for word in line.split(separator: " ").prefix(2) where word.hasPrefix("-") {
                options.append(word.hasSuffix(",") ? String(word.dropLast()) : String(word))
            }
        }
        return options
    }
}

/// External programs the tests drive.
enum Tool {
    static func path(_ name: String) -> String? {
        for directory in ["/usr/bin", "/bin", "/usr/local/bin"] {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
