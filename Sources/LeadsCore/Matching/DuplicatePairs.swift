// `leads dupes`: likely duplicate pairs, found by grouping leads on their normalised keys
// (ContactKeys) in hash tables — linear in the number of leads, never a comparison of
// every lead with every other. Each pair carries every reason the two leads share.

/// Why two leads look like one person.
public enum DuplicateReason: String, Sendable, CaseIterable, Comparable {
    case email, phone, name, company

    /// How much a reason says: an address or number identifies a person; a name does
    /// only with its company; a company alone never makes a pair.
    public var weight: Int {
        switch self {
        case .email: return 50
        case .phone: return 35
        case .name: return 30
        case .company: return 15
        }
    }

    public static func < (a: DuplicateReason, b: DuplicateReason) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What `dupes` compares of one lead: its normalised keys.
public struct MatchRecord: Sendable {
    public var id: Int
    public var email: String?
    public var phone: String?
    public var name: String?
    public var company: String?

    public init(id: Int, email: String?, phone: String?, name: String?, company: String?) {
        self.id = id
        self.email = email
        self.phone = phone
        self.name = name
        self.company = company
    }

    public init(_ lead: Lead, home: String = "DE") {
        self.init(id: lead.id, email: lead.email.flatMap(ContactKeys.email), phone: lead.phone.flatMap { ContactKeys.phone($0, home: home) },
                  name: ContactKeys.name(lead.name), company: lead.company.flatMap(ContactKeys.company))
    }

    func shares(_ reason: DuplicateReason, with other: MatchRecord) -> Bool {
        func same(_ a: String?, _ b: String?) -> Bool { a != nil && a == b }
        switch reason {
        case .email: return same(email, other.email)
        case .phone: return same(phone, other.phone)
        case .name: return same(name, other.name)
        case .company: return same(company, other.company)
        }
    }
}

public struct DuplicatePair: Sendable, Equatable {
    /// The lower ID first.
    public var first: Int
    public var second: Int
    public var reasons: [DuplicateReason]
    public var score: Int { reasons.reduce(0) { $0 + $1.weight } }
}

/// A key that more leads share than are paired (a switchboard number, a common name
/// without company): reported as a group, since its pairs would grow with the square.
public struct CrowdedKey: Sendable, Equatable {
    public var reason: DuplicateReason
    public var ids: [Int]
}

public struct DuplicateReport: Sendable {
    /// Highest score first, then by IDs.
    public var pairs: [DuplicatePair]
    public var crowded: [CrowdedKey]
}

/// Accumulates records (in any order) and pairs them.
public struct DuplicateFinder {
    /// A key shared by more leads than this is reported as crowded, not paired.
    public var groupLimit: Int
    private var records: [MatchRecord] = []
    private var byID: [Int: Int] = [:]

    public init(groupLimit: Int = 25) { self.groupLimit = groupLimit }

    public mutating func add(_ record: MatchRecord) {
        byID[record.id] = records.count
        records.append(record)
    }

    public func record(_ id: Int) -> MatchRecord? { byID[id].map { records[$0] } }

    /// Pairs come from three kinds of key: the e-mail, the phone, and the name with the
    /// company (or the name alone, when a lead has no company). Then every reason the
    /// two share is collected.
    public func report() -> DuplicateReport {
        var groups: [DuplicateReason: [String: [Int]]] = [.email: [:], .phone: [:], .name: [:]]
        for (index, record) in records.enumerated() {
            if let e = record.email { groups[.email]![e, default: []].append(index) }
            if let p = record.phone { groups[.phone]![p, default: []].append(index) }
            if let n = record.name { groups[.name]![n + "\u{0}" + (record.company ?? ""), default: []].append(index) }
        }
        // Names without company also meet names with one: "Thomas Müller" and
        // "Thomas Müller, Müller GmbH" are one person more often than not.
        var nameOnly: [String: [Int]] = [:]
        for (index, record) in records.enumerated() {
            if let n = record.name { nameOnly[n, default: []].append(index) }
        }
        var seen = Set<UInt128>()
        var pairs: [DuplicatePair] = []
        var crowded: [CrowdedKey] = []
        func pairUp(_ members: [Int], reason: DuplicateReason) {
            guard members.count > 1 else { return }
            guard members.count <= groupLimit else {
                crowded.append(CrowdedKey(reason: reason, ids: members.map { records[$0].id }.sorted()))
                return
            }
            for i in 0..<members.count {
                for j in (i + 1)..<members.count {
                    let a = records[members[i]], b = records[members[j]]
                    let (low, high) = a.id < b.id ? (a, b) : (b, a)
                    guard seen.insert(UInt128(UInt64(low.id)) << 64 | UInt128(UInt64(high.id))).inserted else { continue }
                    let reasons = DuplicateReason.allCases.filter { low.shares($0, with: high) }
                    pairs.append(DuplicatePair(first: low.id, second: high.id, reasons: reasons))
                }
            }
        }
        for reason in [DuplicateReason.email, .phone, .name] {
            for members in groups[reason]!.values { pairUp(members, reason: reason) }
        }
        for members in nameOnly.values where members.count > 1 {
            let withCompany = members.filter { records[$0].company != nil }
            let without = members.filter { records[$0].company == nil }
            guard !without.isEmpty, !withCompany.isEmpty else { continue }
            if members.count > groupLimit {
                crowded.append(CrowdedKey(reason: .name, ids: members.map { records[$0].id }.sorted()))
                continue
            }
            for a in without { for b in withCompany { pairUp([a, b], reason: .name) } }
        }
        pairs.sort { ($0.score, $1.first, $1.second) > ($1.score, $0.first, $0.second) }
        var seenCrowds = Set<[Int]>()
        crowded = crowded.filter { seenCrowds.insert([$0.reason.weight] + $0.ids).inserted }
        crowded.sort { ($0.reason, $0.ids.first ?? 0) < ($1.reason, $1.ids.first ?? 0) }
        return DuplicateReport(pairs: pairs, crowded: crowded)
    }
}
