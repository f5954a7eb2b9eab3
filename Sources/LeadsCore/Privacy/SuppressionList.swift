/// The people who asked not to be contacted again (Sperrliste), kept so that they can be
/// recognised and nothing more: for each, a keyed hash (HMAC-SHA-256) of their normalised
/// e-mail address or phone number, when it was added and by whom. The key is a random
/// secret of the data directory (DIR/suppression.key, never in the log or an export), so
/// the list alone does not tell whether a given address is on it, and a leaked list
/// cannot be checked against a list of addresses without the key.
///
/// Addresses are normalised as `dupes` normalises them (ContactKeys): a suppressed
/// `Info@Mueller-GmbH.de` also refuses `info@mueller-gmbh.de`, and `+49 30 1234567` the
/// national `030 1234567`. A refusal names the entry ("suppression entry 3, added
/// 2026-12-02 by alice"), never the person.
public struct SuppressionList: Sendable, Equatable {
    public static let format = 1

    public enum Kind: String, Sendable {
        case email, phone
    }

    public struct Entry: Sendable, Equatable {
        public var number: Int
        public var kind: Kind
        /// Lower-case hex HMAC-SHA-256 of "kind:normalised".
        public var digest: String
        public var addedAt: Timestamp
        public var addedBy: String

        /// How a refusal or a report names the entry: never the person.
        public var rule: String { "suppression entry \(number) (\(kind == .email ? "an e-mail address" : "a phone number"), added \(addedAt.iso8601.prefix(10)) by \(addedBy))" }
    }

    public let key: [UInt8]
    public private(set) var entries: [Entry] = []
    private var byDigest: [String: Int] = [:]

    public init(key: [UInt8]) {
        self.key = key
    }

    public func digest(_ kind: Kind, _ normalised: String) -> String {
        hexString(HMACSHA256.authenticate(Array((kind.rawValue + ":" + normalised).utf8), key: key))
    }

    /// The entry that matches an address or number, once normalised.
    public func entry(_ kind: Kind, _ normalised: String) -> Entry? {
        byDigest[digest(kind, normalised)].map { entries[$0] }
    }

    /// The entry that refuses this lead: its e-mail address, then its phone number.
    public func entry(for lead: Lead, home: String) -> Entry? {
        if let email = lead.email.flatMap(ContactKeys.email), let found = entry(.email, email) { return found }
        if let phone = lead.phone.flatMap({ ContactKeys.phone($0, home: home) }), let found = entry(.phone, phone) { return found }
        return nil
    }

    /// Adds an address or number; an entry already there is returned as it was.
    @discardableResult
    public mutating func add(_ kind: Kind, _ normalised: String, at time: Timestamp, by user: String) -> (entry: Entry, isNew: Bool) {
        let digest = digest(kind, normalised)
        if let index = byDigest[digest] { return (entries[index], false) }
        let entry = Entry(number: (entries.last?.number ?? 0) + 1, kind: kind, digest: digest, addedAt: time, addedBy: user)
        byDigest[digest] = entries.count
        entries.append(entry)
        return (entry, true)
    }

    /// Both of a lead's keys (what `delete --suppress` adds); returns the new entries.
    public mutating func add(_ lead: Lead, home: String, at time: Timestamp, by user: String) -> [Entry] {
        add(email: lead.email, phone: lead.phone, home: home, at: time, by: user)
    }

    /// An address and a number as typed (either may be nil); returns the new entries.
    public mutating func add(email: String?, phone: String?, home: String, at time: Timestamp, by user: String) -> [Entry] {
        var added: [Entry] = []
        if let email = email.flatMap(ContactKeys.email) {
            let result = add(.email, email, at: time, by: user)
            if result.isNew { added.append(result.entry) }
        }
        if let phone = phone.flatMap({ ContactKeys.phone($0, home: home) }) {
            let result = add(.phone, phone, at: time, by: user)
            if result.isNew { added.append(result.entry) }
        }
        return added
    }

    // MARK: DIR/suppression.json

    public var json: JSONValue {
        .object(["format": .number(String(Self.format)), "entries": .array(entries.map { entry in
            .object(["n": .number(String(entry.number)), "kind": .string(entry.kind.rawValue), "hmac": .string(entry.digest),
                     "added_at": .string(entry.addedAt.iso8601), "added_by": .string(entry.addedBy)])
        })])
    }

    public init(key: [UInt8], bytes: [UInt8]) throws(JSONError) {
        self.init(key: key)
        var reader = JSONReader(bytes)
        let start = reader.offset
        guard case .object(let object) = try reader.readValue() else { throw reader.fail(.typeMismatch(expected: "object"), at: start) }
        try reader.finish()
        guard case .number(let format)? = object["format"], format == String(Self.format) else {
            throw reader.fail(.invalidValue("unsupported or missing \"format\" (this version reads format \(Self.format))"), at: start)
        }
        guard case .array(let list)? = object["entries"] else { throw reader.fail(.invalidValue("missing \"entries\""), at: start) }
        for (index, item) in list.enumerated() {
            guard case .object(let e) = item, case .number(let n)? = e["n"], let number = Int(n),
                  case .string(let k)? = e["kind"], let kind = Kind(rawValue: k),
                  case .string(let digest)? = e["hmac"], digest.utf8.count == 64,
                  case .string(let at)? = e["added_at"], let addedAt = Timestamp(iso8601: at),
                  case .string(let by)? = e["added_by"] else {
                throw reader.fail(.invalidValue("entry \(index + 1) is not {n, kind, hmac, added_at, added_by}"), at: start)
            }
            byDigest[digest] = entries.count
            entries.append(Entry(number: number, kind: kind, digest: digest, addedAt: addedAt, addedBy: by))
        }
    }
}
