// The lead file format (Docs/store.md, "Lead files"): UTF-8 JSON, pretty-printed with sorted
// keys and a final newline, `"format": 1`. Optional fields are omitted when empty.
// Decoding is hand-written over JSONReader because it runs once per file on every
// full scan, and so that every problem is reported with its line and column.

extension Lead {
    public static let format = 1

    public var json: JSONValue {
        var o = extra
        o["format"] = .number(String(Lead.format))
        putContactFields(&o)
        o["stage"] = .string(stage)
        func put(_ key: String, _ text: String?) { o[key] = text.map(JSONValue.string) }
        put("owner", owner)
        put("source", source)
        put("campaign", campaign)
        put("lost_reason", lostReason)
        put("expected_close", expectedClose?.iso)
        o["labels"] = labels.isEmpty ? nil : .array(labels.map(JSONValue.string))
        o["probability"] = probability.map { .number($0.description) }
        if let value {
            o["value"] = .string(value.amount.canonical)
            o["currency"] = .string(value.currency)
        } else {
            o["value"] = nil
            o["currency"] = nil
        }
        o["fields"] = fields.isEmpty ? nil : .object(fields.mapValues(JSONValue.string))
        o["notes"] = notes.isEmpty ? nil : .array(notes.map(\.json))
        o["reminders"] = reminders.isEmpty ? nil : .array(reminders.map(\.json))
        o["files"] = files.isEmpty ? nil : .array(files.map(\.json))
        o["conversion"] = conversion?.json
        o["last_contact"] = lastContact.map { .object(["at": .string($0.at.iso8601), "by": .string($0.by)]) }
        return .object(o)
    }

    public var fileBytes: [UInt8] { JSONWriter.pretty(json) }

    /// Decodes a lead file. `expectedID` is the number in the file name. Without
    /// `notes`, the notes are checked but not kept: for reports that never show them (notes
    /// are most of a lead's bytes). Such a lead must never be written back.
    public init(bytes: [UInt8], expectedID: Int?, notes withNotes: Bool = true) throws(JSONError) {
        var r = JSONReader(bytes)
        var stage: String?
        var amount: Amount?, currency: String?
        var valueAt = 0
        var lead = Lead(id: 0, name: "", stage: "", createdAt: Timestamp(seconds: 0), createdBy: "")
        let start = r.offset
        var header = RecordHeader(format: Lead.format, start: start)
        try r.beginObject()
        while let key = try r.nextKey() {
            let at = r.offset
            switch key {
            case "format", "id", "name", "created_at", "created_by", "updated_at", "updated_by": try header.read(key, at: at, &r)
            case "organization", "company", "email", "phone", "address": _ = try lead.readContactField(key, &r)
            case "owner": lead.owner = try r.readString()
            case "source": lead.source = try r.readString()
            case "campaign": lead.campaign = try r.readString()
            case "lost_reason": lead.lostReason = try r.readString()
            case "stage":
                let text = try r.readString()
                guard !text.isEmpty else { throw r.fail(.invalidValue("stage must not be empty"), at: at) }
                stage = text
            case "labels":
                try r.beginArray()
                while try r.nextElement() { lead.labels.append(try r.readString()) }
            case "probability":
                guard let p = Percent(exactly: try r.readNumberText()) else {
                    throw r.fail(.invalidValue("probability must be 0 to 100, to a hundredth of a percent at the finest"), at: at)
                }
                lead.probability = p
            case "value":
                valueAt = at
                let text = try r.readString()
                guard let parsed = Amount(canonical: text) else {
                    throw r.fail(.invalidValue("value \"\(text)\" is not an exact decimal such as \"12500.50\""), at: at)
                }
                amount = parsed
            case "currency":
                currency = try Self.readCurrency(&r)
            case "expected_close": lead.expectedClose = try Self.readDate(&r)
            case "fields":
                try r.beginObject()
                while let field = try r.nextKey() { lead.fields[field] = try r.readString() }
            case "notes":
                guard withNotes else {
                    // Still an array of objects, as a full decode requires: only the contents are skipped.
                    try r.beginArray()
                    while try r.nextElement() {
                        let at = r.offset
                        guard try r.peekKind() == .object else { throw r.fail(.typeMismatch(expected: "object"), at: at) }
                        try r.skipValue()
                    }
                    continue
                }
                try r.beginArray()
                while try r.nextElement() { lead.notes.append(try Note(reader: &r)) }
            case "reminders":
                try r.beginArray()
                while try r.nextElement() { lead.reminders.append(try Reminder(reader: &r)) }
            case "files":
                try r.beginArray()
                while try r.nextElement() {
                    let at = r.offset
                    let file = try LeadFile(reader: &r)
                    guard !lead.files.contains(where: { $0.name == file.name }) else {
                        throw r.fail(.invalidValue("file \"\(file.name)\" is listed twice"), at: at)
                    }
                    lead.files.append(file)
                }
            case "conversion": lead.conversion = try Conversion(reader: &r)
            case "last_contact":
                var at: Timestamp?, by: String?
                let objectAt = r.offset
                try r.beginObject()
                while let k = try r.nextKey() {
                    switch k {
                    case "at": at = try Self.readTimestamp(&r)
                    case "by": by = try r.readString()
                    default: try r.skipValue()
                    }
                }
                guard let at, let by else { throw r.fail(.invalidValue("last_contact needs \"at\" and \"by\""), at: objectAt) }
                lead.lastContact = Contact(at: at, by: by)
            default:
                lead.extra[key] = try r.readValue()
            }
        }
        try r.finish()
        _ = try header.check(expectedID: expectedID, r)
        guard let stage else { throw header.missing("stage", r) }
        try header.apply(to: &lead, expectedID: expectedID, r)
        lead.stage = stage
        switch (amount, currency) {
        case (let amount?, let currency?): lead.value = Money(amount: amount, currency: currency)
        case (nil, nil): break
        case (_?, nil): throw r.fail(.invalidValue("\"value\" needs a \"currency\""), at: valueAt)
        case (nil, _?): throw header.missing("value", r)
        }
        self = lead
    }

