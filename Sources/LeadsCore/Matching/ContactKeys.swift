// Normalised forms of the contact fields, so that two spellings of one person or company
// compare equal: what `dupes` pairs leads by and what the suppression list hashes.
// Docs/privacy.md lists every rule; each has a test in ContactKeysTests.

public enum ContactKeys {
    // MARK: E-mail

    /// Domains known to deliver `a.b+tag@` to `ab@`: dots in the local part and a `+tag`
    /// are ignored, and googlemail.com is gmail.com.
    static let dotAndPlusBlindDomains: Set<String> = ["gmail.com", "googlemail.com"]
    /// Domains known to deliver `name+tag@` to `name@` (sub-addressing), where dots count.
    static let plusBlindDomains: Set<String> = [
        "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
        "fastmail.com", "fastmail.fm", "proton.me", "protonmail.com", "pm.me", "posteo.de", "mailbox.org",
    ]

    /// Lower-cased and trimmed; for the domains above, dots and `+tag` dropped as the
    /// domain does. Elsewhere a `+` or a dot may be meaningful and is kept. nil when it
    /// is not an address (no `@`, or nothing on one side).
    public static func email(_ text: String) -> String? {
        let trimmed = trim(text).lowercased()
        guard let at = trimmed.lastIndex(of: "@") else { return nil }
        var local = String(trimmed[..<at])
        var domain = String(trimmed[trimmed.index(after: at)...])
        while domain.hasSuffix(".") { domain.removeLast() }
        guard !local.isEmpty, !domain.isEmpty else { return nil }
        if domain == "googlemail.com" { domain = "gmail.com" }
        if dotAndPlusBlindDomains.contains(domain) || plusBlindDomains.contains(domain) {
            if let plus = local.firstIndex(of: "+"), plus != local.startIndex { local = String(local[..<plus]) }
        }
        if dotAndPlusBlindDomains.contains(domain) { local.removeAll { $0 == "." } }
        return local + "@" + domain
    }

    // MARK: Phone

    /// Country calling codes whose national numbers are dialled with a trunk prefix 0
    /// (dropped in the international form) and whose international prefix is 00.
    public static let trunkZeroCountries: [String: String] = ["DE": "49", "AT": "43", "CH": "41"]

