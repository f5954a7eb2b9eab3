@testable import LeadsCore
import Testing

/// The digest `remind --due --mail` sends: grouping, order and wording.
@Suite struct ReminderDigestTests {
    func row(_ lead: Int, _ number: Int, owner: String, due: When, text: String = "", name: String = "Lead") -> DueReminder {
        DueReminder(lead: lead, leadName: name, reminder: Reminder(number: number, due: due, text: text, owner: owner, createdAt: Timestamp(seconds: 0)))
    }

    let now = Timestamp(iso8601: "2026-11-23T10:00:00Z")!
    func day(_ iso: String) -> When { .day(CalendarDate(iso: iso)!) }

    @Test func groupsByOwnerOldestFirst() {
        var digest = ReminderDigest()
        #expect(digest.isEmpty)
        digest.add(row(3, 1, owner: "bob", due: day("2026-11-22")))
        digest.add(row(1, 2, owner: "anna", due: day("2026-11-21")))
        digest.add(contentsOf: [row(1, 1, owner: "anna", due: day("2026-11-20")), row(2, 1, owner: "anna", due: day("2026-11-21"))])
        let owners = digest.owners
        #expect(owners.map(\.owner) == ["anna", "bob"])
        #expect(owners[0].reminders.map(\.reference) == ["1.1", "1.2", "2.1"])
        #expect(owners[1].reminders.map(\.reference) == ["3.1"])
    }

    @Test func englishAndGermanText() {
        var digest = ReminderDigest()
        digest.add(row(12, 1, owner: "anna", due: day("2026-11-20"), text: "send the offer", name: "Greta Schulz"))
        digest.add(row(7, 2, owner: "anna", due: day("2026-11-23"), name: "Jürgen Müller"))
        let part = digest.owners[0]
        let english = part.text(language: .en, name: "Anna Schmidt", now: now)
        #expect(english.subject == "leads: 2 follow-ups due")
        #expect(english.body == """
            Hello Anna Schmidt,

            2 follow-ups are due:

            #12.1 Greta Schulz, due 2026-11-20 (3 days overdue): send the offer  [leads show 12]
            #7.2 Jürgen Müller, due 2026-11-23 (today)  [leads show 7]

            Close one with: leads remind --done 12.1
            Move one with: leads remind --snooze 12.1 WHEN

            """)
        let german = part.text(language: .de, name: "Anna Schmidt", now: now)
        #expect(german.subject == "leads: 2 Wiedervorlagen fällig")
        #expect(german.body.contains("\n#12.1 Greta Schulz, fällig am 20.11.2026 (3 Tage überfällig): send the offer  [leads show 12]\n"))
        #expect(german.body.contains("\n#7.2 Jürgen Müller, fällig am 23.11.2026 (heute)  [leads show 7]\n"))
        #expect(german.body.hasPrefix("Hallo Anna Schmidt,\n\n2 Wiedervorlagen sind fällig:\n"))

        var one = ReminderDigest()
        one.add(row(1, 1, owner: "bob", due: day("2026-11-22")))
        #expect(one.owners[0].text(language: .en, name: "bob", now: now).subject == "leads: 1 follow-up due")
        #expect(one.owners[0].text(language: .de, name: "bob", now: now).subject == "leads: 1 Wiedervorlage fällig")
        #expect(one.owners[0].text(language: .de, name: "bob", now: now).body.contains("(1 Tag überfällig)"))
    }

    @Test func timedRemindersCountHoursAndMinutes() {
        var digest = ReminderDigest()
        digest.add(row(1, 1, owner: "a", due: .instant(Timestamp(iso8601: "2026-11-23T07:00:00Z")!)))
        digest.add(row(1, 2, owner: "a", due: .instant(Timestamp(iso8601: "2026-11-23T09:59:00Z")!)))
        digest.add(row(1, 3, owner: "a", due: .instant(Timestamp(iso8601: "2026-11-23T09:59:50Z")!)))
        let german = digest.owners[0].text(language: .de, name: "a", now: now).body
        #expect(german.contains("(3 Stunden überfällig)"))
        #expect(german.contains("(1 Minute überfällig)"))
        #expect(german.contains("(jetzt)"))
        let english = digest.owners[0].text(language: .en, name: "a", now: now).body
        #expect(english.contains("(3 hours overdue)") && english.contains("(1 minute overdue)") && english.contains("(now)"))
    }

    /// Stored text cannot add lines of its own to the mail, or hide what it says.
    @Test func storedTextStaysOnItsLine() {
        #expect(ReminderDigest.oneLine("call\r\nback\tsoon\nplease") == "call back soon please")
        #expect(ReminderDigest.oneLine("evil\u{1B}[31m") == "evil<U+001B>[31m")
        #expect(ReminderDigest.oneLine("abc\u{202E}def") == "abc<U+202E>def")
        #expect(ReminderDigest.oneLine("Jürgen 👩‍💻") == "Jürgen 👩‍💻")
    }

    @Test func languageComesFromTheUserThenTheStore() {
        #expect(DigestLanguage.of(User(name: "a", language: "de"), default: "en") == .de)
        #expect(DigestLanguage.of(User(name: "a"), default: "de") == .de)
        #expect(DigestLanguage.of(User(name: "a"), default: nil) == .en)
        #expect(DigestLanguage.of(nil, default: nil) == .en)
    }
}
