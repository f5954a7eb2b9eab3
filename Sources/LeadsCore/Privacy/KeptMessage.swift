/// A message `leads mail` kept in DIR/mail/unmatched/ (it named no lead, several, or a
/// suppressed person), and whether it is about a person: what erasure removes with a
/// lead and what subject access hands over.
///
/// Such a message belongs to no lead, so it is matched by the person's e-mail addresses
/// only, never by a name or a phone number (shared too often, as SubjectAccessReport
/// explains). It names a person when one of their addresses is
/// - an address of From, To, Cc, Bcc, Reply-To or Sender, or
/// - written anywhere in the message: in its bytes or its decoded text (a colleague
///   forwarding "Kontakt: T.Quellmalz@…", a base64 body, a message the reader refused as
///   unreadable),
/// compared as `dupes` compares (ContactKeys.email: case, and dots and +tags where the
/// domain ignores them). A written address is a whole one: `xjane@example.com` does not
/// name `jane@example.com`. A message that names two people is about both: erasing
/// either removes it, because the erased person's address and words are in it.
public struct KeptMessage: Sendable {
    /// The file's key (LeadStore.unmatchedMailKey).
    public let key: String
    public let bytes: [UInt8]
    /// nil when the reader refused it (it was kept as `unreadable`).
    public let message: MailMessage?
    /// Every address the message holds, normalised (ContactKeys.email).
    public let addresses: Set<String>

    public init(key: String, bytes: [UInt8], reader: MessageReader = MessageReader(limits: .init(messageBytes: Int.max))) {
        self.key = key
        self.bytes = bytes
        message = try? reader.read(bytes)
        addresses = Self.addresses(bytes, message)
    }

    static let addressHeaders = ["from", "to", "cc", "bcc", "reply-to", "sender"]

    /// Whether one of `addresses` (as typed: any case, any spelling) is in this message.
    public func names(anyOf addresses: [String]) -> Bool {
        addresses.contains { ContactKeys.email($0).map(self.addresses.contains) == true }
    }

    static func addresses(_ bytes: [UInt8], _ message: MailMessage?) -> Set<String> {
        var found: Set<String> = []
        if let message {
            for name in addressHeaders {
                for address in message.addresses(name) { if let key = ContactKeys.email(address.address) { found.insert(key) } }
            }
            writtenAddresses(Array(message.text.utf8), into: &found)
        }
        writtenAddresses(bytes, into: &found)
        return found
    }

    /// The bytes an address is made of around its `@`: RFC 5322 atext and dots on the
    /// left (and UTF-8 for international addresses), letters, digits, `-` and `.` on the
    /// right.
    static func isLocal(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x80...0xFF: true
        default: Array("!#$%&'*+-/=?^_`{|}~.".utf8).contains(b)
        }
    }

    static func isDomain(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x80...0xFF, UInt8(ascii: "-"), UInt8(ascii: "."): true
        default: false
        }
    }

    static func writtenAddresses(_ bytes: [UInt8], into found: inout Set<String>) {
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "@") else { i += 1; continue }
            var start = i
            while start > 0, isLocal(bytes[start - 1]) { start -= 1 }
            var end = i + 1
            while end < bytes.count, isDomain(bytes[end]) { end += 1 }
            var local = start
            while local < i, bytes[local] == UInt8(ascii: ".") { local += 1 }  // "….jane@" at a sentence start
            var last = end
            while last > i + 1, bytes[last - 1] == UInt8(ascii: ".") || bytes[last - 1] == UInt8(ascii: "-") { last -= 1 }  // "…@x.de."
            if local < i, last > i + 1, let key = ContactKeys.email(String(decoding: bytes[local..<last], as: UTF8.self)) {
                found.insert(key)
            }
            i = end
        }
    }
}