    /// The number in international form, `+` and digits: `+49 (0)30 123-45`, `0049 30 12345`
    /// and (at home in DE) `030 12345` are all `+493012345`. `home` is the country whose
    /// national numbers (leading single 0) are meant; a number with neither a `+`, `00`
    /// nor `0` in front (a local number without area code) is kept as its digits, marked
    /// `local:`, so it matches only itself. nil when it has fewer than 5 digits.
    public static func phone(_ text: String, home: String = "DE") -> String? {
        var scalars = Array(trim(text).unicodeScalars)
        // Every digit counts: "030 1234-56" is a direct line, not 030 1234.
        var international = false
        if let first = scalars.first, first == "+" || first == "\u{FF0B}" {
            international = true
            scalars.removeFirst()
        }
        // "+49 (0)30": the bracketed trunk zero is written for national callers only.
        var digits: [UInt8] = []
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            if s == "(", i + 2 < scalars.count, scalars[i + 1] == "0", scalars[i + 2] == ")", international || !digits.isEmpty {
                i += 3
                continue
            }
            if s.value >= 0x30 && s.value <= 0x39 { digits.append(UInt8(s.value)) }
            i += 1
        }
        guard digits.count >= 5 else { return nil }
        var text = String(decoding: digits, as: UTF8.self)
        if !international {
            if text.hasPrefix("00") {
                international = true
                text.removeFirst(2)
            } else if text.hasPrefix("0") {
                guard let code = trunkZeroCountries[home.uppercased()] else { return "national:" + text }
                text.removeFirst()
                text = code + text
                international = true
            } else {
                return "local:" + text
            }
        }
        // "+49 030 …": a trunk zero written after the country code anyway.
        for code in trunkZeroCountries.values where text.hasPrefix(code + "0") {
            text = code + text.dropFirst(code.count + 1)
        }
        return "+" + text
    }

    // MARK: Company

    /// Legal forms dropped from the end of a company name (after dots are removed, so
    /// `e.K.` is `ek` and `Inc.` is `inc`).
    static let legalForms: Set<String> = [
        "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "gbr", "ug", "haftungsbeschraenkt", "ek", "ekfm", "ekfr", "ev", "eg", "se",
        "partg", "partgmbb", "gesmbh", "og", "sarl", "sa", "sagl", "ltd", "limited", "llc", "llp", "plc", "inc",
        "incorporated", "corp", "corporation", "co", "company", "bv", "nv", "ab", "as", "oy", "spa", "srl",
    ]

    /// Lower-cased, umlauts transliterated (ü = ue), punctuation gone, legal forms and
    /// `& Co.` dropped from the end: `Müller GmbH & Co. KG` = `Mueller` = `mueller`.
    /// nil when nothing but legal forms is left.
    public static func company(_ text: String) -> String? {
        var words = tokens(text, joiningDots: true)
        while let last = words.last {
            if legalForms.contains(last) || last == "&" || last == "und" || last == "and" || last == "+" {
                words.removeLast()
            } else {
                break
            }
        }
        words.removeAll { $0 == "&" || $0 == "+" }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    // MARK: Name

    static let titles: Set<String> = ["dr", "prof", "herr", "frau", "hr", "fr", "mr", "mrs", "ms", "miss", "dipl", "ing", "mag"]

    /// Lower-cased, umlauts transliterated, titles (Dr., Prof., Herr, Frau, Mr, Mrs, Ms)
    /// dropped and the words sorted, so `Müller, Thomas`, `Thomas Mueller` and
    /// `Dr. Thomas Müller` are one name. nil when no word is left.
    public static func name(_ text: String) -> String? {
        var words = tokens(text, joiningDots: false).filter { $0 != "&" && $0 != "+" }
        let untitled = words.filter { !titles.contains($0) }
        if !untitled.isEmpty { words = untitled }
        return words.isEmpty ? nil : words.sorted().joined(separator: " ")
    }

    // MARK: Shared

    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !FieldParser.isSpace($0) }),
              let last = scalars.lastIndex(where: { !FieldParser.isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }

    /// The words of a name: lower-case ASCII letters and digits after transliteration;
    /// anything else separates words, except `&` and `+`, which are words of their own.
    /// With `joiningDots`, a dot joins (`e.K.` → `ek`) instead of separating.
    static func tokens(_ text: String, joiningDots: Bool) -> [String] {
        var words: [String] = []
        var word: [UInt8] = []
        func end() {
            if !word.isEmpty { words.append(String(decoding: word, as: UTF8.self)) }
            word = []
        }
        var previousBase: UInt8 = 0
        for scalar in text.lowercased().unicodeScalars {
            let v = scalar.value
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
                word.append(UInt8(v))
                previousBase = UInt8(v)
                continue
            }
            if v == 0x2E && joiningDots { continue }
            if v == 0x26 || v == 0x2B {
                end()
                words.append(v == 0x26 ? "&" : "+")
                continue
            }
            if v == 0x0308, previousBase == 0x61 || previousBase == 0x6F || previousBase == 0x75 {
                word.append(0x65)  // a decomposed umlaut: u + U+0308 is ü
                previousBase = 0
                continue
            }
            if v >= 0x0300 && v <= 0x036F { continue }  // other combining accents: é written as e + U+0301
            if let replacement = transliteration[scalar] {
                word += Array(replacement.utf8)
                previousBase = 0
                continue
            }
            if v >= 0x80 && !FieldParser.isSpace(scalar) && !isPunctuation(scalar) {
                // A letter of another script: kept as it is.
                word += Array(String(scalar).utf8)
                previousBase = 0
                continue
            }
            end()
            previousBase = 0
        }
        end()
        return words
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0xA0...0xBF, 0x2000...0x206F, 0x3000...0x303F, 0xFF01...0xFF0F: return true
        default: return false
        }
    }

    /// German umlauts as German writes them without (ü = ue), ß = ss; other Latin
    /// accents dropped (é = e).
    static let transliteration: [Unicode.Scalar: String] = [
        "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss", "æ": "ae", "œ": "oe", "ø": "o", "å": "a",
        "à": "a", "á": "a", "â": "a", "ã": "a", "ç": "c", "è": "e", "é": "e", "ê": "e", "ë": "e",
        "ì": "i", "í": "i", "î": "i", "ï": "i", "ñ": "n", "ò": "o", "ó": "o", "ô": "o", "õ": "o",
        "ù": "u", "ú": "u", "û": "u", "ý": "y", "ÿ": "y", "ł": "l", "š": "s", "ž": "z", "č": "c", "ć": "c", "ř": "r",
    ]
}
