import Foundation
import Testing
@testable import LeadsCore

/// DIN 5007 variant 1, the order of a German phone book: Ä as A, Ö as O, Ü as U, ß as ss,
/// accents folded, case ignored; ties broken unaccented first, then lower case first.
@Suite struct CollationTests {
    /// Sorted as a German phone book would list them. The pairs that catch a wrong
    /// collation: Ähler before Ahlers and Schaefer before Schäfer (ä is a, not ae, and
    /// not after z); Groß before Grosse (ß is ss); Hans Groß before Hänsel (a space
    /// before letters); Muller, Müller, MÜLLER (equal letters: plain, then lower case first).
    static let phoneBook = [
        "Abel", "Ackermann", "Ähler", "Ahlers", "Änne Özdemir", "anton abel", "Ärger", "Arndt",
        "Bäcker", "Backhaus", "Bauer", "Böhm", "Bohne", "Çelik", "Dürr", "Durst", "Éluard", "Engel",
        "Fuß", "Fust", "Groß", "Grosse", "Großmann", "Hans Groß", "Hänsel", "Hansen", "Jäger", "Jahn",
        "Jürgen Müller", "Kühn", "Kuhnert", "Łukasz", "Muller", "Müller", "MÜLLER", "Müller-Lüdenscheidt",
        "Nußbaum", "Ødegaard", "Ozturk", "Öztürk", "Schaefer", "Schäfer", "Schmidt", "Schmitt",
        "von Bredow", "Von Bredow", "Weiß", "Weisse", "Zoë Ändersson",
    ]

    static func sorted(_ names: [String]) -> [String] {
        names.map { ($0, $0.collationKey) }.sorted { $0.1 < $1.1 }.map(\.0)
    }

    @Test func aGermanPhoneBook() {
        #expect(Self.phoneBook.count >= 30)
        // Whatever order they come in, out comes the phone book.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            #expect(Self.sorted(Self.phoneBook.shuffled(using: &generator)) == Self.phoneBook)
        }
        #expect(Self.sorted(Self.phoneBook.reversed()) == Self.phoneBook)
    }

    @Test func theIssuesExample() {
        #expect(Self.sorted(["anton abel", "Hans Groß", "Jürgen Müller", "Zoë Ändersson", "Änne Özdemir"])
                == ["Änne Özdemir", "anton abel", "Hans Groß", "Jürgen Müller", "Zoë Ändersson"])
    }

    @Test func foldedLetters() {
        #expect("Müller".collationKey.folded == "muller")
        #expect("Groß".collationKey.folded == "gross")
        #expect("STRASSE".collationKey.folded == "strasse")
        #expect("Ærø Łódź Œuvre Þór".collationKey.folded == "aero lodz oeuvre thor")
        #expect("Ștefan Țară".collationKey.folded == "stefan tara")
    }

    /// A decomposed ü (u + U+0308, as macOS file names and some keyboards give it) sorts
    /// as the precomposed one; the two stay apart only in the last, byte-wise tie.
    @Test func decomposedAccentsSortAsPrecomposed() {
        let decomposed = "Mu\u{308}ller"
        #expect(decomposed.collationKey.folded == "muller")
        #expect(Self.sorted(["Müller", decomposed, "Muller", "Mueller"]).first == "Mueller")
        let order = Self.sorted([decomposed, "Müller", "Muller"])
        #expect(order[0] == "Muller")
        #expect(Set(order[1...].map { Array($0.unicodeScalars) }) == [Array("Müller".unicodeScalars), Array(decomposed.unicodeScalars)])
    }

    @Test func theOrderIsTotal() {
        // Distinct texts never compare equal, so a sort is stable whatever the input order.
        let names = Self.phoneBook + ["Mu\u{308}ller", "müller", "MuLLer"]
        for a in names {
            for b in names where a.utf8.elementsEqual(b.utf8) == false {
                #expect(a.collationKey != b.collationKey, "\(a) and \(b)")
                #expect((a.collationKey < b.collationKey) != (b.collationKey < a.collationKey), "\(a) and \(b)")
            }
        }
    }

    /// An independent implementation: Python's Unicode database decomposes each letter and
    /// drops the accents (NFD without combining marks), ß and the letters that do not
    /// decompose are spelled out by hand, case is folded. Our order must never put a name
    /// before one whose Python key is smaller, and among equal keys the unaccented
    /// spelling comes first.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "needs python3 for the independent key"))
    func agreesWithPythonsUnicodeDatabase() throws {
        let script = """
            import json, sys, unicodedata
            special = {"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
                       "đ": "d", "Đ": "d", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i"}
            def key(name):
                out = []
                for ch in name:
                    ch = special.get(ch, ch)
                    for c in unicodedata.normalize("NFD", ch):
                        if unicodedata.category(c) != "Mn":
                            out.append(c.lower())
                return "".join(out)
            def accented(name):
                return any(unicodedata.category(c) == "Mn" for c in unicodedata.normalize("NFD", name))
            names = json.load(sys.stdin)
            problems = []
            for a, b in zip(names, names[1:]):
                if key(a) > key(b):
                    problems.append(f"{a} before {b}: {key(a)} > {key(b)}")
                if key(a) == key(b) and accented(a) and not accented(b):
                    problems.append(f"{a} before {b}: accented first")
            print(json.dumps({"problems": problems, "keys": [key(n) for n in names]}))
            """
        let ours = Self.sorted(Self.phoneBook.shuffled())
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: ours))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(result["problems"] as? [String] == [])
        // The two implementations fold every letter alike.
        #expect(result["keys"] as? [String] == ours.map { $0.collationKey.folded })
    }
}
