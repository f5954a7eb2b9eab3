import LeadsTestSupport
import Testing
@testable import LeadsCore

/// A summary line decoded with only some fields: what was asked for is exactly what a
/// whole decode gives, what was not is left empty, and the always-decoded core (stage,
/// probability, value, expected close, created, updated) is there every time.
@Suite struct SummaryFieldsTests {
    static let lead: Lead = {
        let created = Timestamp(iso8601: "2026-03-01T09:00:00Z")!
        var lead = Lead(id: 42, name: "Müller\tGmbH", stage: "proposal", createdAt: created, createdBy: "alice")
        lead.updatedAt = Timestamp(iso8601: "2026-04-02T10:30:00Z")!
        lead.organization = true
        lead.company = "Müller Holding"
        lead.email = "info@mueller.example"
        lead.owner = "sabine"
        lead.source = "fair\\2026"
        lead.campaign = "spring"
        lead.labels = ["hot", "bäckerei"]
        lead.probability = 35
        lead.value = Money(amount: Amount(canonical: "12500.50")!, currency: "EUR")
        lead.expectedClose = CalendarDate(iso: "2026-06-30")
        // An empty value, and the list separator and a tab inside values.
        lead.fields = ["size": "12\u{1E}x", "branch": "", "web": "a\tb"]
        lead.phone = "+49 30 1234\\5"
        lead.address = "Hauptstraße 1\n10115 Berlin"
        lead.lostReason = "price\ttoo high"
        lead.conversion = Conversion(customer: 9, projects: ["Rollout"], at: created, by: "alice")
        lead.lastContact = Contact(at: Timestamp(iso8601: "2026-04-01T08:00:00Z")!, by: "bob")
        var reminder = Reminder(number: 2, due: .day(CalendarDate(iso: "2026-05-01")!), text: "call\nback", owner: "sabine", createdAt: created)
        reminder.announcedAt = Timestamp(iso8601: "2026-05-01T07:00:00Z")!
        // The separators of the line's list and reminder parts, and an escaped backslash
        // before a U, inside the texts.
        let second = Reminder(number: 5, due: .instant(Timestamp(iso8601: "2026-05-02T13:30:00Z")!), text: "a\u{1E}b\u{1F}c\\U",
                              owner: "x\\Uy\u{1E}", createdAt: created)
        lead.reminders = [reminder, second]
        return lead
    }()

    /// The fields of `lead`'s index line: after its ID and four stat numbers, without the newline.
    static func body(_ lead: Lead) -> [UInt8] {
        let line = SummaryIndex.line(lead, stat: SummaryIndex.FileStat(inode: 7, size: 900, mtime: 1, ctime: 1))
        return Array(line.split(separator: 9, maxSplits: 5, omittingEmptySubsequences: false)[5].dropLast())
    }

    func decode(_ fields: SummaryFields) throws -> Lead {
        try #require(Self.body(Self.lead).withUnsafeBufferPointer { SummaryIndex.decode(id: 42, $0, fields: fields) })
    }

