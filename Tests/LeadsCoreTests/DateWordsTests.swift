import Testing
@testable import LeadsCore

private func day(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate {
    CalendarDate(year: year, month: month, day: day)!
}

/// Monday 2026-11-23, 10:00 UTC (11:00 in Berlin).
private let monday = utc(2026, 11, 23, 10)

private func when(_ text: String, now: Timestamp = monday) throws -> When {
    try WhenParser.parse(text, now: now)
}

private func whenError(_ text: String, now: Timestamp = monday) -> DateError? {
    do {
        _ = try WhenParser.parse(text, now: now)
        return nil
    } catch {
        return error
    }
}

extension DateTimeZoneDependentTests {
    @Suite struct DateWordsTests {
        @Test func germanDays() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("heute") == .day(day(2026, 11, 23)))
                #expect(try when("morgen") == .day(day(2026, 11, 24)))
                #expect(try when("übermorgen") == .day(day(2026, 11, 25)))
                #expect(try when("Übermorgen") == .day(day(2026, 11, 25)))
                #expect(try when("uebermorgen") == .day(day(2026, 11, 25)))
                #expect(try when("u\u{308}bermorgen") == .day(day(2026, 11, 25)))  // ü typed decomposed
                #expect(try when("gestern") == .day(day(2026, 11, 22)))
                #expect(try when("vorgestern") == .day(day(2026, 11, 21)))
                #expect(try when("jetzt") == .instant(monday))
                #expect(try when("  MORGEN ") == .day(day(2026, 11, 24)))
            }
        }

        /// Each weekday strictly after today, as the English names: on Monday `montag`
        /// is a week ahead.
        @Test func germanWeekdays() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                let names = [("montag", "mo", 30), ("dienstag", "di", 24), ("mittwoch", "mi", 25), ("donnerstag", "do", 26),
                             ("freitag", "fr", 27), ("samstag", "sa", 28), ("sonntag", "so", 29)]
                for (name, short, date) in names {
                    let expected = When.day(day(2026, 11, date))
                    #expect(try when(name) == expected, "\(name)")
                    #expect(try when(short) == expected, "\(short)")
                    #expect(try when(name.prefix(1).uppercased() + name.dropFirst()) == expected, "\(name)")
                    #expect(try when("nächsten " + name) == expected, "nächsten \(name)")
                }
                #expect(try when("Sonnabend") == .day(day(2026, 11, 28)))
                #expect(try when("next friday") == .day(day(2026, 11, 27)))
                // From Friday: freitag is the next Friday, a week on.
                #expect(try when("freitag", now: utc(2026, 11, 27, 12)) == .day(day(2026, 12, 4)))
            }
        }

        @Test func inSoManyUnits() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("in 3 Tagen") == .day(day(2026, 11, 26)))
                #expect(try when("in 1 Tag") == .day(day(2026, 11, 24)))
                #expect(try when("in einem Tag") == .day(day(2026, 11, 24)))
                #expect(try when("in 2 Wochen") == .day(day(2026, 12, 7)))
                #expect(try when("in 1 Woche") == .day(day(2026, 11, 30)))
                #expect(try when("in einer Woche") == .day(day(2026, 11, 30)))
                #expect(try when("in zwei Wochen") == .day(day(2026, 12, 7)))
                #expect(try when("in 2 Monaten") == .day(day(2027, 1, 23)))
                #expect(try when("in einem Monat") == .day(day(2026, 12, 23)))
                #expect(try when("in 1 Jahr") == .day(day(2027, 11, 23)))
                #expect(try when("in zwölf Monaten") == .day(day(2027, 11, 23)))
                #expect(try when("in 3 days") == .day(day(2026, 11, 26)))
                #expect(try when("in 1 day") == .day(day(2026, 11, 24)))
                #expect(try when("in a week") == .day(day(2026, 11, 30)))
                #expect(try when("in 2 weeks") == .day(day(2026, 12, 7)))
                #expect(try when("in 6 months") == .day(day(2027, 5, 23)))
                #expect(try when("In  3   Tagen") == .day(day(2026, 11, 26)))
                // Months clamp to the month's end, as +1m does.
                #expect(try when("in 1 Monat", now: utc(2027, 1, 31, 12)) == .day(day(2027, 2, 28)))
                // Hours are an instant.
                #expect(try when("in 3 Stunden") == .instant(utc(2026, 11, 23, 13)))
                #expect(try when("in 2 hours") == .instant(utc(2026, 11, 23, 12)))
            }
        }

        @Test func backwards() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("vor 3 Tagen") == .day(day(2026, 11, 20)))
                #expect(try when("vor einer Woche") == .day(day(2026, 11, 16)))
                #expect(try when("3 days ago") == .day(day(2026, 11, 20)))
                #expect(try when("2 weeks ago") == .day(day(2026, 11, 9)))
                #expect(try WhenParser.parseInstant("vor 2 Stunden", now: monday) == utc(2026, 11, 23, 8))
            }
        }

        /// Monday of next week, the 1st of next month, 1 January of next year.
        @Test func nextWeekMonthYear() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("nächste Woche") == .day(day(2026, 11, 30)))
                #expect(try when("naechste Woche") == .day(day(2026, 11, 30)))
                #expect(try when("next week") == .day(day(2026, 11, 30)))
                #expect(try when("kommende Woche") == .day(day(2026, 11, 30)))
                #expect(try when("next week", now: utc(2026, 11, 29, 12)) == .day(day(2026, 11, 30)))  // from Sunday
                #expect(try when("nächsten Monat") == .day(day(2026, 12, 1)))
                #expect(try when("next month", now: utc(2026, 12, 31, 12)) == .day(day(2027, 1, 1)))
                #expect(try when("nächstes Jahr") == .day(day(2027, 1, 1)))
                #expect(try when("next year") == .day(day(2027, 1, 1)))
            }
        }

        @Test func aDateOnlyOptionTakesTheDayWordsAndRefusesHours() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try WhenParser.parseDate("in 2 Monaten", now: monday) == day(2027, 1, 23))
                #expect(try WhenParser.parseDate("übermorgen", now: monday) == day(2026, 11, 25))
                do throws(DateError) {
                    _ = try WhenParser.parseDate("in 3 Stunden", now: monday)
                    Issue.record("a time was accepted as a date")
                } catch {
                    #expect(error == .timeNotAllowed("in 3 Stunden"))
                }
            }
        }

        @Test func whatIsNotADate() {
            withTimeZone("Europe/Berlin") {
                for text in ["in", "in 3", "in Tagen", "in 3 Tage Tagen", "in -3 Tagen", "in 3,5 Tagen", "in drei-Tagen",
                             "nächste", "nächste Stunde", "next", "next decade", "über morgen", "morgen früh",
                             "3 Tagen", "vor", "ago", "3 ago", "in 3 fortnights", "heute!", "montags", "in 3 Tagen und 2 Stunden",
                             "in dreizehn Tagen"] {
                    #expect(whenError(text) == .invalid(text), "\(text)")
                }
                // A count beyond year 9999 is out of range, as +9000000d is.
                #expect(whenError("in 9000000 Tagen") == .outOfRange("in 9000000 Tagen"))
                #expect(whenError("in 9000 Jahren") == .outOfRange("in 9000 Jahren"))
                #expect(whenError("morgen", now: utc(9999, 12, 31, 12)) == .outOfRange("morgen"))
                #expect(whenError("next week", now: utc(9999, 12, 31, 12)) == .outOfRange("next week"))
                #expect(whenError("gestern", now: utc(1, 1, 1, 12)) == .outOfRange("gestern"))
            }
        }
    }
}
