import LeadsCore

/// How leads and log entries look to people and to JSON readers (Docs/json.md).
enum LeadView {
    /// The lead as stored plus what is derived from it: `effective_probability`,
    /// `weighted_value` (a decimal string) and `overdue`.
    static func json(_ lead: Lead, config: StoreConfig, now: Timestamp) -> JSONValue {
        guard case .object(var object) = lead.json else { return lead.json }
        object["effective_probability"] = .number(String(lead.effectiveProbability(config)))
        if let weighted = try? lead.weightedValue(config) { object["weighted_value"] = .string(weighted.amount.canonical) }
        object["overdue"] = .bool(isOverdue(lead, now: now))
        return .object(object)
    }

    static func isOverdue(_ lead: Lead, now: Timestamp) -> Bool {
        guard !lead.isClosed, let next = lead.nextReminder else { return false }
        return next.due.dueInstant <= now
    }

    static func money(_ money: Money?) -> String {
        guard let money else { return "" }
        return money.amount.canonical + " " + money.currency
    }

    static func time(_ t: Timestamp) -> String { LocalTime.display(t) }

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

    /// One log entry in words: "status new → qualified".
    static func describe(_ entry: ActivityEntry) -> String {
        var text = entry.action
        func string(_ key: String) -> String? {
            if case .string(let s)? = entry.details[key] { return s }
            if case .number(let n)? = entry.details[key] { return n }
            return nil
        }
        switch entry.knownAction {
        case .status?, .assign?:
            if let from = string("from"), let to = string("to") { text += " \(from) → \(to)" }
            else if let to = string("to") { text += " → \(to)" }
        case .add?, .import?:
            if let stage = string("stage") { text += " (\(stage)" + (string("owner").map { ", \($0)" } ?? "") + ")" }
        case .convert?:
            if let customer = entry.customer { text += " → customer \(customer)" }
        case .remind?, .remindSnooze?:
            if let n = string("reminder"), let lead = entry.lead { text += " \(lead).\(n)" }
            if let due = string("due") { text += " due \(due)" }
        case .remindDone?:
            if let n = string("reminder"), let lead = entry.lead { text += " \(lead).\(n)" }
        case .note?:
            if case .bool(true)? = entry.details["contacted"] { text += " (contacted)" }
        default: break
        }
        if case .array(let fields)? = entry.details["fields"] {
            let names = fields.compactMap { if case .string(let s) = $0 { return s } else { return nil } }
            if !names.isEmpty { text += " " + names.joined(separator: ", ") }
        }
        if entry.knownAction != .add && entry.knownAction != .import, let value = string("value"), let currency = string("currency") {
            text += " value \(value) \(currency)"
        }
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
