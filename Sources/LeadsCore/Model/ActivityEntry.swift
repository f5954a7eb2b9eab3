/// One line of DIR/activity.log. It holds no personal data: no names, e-mail
/// addresses, phone numbers or note texts, so erasing a lead never rewrites the log.
public struct ActivityEntry: Sendable, Equatable {
    public var time: Timestamp
    public var user: String
    /// As stored: an `ActivityAction` name, or one a newer version wrote (kept as read).
    public private(set) var action: String
    public var lead: Int?
    public var customer: Int?
    /// Non-personal details: old → new stage or owner, value changes, reminder numbers.
    public var details: [String: JSONValue]

    /// A record to write: only the actions this version knows.
    public init(time: Timestamp, user: String, action: ActivityAction, lead: Int? = nil, customer: Int? = nil, details: [String: JSONValue] = [:]) {
        self.init(time: time, user: user, actionName: action.rawValue, lead: lead, customer: customer, details: details)
    }

    private init(time: Timestamp, user: String, actionName action: String, lead: Int?, customer: Int?, details: [String: JSONValue]) {
        self.time = time
        self.user = user
        self.action = action
        self.lead = lead
        self.customer = customer
        self.details = details
    }

    /// The action, when this version knows it.
    public var knownAction: ActivityAction? { ActivityAction(rawValue: action) }

    public var json: JSONValue {
        var object = details
        object["time"] = .string(time.iso8601)
        object["user"] = .string(user)
        object["action"] = .string(action)
        if let lead { object["lead"] = .number(String(lead)) }
        if let customer { object["customer"] = .number(String(customer)) }
        return .object(object)
    }

    /// The line as written: compact JSON with sorted keys and a newline.
    public var line: [UInt8] { JSONWriter.compact(json) + [10] }

    public init(line: [UInt8]) throws(JSONError) {
        var reader = JSONReader(line)
        let start = reader.offset
        guard case .object(var object) = try reader.readValue() else {
            throw reader.fail(.typeMismatch(expected: "object"), at: start)
        }
        try reader.finish()
        func take(_ key: String) -> JSONValue? { object.removeValue(forKey: key) }
        guard case .string(let time)? = take("time"), let stamp = Timestamp(iso8601: time) else {
            throw reader.fail(.invalidValue("missing or invalid \"time\""), at: start)
        }
        guard case .string(let action)? = take("action") else {
            throw reader.fail(.invalidValue("missing \"action\""), at: start)
        }
        var user = ""
        if case .string(let u)? = take("user") { user = u }
        _ = take(LogChain.prevKey)  // the chain is the file's business (fsck), not a record's
        func integer(_ value: JSONValue?) -> Int? {
            if case .number(let text)? = value { return Int(text) }
            return nil
        }
        self.init(time: stamp, user: user, actionName: action, lead: integer(take("lead")), customer: integer(take("customer")), details: object)
    }
}

extension ActivityEntry {
    /// The details of a new lead's record (`add`, `import`): stage, owner, value. Nothing
    /// personal.
    public static func newLeadDetails(_ lead: Lead) -> [String: JSONValue] {
        var details: [String: JSONValue] = ["stage": .string(lead.stage)]
        if let owner = lead.owner { details["owner"] = .string(owner) }
        if let value = lead.value {
            details["value"] = .string(value.amount.canonical)
            details["currency"] = .string(value.currency)
        }
        return details
    }

    /// The details of a `set` record: the changed field names, the new value and
    /// probability (numbers, not personal).
    public static func changeDetails(before: Lead?, after: Lead, changed: [String]) -> [String: JSONValue] {
        var details: [String: JSONValue] = [:]
        if !changed.isEmpty { details["fields"] = .array(changed.map(JSONValue.string)) }
        if changed.contains("value") || before == nil, let value = after.value {
            details["value"] = .string(value.amount.canonical)
            details["currency"] = .string(value.currency)
        }
        if changed.contains("probability"), let p = after.probability { details["probability"] = .number(p.description) }
        return details
    }
}
