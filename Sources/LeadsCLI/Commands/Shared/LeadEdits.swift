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
            if FieldParser.text(raw) == nil, let currency {
                // Dropping the currency without a word would hide that the command was
                // probably meant otherwise.
                throw FieldError(field: "--currency", value: currency,
                                 problem: .invalid("an empty --value means no value, which has no currency; give an amount or leave out --currency"))
            }
            lead.value = FieldParser.text(raw) == nil ? nil : try FieldParser.money(
                raw, field: "--value", currency: currency, defaultCurrency: lead.value?.currency ?? config.currency,
                decimal: config.decimal)
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
            lead.fields[key] = FieldParser.text(value)  // `--field KEY=` (or all blank) removes the field
            note("field:" + key, lead.fields[key] != before.fields[key])
        }
        return changed
    }

    /// Non-personal details of a change, for the log: money, probability, dates, labels.
    static func logDetails(before: Lead?, after: Lead, changed: [String]) -> [String: JSONValue] {
        ActivityEntry.changeDetails(before: before, after: after, changed: changed)
    }

    /// The change in words, for the confirmation: "value 12500.00 EUR, labels +hot -cold,
    /// email removed". Text fields show their new value (the rep typed it; it goes to
    /// the rep's own terminal, never to the log).
    static func describe(before: Lead, after: Lead) -> String {
        var parts: [String] = []
        if before.name != after.name { parts.append("renamed from \(before.name)") }
        if before.organization != after.organization { parts.append(after.organization ? "an organization" : "a person") }
        for (label, keyPath) in [("company", \Lead.company), ("email", \Lead.email), ("phone", \Lead.phone),
                                 ("address", \Lead.address), ("source", \Lead.source), ("campaign", \Lead.campaign)]
            where before[keyPath: keyPath] != after[keyPath: keyPath] {
            parts.append(after[keyPath: keyPath].map { "\(label) \($0)" } ?? "\(label) removed")
        }
        if before.value != after.value { parts.append(after.value.map { "value " + Confirmation.money($0) } ?? "value removed") }
        if before.probability != after.probability { parts.append(after.probability.map { "probability \($0) %" } ?? "probability from the stage") }
        if before.expectedClose != after.expectedClose { parts.append(after.expectedClose.map { "close \($0.iso)" } ?? "close date removed") }
        if before.labels != after.labels {
            let added = after.labels.filter { !before.labels.contains($0) }.map { "+" + $0 }
            let removed = before.labels.filter { !after.labels.contains($0) }.map { "-" + $0 }
            parts.append("labels " + (added + removed).joined(separator: " "))
        }
        for key in Set(before.fields.keys).union(after.fields.keys).sorted() where before.fields[key] != after.fields[key] {
            parts.append(after.fields[key].map { "\(key) \($0)" } ?? "\(key) removed")
        }
        return parts.joined(separator: ", ")
    }
}