    @Test func eachFieldDecodesAsInTheWholeDecode() throws {
        let whole = try decode(.all)
        #expect(whole.name == Self.lead.name)
        #expect(whole.labels == Self.lead.labels)
        #expect(whole.reminders == Self.lead.reminders)
        #expect(whole.fields == Self.lead.fields)
        #expect(whole.phone == Self.lead.phone && whole.address == Self.lead.address && whole.lostReason == Self.lead.lostReason)
        #expect(whole.conversion?.customer == 9)
        let parts: [(SummaryFields, (Lead) -> String)] = [
            (.name, { $0.name }),
            (.contact, { "\($0.organization) \($0.company ?? "-") \($0.email ?? "-")" }),
            (.owner, { $0.owner ?? "-" }),
            (.source, { $0.source ?? "-" }),
            (.campaign, { $0.campaign ?? "-" }),
            (.labels, { $0.labels.joined(separator: ",") }),
            (.fieldKeys, { $0.fields.keys.sorted().joined(separator: ",") }),
            (.lastContact, { $0.lastContact.map { "\($0.at.iso8601) \($0.by)" } ?? "-" }),
            (.reminders, { $0.reminders.map { "\($0.number) \($0.text) \($0.owner) \($0.announcedAt?.iso8601 ?? "-")" }.joined() }),
            (.phone, { $0.phone ?? "-" }),
            (.address, { $0.address ?? "-" }),
            (.lostReason, { $0.lostReason ?? "-" }),
            (.conversion, { $0.conversion.map { String($0.customer) } ?? "-" }),
            // The keys come with the values (and empty ones with the keys alone).
            (.fieldValues, { $0.fields.values.filter { !$0.isEmpty }.sorted().joined(separator: ",") }),
        ]
        let empty = Lead(id: 42, name: "", stage: "proposal", createdAt: Self.lead.createdAt, createdBy: "")
        var union: SummaryFields = []
        for (field, show) in parts {
            union.insert(field)
            let only = try decode(field)
            for (other, showOther) in parts {
                let decoded = other == field || (field == .fieldValues && other == .fieldKeys)
                let expected = decoded ? showOther(whole) : showOther(empty)
                #expect(showOther(only) == expected, "decoding \(field.rawValue), field \(other.rawValue)")
            }
            #expect(show(only) != show(empty), "the fixture sets field \(field.rawValue)")
        }
        #expect(union == .all, "every field is tried")
        for fields in [SummaryFields.all, []] {
            let lead = try decode(fields)
            #expect(lead.stage == "proposal")
            #expect(lead.probability == 35)
            #expect(lead.value == Self.lead.value)
            #expect(lead.expectedClose == Self.lead.expectedClose)
            #expect(lead.createdAt == Self.lead.createdAt)
            #expect(lead.updatedAt == Self.lead.updatedAt)
        }
    }

    /// A line a whole decode refuses for its core or its name is refused with no field
    /// asked for too, so the lead is read from its file either way.
    @Test func aLineWithoutNameOrStageIsRefusedWhateverIsAsked() throws {
        var nameless = Self.lead
        nameless.name = ""
        var stageless = Self.lead
        stageless.stage = ""
        for lead in [nameless, stageless] {
            let body = Self.body(lead)
            for fields in [SummaryFields.all, []] {
                #expect(body.withUnsafeBufferPointer { SummaryIndex.decode(id: 42, $0, fields: fields) } == nil)
            }
        }
    }

    /// Damaged lines (bytes changed, cut, backslashes and separators put in): decoding
    /// never traps, and a line the whole decode accepts is accepted with nothing asked.
    @Test func damagedLinesNeverTrap() {
        var rng = SplitMix64(seed: 21)
        let original = Self.body(Self.lead)
        let special: [UInt8] = [9, 0x5C, 0x55, 0x52, 0x1E, 0x1F, 0x30, 0x3A, 0x2D, 0x54, 0x5A]
        var acceptedWhole = 0
        for _ in 0..<5_000 {
            var line = original
            for _ in 0...rng.below(4) {
                let at = rng.below(line.count)
                switch rng.below(3) {
                case 0: line[at] = rng.pick(special)
                case 1: line.remove(at: at)
                default: line.removeSubrange(at...)
                }
                if line.isEmpty { break }
            }
            let whole = line.withUnsafeBufferPointer { SummaryIndex.decode(id: 42, $0, fields: .all) }
            let bare = line.withUnsafeBufferPointer { SummaryIndex.decode(id: 42, $0, fields: []) }
            if whole != nil {
                acceptedWhole += 1
                #expect(bare != nil, "\(String(decoding: line, as: UTF8.self).debugDescription)")
            }
        }
        #expect(acceptedWhole > 0, "some damage leaves a valid line")
    }

    /// What each filter criterion and pipeline grouping reads is what it asks the scan for.
    @Test func filtersAndGroupingsNameWhatTheyRead() {
        var filter = LeadFilter()
        #expect(filter.fieldsRead == [])
        filter.owners = ["a"]
        filter.labels = ["b"]
        filter.source = "c"
        filter.campaign = "d"
        filter.overdueAt = Timestamp(seconds: 0)
        #expect(filter.fieldsRead == [.owner, .labels, .source, .campaign, .reminders])
        filter.search = "x"
        #expect(filter.fieldsRead == .all)
        #expect(PipelineGrouping.allCases.map(\.fieldsRead) == [[], .owner, [], .source, .labels, .campaign])
    }
}
