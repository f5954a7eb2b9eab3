import Testing
@testable import LeadsCore

/// `Lead.nextReminder`: the open reminder due first; among reminders due at the same
/// instant the lowest number; done ones never. `list`, `show`, the reports and mail
/// all name this one.
@Suite struct NextReminderTests {
    let created = Timestamp(seconds: 1_790_000_000)

    func lead(_ reminders: [(Int, When, done: Bool)]) -> Lead {
        var lead = Lead(id: 1, name: "A", stage: "new", createdAt: created, createdBy: "ann")
        lead.reminders = reminders.map { number, due, done in
            var r = Reminder(number: number, due: due, text: "r\(number)", owner: "ann", createdAt: created)
            if done { r.doneAt = created }
            return r
        }
        return lead
    }

    @Test func theEarliestOpenReminderWins() {
        let day = CalendarDate(year: 2026, month: 12, day: 3)!
        let early = When.instant(Timestamp(seconds: LocalTime.startOfDay(day).seconds - 60))
        #expect(lead([(1, .day(day), false), (2, early, false), (3, .instant(Timestamp(seconds: LocalTime.startOfDay(day).seconds - 3600)), true)])
            .nextReminder?.number == 2)
    }

    @Test func equalDueTimesGoByNumberWhateverTheirOrder() {
        let day = CalendarDate(year: 2026, month: 12, day: 3)!
        let sameInstant = When.instant(LocalTime.startOfDay(day))
        #expect(lead([(4, sameInstant, false), (2, .day(day), false), (3, sameInstant, false)]).nextReminder?.number == 2)
        #expect(lead([(2, .day(day), false), (4, sameInstant, false)]).nextReminder?.number == 2)
    }

    @Test func doneRemindersAndNoRemindersGiveNone() {
        let day = CalendarDate(year: 2026, month: 12, day: 3)!
        #expect(lead([(1, .day(day), true)]).nextReminder == nil)
        #expect(lead([]).nextReminder == nil)
    }
}
