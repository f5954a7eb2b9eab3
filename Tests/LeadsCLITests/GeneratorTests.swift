import Testing
@testable import LeadsCLI

/// The pieces of the man page and completion generators that the end-to-end tests
/// only see through their output: roff escaping, line wrapping, shell quoting, and
/// where each argument may stand.
@Suite struct GeneratorTests {
    @Test func roffEscapesDashesBackslashesRequestsAndNonASCII() {
        #expect(ManPage.code("--all -n") == "\\-\\-all \\-n")
        #expect(ManPage.code("export-csv") == "export\\-csv")
        #expect(ManPage.prose("e-mail, --allow-duplicate, -value, 0-100, (--all)") == "e-mail, \\-\\-allow\\-duplicate, \\-value, 0-100, (\\-\\-all)")
        #expect(ManPage.prose("a\\b") == "a\\eb")
        #expect(ManPage.prose(".profile is read") == "\\&.profile is read")
        #expect(ManPage.prose("'quoted' start") == "\\&'quoted' start")
        #expect(ManPage.prose("mid. 'ok'") == "mid. 'ok'")
        #expect(ManPage.prose("Müller €5 … 😀") == "M\\[u00FC]ller \\[u20AC]5 \\[u2026] \\[u1F600]")
        #expect(ManPage.prose("two\nlines") == "two lines")
    }

    @Test func roffTextLinesAreWrappedWithoutChangingThePage() {
        let long = (1...30).map { "word\($0)" }.joined(separator: " ")
        let wrapped = ManPage.wrapped(".PP\n" + long + "\n")
        let lines = wrapped.split(separator: "\n").map(String.init)
        #expect(lines.count > 2)
        #expect(lines.allSatisfy { $0.utf8.count <= 80 })
        #expect(lines.dropFirst().joined(separator: " ") == long)
        // A word that would start a line with a dot is protected.
        let dotted = String(repeating: "x", count: 79) + " .hidden"
        #expect(ManPage.wrapped(dotted) == String(repeating: "x", count: 79) + "\n\\&.hidden")
        // No-fill blocks and .TP tags are kept whole.
        let code = ".nf\n" + long + "\n.fi"
        #expect(ManPage.wrapped(code) == code)
        let tag = ".TP\n" + long
        #expect(ManPage.wrapped(tag) == tag)
    }

    @Test func manPageSentences() {
        #expect(ManPage.sentence("create a lead") == "Create a lead.")
        #expect(ManPage.sentence("über alles", ending: ":") == "Über alles:")
        #expect(ManPage.sentence("done.") == "Done.")
    }

    @Test func shellQuoting() {
        #expect(shellQuoted("it's") == "'it'\\''s'")
        #expect(shellWord("-value") == "-value")
        #expect(shellWord("big deal") == "'big deal'")
        #expect(fishQuoted("a\\b'c") == "'a\\\\b\\'c'")
        #expect(fishWord("x y") == "'x y'")
    }

    @Test func argumentSlots() {
        func slots(_ arguments: [ArgumentSpec]) -> [String] {
            CompletionModel.slots(arguments).map { "\($0.argument.name)@\($0.first)-\($0.last.map(String.init) ?? "")" }
        }
        #expect(slots([ArgumentSpec("ID", .oneOrMore, ""), ArgumentSpec("STAGE", "")]) == ["ID@0-", "STAGE@1-"])
        #expect(slots([ArgumentSpec("A", .optional, ""), ArgumentSpec("B", "")]) == ["A@0-0", "B@0-1"])
        #expect(slots([ArgumentSpec("ID", ""), ArgumentSpec("WHEN", ""), ArgumentSpec("TEXT", .optional, "")]) == ["ID@0-0", "WHEN@1-1", "TEXT@2-2"])
        #expect(slots([ArgumentSpec("CMD", ""), ArgumentSpec("ARGS", .any, "")]) == ["CMD@0-0", "ARGS@1-"])
    }

    @Test func positionsOfAVariadicFollowedByOne() {
        let spec = CommandSpec("status", "", arguments: [ArgumentSpec("ID", .oneOrMore, "", hint: .live(.lead)),
                                                         ArgumentSpec("STAGE", "", hint: .live(.stage))],
                               lock: .exclusive, run: { _, _ in 0 })
        let command = CompletionModel(table: [spec]).commands[0]
        #expect(command.boundedCount == 2)
        #expect(command.hints(at: 0).map(\.name) == ["ID"])
        #expect(command.hints(at: 1).map(\.name) == ["ID", "STAGE"])
        #expect(command.tailHints.map(\.name) == ["ID", "STAGE"])
    }

    @Test func commandOptionsShadowGlobalOnes() throws {
        let model = CompletionModel()
        let log = try #require(model.commands.first { $0.name == "log" })
        #expect(log.options.filter { $0.name == "user" }.count == 1)
        #expect(log.options.first { $0.name == "user" }?.help == "only entries by USER")
        #expect(model.commandsShadowing(CommandTable.globalOptions.first { $0.name == "user" }!).map(\.name) == ["log"])
        #expect(!model.commands.contains { $0.spec.hidden })
    }
}
