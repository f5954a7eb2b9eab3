import LeadsCore

/// How leads and log entries look to people and to JSON readers (Docs/json.md).
enum LeadView {
    /// The lead as stored plus what is derived from it: `effective_probability`,
    /// `weighted_value` (a decimal string) and `overdue`.
    static func json(_ lead: Lead, config: StoreConfig, now: Timestamp) -> JSONValue {
        guard case .object(var object) = lead.json else { return lead.json }
        object["effective_probability"] = .number(lead.effectiveProbability(config).description)
        if let weighted = try? lead.weightedValue(config) { object["weighted_value"] = .string(weighted.amount.canonical) }
        object["overdue"] = .bool(isOverdue(lead, now: now))
        return .object(object)
    }

    static func isOverdue(_ lead: Lead, now: Timestamp) -> Bool {
        lead.nextReminder.map { isOverdue(lead, next: $0, now: now) } ?? false
    }

    /// As `isOverdue(_:now:)`, for a caller that has the lead's next reminder already.
    static func isOverdue(_ lead: Lead, next: Reminder, now: Timestamp) -> Bool {
        !lead.isClosed && next.due.dueInstant <= now
    }

    static func money(_ money: Money?) -> String {
        guard let money else { return "" }
        return money.amount.canonical + " " + money.currency
    }

    static func time(_ t: Timestamp) -> String { LocalTime.display(t) }

    /// "812 bytes", "12.3 KiB", "4.0 MiB": a size for people; `files` and `--json` give the bytes.
    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return bytes == 1 ? "1 byte" : "\(bytes) bytes" }
        var unit = 1024, name = "KiB"
        for next in ["MiB", "GiB"] where bytes >= unit * 1024 {
            unit *= 1024
            name = next
        }
        // One decimal, rounded half up, in integers.
        let tenths = (bytes * 10 + unit / 2) / unit
        return "\(tenths / 10).\(tenths % 10) \(name)"
    }

    static func due(_ when: When) -> String {
        switch when {
        case .day(let date): return date.iso
        case .instant(let t): return LocalTime.display(t)
        }
    }

    /// "2026-12-01 (3 days overdue)" / "today".
    static func overdueText(_ when: When, now: Timestamp) -> String {
        let dueDay: CalendarDate
        switch when {
        case .day(let date): dueDay = date
        case .instant(let t): dueDay = LocalTime.date(of: t)
        }
        let days = LocalTime.date(of: now).daysSinceEpoch - dueDay.daysSinceEpoch
        if days <= 0 { return "due today" }
        return days == 1 ? "1 day overdue" : "\(days) days overdue"
    }

    static func entryJSON(_ entry: ActivityEntry, name: String?) -> JSONValue {
        guard case .object(var object) = entry.json else { return entry.json }
        if let name { object["name"] = .string(name) }
        return .object(object)
    }

    /// One log entry in words: "status new → qualified", "set value 12500.00 EUR, labels".
    static func describe(_ entry: ActivityEntry) -> String {
        var text = entry.action
        func string(_ key: String) -> String? {
            if case .string(let s)? = entry.details[key] { return s }
            if case .number(let n)? = entry.details[key] { return n }
            return nil
        }
        func references(_ key: String) -> [String] {
            guard case .array(let items)? = entry.details[key], let lead = entry.lead else { return [] }
            return items.compactMap { if case .number(let n) = $0 { return "\(lead).\(n)" } else { return nil } }
        }
        let money = string("value").flatMap { value in string("currency").map { value + " " + $0 } }
        switch entry.action {
        case "status", "assign":
            if let from = string("from"), let to = string("to") { text += " \(from) → \(to)" }
            else if let to = string("to") { text += " → \(to)" }
        case "add", "import":
            if let stage = string("stage") { text += " (\(stage)" + (string("owner").map { ", \($0)" } ?? "") + ")" }
        case "convert":
            if let customer = entry.customer { text += " → customer \(customer)" }
            let closed = references("reminders_closed")
            if !closed.isEmpty { text += closed.count == 1 ? ", 1 reminder closed" : ", \(closed.count) reminders closed" }
        case "remind", "remind-snooze":
            if let n = string("reminder"), let lead = entry.lead { text += " \(lead).\(n)" }
            if let due = string("due") { text += " due \(due)" }
        case "remind-done", "remind-announce":
            if let n = string("reminder"), let lead = entry.lead { text += " \(lead).\(n)" }
            let refs = references("reminders")
            if !refs.isEmpty { text += " " + refs.joined(separator: ", ") }
        case "note":
            if case .bool(true)? = entry.details["contacted"] { text += " (contacted)" }
        case "mail":
            // "mail filed by subject (contacted), 2 attachments"
            if let by = string("matched_by") { text += " filed by " + by }
            if case .bool(true)? = entry.details["contacted"] { text += " (contacted)" }
            if let n = string("attachments").flatMap({ Int($0) }), n > 0 { text += n == 1 ? ", 1 attachment" : ", \(n) attachments" }
        case "mail-unmatched":
            if let reason = string("reason") { text += " (\(reason))" }
        case "attach", "detach":
            if let files = string("files").flatMap({ Int($0) }) { text += files == 1 ? " 1 file" : " \(files) files" }
            if let bytes = string("bytes").flatMap({ Int($0) }) { text += ", " + size(bytes) }
        default: break
        }
        var parts: [String] = []
        if case .array(let fields)? = entry.details["fields"] {
            // The log keeps the values of money and probability; a field named with its
            // value is said once ("value 12500.00 EUR", not "value value 12500.00 EUR").
            for case .string(let name) in fields {
                switch name {
                case "value": parts.append(money.map { "value " + $0 } ?? "value removed")
                case "probability": parts.append(string("probability").map { "probability \($0) %" } ?? "probability")
                default: parts.append(name)
                }
            }
        } else if entry.action != "add" && entry.action != "import" {
            if let money { parts.append("value " + money) }
            if entry.action == "status", let p = string("probability") { parts.append("probability \(p) %") }
        }
        if !parts.isEmpty { text += (entry.action == "status" ? ", " : " ") + parts.joined(separator: ", ") }
        return text
    }
}

/// A pretty-printed JSON array written element by element, byte-identical to
/// `JSONWriter.pretty(.array(elements))`, so a long listing never sits in memory.
struct JSONArrayWriter {
    let output: Output
    private var count = 0

    init(output: Output) { self.output = output }

    mutating func append(_ element: JSONValue) throws {
        var item = JSONWriter.pretty(.array([element]))
        // "[\n" + element + "\n]\n": keep the element, already indented.
        item.removeFirst(2)
        item.removeLast(3)
        try output.write(count == 0 ? "[\n" : ",\n")
        try output.write(bytes: item)
        count += 1
    }

    func finish() throws {
        try output.write(count == 0 ? "[]\n" : "\n]\n")
    }
}
