import Testing
@testable import LeadsCLI

/// The table decides: what an option's value may be is declared once, and phase one of
/// parsing, the completions and the error messages all follow that declaration.
@Suite struct CommandTableValueTests {
    /// A command line that satisfies the command's arity, with `extra` after it.
    static func line(_ command: CommandSpec, _ extra: [String]) -> [String] {
        let positionals = command.arguments.flatMap { argument -> [String] in
            argument.arity == .one || argument.arity == .oneOrMore ? ["1"] : []
        }
        return ["leads", command.name] + positionals + extra
    }

    static var choiceOptions: [(command: CommandSpec, option: OptionSpec, choices: Choices)] {
        CommandTable.commands.flatMap { command in
            command.options.compactMap { option in
                if case .choices(let choices) = option.kind { return (command, option, choices) }
                return nil
            }
        }
    }

    /// Values near the declared ones that must not get through.
    static func nearMisses(_ choices: Choices) -> [String] {
        var misses = [""]
        for value in choices.values {
            misses += [value + "x", "x" + value, value + " ", " " + value]
            if !choices.ignoringCase && value.uppercased() != value { misses.append(value.uppercased()) }
            if value.count > 1 { misses.append(String(value.dropLast())) }
        }
        return misses.filter { !choices.accepts($0) }
    }

    @Test func everyOptionWithChoicesAcceptsExactlyItsDeclaredValues() throws {
        #expect(Self.choiceOptions.count >= 6, "the walk found the table's choice options")
        for (command, option, choices) in Self.choiceOptions {
            for value in choices.values {
                let parsed = try CommandLineParser.parse(Self.line(command, ["--" + option.name, value]))
                #expect(parsed.values(option.name) == [value])
                if choices.ignoringCase {
                    _ = try CommandLineParser.parse(Self.line(command, ["--" + option.name, value.uppercased()]))
                }
            }
            for value in Self.nearMisses(choices) {
                do {
                    _ = try CommandLineParser.parse(Self.line(command, ["--" + option.name, value]))
                    Issue.record("\(command.name) --\(option.name) accepted \(value.debugDescription)")
                } catch {
                    let (message, status) = ErrorReport.render(error)
                    #expect(status == 2, "\(command.name) --\(option.name) \(value.debugDescription)")
                    #expect(message?.hasPrefix("invalid --\(option.name) \(ErrorReport.quoted(value)): ") == true, "\(message ?? "")")
                }
            }
        }
    }

    @Test func completionOffersExactlyTheChoicesAndNoOptionOffersWordsItRefuses() {
        for command in CommandTable.commands {
            for option in command.options {
                switch (option.kind, option.hint) {
                case (.choices(let choices), let hint):
                    #expect(hint == .words(choices.values), "\(command.name) --\(option.name)")
                case (.parsed(let parser), .words(let words)):
                    for word in words { #expect((try? parser.check(word)) != nil, "\(command.name) --\(option.name) offers \(word)") }
                case (.text, .words):
                    Issue.record("\(command.name) --\(option.name) offers words but accepts anything: declare choices or a parser")
                default: break
                }
            }
        }
    }

    @Test func theDriftsAreGone() throws {
        let log = try #require(CommandTable.command(named: "log"))
        _ = try CommandLineParser.parse(Self.line(log, ["--action", "recover"]))
        let importCSV = try #require(CommandTable.command(named: "import-csv"))
        for refused in ["latin1", "utf-8", "windows-1252"] {
            #expect(throws: UsageError.invalidChoice(argument: "--encoding", value: refused, reason: "use utf8 or cp1252", suggestion: nil)) {
                try CommandLineParser.parse(Self.line(importCSV, ["--encoding", refused]))
            }
        }
    }

    @Test func parsedValuesAreCheckedInPhaseOneWithTheCommandsMessages() {
        #expect(throws: UsageError.invalidArgument(argument: "--limit", value: "-1", reason: "expected a count such as 20")) {
            try CommandLineParser.parse(["leads", "list", "--limit", "-1"])
        }
        #expect(throws: UsageError.invalidArgument(argument: "-n", value: "x", reason: "expected a count such as 20")) {
            try CommandLineParser.parse(["leads", "log", "-n", "x"])
        }
        #expect(throws: UsageError.invalidArgument(argument: "--delimiter", value: "ab",
                                                   reason: "one ASCII character other than a quote or line break, 'tab', or 'auto'")) {
            try CommandLineParser.parse(["leads", "import-csv", "f.csv", "--delimiter", "ab"])
        }
        #expect(throws: UsageError.invalidArgument(argument: "--delimiter", value: "auto",
                                                   reason: "expected one ASCII character other than a double quote or a line break, such as ';' or tab")) {
            try CommandLineParser.parse(["leads", "export-csv", "--delimiter", "auto"])
        }
        // Help is phase one's first answer: a bad value does not hide it.
        #expect((try? CommandLineParser.parse(["leads", "list", "--sort", "bad", "--help"]))?.wantsHelp == true)
    }
}
