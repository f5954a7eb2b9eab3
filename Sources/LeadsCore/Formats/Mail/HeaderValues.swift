/// The structured header fields incoming mail is filed by: address lists (RFC 5322 §3.4:
/// display names, quoted strings, comments, groups, obsolete routes), the date (§3.3,
/// with the obsolete zone names of §4.3), Message-ID (§3.6.4), and MIME parameters
/// (RFC 2045 §5.1 with RFC 2231 continuations and charsets). Each reads unfolded text
/// and never fails: what does not parse is skipped (an address) or nil (a date), and the
/// message is still read.
public enum HeaderValues {
    // MARK: Tokens

    enum Token: Equatable {
        case atom(String)          // a run of atext and dots (local parts, domains, words)
        case quoted(String)        // a quoted-string's content, quoted-pairs resolved
        case comment(String)       // (a comment), nested ones flattened
        case special(Character)    // < > , : ; @
    }

    /// The content of the quoted-string starting at `chars[i]` (its opening quote),
    /// quoted-pairs resolved; `i` ends after the closing quote (or at the end of an
    /// unclosed one).
    static func quotedString(_ chars: [Character], _ i: inout Int) -> String {
        var value = ""
        i += 1
        while i < chars.count, chars[i] != "\"" {
            if chars[i] == "\\", i + 1 < chars.count { i += 1 }
            value.append(chars[i])
            i += 1
        }
        i = min(i + 1, chars.count)
        return value
    }

