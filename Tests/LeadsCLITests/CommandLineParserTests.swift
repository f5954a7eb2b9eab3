import Foundation
import LeadsCore
import Testing
@testable import LeadsCLI

@Suite struct CommandLineParserTests {
    func parse(_ arguments: String...) throws -> Invocation {
        try CommandLineParser.parse(["leads"] + arguments)
    }

    func usageError(_ arguments: String...) -> UsageError? {
        do {
            _ = try CommandLineParser.parse(["leads"] + arguments)
            return nil
        } catch {
            return error
        }
    }

    @Test func commandOptionsAndPositionalsInAnyOrder() throws {
        let a = try parse("add", "--value", "5", "Acme", "--org")
        let b = try parse("add", "Acme", "--org", "--value=5")
        for invocation in [a, b] {
            #expect(invocation.command?.name == "add")
            #expect(invocation.positionals == ["Acme"])
            #expect(invocation.value("value") == "5")
            #expect(invocation.flag("org"))
            #expect(!invocation.flag("allow-duplicate"))
        }
    }

    @Test func globalOptionsBeforeAndAfterTheCommand() throws {
        let before = try parse("--dir", "/d", "--user", "bob", "list")
        let after = try parse("list", "--dir=/d", "--user", "bob")
        #expect(before.value("dir") == "/d" && after.value("dir") == "/d")
        #expect(before.value("user") == "bob" && after.value("user") == "bob")
    }

    @Test func valuesMayStartWithADash() throws {
        let invocation = try parse("add", "X", "--value", "-5", "--label", "-old")
        #expect(invocation.value("value") == "-5")
        #expect(invocation.values("label") == ["-old"])
    }

    @Test func doubleDashMakesEverythingPositional() throws {
        let invocation = try parse("add", "--org", "--", "-h")
        #expect(invocation.positionals == ["-h"])
        #expect(try parse("add", "--", "--org").positionals == ["--org"])
        #expect(invocation.flag("org"))
        #expect(!invocation.wantsHelp)
    }

    @Test func singleDashIsAPositional() throws {
        #expect(try parse("show", "-").positionals == ["-"])
    }

    @Test func repeatableOptionsCollectValuesInOrder() throws {
        #expect(try parse("add", "X", "--label", "a", "--label=b", "--label", "c").values("label") == ["a", "b", "c"])
    }

    @Test func shortOptions() throws {
        #expect(try parse("log", "-n", "5").value("count") == "5")
        #expect(try parse("log", "-n5").value("count") == "5")
        #expect(try parse("log", "-h").wantsHelp)
    }

    @Test func helpAndVersionAnywhere() throws {
        #expect(try parse("--help").wantsHelp)
        #expect(try parse("list", "--help").command?.name == "list")
        #expect(try parse("add", "--help").wantsHelp)  // no NAME needed for help
        #expect(try parse("--version").wantsVersion)
        #expect(try parse().command == nil)
    }

    @Test func unknownNamesGetSuggestions() {
        #expect(usageError("lsit") == .unknownCommand("lsit", suggestion: "list"))
        #expect(usageError("xyzzy") == .unknownCommand("xyzzy", suggestion: nil))
        #expect(usageError("add", "X", "--vaule", "1") == .unknownOption("--vaule", command: "add", suggestion: "--value"))
        #expect(usageError("list", "--own", "bob") == .unknownOption("--own", command: "list", suggestion: "--owner"))
        #expect(usageError("--bogus") == .unknownOption("--bogus", command: nil, suggestion: nil))
        #expect(usageError("show", "-r") == .unknownOption("-r", command: "show", suggestion: nil))
    }

    @Test func valueAndArityErrors() {
        #expect(usageError("add", "X", "--value") == .missingValue(option: "--value"))
        #expect(usageError("add", "X", "--org=1") == .unexpectedValue(option: "--org"))
        #expect(usageError("add", "X", "--value", "1", "--value", "2") == .repeatedOption("--value"))
        #expect(usageError("add") == .missingArgument(command: "add", name: "NAME"))
        #expect(usageError("show", "1", "2") == .unexpectedArgument(command: "show", value: "2"))
        #expect(usageError("list", "--json", "--ids") == .conflictingOptions("--ids", "--json"))
    }

    @Test func repeatingAFlagIsHarmless() throws {
        #expect(try parse("add", "X", "--org", "--org").flag("org"))
    }

    @Test func editDistanceCountsATranspositionAsOneSlip() {
        #expect(LeadsCore.editDistance("list", "lsit") == 1)  // a transposition
        #expect(LeadsCore.editDistance("", "abc") == 3)
        #expect(LeadsCore.editDistance("kitten", "sitting") == 3)
        #expect(Suggestion.nearest(to: "stauts", in: ["status", "stages"]) == "status")
    }
}

