import Foundation
import Testing

/// Defects of issue 15 not covered by the fault-injection suite, each reproduced as a user
/// met it: the outcome a command reports must be the outcome on disk, and what reaches
/// the terminal must be what the store holds, visibly.
@Suite struct OutcomeOnDiskTests {
    /// Defect 3: `--once` marks a reminder announced only after its line was written. A
    /// run whose output fails leaves it due for the next run.
    @Test func onceOutputThatFailsAnnouncesNothing() {
        let box = Sandbox()
        box.add("Anna")
        #expect(box.run("remind", "1", "2026-11-20", "call").status == 0)
        let full = Sandbox.execute("/bin/sh", ["-c", "exec \"$0\" remind --due --once > /dev/full", Sandbox.binary],
                                   stdin: nil, environment: box.environment)
        #expect(full.status == 1)
        #expect(full.stderr == "leads: cannot write to standard output: no space left on device\n")
        let next = box.run("remind", "--due", "--once")
        #expect(next.status == 0)
        #expect(next.stdout.contains("1.1") && next.stdout.contains("call"), "\(next.stdout)")
        #expect(box.run("remind", "--due", "--once").stdout == "")
    }

    /// Defect 8: a broken lead file cannot be checked for duplicates, so `add` refuses
    /// naming it rather than creating what may be a duplicate of it.
    @Test func duplicateCheckRefusesOnABrokenFile() {
        let box = Sandbox()
        box.add("Lead 1")
        box.add("Lead 3", "--email", "l3@ex.com")
        box.write("leads/2.json", "{\"id\": 2, \"name\": ")
        let before = box.snapshot()
        let refused = box.run("add", "Lead 3", "--email", "l3@ex.com")
        #expect(refused.status == 1)
        #expect(refused.stderr == "leads: cannot check for duplicates: leads/2.json:1:19: unexpected end of file (truncated?); mend leads/2.json (see 'leads fsck') or use --allow-duplicate\n")
        #expect(box.snapshot() == before)
        #expect(box.run("add", "Lead 3", "--email", "l3@ex.com", "--allow-duplicate").status == 0)
    }

    /// Defect 9: a stray file with a huge ID no longer blocks every `add` with "no lead IDs
    /// left"; the file is named, and removing it is enough.
    @Test func aStrayFileIsNamedAndStopsBlockingWhenRemoved() throws {
        let box = Sandbox()
        box.add("Lead 1")
        box.write("leads/2199023255552.json", "{}")
        try FileManager.default.removeItem(atPath: box.dir + "/.index")
        let blocked = box.run("add", "Lead 2")
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("leads/2199023255552.json"), "\(blocked.stderr)")
        try FileManager.default.removeItem(atPath: box.dir + "/leads/2199023255552.json")
        let added = box.run("add", "Lead 2")
        #expect(added.status == 0 && added.stdout == "2\n", "\(added.stderr)")
    }

    /// Defect 10: bidi embedding, override and isolate controls are shown escaped in every
    /// human-readable output, so `A<U+202E>txt.exe` cannot pose as another name.
    @Test func bidiControlsAreShownEscaped() {
        let box = Sandbox()
        box.add("Bad\u{202E}gnihton", "--company", "\u{2066}Acme\u{2069}")
        let outputs = [box.run("list"), box.run("show", "1"), box.run("log"), box.run("pipeline", "--by", "owner"),
                       box.run("status", "1", "qual\u{202E}x")]
        for result in outputs {
            let text = result.stdout + result.stderr
            for control in ["\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}"] {
                #expect(!text.contains(control), "\(text)")
            }
        }
        #expect(outputs[0].stdout.contains("Bad<U+202E>gnihton") && outputs[0].stdout.contains("<U+2066>Acme<U+2069>"))
        #expect(outputs[4].stderr.hasPrefix("leads: STAGE: unknown stage 'qual<U+202E>x'"))
        // The file keeps exactly what was typed.
        #expect(box.leadJSON(1)?["name"] as? String == "Bad\u{202E}gnihton")
    }

    /// Defect 11: a bad value of 130 KB is not echoed whole; the message gives its size.
    @Test func longBadValuesAreCutWithTheirSize() {
        let box = Sandbox()
        let result = box.run("add", "X", "--stage", String(repeating: "x", count: 130_000))
        #expect(result.status == 1)
        #expect(result.stderr == "leads: --stage: unknown stage '" + String(repeating: "x", count: 80)
                + "…' (130000 bytes, cut to 80 characters); stages are: new, contacted, qualified, proposal, negotiation, won, lost, dnc\n")
    }
}
