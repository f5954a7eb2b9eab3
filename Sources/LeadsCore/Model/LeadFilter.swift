/// Which leads a report or listing covers (`list`, `pipeline`, `export-csv`).
///
/// Owner, label, source and campaign match case-insensitively (`--owner Sabine` finds
/// `sabine`, `--label bäckerei` finds `Bäckerei`): a rep types what they remember, not
/// what an import wrote.
public struct LeadFilter: Sendable {
    /// Include won, lost and dnc leads (otherwise only when named by `stages`).
    public var includeClosed = false
    public var stages: Set<String> = []
    public var owners: Set<String> = [] { didSet { lowerOwners = Set(owners.map { $0.lowercased() }) } }
    /// Every label must be present.
    public var labels: [String] = [] { didSet { lowerLabels = labels.map { $0.lowercased() } } }
    public var source: String? { didSet { lowerSource = source?.lowercased() } }
    public var campaign: String? { didSet { lowerCampaign = campaign?.lowercased() } }
    /// Case-insensitive substring of name, company, e-mail, labels, custom field values or
    /// any note; a number also matches phone numbers (see PhoneDigits).
    public var search: String? {
        didSet {
            lowerSearch = search?.lowercased()
            phoneSearch = search.flatMap(PhoneDigits.needle)
        }
    }
    /// Only leads with an open reminder due at or before this instant.
    public var overdueAt: Timestamp?

    private var lowerOwners: Set<String> = []
    private var lowerLabels: [String] = []
    private var lowerSource: String?
    private var lowerCampaign: String?
    private var lowerSearch: String?
    private var phoneSearch: PhoneDigits.Needle?

    public init() {}

    public func matches(_ lead: Lead) -> Bool {
        if !stages.isEmpty {
            if !stages.contains(lead.stage) { return false }
        } else if !includeClosed && lead.isClosed {
            return false
        }
        return matchesHidingNothing(lead)
    }

    /// Whether the lead matches every criterion but the one that hides closed leads:
    /// for counting what `list` hid ("3 closed ones hidden, see --all").
    public func hidesOnlyForBeingClosed(_ lead: Lead) -> Bool {
        stages.isEmpty && !includeClosed && lead.isClosed && matchesHidingNothing(lead)
    }

    private func matchesHidingNothing(_ lead: Lead) -> Bool {
        if !lowerOwners.isEmpty && !lowerOwners.contains((lead.owner ?? "").lowercased()) { return false }
        for label in lowerLabels where !lead.labels.contains(where: { $0.lowercased() == label }) { return false }
        if let lowerSource, lead.source?.lowercased() != lowerSource { return false }
        if let lowerCampaign, lead.campaign?.lowercased() != lowerCampaign { return false }
        if let overdueAt {
            guard !lead.isClosed, let next = lead.nextReminder, next.due.dueInstant <= overdueAt else { return false }
        }
        if let needle = lowerSearch {
            let texts = [lead.name, lead.company ?? "", lead.email ?? ""]
            let found = texts.contains { $0.lowercased().contains(needle) }
                || lead.labels.contains { $0.lowercased().contains(needle) }
                || lead.fields.values.contains { $0.lowercased().contains(needle) }
                || lead.notes.contains { $0.text.lowercased().contains(needle) }
                || phoneSearch.map { phone in
                    (lead.phone.map(phone.matches) ?? false) || lead.fields.values.contains(where: phone.matches)
                } ?? false
            if !found { return false }
        }
        return true
    }
}

/// Phone numbers compared by their digits, as people type them: `0171 123-4567`,
/// `+49 171 1234567`, `+49 (0)171 1234567` and `0049 171 1234567` are one number.
///
/// A number is read as its digits, ignoring spaces, `-`, `/`, `.` and brackets, and put
/// into international form: a leading `+` or `00` starts the country code; `(0)` after it
/// is the trunk prefix some write and is dropped; a single leading `0` is a national
/// number, taken as German (`+49`), the country the tool's users work from. A search text
/// is a phone search when it holds only such characters and at least three digits; it
/// matches a number when its international form, or its bare digits, occur in the
/// number's international form, or its bare digits (`--search 0171` finds
/// `+49 171 1234567`; `--search "123-45"` finds `0171 12345`).
public enum PhoneDigits {
    public struct Needle: Sendable {
        var international: String?
        var digits: String

        public func matches(_ number: String) -> Bool {
            if PhoneDigits.digits(number).contains(self.digits) { return true }
            guard let target = PhoneDigits.international(number) else { return false }
            if target.contains(self.digits) { return true }
            return international.map { target.contains($0) } ?? false
        }
    }

    static let home = "49"

    static func isPhoneCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isNumber || " -/.()".contains(c))
    }

    /// The search text as a phone search, or nil when it is not one.
    public static func needle(_ text: String) -> Needle? {
        let body = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        guard body.allSatisfy(isPhoneCharacter) else { return nil }
        let digits = self.digits(text)
        guard digits.count >= 3 else { return nil }
        return Needle(international: international(text), digits: digits)
    }

    static func digits(_ text: String) -> String { String(text.filter { $0.isASCII && $0.isNumber }) }

    /// `+49 (0)171 …` / `0049 171 …` / `0171 …` → "49171…"; nil when there is no prefix
    /// to go by (a bare local number).
    public static func international(_ text: String) -> String? {
        let trimmed = String(text.drop { $0 == " " })
        let plus = trimmed.hasPrefix("+")
        var digits = self.digits(trimmed)
        if plus || digits.hasPrefix("00") {
            // The "(0)" of "+49 (0)171" is not dialled from abroad.
            var rest = trimmed
            if let range = rest.firstRange(of: "(0)") { rest.removeSubrange(range) }
            digits = self.digits(rest)
            if !plus { digits.removeFirst(2) }
            return digits.isEmpty ? nil : digits
        }
        if digits.hasPrefix("0") { return home + digits.dropFirst() }
        return nil
    }
}
