/// Why a message cannot be written: an address leads will not put in a header.
public enum MailError: Error, Sendable, Equatable {
    /// `text` (from `source`: "config.json mail.from", "user anna's e-mail") is not an
    /// address leads can send to or from; `reason` says what is wrong.
    case invalidAddress(text: String, source: String, reason: String)

    public static func describe(_ error: MailError) -> String {
        switch error {
        case let .invalidAddress(text, source, reason): return "\(source) \"\(text)\" \(reason)"
        }
    }
}

/// One mailbox: an address with an optional display name, as in `Anna Schmidt
/// <anna@firma.de>` (RFC 5322 §3.4).
public struct MailAddress: Sendable, Equatable {
    public var name: String?
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// Reads config.json `mail.from` (or a user's address): `crm@firma.de`, or a display
    /// name before the address in angle brackets, `Leads CRM <crm@firma.de>`, the name
    /// optionally in double quotes. `source` names where the text came from in errors.
    public static func parse(_ text: String, source: String) throws(MailError) -> MailAddress {
        let trimmed = trim(text)
        if let open = trimmed.lastIndex(of: "<") {
            guard trimmed.hasSuffix(">") else {
                throw .invalidAddress(text: text, source: source, reason: "has a '<' without a closing '>' at its end")
            }
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var name = trim(String(trimmed[..<open]))
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = unquote(String(name.dropFirst().dropLast()))
            }
            try check(address, text: text, source: source)
            return MailAddress(name: name.isEmpty ? nil : name, address: address)
        }
        try check(trimmed, text: text, source: source)
        return MailAddress(address: trimmed)
    }

    /// An address leads writes into a header: `local@domain` in printable ASCII, without
    /// white space or the characters that would end it (`< > , ; " ( )`). Addresses in
    /// other scripts need SMTPUTF8 all along the way, which sendmail's pipe cannot ask for.
    public static func check(_ address: String, text: String, source: String) throws(MailError) {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .invalidAddress(text: text, source: source, reason: "is not an e-mail address (local@domain)")
        }
        for byte in address.utf8 {
            guard byte > 0x20, byte < 0x7F else {
                throw .invalidAddress(text: text, source: source,
                                      reason: byte >= 0x80 ? "has characters outside ASCII, which mail through sendmail cannot carry in an address"
                                          : "has white space or control characters in the address")
            }
            guard !"<>,;\"()[]\\".utf8.contains(byte) else {
                throw .invalidAddress(text: text, source: source, reason: "has '\(Character(Unicode.Scalar(byte)))' in the address")
            }
        }
    }

    private static func trim(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    private static func unquote(_ text: String) -> String {
        var out = ""
        var escaped = false
        for character in text {
            if !escaped, character == "\\" {
                escaped = true
                continue
            }
            escaped = false
            out.append(character)
        }
        return out
    }

    /// The domain of the address, for Message-IDs.
    public var domain: String { String(address.split(separator: "@").last ?? "") }

    /// The header tokens of this mailbox, for folding between them: the display name
    /// (atoms, one quoted-string, or encoded-words) and then `<address>`.
    func headerTokens(firstLineRoom: Int) -> [String] {
        guard let name, !name.isEmpty else { return [address] }
        let bracketed = "<" + address + ">"
        if !MIMEEncoding.isPlainHeaderText(name) {
            return MIMEEncoding.encodedWords(name, firstLineRoom: firstLineRoom) + [bracketed]
        }
        // atext (RFC 5322 §3.2.3) and spaces may stand as they are; anything else is quoted.
        let atext = name.utf8.allSatisfy { byte in
            byte == 0x20 || MIMEEncoding.isQLiteral(byte) || "#$%&'=?^_`{|}~".utf8.contains(byte)
        }
        if atext, !name.hasPrefix(" "), !name.hasSuffix(" "), !name.contains("  ") {
            return name.split(separator: " ").map(String.init) + [bracketed]
        }
        var quoted = "\""
        for character in name {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return [quoted + "\"", bracketed]
    }
}

/// One outgoing message, written by hand as RFC 5322 with MIME (RFC 2045–2047): a
/// single UTF-8 text/plain part, 7bit when it is plain ASCII, else quoted-printable.
/// `rendered` gives the bytes for `sendmail -t -oi`: LF line ends (sendmail makes them
/// CRLF), headers folded at white space to 76 characters where a line can be broken.
public struct OutgoingMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var subject: String
    public var date: Timestamp
    /// Without the angle brackets: `20261123T100000Z.5f2c….leads@firma.de`.
    public var messageID: String
    /// Lines end in LF.
    public var body: String
    /// Further fields, in order, after the standard ones (`Auto-Submitted`).
    public var extraHeaders: [(name: String, value: String)]

    public init(from: MailAddress, to: [MailAddress], subject: String, date: Timestamp, messageID: String, body: String,
                extraHeaders: [(name: String, value: String)] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.body = body
        self.extraHeaders = extraHeaders
    }

    public static func == (a: OutgoingMessage, b: OutgoingMessage) -> Bool {
        a.from == b.from && a.to == b.to && a.subject == b.subject && a.date == b.date && a.messageID == b.messageID
            && a.body == b.body && a.extraHeaders.map(\.name) == b.extraHeaders.map(\.name)
            && a.extraHeaders.map(\.value) == b.extraHeaders.map(\.value)
    }

    public var isSevenBit: Bool { MIMEEncoding.isSevenBit(body) }

    /// The whole message: header fields, an empty line, the encoded body, a final LF.
    public func rendered() -> [UInt8] {
        var lines: [String] = []
        lines.append(Self.fold(name: "Date", [Self.rfc5322Date(date)]))
        lines.append(Self.fold(name: "From", from.headerTokens(firstLineRoom: MIMEEncoding.lineLimit - "From: ".count)))
        lines.append(Self.addressList(name: "To", to))
        lines.append(Self.subjectField(subject))
        lines.append(Self.fold(name: "Message-ID", ["<" + messageID + ">"]))
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: text/plain; charset=utf-8")
        let sevenBit = isSevenBit
        lines.append("Content-Transfer-Encoding: " + (sevenBit ? "7bit" : "quoted-printable"))
        for field in extraHeaders {
            lines.append(Self.fold(name: field.name, field.value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)))
        }
        var text = body.hasSuffix("\n") ? String(body.dropLast()) : body
        text = sevenBit ? text : MIMEEncoding.quotedPrintable(text)
        return Array((lines.joined(separator: "\n") + "\n\n" + text + "\n").utf8)
    }

    /// A Subject field: as it is when it is plain ASCII, else encoded-words.
    static func subjectField(_ subject: String) -> String {
        let prefix = "Subject: "
        if MIMEEncoding.isPlainHeaderText(subject) {
            return fold(name: "Subject", subject.split(separator: " ", omittingEmptySubsequences: false).map(String.init))
        }
        return fold(name: "Subject", MIMEEncoding.encodedWords(subject, firstLineRoom: MIMEEncoding.lineLimit - prefix.count))
    }

    /// `To: a <a@x>, b <b@y>`, folded between the tokens.
    static func addressList(name: String, _ addresses: [MailAddress]) -> String {
        var tokens: [String] = []
        for (i, address) in addresses.enumerated() {
            var mailbox = address.headerTokens(firstLineRoom: MIMEEncoding.lineLimit - name.count - 2)
            if i < addresses.count - 1 { mailbox[mailbox.count - 1] += "," }
            tokens += mailbox
        }
        return fold(name: name, tokens)
    }

    /// `Name: t1 t2 …`, the tokens separated by single spaces; a line break goes before
    /// a token that would carry the line past 76 characters (RFC 5322 §2.2.3 folding:
    /// unfolding removes only the line break, so the value is unchanged). A token longer
    /// than a line stays whole: RFC 5322 allows up to 998 characters.
    static func fold(name: String, _ tokens: [String]) -> String {
        var out = ""
        var line = name + ":"
        for token in tokens {
            if line.count + 1 + token.count > MIMEEncoding.lineLimit, line.count > name.count + 1 {
                out += line + "\n"
                line = " " + token
            } else {
                line += " " + token
            }
        }
        return out + line
    }

    private static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 5322 §3.3 in local time with its offset: `Mon, 23 Nov 2026 11:00:00 +0100`.
    public static func rfc5322Date(_ t: Timestamp) -> String {
        let local = LocalTime.components(of: t)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let offset = local.utcOffsetSeconds / 60
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        return "\(weekdays[local.date.weekday - 1]), \(local.date.day) \(months[local.date.month - 1]) \(local.date.year) "
            + "\(two(local.hour)):\(two(local.minute)):\(two(local.second)) \(sign)\(two(magnitude / 60))\(two(magnitude % 60))"
    }

    /// A Message-ID (RFC 5322 §3.6.4): the time, `unique` (random hex from the caller),
    /// `leads`, and the sender's domain, which makes it unique across hosts. Short enough
    /// that the field fits one 76-character line for a domain of up to 14 characters.
    public static func messageID(time: Timestamp, unique: String, domain: String) -> String {
        let stamp = time.iso8601.filter { $0 != "-" && $0 != ":" }
        let host = domain.isEmpty ? "localhost" : domain
        return "\(stamp).\(unique).leads@\(host)"
    }
}
