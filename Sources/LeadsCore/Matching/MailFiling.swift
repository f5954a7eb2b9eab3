/// Which lead an incoming message belongs to, and the note it becomes (SPEC §6, `leads
/// mail`). Pure: the command asks the store for the leads these rules name.
///
/// 1. A lead number in the subject. HQ's rule: a word of digits between spaces
///    (`XYZ Lead 11111`); a bracket or other character right after the number makes it
///    another word (`11111]`, `11111)`), which is how a sender keeps a number from being
///    read as a lead. Also `#42` and `[#42]`, which win over bare numbers: a subject
///    `Angebot #42 für 3 Plätze` names lead 42, not 3. Numbers that name no lead (a year,
///    a quantity) are passed over; two that name different leads are ambiguous.
/// 2. Else an address of From, To or Cc equal to exactly one lead's e-mail (normalised as
///    the duplicate check does: case-insensitive), the team's own addresses left out.
/// Nothing else is guessed: no name matching, no domain matching.
public enum MailFiling {
    /// Lead numbers the subject names: `explicit` from `#42`/`[#42]`, `bare` from words
    /// of digits, each in order of appearance without repeats.
    public static func subjectNumbers(_ subject: String) -> (explicit: [Int], bare: [Int]) {
        var explicit: [Int] = []
        var bare: [Int] = []
        for word in subject.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            var digits = Substring(word)
            var isExplicit = false
            if digits.hasPrefix("[#"), digits.hasSuffix("]") {
                digits = digits.dropFirst(2).dropLast()
                isExplicit = true
            } else if digits.hasPrefix("#") {
                digits = digits.dropFirst()
                isExplicit = true
            }
            guard !digits.isEmpty, digits.count <= 13, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let number = Int(digits), number > 0 else { continue }
            if isExplicit {
                if !explicit.contains(number) { explicit.append(number) }
            } else if !bare.contains(number) {
                bare.append(number)
            }
        }
        return (explicit, bare)
    }

    /// How an address is compared with a lead's e-mail and the team's: the duplicate
    /// check's normalisation (case-folded, trimmed).
    public static func addressKey(_ address: String) -> String { DuplicateKey.normalise(address) }

    /// Every address of From, To and Cc, in that order, without repeats (compared
    /// case-insensitively).
    public static func addresses(of message: MailMessage) -> [MailAddress] {
        var seen: Set<String> = []
        var result: [MailAddress] = []
        for address in message.from + message.to + message.cc where seen.insert(address.address.lowercased()).inserted {
            result.append(address)
        }
        return result
    }

    /// The key that makes a second delivery of the same message the same note: its
    /// Message-ID, else (a message without one) the SHA-256 of its bytes.
    public static func identity(of message: MailMessage, bytes: [UInt8]) -> String {
        if let id = message.messageID { return id }
        return "sha256:" + hexString(SHA256.hash(bytes))
    }

    /// The note's text: the header lines a reader wants (Date, From, To, Cc, Subject,
    /// Message-ID, decoded), a blank line, the decoded text, and a line per attachment.
    public static func noteText(_ message: MailMessage, attachments: [String]) -> String {
        var lines: [String] = []
        func add(_ name: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            // One line each: a folded or hostile header cannot add lines to the note.
            lines.append(name + ": " + value.map { $0 == "\n" || $0 == "\r" ? " " : $0 }.reduce(into: "") { $0.append($1) })
        }
        add("Date", message.header("date"))
        add("From", format(message.from))
        add("To", format(message.to))
        add("Cc", format(message.cc))
        add("Subject", message.subject)
        add("Message-ID", message.messageID)
        var text = lines.joined(separator: "\n") + "\n\n" + trimmedBody(message.text)
        if !attachments.isEmpty { text += "\n\n" + attachments.map { "Attachment: " + $0 }.joined(separator: "\n") }
        return text
    }

    public static func format(_ addresses: [MailAddress]) -> String? {
        guard !addresses.isEmpty else { return nil }
        return addresses.map { address in
            address.name.map { $0 + " <" + address.address + ">" } ?? address.address
        }.joined(separator: ", ")
    }

    /// The body without trailing white space on its lines or blank lines at its ends.
    static func trimmedBody(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var l = line
            while let last = l.last, last == " " || last == "\t" || last == "\r" { l.removeLast() }
            return l
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// The structured copy kept beside the note text (`"mail"` in the note's JSON).
    public static func noteRecord(_ message: MailMessage, identity: String) -> JSONValue {
        func list(_ addresses: [MailAddress]) -> JSONValue { .array(addresses.map { .string($0.address) }) }
        var object: [String: JSONValue] = ["id": .string(identity), "from": list(message.from), "to": list(message.to)]
        if !message.cc.isEmpty { object["cc"] = list(message.cc) }
        if let subject = message.subject { object["subject"] = .string(subject) }
        if let date = message.date { object["date"] = .string(date.iso8601) }
        return .object(object)
    }

    /// The identity a note was filed under, if it came from mail.
    public static func identity(of note: Note) -> String? {
        guard case .object(let record)? = note.extra["mail"], case .string(let id)? = record["id"] else { return nil }
        return id
    }

    /// A file name for an attachment the sender did not name, from its type.
    public static func fallbackName(_ attachment: MailAttachment) -> String {
        let extensions = ["message/rfc822": "eml", "application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg",
                          "image/gif": "gif", "text/plain": "txt", "text/html": "html", "text/calendar": "ics",
                          "text/vcard": "vcf", "text/x-vcard": "vcf", "application/zip": "zip"]
        let stem = attachment.contentType == "message/rfc822" ? "message" : "attachment-" + attachment.part
        return stem + "." + (extensions[attachment.contentType] ?? "bin")
    }
}