    static func readTimestamp(_ r: inout JSONReader) throws(JSONError) -> Timestamp {
        try readString(&r, as: { Timestamp(iso8601: $0) }, else: { "\"\($0)\" is not a UTC time such as \"2026-11-22T09:30:00Z\"" })
    }

    static func readDate(_ r: inout JSONReader) throws(JSONError) -> CalendarDate {
        try readString(&r, as: { CalendarDate(iso: $0) }, else: { "\"\($0)\" is not a date such as \"2026-12-31\"" })
    }

    static func readCurrency(_ r: inout JSONReader) throws(JSONError) -> String {
        try readString(&r, as: { $0.utf8.count == 3 && $0.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) ? $0 : nil },
                       else: { "currency \"\($0)\" is not an ISO 4217 code such as EUR" })
    }

    /// A string member that must parse as `T`; the error points at the string.
    static func readString<T>(_ r: inout JSONReader, as parse: (String) -> T?, else problem: (String) -> String) throws(JSONError) -> T {
        let at = r.offset
        let text = try r.readString()
        guard let value = parse(text) else { throw r.fail(.invalidValue(problem(text)), at: at) }
        return value
    }
}

extension Note {
    var json: JSONValue {
        var o = extra
        o["at"] = .string(at.iso8601)
        o["by"] = .string(by)
        o["text"] = .string(text)
        o["contacted"] = contacted ? .bool(true) : nil
        return .object(o)
    }

    init(reader r: inout JSONReader) throws(JSONError) {
        let start = r.offset
        var at: Timestamp?, by: String?, text: String?, contacted = false
        var extra: [String: JSONValue] = [:]
        try r.beginObject()
        while let key = try r.nextKey() {
            switch key {
            case "at": at = try Lead.readTimestamp(&r)
            case "by": by = try r.readString()
            case "text": text = try r.readString()
            case "contacted": contacted = try r.readBool()
            default: extra[key] = try r.readValue()
            }
        }
        guard let at, let text else { throw r.fail(.invalidValue("a note needs \"at\" and \"text\""), at: start) }
        self.init(at: at, by: by ?? "", text: text, contacted: contacted)
        self.extra = extra
    }
}

extension Reminder {
    var json: JSONValue {
        var o = extra
        o["n"] = .number(String(number))
        o["due"] = .string(due.stored)
        o["text"] = text.isEmpty ? nil : .string(text)
        o["owner"] = .string(owner)
        o["created_at"] = .string(createdAt.iso8601)
        o["done_at"] = doneAt.map { .string($0.iso8601) }
        o["announced_at"] = announcedAt.map { .string($0.iso8601) }
        return .object(o)
    }

    init(reader r: inout JSONReader) throws(JSONError) {
        let start = r.offset
        var number: Int?, due: When?, text = "", owner = "", created: Timestamp?
        var done: Timestamp?, announced: Timestamp?
        var extra: [String: JSONValue] = [:]
        try r.beginObject()
        while let key = try r.nextKey() {
            let at = r.offset
            switch key {
            case "n":
                number = try r.readInt()
                guard number! > 0 else { throw r.fail(.invalidValue("reminder number must be positive"), at: at) }
            case "due":
                let stored = try r.readString()
                guard let when = When(stored: stored) else {
                    throw r.fail(.invalidValue("due \"\(stored)\" is neither a date nor a UTC time"), at: at)
                }
                due = when
            case "text": text = try r.readString()
            case "owner": owner = try r.readString()
            case "created_at": created = try Lead.readTimestamp(&r)
            case "done_at": done = try Lead.readTimestamp(&r)
            case "announced_at": announced = try Lead.readTimestamp(&r)
            default: extra[key] = try r.readValue()
            }
        }
        guard let number, let due else { throw r.fail(.invalidValue("a reminder needs \"n\" and \"due\""), at: start) }
        self.init(number: number, due: due, text: text, owner: owner, createdAt: created ?? Timestamp(seconds: 0))
        doneAt = done
        announcedAt = announced
        self.extra = extra
    }
}

extension Conversion {
    var json: JSONValue {
        var o = extra
        o["customer"] = .number(String(customer))
        o["projects"] = .array(projects.map(JSONValue.string))
        o["at"] = .string(at.iso8601)
        o["by"] = .string(by)
        return .object(o)
    }

    init(reader r: inout JSONReader) throws(JSONError) {
        let start = r.offset
        var customer: Int?, projects: [String] = [], at: Timestamp?, by = ""
        var extra: [String: JSONValue] = [:]
        try r.beginObject()
        while let key = try r.nextKey() {
            switch key {
            case "customer": customer = try r.readInt()
            case "projects":
                try r.beginArray()
                while try r.nextElement() { projects.append(try r.readString()) }
            case "at": at = try Lead.readTimestamp(&r)
            case "by": by = try r.readString()
            default: extra[key] = try r.readValue()
            }
        }
        guard let customer, let at else { throw r.fail(.invalidValue("conversion needs \"customer\" and \"at\""), at: start) }
        self.init(customer: customer, projects: projects, at: at, by: by, extra: extra)
    }
}