    /// Splits header text into tokens in one pass; an unclosed quote or comment runs to
    /// the end of the text.
    static func tokens(_ text: String) -> [Token] {
        var out: [Token] = []
        let chars = Array(text)
        var i = 0
        var atom = ""
        func flush() {
            if !atom.isEmpty { out.append(.atom(atom)) }
            atom = ""
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case " ", "\t", "\r", "\n":
                flush()
                i += 1
            case "\"":
                flush()
                out.append(.quoted(quotedString(chars, &i)))
            case "(":
                flush()
                var depth = 1
                var value = ""
                i += 1
                while i < chars.count, depth > 0 {
                    let d = chars[i]
                    if d == "\\", i + 1 < chars.count {
                        value.append(chars[i + 1])
                        i += 2
                        continue
                    }
                    if d == "(" { depth += 1 }
                    if d == ")" { depth -= 1 }
                    if depth > 0 { value.append(d) }
                    i += 1
                }
                out.append(.comment(value))
            case "<", ">", ",", ":", ";", "@":
                flush()
                out.append(.special(c))
                i += 1
            default:
                atom.append(c)
                i += 1
            }
        }
        flush()
        return out
    }

    // MARK: Addresses

    /// Every mailbox of an address list, groups opened (`Team: a@x, b@y;`), display
    /// names decoded (RFC 2047) and unquoted. An old-style `addr (Full Name)` gives the
    /// comment as the name, as Python's `getaddresses` does. An entry without an `@`
    /// (`undisclosed-recipients:;`, a bare word) is not an address and is skipped.
    public static func addresses(_ text: String) -> [MailAddress] {
        var result: [MailAddress] = []
        var phrase: [Token] = []
        var angle: [Token]? = nil
        var angleAddress: String? = nil
        var comment: String? = nil
        var inAngle = false

        func finish() {
            defer {
                phrase = []
                angle = nil
                angleAddress = nil
                comment = nil
            }
            if let address = angleAddress {
                guard address.contains("@") else { return }
                let name = displayName(phrase) ?? comment.map { MIMEDecoding.headerText(Array($0.utf8)) }
                result.append(MailAddress(name: name, address: address))
            } else {
                // addr-spec: the tokens joined without white space; a comment is the name.
                var address = ""
                for token in phrase {
                    switch token {
                    case .atom(let a): address += a
                    case .quoted(let q): address += "\"" + q + "\""
                    case .special(let s): address.append(s)
                    case .comment: continue
                    }
                }
                guard address.contains("@"), !address.hasPrefix("@"), !address.hasSuffix("@") else { return }
                let name = comment.map { MIMEDecoding.headerText(Array($0.utf8)) }.flatMap { $0.isEmpty ? nil : $0 }
                result.append(MailAddress(name: name, address: address))
            }
        }

        for token in tokens(text) {
            if inAngle {
                if token == .special(">") {
                    inAngle = false
                    angleAddress = addressInAngle(angle ?? [])
                } else {
                    angle!.append(token)
                }
                continue
            }
            switch token {
            case .special("<"):
                inAngle = true
                angle = []
            case .special(","), .special(";"):
                finish()
            case .special(":") where angleAddress == nil:
                // A group's name ends here: `Team: a@x, b@y;`.
                phrase = []
                comment = nil
            case .comment(let c):
                if comment == nil, !c.isEmpty { comment = c }
            default:
                if angleAddress == nil { phrase.append(token) }
            }
        }
        if inAngle { angleAddress = addressInAngle(angle ?? []) }
        finish()
        return result
    }

    /// The addr-spec between `<` and `>`, an obsolete route (`@a,@b:`) dropped.
    private static func addressInAngle(_ tokens: [Token]) -> String {
        var parts = tokens
        if let colon = parts.lastIndex(of: .special(":")) { parts = Array(parts[(colon + 1)...]) }
        var address = ""
        for token in parts {
            switch token {
            case .atom(let a): address += a
            case .quoted(let q): address += "\"" + q + "\""
            case .special(let s) where s == "@": address.append(s)
            default: continue
            }
        }
        return address
    }

    /// A display name: its words joined by one space, quoted strings unquoted, and
    /// encoded-words decoded, also inside quotes (which RFC 2047 forbids but Outlook and
    /// others write, and every reader decodes).
    private static func displayName(_ tokens: [Token]) -> String? {
        var words: [String] = []
        for token in tokens {
            switch token {
            case .atom(let a): words.append(a)
            case .quoted(let q): words.append(q)
            case .special(let s): words.append(String(s))
            case .comment: continue
            }
        }
        guard !words.isEmpty else { return nil }
        let name = MIMEDecoding.headerText(Array(words.joined(separator: " ").utf8))
        return name.isEmpty ? nil : name
    }

    // MARK: Date

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "edt": -4 * 60, "est": -5 * 60, "cdt": -5 * 60, "cst": -6 * 60,
        "mdt": -6 * 60, "mst": -7 * 60, "pdt": -7 * 60, "pst": -8 * 60,
    ]

    /// `Mon, 23 Nov 2026 11:00:00 +0100`, and what §4.3 still allows: no weekday, no
    /// seconds, a two-digit year (00–49 are 20xx, 50–99 are 19xx), a zone name, a comment
    /// after the zone. nil when it is not a date.
    public static func date(_ text: String) -> Timestamp? {
        var words: [String] = []
        for token in tokens(text) {
            switch token {
            case .atom(let a): words += a.split(separator: ",").map(String.init)
            case .special(":"): words.append(":")
            default: continue
            }
        }
        if let first = words.first, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].contains(String(first.lowercased().prefix(3))) {
            words.removeFirst()
        }
        // Join "11 : 00 : 00" written with spaces back into one word.
        var joined: [String] = []
        for word in words {
            if word == ":" || joined.last?.hasSuffix(":") == true, !joined.isEmpty {
                joined[joined.count - 1] += word
            } else {
                joined.append(word)
            }
        }
        guard joined.count >= 4, let day = Int(joined[0]),
              let monthIndex = months.firstIndex(of: String(joined[1].lowercased().prefix(3))),
              var year = Int(joined[2]) else { return nil }
        if joined[2].count <= 2 { year += year < 50 ? 2000 : 1900 } else if joined[2].count == 3 { year += 1900 }
        let clock = joined[3].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard clock.count == 2 || clock.count == 3, clock.allSatisfy({ $0 != nil }) else { return nil }
        let hour = clock[0]!, minute = clock[1]!, second = clock.count == 3 ? clock[2]! : 0
        guard hour < 24, minute < 60, second <= 60 else { return nil }
        var offset = 0
        if joined.count >= 5 {
            let zone = joined[4]
            if let sign = zone.first, sign == "+" || sign == "-", zone.count == 5, let value = Int(zone.dropFirst()) {
                offset = (value / 100 * 60 + value % 100) * (sign == "-" ? -1 : 1)
            } else if let named = zones[zone.lowercased()] {
                offset = named
            }
        }
        guard let date = CalendarDate(year: year, month: monthIndex + 1, day: day) else { return nil }
        let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offset * 60)
        return Timestamp(seconds: seconds)
    }

    // MARK: Message-ID

    /// `<id@host>` as written, comments and white space dropped; nil when empty.
    public static func messageID(_ text: String) -> String? {
        let trimmed = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        if let open = trimmed.firstIndex(of: "<"), let close = trimmed[open...].firstIndex(of: ">") {
            let id = trimmed[open...close].filter { $0 != " " }
            return id.count > 2 ? String(id) : nil
        }
        let bare = trimmed.filter { $0 != " " }
        return bare.isEmpty ? nil : "<" + bare + ">"
    }

    // MARK: MIME parameters

    /// `text/plain; charset="iso-8859-1"; format=flowed`: the value before the first `;`
    /// lower-cased, and the parameters by lower-cased name. RFC 2231 continuations
    /// (`name*0`, `name*1*`) are joined in order and extended values (`name*=`) decoded.
    public static func parameters(_ text: String) -> (value: String, parameters: [String: String]) {
        let chars = Array(text)
        var i = 0
        func skipSpace() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }
        var value = ""
        while i < chars.count, chars[i] != ";" { value.append(chars[i]); i += 1 }
        value = String(value.filter { $0 != " " && $0 != "\t" }).lowercased()
        // Strip a comment such as `text/plain (plain text)`.
        if let paren = value.firstIndex(of: "(") { value = String(value[..<paren]) }
        var raw: [(name: String, value: String, quoted: Bool)] = []
        while i < chars.count {
            i += 1  // the ;
            skipSpace()
            var name = ""
            while i < chars.count, chars[i] != "=", chars[i] != ";" { name.append(chars[i]); i += 1 }
            name = name.trimmingSpaces.lowercased()
            guard i < chars.count, chars[i] == "=" else { continue }
            i += 1
            skipSpace()
            var parameterValue = ""
            var quoted = false
            if i < chars.count, chars[i] == "\"" {
                quoted = true
                parameterValue = quotedString(chars, &i)
                while i < chars.count, chars[i] != ";" { i += 1 }
            } else {
                while i < chars.count, chars[i] != ";" { parameterValue.append(chars[i]); i += 1 }
                parameterValue = parameterValue.trimmingSpaces
            }
            if !name.isEmpty { raw.append((name, parameterValue, quoted)) }
        }
        var result: [String: String] = [:]
        var continued: [String: [(index: Int, value: String, extended: Bool)]] = [:]
        for (name, parameterValue, quoted) in raw {
            if let star = name.firstIndex(of: "*") {
                let base = String(name[..<star])
                let rest = name[name.index(after: star)...]
                if rest.isEmpty {
                    result[base] = quoted ? parameterValue : MIMEDecoding.extendedValue(parameterValue)
                    continue
                }
                let extended = rest.hasSuffix("*")
                if let index = Int(extended ? rest.dropLast() : rest) {
                    continued[base, default: []].append((index, parameterValue, extended && !quoted))
                    continue
                }
            }
            if result[name] == nil { result[name] = parameterValue }
        }
        for (base, pieces) in continued {
            let ordered = pieces.sorted { $0.index < $1.index }
            // The charset is named in the first piece only; the later extended pieces are
            // %-encoded bytes of the same charset.
            var charset: Charset = .utf8
            var bytes: [UInt8] = []
            for (n, piece) in ordered.enumerated() {
                if piece.extended {
                    var encoded = Substring(piece.value)
                    if n == 0 {
                        let parts = piece.value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                        if parts.count == 3 {
                            charset = Charset(name: String(parts[0])) ?? .utf8
                            encoded = parts[2]
                        }
                    }
                    bytes += MIMEDecoding.percentDecoded(encoded.utf8)
                } else {
                    bytes += Array(piece.value.utf8)
                }
            }
            result[base] = charset.decode(bytes)
        }
        return (value, result)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
