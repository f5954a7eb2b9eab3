import LeadsCore
import Testing

/// LeadMerge's rule per field, on leads built in code.
@Suite struct LeadMergeTests {
    func t(_ seconds: Int64) -> Timestamp { Timestamp(seconds: seconds) }

    func leads() -> (keep: Lead, other: Lead) {
        var keep = Lead(id: 12, name: "Thomas Müller", stage: "qualified", createdAt: t(100), createdBy: "alice")
        keep.company = "Müller GmbH"
        keep.labels = ["messe"]
        keep.fields = ["branche": "Maschinenbau"]
        keep.notes = [Note(at: t(300), by: "alice", text: "keep 300", contacted: false),
                      Note(at: t(500), by: "alice", text: "keep 500", contacted: false)]
        keep.reminders = [Reminder(number: 1, due: .day(CalendarDate(year: 2026, month: 12, day: 1)!), text: "a", owner: "alice", createdAt: t(300)),
                          Reminder(number: 4, due: .day(CalendarDate(year: 2026, month: 12, day: 2)!), text: "b", owner: "alice", createdAt: t(300))]
        keep.lastContact = Contact(at: t(300), by: "alice")
        var other = Lead(id: 40, name: "Mueller, Thomas", stage: "new", createdAt: t(50), createdBy: "bob")
        other.organization = true
        other.company = "Mueller GmbH & Co. KG"
        other.phone = "030 1234567"
        other.labels = ["vip", "messe"]
        other.fields = ["branche": "Anlagenbau", "region": "Ost"]
        other.notes = [Note(at: t(400), by: "bob", text: "other 400", contacted: true),
                       Note(at: t(500), by: "bob", text: "other 500", contacted: false)]
        other.reminders = [Reminder(number: 2, due: .day(CalendarDate(year: 2026, month: 12, day: 5)!), text: "c", owner: "bob", createdAt: t(400))]
        other.lastContact = Contact(at: t(400), by: "bob")
        return (keep, other)
    }

    @Test func keepWinsUnlessEmptyAndListsAreCombined() {
        let (keep, other) = leads()
        let merge = LeadMerge(keep: keep, other: other, at: t(900), by: "carol")
        let m = merge.merged
        #expect(m.id == 12 && m.name == "Thomas Müller" && m.stage == "qualified" && m.createdAt == t(100))
        #expect(m.company == "Müller GmbH" && m.phone == "030 1234567" && m.organization)
        #expect(m.labels == ["messe", "vip"])
        #expect(m.fields == ["branche": "Maschinenbau", "region": "Ost"])
        // Time order; at equal times KEEP's note first.
        #expect(m.notes.map(\.text) == ["keep 300", "other 400", "keep 500", "other 500"])
        #expect(m.reminders.map(\.number) == [1, 4, 5] && m.reminders.last?.text == "c")
        #expect(merge.renumbered.map { [$0.from, $0.to] } == [[2, 5]])
        #expect(m.lastContact == Contact(at: t(400), by: "bob"))
        #expect(m.updatedAt == t(900) && m.updatedBy == "carol")
        let outcomes = Dictionary(uniqueKeysWithValues: merge.steps.map { ($0.field, $0.outcome) })
        #expect(outcomes == ["name": .kept, "stage": .kept, "organization": .taken, "company": .kept, "phone": .taken,
                             "labels": .combined, "field:branche": .kept, "field:region": .taken, "notes": .combined,
                             "reminders": .combined, "last contact": .taken])
    }

    @Test func twoEqualLeadsMergeToKeepWithNoSteps() {
        let (keep, _) = leads()
        var twin = keep
        twin.id = 40
        twin.notes = []
        twin.reminders = []
        let merge = LeadMerge(keep: keep, other: twin, at: t(900), by: "carol")
        #expect(merge.steps.isEmpty)
        var expected = keep
        expected.updatedAt = t(900)
        expected.updatedBy = "carol"
        #expect(merge.merged == expected)
    }
}
