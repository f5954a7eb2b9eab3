import Foundation
import Testing

/// Filters as a rep types them: any case, a near miss named, search across labels, custom
/// fields and phone numbers; names sorted as a German phone book (SPEC §10).
@Suite struct ForgivingFilterTests {
    static func store() -> Sandbox {
        let box = Sandbox()
        box.add("Jürgen Müller", "--owner", "sabine", "--label", "Bäckerei", "--source", "Messe", "--campaign", "Herbst2026",
                "--phone", "+49 (0)171 123-4567")
        box.add("Änne Özdemir", "--owner", "Sabine", "--label", "heiß", "--field", "Branche=Metallbau", "--phone", "030 / 555 12 34")
        box.add("anton abel", "--owner", "bob", "--source", "web", "--phone", "0049 89 1234 567")
        box.add("Zoë Ändersson", "--owner", "bob", "--label", "bäckerei", "--field", "Kundennummer=K-4711")
        box.add("Hans Groß", "--owner", "carol")
        box.run("status", "5", "won")
        return box
    }

    static func ids(_ box: Sandbox, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) -> [Int] {
        let result = box.run(["list", "--ids", "--all"] + arguments)
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        return result.lines.compactMap { Int($0) }
    }

    @Test func ownerLabelSourceAndCampaignIgnoreCase() {
        let box = Self.store()
        #expect(Self.ids(box, "--owner", "SABINE") == [1, 2])
        #expect(Self.ids(box, "--owner", "Bob", "--owner", "Carol") == [3, 4, 5])
        #expect(Self.ids(box, "--label", "BÄCKEREI") == [1, 4])
        #expect(Self.ids(box, "--label", "Heiß") == [2])
        #expect(Self.ids(box, "--source", "messe") == [1])
        #expect(Self.ids(box, "--campaign", "herbst2026") == [1])
        // The same filters drive pipeline and export-csv.
        #expect(box.run("export-csv", "--owner", "Sabine", "--fields", "id").stdout == "id\r\n1\r\n2\r\n")
        let pipeline = box.run("pipeline", "--by", "owner", "--label", "bäckerei", "--csv")
        #expect(pipeline.stdout.contains(",group,sabine,1,") && pipeline.stdout.contains(",group,bob,1,"))
    }

    @Test func aNearMissIsNamedOnStderr() {
        let box = Self.store()
        let owner = box.run("list", "--owner", "sabin")
        #expect(owner.status == 0 && owner.stdout == "")
        #expect(owner.stderr == "leads: no lead has the owner 'sabin'; did you mean 'sabine'?\n")
        let label = box.run("list", "--all", "--label", "bäkerei")
        #expect(label.stderr == "leads: no lead has the label 'bäkerei'; did you mean 'Bäckerei'?\n")
        #expect(box.run("list", "--source", "Mese").stderr == "leads: no lead has the source 'Mese'; did you mean 'Messe'?\n")
        #expect(box.run("list", "--campaign", "herbst2025").stderr
                == "leads: no lead has the campaign 'herbst2025'; did you mean 'Herbst2026'?\n")
        // Far from everything: said, without a guess.
        #expect(box.run("list", "--owner", "zacharias").stderr == "leads: no lead has the owner 'zacharias'\n")
        // One of several owners unknown: the others still list.
        let mixed = box.run("list", "--ids", "--owner", "bob", "--owner", "carl")
        #expect(mixed.lines == ["3", "4"])
        #expect(mixed.stderr == "leads: no lead has the owner 'carl'; did you mean 'carol'?\n")
        #expect(box.run("pipeline", "--owner", "sabin").stderr == "leads: no lead has the owner 'sabin'; did you mean 'sabine'?\n")
        #expect(box.run("export-csv", "--label", "bakerei").stderr == "leads: no lead has the label 'bakerei'; did you mean 'Bäckerei'?\n")
        // A value that exists is never questioned, even when nothing else matches with it.
        #expect(box.run("list", "--owner", "carol").stderr == "")
        #expect(box.run("list", "-q", "--owner", "sabin").stderr == "")
    }

    @Test func searchCoversLabelsFieldsAndPhoneNumbers() {
        let box = Self.store()
        #expect(Self.ids(box, "--search", "heiß") == [2])
        #expect(Self.ids(box, "--search", "metallbau") == [2])
        #expect(Self.ids(box, "--search", "k-4711") == [4])
        // Phone numbers: digits without spaces, dashes, slashes or brackets; +49, 0049 and
        // a national 0 are one prefix; the (0) after +49 is not dialled.
        #expect(Self.ids(box, "--search", "0171") == [1])
        #expect(Self.ids(box, "--search", "+49 171 1234567") == [1])
        #expect(Self.ids(box, "--search", "01711234567") == [1])
        #expect(Self.ids(box, "--search", "171 123-4567") == [1])
        #expect(Self.ids(box, "--search", "123-4567") == [1, 3])  // bare digits: wherever they occur
        #expect(Self.ids(box, "--search", "030 5551234") == [2])
        #expect(Self.ids(box, "--search", "+49 30 555") == [2])
        #expect(Self.ids(box, "--search", "089 1234") == [3])
        #expect(Self.ids(box, "--search", "4711") == [4])  // a custom field's digits
        #expect(Self.ids(box, "--search", "12") == [])     // fewer than three digits: text only
        #expect(Self.ids(box, "--search", "0172") == [])
    }

    @Test func namesSortAsAGermanPhoneBook() {
        let box = Self.store()
        let names = box.run("list", "--all", "--sort", "name").lines.dropFirst().map { line in
            String(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().prefix(2).joined(separator: " "))
        }
        #expect(names == ["Änne Özdemir", "anton abel", "Hans Groß", "Jürgen Müller", "Zoë Ändersson"])
        #expect(Self.ids(box, "--sort", "-name") == [4, 1, 5, 3, 2])
        #expect(Self.ids(box, "--sort", "owner") == [3, 4, 5, 1, 2])
        box.run("set", "1", "--company", "Ölmühle GmbH")
        box.run("set", "2", "--company", "Obst AG")
        box.run("set", "3", "--company", "Zapf KG")
        box.run("set", "4", "--company", "Ärzte eG")
        #expect(Self.ids(box, "--sort", "company") == [4, 2, 1, 3, 5])
    }
}
