/// German phone-book order, DIN 5007 variant 1 ("Wörterbuch"): Ä as A, Ö as O, Ü as U,
/// ß as ss, other accents folded to their base letter (é as e, ç as c, ø as o, æ as ae),
/// case ignored. Written small, without ICU: Latin letters are what names in a German
/// sales team's store hold; any other character sorts by its code point after them.
///
/// Names that are equal so far are told apart, so that the order is total and stable:
/// first the unaccented before the accented spelling (Muller, Müller), then lower case
/// before upper case (von Bredow, Von Bredow), then by the exact bytes of the text. A
/// text holding U+0000 could tie early; no name does.
/// Spaces and punctuation are kept and sort before digits and letters, as the standard
/// has it ("Anna Berg" before "Annabel").
public struct CollationKey: Sendable, Hashable, Comparable {
    /// One array, compared as a whole: the folded letters, 0, each letter's accent class
    /// (0 plain: Muller < Müller), 0, each letter's case (1 lower, 2 upper), 0, then the
    /// text's UTF-8 bytes for the last tie. One allocation per key: list sorts 100,000.
    let units: [UInt32]
    let letterCount: Int

    public init(_ text: String) {
        var primary: [UInt32] = []
        var accents: [UInt32] = []
        var cases: [UInt32] = []
        primary.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {  // most names: no table, no string
                let upper = v >= 0x41 && v <= 0x5A
                primary.append(upper ? v + 0x20 : v)
                accents.append(0)
                cases.append(upper ? 2 : 1)
                continue
            }
            // Combining marks (a decomposed ü: u + U+0308) mark the letter before them.
            if (0x300...0x36F).contains(v) {
                if let last = accents.indices.last, accents[last] == 0 { accents[last] = CollationKey.combiningAccent(v) }
                continue
            }
            let (letters, accent, upper) = CollationKey.fold(v)
            for letter in letters.unicodeScalars {
                primary.append(letter.value)
                accents.append(UInt32(accent))
                cases.append(upper ? 2 : 1)
            }
        }
        letterCount = primary.count
        var units = primary
        units.reserveCapacity(primary.count * 3 + text.utf8.count + 3)
        units.append(0)
        units += accents
        units.append(0)
        units += cases
        units.append(0)
        for byte in text.utf8 { units.append(UInt32(byte)) }
        self.units = units
    }

    public static func < (a: CollationKey, b: CollationKey) -> Bool {
        a.units.lexicographicallyPrecedes(b.units)
    }

    /// The folded letters as a string: "Müller" → "muller", "Groß" → "gross".
    public var folded: String {
        var out = String.UnicodeScalarView()
        for v in units[..<letterCount] { if let s = Unicode.Scalar(v) { out.append(s) } }
        return String(out)
    }

    /// One scalar as base letters, an accent class (0 none) and whether it was upper case.
    static func fold(_ v: UInt32) -> (String, UInt8, Bool) {
        switch v {
        case 0x41...0x5A: return (String(Unicode.Scalar(UInt8(v + 0x20))), 0, true)
        case 0x00...0x7F: return (String(Unicode.Scalar(UInt8(v))), 0, false)
        case 0xDF: return ("ss", 0, false)      // ß
        case 0x1E9E: return ("ss", 0, true)     // ẞ
        default: break
        }
        if let entry = latin[v] {
            return (entry.base, entry.accent, entry.upper)
        }
        // Beyond the table: Swift's own case mapping, by code point after the Latin letters.
        let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
        let lower = scalar.properties.lowercaseMapping
        return (lower, 0, lower != String(scalar))
    }

    /// A combining mark's accent class, the same as its precomposed letters' (ü and
    /// u + U+0308 are one spelling); marks without one get classes after them.
    static func combiningAccent(_ v: UInt32) -> UInt32 {
        switch v {
        case 0x300: return 1
        case 0x301: return 2
        case 0x302: return 3
        case 0x303: return 4
        case 0x304: return 5
        case 0x306: return 6
        case 0x307: return 7
        case 0x308: return 8
        case 0x30A: return 9
        case 0x30B: return 10
        case 0x30C: return 11
        case 0x327: return 12
        case 0x328: return 13
        case 0x326: return 15
        default: return 17 + (v - 0x300)
        }
    }

    struct Entry {
        var base: String
        var accent: UInt8
        var upper: Bool
    }

    /// Latin-1 Supplement, Latin Extended-A and the Romanian letters of Extended-B, the
    /// letters a European name list meets: each letter's base and its accent. Accent
    /// classes: 1 grave, 2 acute, 3 circumflex, 4 tilde, 5 macron, 6 breve, 7 dot above,
    /// 8 diaeresis, 9 ring, 10 double acute, 11 caron, 12 cedilla, 13 ogonek, 14 stroke,
    /// 15 comma below, 16 ligature or other.
    static let latin: [UInt32: Entry] = {
        var table: [UInt32: Entry] = [:]
        func add(_ upper: UInt32, _ lower: UInt32, _ base: String, _ accent: UInt8) {
            table[upper] = Entry(base: base, accent: accent, upper: true)
            table[lower] = Entry(base: base, accent: accent, upper: false)
        }
        // Latin-1: À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï Ð Ñ Ò Ó Ô Õ Ö Ø Ù Ú Û Ü Ý Þ (lower: + 0x20)
        let latin1: [(UInt32, String, UInt8)] = [
            (0xC0, "a", 1), (0xC1, "a", 2), (0xC2, "a", 3), (0xC3, "a", 4), (0xC4, "a", 8), (0xC5, "a", 9),
            (0xC6, "ae", 16), (0xC7, "c", 12), (0xC8, "e", 1), (0xC9, "e", 2), (0xCA, "e", 3), (0xCB, "e", 8),
            (0xCC, "i", 1), (0xCD, "i", 2), (0xCE, "i", 3), (0xCF, "i", 8), (0xD0, "d", 14), (0xD1, "n", 4),
            (0xD2, "o", 1), (0xD3, "o", 2), (0xD4, "o", 3), (0xD5, "o", 4), (0xD6, "o", 8), (0xD8, "o", 14),
            (0xD9, "u", 1), (0xDA, "u", 2), (0xDB, "u", 3), (0xDC, "u", 8), (0xDD, "y", 2), (0xDE, "th", 16),
        ]
        for (upper, base, accent) in latin1 { add(upper, upper + 0x20, base, accent) }
        table[0xFF] = Entry(base: "y", accent: 8, upper: false)  // ÿ
        table[0x178] = Entry(base: "y", accent: 8, upper: true)  // Ÿ
        // Latin Extended-A, in upper/lower pairs from U+0100.
        let extendedA: [(String, UInt8)] = [
            ("a", 5), ("a", 6), ("a", 13), ("c", 2), ("c", 3), ("c", 7), ("c", 11), ("d", 11), ("d", 14),  // Ā Ă Ą Ć Ĉ Ċ Č Ď Đ
            ("e", 5), ("e", 6), ("e", 7), ("e", 13), ("e", 11), ("g", 3), ("g", 6), ("g", 7), ("g", 12),   // Ē Ĕ Ė Ę Ě Ĝ Ğ Ġ Ģ
            ("h", 3), ("h", 14), ("i", 4), ("i", 5), ("i", 6), ("i", 13),                                  // Ĥ Ħ Ĩ Ī Ĭ Į
        ]
        for (i, (base, accent)) in extendedA.enumerated() { add(0x100 + UInt32(2 * i), 0x101 + UInt32(2 * i), base, accent) }
        table[0x130] = Entry(base: "i", accent: 7, upper: true)   // İ
        table[0x131] = Entry(base: "i", accent: 16, upper: false) // ı
        add(0x132, 0x133, "ij", 16)
        add(0x134, 0x135, "j", 3)
        add(0x136, 0x137, "k", 12)
        table[0x138] = Entry(base: "k", accent: 16, upper: false) // ĸ
        // Ĺ ĺ Ļ ļ Ľ ľ Ŀ ŀ Ł ł Ń ń Ņ ņ Ň ň: pairs from U+0139
        let fromL: [(String, UInt8)] = [("l", 2), ("l", 12), ("l", 11), ("l", 7), ("l", 14), ("n", 2), ("n", 12), ("n", 11)]
        for (i, (base, accent)) in fromL.enumerated() { add(0x139 + UInt32(2 * i), 0x13A + UInt32(2 * i), base, accent) }
        table[0x149] = Entry(base: "n", accent: 16, upper: false) // ŉ
        // Ŋ ŋ Ō ō Ŏ ŏ Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů Ű ű Ų ų Ŵ ŵ Ŷ ŷ: pairs from U+014A
        let fromEng: [(String, UInt8)] = [
            ("n", 16), ("o", 5), ("o", 6), ("o", 10), ("oe", 16), ("r", 2), ("r", 12), ("r", 11), ("s", 2), ("s", 3),
            ("s", 12), ("s", 11), ("t", 12), ("t", 11), ("t", 14), ("u", 4), ("u", 5), ("u", 6), ("u", 9), ("u", 10),
            ("u", 13), ("w", 3), ("y", 3),
        ]
        for (i, (base, accent)) in fromEng.enumerated() { add(0x14A + UInt32(2 * i), 0x14B + UInt32(2 * i), base, accent) }
        // Ź ź Ż ż Ž ž: pairs from U+0179
        for (i, accent) in [UInt8(2), 7, 11].enumerated() { add(0x179 + UInt32(2 * i), 0x17A + UInt32(2 * i), "z", accent) }
        table[0x17F] = Entry(base: "s", accent: 16, upper: false) // ſ
        // Romanian comma below: Ș ș Ț ț
        add(0x218, 0x219, "s", 15)
        add(0x21A, 0x21B, "t", 15)
        return table
    }()
}

extension String {
    /// The DIN 5007-1 key of this text (see CollationKey).
    public var collationKey: CollationKey { CollationKey(self) }
}
