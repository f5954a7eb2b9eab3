/// `--on-duplicate update`: what a matching row changes in the lead it matches.
public enum RowMerge {
    /// `--on-duplicate update`: the row's non-empty cells go into the existing lead.
    public static func merge(_ row: ConvertedRow, into lead: inout Lead) -> [String] {
        let new = row.lead
        let before = lead
        var changed: [String] = []
        for field in row.present.sorted(by: { $0.name < $1.name }) {
            switch field {
            case .name: lead.name = new.name
            case .organization: lead.organization = new.organization
            case .company: lead.company = new.company
            case .email: lead.email = new.email
            case .phone: lead.phone = new.phone
            case .address: lead.address = new.address
            case .owner: lead.owner = new.owner
            case .stage: lead.stage = new.stage
            case .probability: lead.probability = new.probability
            // A currency cell beside an empty amount says nothing (CSVImport.swift): the
            // lead keeps its value; with an amount it is read with it, below.
            case .currency: continue
            case .value:
                if !row.currencyGiven, let amount = new.value?.amount, let own = lead.value?.currency {
                    lead.value = Money(amount: amount, currency: own)
                } else {
                    lead.value = new.value
                }
            case .expectedClose: lead.expectedClose = new.expectedClose
            case .source: lead.source = new.source
            case .campaign: lead.campaign = new.campaign
            case .labels: for label in new.labels where !lead.labels.contains(label) { lead.labels.append(label) }
            case .lostReason: lead.lostReason = new.lostReason
            case .notes:
                // Re-importing the same file must not pile up copies of its notes.
                for note in new.notes where !lead.notes.contains(where: { $0.text == note.text }) { lead.notes.append(note) }
            case .nextReminder:
                for reminder in new.reminders where !lead.openReminders.contains(where: { $0.due == reminder.due }) {
                    var added = reminder
                    added.number = lead.nextReminderNumber
                    lead.reminders.append(added)
                }
            case .lastContact:
                if let contact = new.lastContact, lead.lastContact.map({ $0.at < contact.at }) ?? true { lead.lastContact = contact }
            // Who made the lead and its conversion stay as the store has them (Docs/import.md).
            case .created, .updated, .id, .weighted, .convertedCustomer, .full: continue
            case .field(let key): lead.fields[key] = new.fields[key]
            }
        }
        // A full export's note and reminder groups (CSVFullLayout.swift) are the lead's
        // history: each one the lead lacks is added, so a second import of the same file
        // changes nothing. A note is the same when its time and text are; a reminder when
        // its due time and text are (it gets the lead's next number, done or not).
        if row.present.contains(where: { if case .full(.note) = $0 { true } else { false } }) {
            for note in new.notes where !lead.notes.contains(where: { $0.at == note.at && $0.text == note.text }) { lead.notes.append(note) }
        }
        if row.present.contains(where: { if case .full(.reminder) = $0 { true } else { false } }) {
            for reminder in new.reminders.sorted(by: { $0.number < $1.number })
            where !lead.reminders.contains(where: { $0.due == reminder.due && $0.text == reminder.text }) {
                var added = reminder
                added.number = lead.nextReminderNumber
                lead.reminders.append(added)
            }
        }
        func note(_ name: String, _ differs: Bool) { if differs && !changed.contains(name) { changed.append(name) } }
        note("name", lead.name != before.name)
        note("organization", lead.organization != before.organization)
        note("company", lead.company != before.company)
        note("email", lead.email != before.email)
        note("phone", lead.phone != before.phone)
        note("address", lead.address != before.address)
        note("owner", lead.owner != before.owner)
        note("stage", lead.stage != before.stage)
        note("probability", lead.probability != before.probability)
        note("value", lead.value != before.value)
        note("expected_close", lead.expectedClose != before.expectedClose)
        note("source", lead.source != before.source)
        note("campaign", lead.campaign != before.campaign)
        note("labels", lead.labels != before.labels)
        note("lost_reason", lead.lostReason != before.lostReason)
        note("notes", lead.notes != before.notes)
        note("reminders", lead.reminders != before.reminders)
        note("last_contact", lead.lastContact != before.lastContact)
        for key in Set(lead.fields.keys).union(before.fields.keys).sorted() { note("field:" + key, lead.fields[key] != before.fields[key]) }
        return changed
    }

    /// Whether a row may be merged into a lead at all: never into a lead with another
    /// name (two people sharing an office address are two leads).
    public static func sameName(_ a: String, _ b: String) -> Bool { ValueMap.foldName(a) == ValueMap.foldName(b) }

    /// FNV-1a of the folded name: 8 bytes a row between the passes, enough to tell two
    /// rows' names apart.
    public static func nameHash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in ValueMap.foldName(name).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }
}
