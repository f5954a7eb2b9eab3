/// A message `leads mail` kept in DIR/mail/unmatched/ (it named no lead, several, or a
/// suppressed person), and whether it is about a person: what erasure removes with a
/// lead and what subject access hands over.
///
/// Such a message belongs to no lead, so it is matched by the person's e-mail addresses
/// only, never by a name or a phone number (shared too often, as SubjectAccessReport
/// explains). It names a person when one of their addresses is
/// - an address of From, To, Cc, Bcc, Reply-To or Sender, compared as `dupes` compares
///   (ContactKeys.email: case, and dots and +tags where the domain ignores them), or
/// - written anywhere in the message: its bytes or its decoded text, case-insensitively
///   (a colleague forwarding "Kontakt: T.Quellmalz@…", a base64 body, a message the
///   reader refused as unreadable).
/// A message that names two people is about both: erasing either removes it, because the
/// erased person's address and words are in it.
public struct KeptMessage: Sendable {
    /// The file's key (LeadStore.unmatchedMailKey).
    public let key: String
    public let bytes: [UInt8]
    /// nil when the reader refused it (it was kept as `unreadable`).
    public let message: MailMessage?

    public init(key: String, bytes: [UInt8], reader: MessageReader = MessageReader(limits: .init(messageBytes: Int.max))) {
        self.key = key
        self.bytes = bytes
        message = try? reader.read(bytes)
    }

    static let addressHeaders = ["from", "to", "cc", "bcc", "reply-to", "sender"]

    /// Whether one of `addresses` (as typed: any case, any spelling) is in this message.
    public func names(anyOf addresses: [String]) -> Bool {
        let keys = Set(addresses.compactMap(ContactKeys.email))
        guard !keys.isEmpty else { return false }
        if let message {
            for name in Self.addressHeaders {
                if message.addresses(name).contains(where: { ContactKeys.email($0.address).map(keys.contains) == true }) { return true }
            }
        }
        let written = addresses.map { ContactKeys.trim($0).lowercased() }.filter { $0.contains("@") }
        let raw = Self.asciiLowercased(bytes)
        for address in written where Self.contains(raw, Array(address.utf8)) { return true }
        if let text = message?.text.lowercased() {
            for address in written where text.contains(address) { return true }
        }
        return false
    }

    static func asciiLowercased(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first {
                var j = 1
                while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
