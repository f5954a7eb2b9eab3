import Foundation
import Testing

/// On a terminal: confirmations after the data, hints where a command finds nothing or
/// hides closed leads, the first-run hint on an empty store; into a pipe and with -q,
/// stdout is exactly the data and the hints are gone (SPEC §10).
@Suite struct TerminalHintTests {
    static let start = "leads: no leads yet: add one with 'leads add NAME', or import a CSV file with 'leads import-csv FILE'\n"

    @Test func anEmptyStoreSaysHowToStart() throws {
        let box = Sandbox()
        for arguments in [["list"], ["list", "--all"], ["pipeline"], ["export-csv", "--fields", "id"]] {
            let shown = try PseudoTerminal.run(box, arguments, columns: 100, terminalStreams: "err")
            #expect(shown.status == 0)
            #expect(shown.text == Self.start, "\(arguments)")
            // Into a pipe: nothing said.
            #expect(box.run(arguments).stderr == "", "\(arguments)")
        }
        #expect(try PseudoTerminal.run(box, ["list"], columns: 100).text == Self.start)
        #expect(try PseudoTerminal.run(box, ["-q", "list"], columns: 100).text == "")
    }

    @Test func findingNothingIsSaid() throws {
        let box = Sandbox()
        for name in ["Alpha", "Beta", "Gamma"] { box.add(name) }
        box.run("status", "1", "2", "won")
        box.run("status", "3", "lost")
        func stderr(_ arguments: [String]) throws -> String {
            try PseudoTerminal.run(box, arguments, columns: 100, terminalStreams: "err").text
        }
        #expect(try stderr(["list"]) == "leads: no open leads; 3 closed ones hidden, see --all\n")
        #expect(try stderr(["list", "--search", "alp"]) == "leads: no open leads match; 1 closed one hidden, see --all\n")
        #expect(try stderr(["list", "--all", "--search", "zzz"]) == "leads: no leads match\n")
        #expect(try stderr(["list", "--stage", "new"]) == "leads: no leads match\n")
        #expect(try stderr(["list", "--json"]) == "leads: no open leads; 3 closed ones hidden, see --all\n")
        #expect(try stderr(["pipeline", "--search", "zzz"]) == "leads: no leads match\n")
        #expect(try stderr(["remind", "--list"]) == "leads: no open reminders\n")
        #expect(try stderr(["remind", "--due"]) == "leads: nothing is due\n")
        #expect(try stderr(["customers"]) == "leads: no customers yet: 'leads convert ID' makes one of a won lead\n")
        #expect(try stderr(["log", "--user", "nobody"]) == "leads: no log entries match\n")
        box.add("Delta")
        // Found something: list says what it hid.
        let list = try PseudoTerminal.run(box, ["list"], columns: 100)
        #expect(list.text.contains(" 4  Delta "))
        #expect(list.text.hasSuffix("leads: 3 closed leads hidden, see --all\n"))
        #expect(try stderr(["list", "--all"]) == "")
        // Into pipes: the data alone, no hints at all; cron's remind --due stays silent.
        let piped = box.run("list")
        #expect(piped.stderr == "" && piped.lines.count == 2)
        #expect(box.run("remind", "--due").stderr == "")
        // -q on a terminal: the (coloured) table and no hint line.
        let quiet = try PseudoTerminal.run(box, ["list", "-q"], columns: 100).text
        #expect(quiet.contains("Delta") && !quiet.contains("leads:"))
    }

    @Test func confirmationsOnATerminalAndDataInAPipe() throws {
        let box = Sandbox()
        // stdout and stderr on the terminal: the ID, then the confirmation.
        let add = try PseudoTerminal.run(box, ["add", "Greta Schulz", "--stage", "proposal"], columns: 80)
        #expect(add.status == 0)
        #expect(add.text == "1\nleads: #1 Greta Schulz: added (proposal, alice)\n")
        // stdout into a pipe, stderr on the terminal: the pipe gets the ID alone.
        let piped = try PseudoTerminal.run(box, ["remind", "1", "2026-12-09", "ask for the signed order"], columns: 80, terminalStreams: "err")
        #expect(String(decoding: piped.stdout, as: UTF8.self) == "1.1\n")
        #expect(piped.text == "leads: #1.1 due 2026-12-09: ask for the signed order\n")
        let status = try PseudoTerminal.run(box, ["status", "1", "negotiation"], columns: 80)
        #expect(status.text == "leads: #1 Greta Schulz: proposal → negotiation\n")
        // -q: the terminal shows the data and nothing else.
        let quiet = try PseudoTerminal.run(box, ["-q", "add", "Hans Groß"], columns: 80)
        #expect(quiet.text == "2\n")
        let quietStatus = try PseudoTerminal.run(box, ["status", "2", "won", "--quiet"], columns: 80)
        #expect(quietStatus.text == "" && quietStatus.stdout.isEmpty && quietStatus.stderr.isEmpty)
        // Confirmations are no colour and no escape codes, even on a colour terminal.
        #expect(!status.terminal.contains(0x1B))
    }
}
