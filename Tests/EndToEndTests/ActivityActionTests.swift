import Foundation
import LeadsCore
import Testing

/// `ActivityAction` is the one list of log actions: the doc, `log --action` and its
/// completion follow it, and every action the code writes can be asked for.
@Suite struct ActivityActionTests {
    static let jsonDoc = GeneratedDocsTests.repositoryRoot.appendingPathComponent("Docs/json.md")

    /// The `log --json` section of Docs/json.md.
    static func logSection() throws -> String {
        let text = try String(contentsOf: jsonDoc, encoding: .utf8)
        let start = try #require(text.range(of: "## `log --json`"))
        let rest = text[start.upperBound...]
        let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    /// The back-quoted names in a Markdown table cell.
    static func quoted(_ cell: Substring) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    @Test func docListsEveryActionInTheKeyTableAndTheDetailsTable() throws {
        let section = try Self.logSection()
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("|") }
        let actionRow = try #require(rows.first { $0.hasPrefix("| `action` |") })
        let cells = actionRow.split(separator: "|", omittingEmptySubsequences: false)
        // The listed names come before the first ';' of the meaning cell.
        let listed = Self.quoted(cells[3].prefix { $0 != ";" })
        #expect(listed == ActivityAction.names)

        // The details table: one row per action (a row may name several).
        // Only that table's own rows: later tables of the section (log format 2) list keys.
        let lines = section.split(separator: "\n", omittingEmptySubsequences: false)
        let header = try #require(lines.firstIndex { $0.hasPrefix("| action | details |") })
        let detailRows = lines[(header + 2)...].prefix { $0.hasPrefix("|") }
        let described = detailRows.flatMap { row in
            Self.quoted(row.split(separator: "|", omittingEmptySubsequences: false)[1])
        }
        #expect(described.sorted() == ActivityAction.names.sorted(), "every action needs one row in the details table")
    }

    @Test func logActionAcceptsExactlyTheActionsAndCompletesThem() throws {
        let box = Sandbox()
        for action in ActivityAction.names {
            let result = box.run("log", "--action", action)
            #expect(result.status == 0, "log --action \(action): \(result.stderr)")
        }
        let bad = box.run("log", "--action", "recovered")
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("leads: invalid --action 'recovered': actions are " + ActivityAction.names.joined(separator: ", ")))

        let bash = box.run("completion", "bash").stdout
        #expect(bash.contains(ActivityAction.names.joined(separator: " ")), "the bash script offers every action")
    }

    @Test func recoverRecordsFromFsckCanBeListed() throws {
        let box = Sandbox()
        let id = box.add("Orphan")
        // The log loses the lead's record, as if the adding command died before its append.
        try Data().write(to: URL(fileURLWithPath: box.dir + "/activity.log"))
        #expect(box.run("fsck", "--repair").status == 0)
        let listed = box.run("log", "--action", "recover", "--json")
        #expect(listed.status == 0, "\(listed.stderr)")
        let entries = try #require(try listed.json() as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["action"] as? String == "recover")
        #expect(entries.first?["lead"] as? Int == id)
    }
}
