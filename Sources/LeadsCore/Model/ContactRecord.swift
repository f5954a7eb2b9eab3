/// What a lead file and a customer file hold alike: who the record is (name, company,
/// how to reach them) and who made and last changed it, written under the same keys
/// and read by the same rules, so the two formats cannot drift apart.
protocol ContactRecord {
    var id: Int { get set }
    var name: String { get set }
    var organization: Bool { get set }
    var company: String? { get set }
    var email: String? { get set }
    var phone: String? { get set }
    var address: String? { get set }
    var createdAt: Timestamp { get set }
    var createdBy: String { get set }
    var updatedAt: Timestamp { get set }
    var updatedBy: String { get set }
}

extension ContactRecord {
    /// The shared keys; an absent optional removes its key.
    func putContactFields(_ o: inout [String: JSONValue]) {
        o["id"] = .number(String(id))
        o["name"] = .string(name)
        o["organization"] = .bool(organization)
        o["company"] = company.map(JSONValue.string)
        o["email"] = email.map(JSONValue.string)
        o["phone"] = phone.map(JSONValue.string)
        o["address"] = address.map(JSONValue.string)
        o["created_at"] = .string(createdAt.iso8601)
        o["created_by"] = .string(createdBy)
        o["updated_at"] = .string(updatedAt.iso8601)
        o["updated_by"] = .string(updatedBy)
    }

    /// Reads `key`'s value if it is one of the contact fields; false leaves the value unread.
    mutating func readContactField(_ key: String, _ r: inout JSONReader) throws(JSONError) -> Bool {
        switch key {
        case "organization": organization = try r.readBool()
        case "company": company = try r.readString()
        case "email": email = try r.readString()
        case "phone": phone = try r.readString()
        case "address": address = try r.readString()
        default: return false
        }
        return true
    }
}

/// The members that say which record a file is and who made it: `format`, `id` (checked
/// against the file name), `name`, and the `created_*`/`updated_*` pair. The decoder's
/// switch hands them here as it meets them; `check` and `apply` then name what is
/// missing or wrong, with its position, in one wording for leads and customers.
struct RecordHeader {
    let format: Int
    let start: Int
    var id: Int?, idAt = 0, name: String?
    var createdAt: Timestamp?, createdBy: String?, updatedAt: Timestamp?, updatedBy: String?

    init(format: Int, start: Int) {
        self.format = format
        self.start = start
    }

    mutating func read(_ key: String, at: Int, _ r: inout JSONReader) throws(JSONError) {
        switch key {
        case "format":
            let found = try r.readInt()
            guard found == format else {
                throw r.fail(.invalidValue("unsupported format \(found) (this version reads format \(format))"), at: at)
            }
        case "id":
            idAt = at
            id = try r.readInt()
        case "name": name = try r.readString()
        case "created_at": createdAt = try Lead.readTimestamp(&r)
        case "created_by": createdBy = try r.readString()
        case "updated_at": updatedAt = try Lead.readTimestamp(&r)
        case "updated_by": updatedBy = try r.readString()
        default: try r.skipValue()
        }
    }

    func missing(_ key: String, _ r: JSONReader) -> JSONError { r.fail(.invalidValue("missing \"\(key)\""), at: start) }

    /// The id and the name, checked; before the caller's own required members.
    func check(expectedID: Int?, _ r: JSONReader) throws(JSONError) -> (id: Int, name: String) {
        guard let id else { throw missing("id", r) }
        guard id > 0 else { throw r.fail(.invalidValue("id must be a positive integer"), at: idAt) }
        if let expectedID, id != expectedID {
            throw r.fail(.invalidValue("id \(id) does not match the file name (\(expectedID).json)"), at: idAt)
        }
        guard let name else { throw missing("name", r) }
        return (id, name)
    }

    /// Sets the record's header members (after `check`); an absent update is the creation.
    func apply<Record: ContactRecord>(to record: inout Record, expectedID: Int?, _ r: JSONReader) throws(JSONError) {
        let (id, name) = try check(expectedID: expectedID, r)
        guard let createdAt else { throw missing("created_at", r) }
        record.id = id
        record.name = name
        record.createdAt = createdAt
        record.createdBy = createdBy ?? ""
        record.updatedAt = updatedAt ?? createdAt
        record.updatedBy = updatedBy ?? record.createdBy
    }
}

extension Lead: ContactRecord {}
extension Customer: ContactRecord {}
