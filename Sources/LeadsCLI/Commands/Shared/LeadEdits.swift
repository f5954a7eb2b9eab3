import LeadsCore

/// The field options shared by `add` and `set`, applied to a lead. Every value is
/// validated before anything is written; the names of the changed fields come back for
/// the log (which records field names, never personal values).
enum LeadEdits {
    static func apply(_ invocation: Invocation, to lead: inout Lead, config: StoreConfig, now: Timestamp) throws -> [String] {
        let before = lead
        var changed: [String] = []
        func note(_ name: String, _ differs: Bool) { if differs { changed.append(name) } }

        if let raw = invocation.value("name") {
            lead.name = try FieldParser.name(raw, field: "--name")
            note("name", lead.name != before.name)
        }
        if invocation.flag("org") { lead.organization = true }
        if invocation.flag("no-org") { lead.organization = false }
        note("organization", lead.organization != before.organization)

        for (option, keyPath) in [("company", \Lead.company), ("phone", \Lead.phone), ("address", \Lead.address),
                                  ("source", \Lead.source), ("campaign", \Lead.campaign)] {
            if let raw = invocation.value(option) {
                lead[keyPath: keyPath] = FieldParser.text(raw)
                note(option, lead[keyPath: keyPath] != before[keyPath: keyPath])
            }
        }
        if let raw = invocation.value("email") {
            lead.email = FieldParser.text(raw) == nil ? nil : try FieldParser.email(raw, field: "--email")
            note("email", lead.email != before.email)
        }

        let currency = try invocation.value("currency").map { try FieldParser.currency($0, field: "--currency") }
        if let raw = invocation.value("value") {
            lead.value = FieldParser.text(raw) == nil ? nil : try FieldParser.money(
                raw, field: "--value", currency: currency, defaultCurrency: lead.value?.currency ?? config.currency)
        } else if let currency {
            guard lead.value != nil else {
                throw FieldError(field: "--currency", value: currency, problem: .invalid("the lead has no value to give a currency; use --value"))
            }
            lead.value?.currency = currency
        }
        note("value", lead.value != before.value)

        if let raw = invocation.value("probability") {
            lead.probability = FieldParser.text(raw) == nil ? nil : try FieldParser.probability(raw, field: "--probability")
            note("probability", lead.probability != before.probability)
        }
        if let raw = invocation.value("close") {
            lead.expectedClose = FieldParser.text(raw) == nil ? nil : try FieldParser.date(raw, field: "--close", now: now)
            note("expected_close", lead.expectedClose != before.expectedClose)
        }

        for raw in invocation.values("label") {
            if raw.hasPrefix("-") {
                let label = try FieldParser.label(String(raw.dropFirst()), field: "--label")
                lead.labels.removeAll { $0 == label }
            } else {
                let label = try FieldParser.label(raw.hasPrefix("+") ? String(raw.dropFirst()) : raw, field: "--label")
                if !lead.labels.contains(label) { lead.labels.append(label) }
            }
        }
        note("labels", lead.labels != before.labels)

        for raw in invocation.values("field") {
            let (key, value) = try FieldParser.customField(raw, field: "--field")
            lead.fields[key] = value.isEmpty ? nil : value  // `--field KEY=` removes the field
            note("field:" + key, lead.fields[key] != before.fields[key])
        }
        return changed
    }

    /// Non-personal details of a change, for the log: money, probability, dates, labels.
    static func logDetails(before: Lead?, after: Lead, changed: [String]) -> [String: JSONValue] {
        var details: [String: JSONValue] = [:]
        if !changed.isEmpty { details["fields"] = .array(changed.map(JSONValue.string)) }
        if changed.contains("value") || before == nil, let value = after.value {
            details["value"] = .string(value.amount.canonical)
            details["currency"] = .string(value.currency)
        }
        if changed.contains("probability"), let p = after.probability { details["probability"] = .number(String(p)) }
        return details
    }
}
