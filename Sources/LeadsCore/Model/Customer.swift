/// A project made from a converted lead; one lead may become several.
public struct Project: Sendable, Equatable {
    public var name: String
    public var lead: Int
    public var at: Timestamp

    public init(name: String, lead: Int, at: Timestamp) {
        self.name = name
        self.lead = lead
        self.at = at
    }
}

/// DIR/customers/<id>.json, made by `convert` from a won lead's contact data.
public struct Customer: Sendable, Equatable {
    public static let format = 1

    public var id: Int
    public var name: String
    public var organization = false
    public var company: String?
    public var email: String?
    public var phone: String?
    public var address: String?
    public var leads: [Int] = []
    public var projects: [Project] = []
    public var createdAt: Timestamp
    public var createdBy: String
    public var updatedAt: Timestamp
    public var updatedBy: String
    public var extra: [String: JSONValue] = [:]

    public init(id: Int, name: String, createdAt: Timestamp, createdBy: String) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = createdAt
        self.updatedBy = createdBy
    }

    /// A customer made from a lead's contact data.
    public init(id: Int, from lead: Lead, name: String?, at time: Timestamp, by user: String) {
        self.init(id: id, name: name ?? lead.company ?? lead.name, createdAt: time, createdBy: user)
        organization = lead.organization || (name == nil && lead.company != nil)
        company = lead.company
        email = lead.email
        phone = lead.phone
        address = lead.address
    }

    public mutating func touch(at time: Timestamp, by user: String) {
        updatedAt = time
        updatedBy = user
    }

    public var json: JSONValue {
        var o = extra
        o["format"] = .number(String(Customer.format))
        o["id"] = .number(String(id))
        o["name"] = .string(name)
        o["organization"] = .bool(organization)
        o["company"] = company.map(JSONValue.string)
        o["email"] = email.map(JSONValue.string)
        o["phone"] = phone.map(JSONValue.string)
        o["address"] = address.map(JSONValue.string)
        o["leads"] = .array(leads.map { .number(String($0)) })
        o["projects"] = .array(projects.map {
            .object(["name": .string($0.name), "lead": .number(String($0.lead)), "at": .string($0.at.iso8601)])
        })
        o["created_at"] = .string(createdAt.iso8601)
        o["created_by"] = .string(createdBy)
        o["updated_at"] = .string(updatedAt.iso8601)
        o["updated_by"] = .string(updatedBy)
        return .object(o)
    }

    public init(bytes: [UInt8], expectedID: Int?) throws(JSONError) {
        var r = JSONReader(bytes)
        let start = r.offset
        var id: Int?, idAt = 0, name: String?, created: Timestamp?
        var c = Customer(id: 0, name: "", createdAt: Timestamp(seconds: 0), createdBy: "")
        var updated: Timestamp?, updatedBy: String?
        try r.beginObject()
        while let key = try r.nextKey() {
            let at = r.offset
            switch key {
            case "format":
                let format = try r.readInt()
                guard format == Customer.format else { throw r.fail(.invalidValue("unsupported format \(format)"), at: at) }
            case "id":
                idAt = at
                id = try r.readInt()
            case "name": name = try r.readString()
            case "organization": c.organization = try r.readBool()
            case "company": c.company = try r.readString()
            case "email": c.email = try r.readString()
            case "phone": c.phone = try r.readString()
            case "address": c.address = try r.readString()
            case "leads":
                try r.beginArray()
                while try r.nextElement() { c.leads.append(try r.readInt()) }
            case "projects":
                try r.beginArray()
                while try r.nextElement() {
                    let projectAt = r.offset
                    var pName: String?, pLead: Int?, pAt: Timestamp?
                    try r.beginObject()
                    while let k = try r.nextKey() {
                        switch k {
                        case "name": pName = try r.readString()
                        case "lead": pLead = try r.readInt()
                        case "at": pAt = try Lead.readTimestamp(&r)
                        default: try r.skipValue()
                        }
                    }
                    guard let pName, let pLead, let pAt else {
                        throw r.fail(.invalidValue("a project needs \"name\", \"lead\" and \"at\""), at: projectAt)
                    }
                    c.projects.append(Project(name: pName, lead: pLead, at: pAt))
                }
            case "created_at": created = try Lead.readTimestamp(&r)
            case "created_by": c.createdBy = try r.readString()
            case "updated_at": updated = try Lead.readTimestamp(&r)
            case "updated_by": updatedBy = try r.readString()
            default: c.extra[key] = try r.readValue()
            }
        }
        try r.finish()
        guard let id, id > 0 else { throw r.fail(.invalidValue("missing or invalid \"id\""), at: start) }
        if let expectedID, id != expectedID {
            throw r.fail(.invalidValue("id \(id) does not match the file name (\(expectedID).json)"), at: idAt)
        }
        guard let name else { throw r.fail(.invalidValue("missing \"name\""), at: start) }
        guard let created else { throw r.fail(.invalidValue("missing \"created_at\""), at: start) }
        c.id = id
        c.name = name
        c.createdAt = created
        c.updatedAt = updated ?? created
        c.updatedBy = updatedBy ?? c.createdBy
        self = c
    }
}
