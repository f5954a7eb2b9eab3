/// Everything the store holds on one person, for a request under DSGVO Art. 15: the
/// leads that are that person, the customer records made from them or holding the same
/// address, the log records about those leads and customers, and the mail kept unmatched
/// that names one of their addresses (KeptMessage).
///
/// A person is asked for by e-mail address or by a lead's ID. Addresses are compared
/// normalised as `dupes` compares them (case, and dots and +tags where the domain ignores
/// them), so `Info@Mueller-GmbH.de` finds `info@mueller-gmbh.de`; a lead asked for by ID
/// brings the other leads with its address. Phone numbers and names are not matched:
/// they are shared too often (a switchboard, a common name) to hand one person's data
/// to another.
///
/// A pure accumulator: the command feeds it leads, merged-away leads, customers, then
/// log records, then the kept messages that name one of `addresses`.
public struct SubjectAccessReport: Sendable {
    public enum Subject: Sendable, Equatable {
        case email(String)
        case lead(Int)
    }

    public let subject: Subject
    public private(set) var leads: [Lead] = []
    public private(set) var customers: [Customer] = []
    /// Leads merged into one of the person's, or holding the address: kept whole for unmerge.
    public private(set) var merged: [MergedLead] = []
    public private(set) var activity: [ActivityEntry] = []
    public private(set) var mail: [KeptMessage] = []
    /// The normalised address the person is known by, if any.
    public let addressKey: String?
    private let leadID: Int?
    private var leadIDs: Set<Int> = []
    private var customerIDs: Set<Int> = []

    /// `anchor` is the lead asked for by ID (read first, for its address).
    public init(_ subject: Subject, anchor: Lead? = nil) {
        self.subject = subject
        switch subject {
        case .email(let address):
            addressKey = ContactKeys.email(address)
            leadID = nil
        case .lead(let id):
            addressKey = anchor?.email.flatMap(ContactKeys.email)
            leadID = id
        }
    }

    private func sameAddress(_ email: String?) -> Bool {
        guard let addressKey, let email, let key = ContactKeys.email(email) else { return false }
        return key == addressKey
    }

    public mutating func add(_ lead: Lead) {
        guard lead.id == leadID || sameAddress(lead.email) else { return }
        leads.append(lead)
        leadIDs.insert(lead.id)
        if let customer = lead.conversion?.customer { customerIDs.insert(customer) }
    }

    /// After every lead, before customers: a lead merged away is the person's data too.
    public mutating func add(_ record: MergedLead) {
        guard leadIDs.contains(record.into) || record.other.id == leadID || sameAddress(record.other.email) else { return }
        merged.append(record)
        leadIDs.insert(record.other.id)
    }

    /// After every lead: a customer belongs when a matched lead became it, it names a
    /// matched lead, or it holds the same address.
    public mutating func add(_ customer: Customer) {
        guard customerIDs.contains(customer.id) || customer.leads.contains(where: leadIDs.contains) || sameAddress(customer.email) else { return }
        customers.append(customer)
        customerIDs.insert(customer.id)
    }

    /// After every customer: the records about a matched lead or customer.
    public mutating func add(_ entry: ActivityEntry) {
        if let lead = entry.lead, leadIDs.contains(lead) { activity.append(entry); return }
        if let customer = entry.customer, customerIDs.contains(customer) { activity.append(entry) }
    }

    /// Every address the person is known by: the one asked for and those of their leads,
    /// merged-away leads and customers, as written (for KeptMessage.names).
    public var addresses: [String] {
        var all: [String] = []
        if case .email(let address) = subject { all.append(address) }
        all += leads.compactMap(\.email) + merged.compactMap(\.other.email) + customers.compactMap(\.email)
        var seen: Set<String> = []
        return all.filter { seen.insert(ContactKeys.email($0) ?? $0).inserted }
    }

    /// Last: a kept message that names one of `addresses`.
    public mutating func add(_ message: KeptMessage) {
        guard message.names(anyOf: addresses) else { return }
        mail.append(message)
    }

    public var isEmpty: Bool { leads.isEmpty && merged.isEmpty && customers.isEmpty && activity.isEmpty && mail.isEmpty }
}