@Suite struct CommandTableTests {
    @Test func namesAreUniqueAndOptionsDoNotCollide() {
        let names = CommandTable.commands.map(\.name)
        #expect(Set(names).count == names.count)
        for command in CommandTable.commands {
            let options = command.options.map(\.name)
            #expect(Set(options).count == options.count, "duplicate option in \(command.name)")
            let shorts = (command.options + CommandTable.globalOptions).compactMap(\.short)
            #expect(Set(shorts).count == shorts.count, "duplicate short option in \(command.name)")
            for group in command.exclusive {
                for name in group { #expect(command.option(named: name) != nil, "\(command.name): exclusive names unknown --\(name)") }
            }
        }
    }

    @Test func everyOptionAndCommandHasHelpText() {
        for command in CommandTable.commands {
            #expect(!command.summary.isEmpty)
            #expect(command.summary.first?.isLowercase == true, "\(command.name) summary starts lower case")
            for option in command.options { #expect(!option.help.isEmpty, "\(command.name) --\(option.name)") }
        }
    }
}

@Suite struct TextTableTests {
    @Test func fitsTheWidthByTruncatingFlexibleColumns() {
        var table = TextTable([.init(title: "ID", alignment: .right), .init(title: "NAME", flexible: true), .init(title: "STAGE")])
        table.add(["1", "A very long lead name indeed", "new"])
        let lines = table.render(width: 24, color: false)
        #expect(lines == ["ID  NAME           STAGE", " 1  A very long …  new"])
        #expect(lines.allSatisfy { displayWidth($0) <= 24 })
    }

    @Test func neverTruncatesWithoutAWidth() {
        var table = TextTable([.init(title: "NAME", flexible: true)])
        table.add(["A very long lead name indeed"])
        #expect(table.render(width: nil, color: false) == ["NAME", "A very long lead name indeed"])
    }

    /// `list` writes its table line by line into the output; other tables render lines.
    /// Both are one layout: the bytes must be the same, with and without width and colour.
    @Test func writtenLinesAreTheRenderedLines() throws {
        var table = TextTable([.init(title: "ID", alignment: .right), .init(title: "NAME", flexible: true),
                               .init(title: "NOTE", flexible: true), .init(title: "NEXT")])
        table.add(["1", "Jürgen Müller", "plain", ""])
        table.add(["22", "東京 Trading 🙂", "tab\there\r\nand a break", "2026-12-01 !"], style: Style.red)
        table.add(["333", "evil\u{1B}[2J\u{202E}name", "e\u{301}\u{85}x", ""])
        table.add(["4444", String(repeating: "long ", count: 80), "", "2027-01-02 09:00"])
        for (width, color) in [(nil, false), (nil, true), (40, false), (40, true), (12, true)] as [(Int?, Bool)] {
            let path = NSTemporaryDirectory() + "leads-table-\(getpid())-\(width ?? 0)-\(color)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            defer { close(fd); unlink(path) }
            let out = Output(fd: fd)
            try table.write(to: out, width: width, color: color)
            try out.flush()
            let written = try #require(FileManager.default.contents(atPath: path))
            let rendered = table.render(width: width, color: color).map { $0 + "\n" }.joined()
            #expect(String(decoding: written, as: UTF8.self) == rendered, "width \(String(describing: width)), colour \(color)")
        }
    }

    /// A cell's fast path (printable ASCII) and `printable`'s byte test before its scalar
    /// walk must agree with the scalar rules: every scalar those rules neutralise is caught.
    @Test func everyScalarTheRulesNeutraliseIsNeutralisedInACell() {
        for value in UInt32(0)...0x10FFFF where isControl(value) || isFormatControl(value) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let raw = "a" + String(Character(scalar)) + "b"
            let cell = TableCell(raw)
            #expect(cell.text != raw, "U+\(String(value, radix: 16)) passed through")
            #expect(cell.text == printable(raw))
            #expect(cell.width == displayWidth(cell.text))
        }
        for raw in ["plain ASCII", "Müller & Söhne", "€ 12,50", "", "東京", "e\u{301}", "\u{200D}"] {
            let cell = TableCell(raw)
            #expect(cell.text == raw)
            #expect(cell.width == displayWidth(raw))
        }
    }

    @Test func wideCharactersCountTwoColumns() {
        #expect(displayWidth("Müller") == 6)
        #expect(displayWidth("東京") == 4)
        #expect(displayWidth("e\u{301}") == 1)
        #expect(truncate("東京都庁", to: 5) == "東京…")
        #expect(truncate("line one\nline two", to: 40) == "line one line two")
    }
}
