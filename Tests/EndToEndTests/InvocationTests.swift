import Foundation
import Testing

/// The command line itself: help, version, usage errors. None of these may touch the
/// data directory.
@Suite struct InvocationTests {
    @Test func versionPrintsVersionAndTouchesNothing() {
        let box = Sandbox()
        let result = box.run("--version")
        #expect(result.status == 0)
        #expect(result.stdout == "leads 0.1.0\n")
        #expect(result.stderr == "")
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }

    @Test func versionWorksWithoutAnyEnvironment() {
        // Not even HOME or LEADS_NOW: version and help need neither.
        let result = Sandbox.execute(Sandbox.binary, ["--version"], stdin: nil, environment: [:])
        #expect(result.status == 0)
        #expect(result.stdout == "leads 0.1.0\n")
    }

    @Test(arguments: [["help", "add"], ["add", "--help"], ["add", "-h"], ["add", "X", "--value", "1", "-h"]])
    func commandHelpIsTheSameEverywhere(arguments: [String]) throws {
        let box = Sandbox()
        let result = box.run(arguments)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == (try Golden.text("help-add.txt", actual: result.stdout)))
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }

    @Test func generalHelpListsEveryCommand() throws {
        let box = Sandbox()
        let result = box.run("help")
        #expect(result.status == 0)
        #expect(result.stdout == (try Golden.text("help.txt", actual: result.stdout)))
        #expect(box.run("--help").stdout == result.stdout)
        #expect(box.run().stdout == result.stdout)
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }

    @Test func everyCommandHasHelpListingEveryOption() {
        let box = Sandbox()
        let commands = box.run("help").stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("Commands:") }.dropFirst().prefix { !$0.isEmpty }
            .map { String($0.split(separator: " ")[0]) }
        #expect(commands.count >= 6)
        for command in commands {
            let result = box.run(command, "--help")
            #expect(result.status == 0, "\(command) --help")
            #expect(result.stdout.hasPrefix("leads \(command): "))
            #expect(result.stdout.contains("  -h, --help"))
        }
    }

    @Test func unknownCommandSuggestsTheNearest() {
        let box = Sandbox()
        let result = box.run("lsit")
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "leads: unknown command 'lsit'; did you mean 'list'?\nleads: run 'leads help' for the list of commands\n")
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }

    @Test func unknownOptionSuggestsTheNearestAndWritesNothing() {
        let box = Sandbox()
        let result = box.run("add", "Acme", "--vaule", "5")
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "leads: unknown option '--vaule' for 'add'; did you mean '--value'?\nleads: run 'leads add --help' for its options\n")
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }

    @Test func helpForAnUnknownTopic() {
        let result = Sandbox().run("help", "ad")
        #expect(result.status == 2)
        #expect(result.stderr == "leads: no help for 'ad': not a command; did you mean 'add'?\n")
    }

    @Test func usageErrors() {
        let box = Sandbox()
        let cases: [([String], String)] = [
            (["add"], "leads: add: missing NAME\nleads: run 'leads add --help' for its usage\n"),
            (["add", "X", "--value"], "leads: option '--value' needs a value\n"),
            (["add", "X", "--org=yes"], "leads: option '--org' takes no value\n"),
            (["add", "X", "--owner", "a", "--owner", "b"], "leads: option '--owner' given more than once\n"),
            (["add", "X", "Y"], "leads: add: unexpected argument 'Y'\nleads: run 'leads add --help' for its usage\n"),
            (["list", "--owner", "bob", "--mine"], "leads: options '--owner' and '--mine' cannot be used together\n"),
            (["list", "--ids", "--json"], "leads: options '--ids' and '--json' cannot be used together\n"),
            (["list", "--sort", "vaule"], "leads: invalid --sort 'vaule': sort by one of id, name, company, stage, value, owner, close, next, created, updated; did you mean 'value'?\n"),
        ]
        for (arguments, message) in cases {
            let result = box.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stdout == "", "\(arguments)")
            #expect(result.stderr == message, "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }

    @Test func optionsMayComeBeforeOrAfterArgumentsInBothSpellings() {
        let box = Sandbox()
        #expect(box.add("A", "--value=100") == 1)
        #expect(box.run("add", "--value", "200", "B").stdout == "2\n")
        #expect(box.run("--dir", box.dir, "add", "C").stdout == "3\n")
        #expect(box.leadJSON(1)?["value"] as? String == "100.00")
        #expect(box.leadJSON(2)?["value"] as? String == "200.00")
    }

    @Test func doubleDashEndsOptions() {
        let box = Sandbox()
        #expect(box.run("add", "--", "--not-an-option").stdout == "1\n")
        #expect(box.leadJSON(1)?["name"] as? String == "--not-an-option")
    }

    @Test func repeatableOptionsKeepEveryValue() {
        let box = Sandbox()
        let id = box.add("A", "--label", "hot", "--label=fair", "--field", "size=12", "--field", "region=Süd")
        let lead = box.leadJSON(id)
        #expect(lead?["labels"] as? [String] == ["hot", "fair"])
        #expect(lead?["fields"] as? [String: String] == ["size": "12", "region": "Süd"])
    }

    @Test(arguments: ["../x", "a/b", "1/../2", "", "0", "x1", "123456789012345678901234567890", "4-2"])
    func idsThatAreNotIDsAreUsageErrors(id: String) {
        let box = Sandbox()
        box.add("A")
        let result = box.run("show", id)
        #expect(result.status == 2, "show \(id)")
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("leads: invalid ID '"))
    }

    @Test func dashPrefixedIDIsAnUnknownOption() {
        let result = Sandbox().run("show", "-rf")
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("leads: unknown option '-r' for 'show'"))
    }

    @Test func invalidEnvironmentIsAUsageError() {
        let box = Sandbox()
        let now = box.run(["add", "A"], env: ["LEADS_NOW": "yesterday-ish"])
        #expect(now.status == 2)
        #expect(now.stderr == "leads: LEADS_NOW='yesterday-ish' is not valid: expected an ISO-8601 date-time such as 2026-11-22T09:30:00Z\n")
        let timeout = box.run(["add", "A"], env: ["LEADS_LOCK_TIMEOUT": "soon"])
        #expect(timeout.status == 2)
        #expect(timeout.stderr == "leads: LEADS_LOCK_TIMEOUT='soon' is not valid: expected a number of seconds such as 10 or 0.5\n")
        #expect(!FileManager.default.fileExists(atPath: box.dir))
    }
}

/// Golden files for help text: Tests/EndToEndTests/Golden/. Run the tests with
/// LEADS_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func text(_ name: String, actual: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["LEADS_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
