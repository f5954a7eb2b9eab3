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
        putContactFields(&o)
        o["leads"] = .array(leads.map { .number(String($0)) })
        o["projects"] = .array(projects.map {
            .object(["name": .string($0.name), "lead": .number(String($0.lead)), "at": .string($0.at.iso8601)])
        })
        return .object(o)
    }

    public init(bytes: [UInt8], expectedID: Int?) throws(JSONError) {
        var r = JSONReader(bytes)
        var header = RecordHeader(format: Customer.format, start: r.offset)
        var c = Customer(id: 0, name: "", createdAt: Timestamp(seconds: 0), createdBy: "")
        try r.beginObject()
        while let key = try r.nextKey() {
            let at = r.offset
            switch key {
            case "format", "id", "name", "created_at", "created_by", "updated_at", "updated_by": try header.read(key, at: at, &r)
            case "organization", "company", "email", "phone", "address": _ = try c.readContactField(key, &r)
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
            default: c.extra[key] = try r.readValue()
            }
        }
        try r.finish()
        try header.apply(to: &c, expectedID: expectedID, r)
        self = c
    }
}
