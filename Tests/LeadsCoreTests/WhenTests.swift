import Testing
@testable import LeadsCore

private func day(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate {
    CalendarDate(year: year, month: month, day: day)!
}

/// Monday 2026-11-23, 10:00 UTC (11:00 in Berlin).
private let mondayMorning = utc(2026, 11, 23, 10)

private func when(_ text: String, now: Timestamp = mondayMorning) throws -> When {
    try WhenParser.parse(text, now: now)
}

private func whenError(_ text: String, now: Timestamp = mondayMorning) -> DateError? {
    do {
        _ = try WhenParser.parse(text, now: now)
        return nil
    } catch {
        return error
    }
}

private func dateError(_ text: String, now: Timestamp = mondayMorning) -> DateError? {
    do {
        _ = try WhenParser.parseDate(text, now: now)
        return nil
    } catch {
        return error
    }
}

private func nowError(_ text: String) -> DateError? {
    do {
        _ = try WhenParser.parseNow(text)
        return nil
    } catch {
        return error
    }
}

@Suite struct WhenStoredFormTests {
    @Test func storedRoundTrip() {
        let dayForm = When.day(day(2026, 12, 1))
        let instantForm = When.instant(utc(2026, 12, 1, 13, 30))
        #expect(dayForm.stored == "2026-12-01")
        #expect(instantForm.stored == "2026-12-01T13:30:00Z")
        #expect(When(stored: "2026-12-01") == dayForm)
        #expect(When(stored: "2026-12-01T13:30:00Z") == instantForm)
        #expect(When(stored: "2026-12-01T13:30") == nil)
        #expect(When(stored: "2026-12-01 13:30:00Z") == nil)
        #expect(When(stored: "tomorrow") == nil)
        #expect(When(stored: "") == nil)
        #expect(instantForm.dueInstant == utc(2026, 12, 1, 13, 30))
    }
}

extension DateTimeZoneDependentTests {
    @Suite struct WhenParserTests {
        @Test func dueInstantOfADayFollowsTheZoneOfTheRun() {
            let due = When.day(day(2026, 12, 1))
            withTimeZone("Europe/Berlin") { #expect(due.dueInstant == utc(2026, 11, 30, 23)) }
            withTimeZone("America/New_York") { #expect(due.dueInstant == utc(2026, 12, 1, 5)) }
            withTimeZone("UTC") { #expect(due.dueInstant == utc(2026, 12, 1)) }
        }

        @Test func isoForms() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("2026-12-01") == .day(day(2026, 12, 1)))
                #expect(try when("  2026-12-01 ") == .day(day(2026, 12, 1)))
                #expect(try when("2028-02-29") == .day(day(2028, 2, 29)))
                // Local wall times.
                #expect(try when("2026-12-01T14:30") == .instant(utc(2026, 12, 1, 13, 30)))
                #expect(try when("2026-12-01t14:30") == .instant(utc(2026, 12, 1, 13, 30)))
                #expect(try when("2026-12-01 14:30") == .instant(utc(2026, 12, 1, 13, 30)))
                #expect(try when("2026-12-01T14:30:15") == .instant(utc(2026, 12, 1, 13, 30, 15)))
                #expect(try when("2026-12-01 14:30:15") == .instant(utc(2026, 12, 1, 13, 30, 15)))
                #expect(try when("2026-07-01T14:30") == .instant(utc(2026, 7, 1, 12, 30)))
                #expect(try when("2026-12-01T00:00") == .instant(utc(2026, 11, 30, 23)))
                #expect(try when("2026-12-01T23:59:59") == .instant(utc(2026, 12, 1, 22, 59, 59)))
                // Explicit zones.
                #expect(try when("2026-12-01T14:30Z") == .instant(utc(2026, 12, 1, 14, 30)))
                #expect(try when("2026-12-01T14:30:00Z") == .instant(utc(2026, 12, 1, 14, 30)))
                #expect(try when("2026-12-01T14:30:00z") == .instant(utc(2026, 12, 1, 14, 30)))
                #expect(try when("2026-12-01T14:30+01:00") == .instant(utc(2026, 12, 1, 13, 30)))
                #expect(try when("2026-12-01T14:30+0100") == .instant(utc(2026, 12, 1, 13, 30)))
                #expect(try when("2026-12-01T14:30+01") == .instant(utc(2026, 12, 1, 13, 30)))
                #expect(try when("2026-12-01T14:30:00-05:00") == .instant(utc(2026, 12, 1, 19, 30)))
                #expect(try when("2026-12-01T14:30+05:30") == .instant(utc(2026, 12, 1, 9)))
                #expect(try when("2026-12-01T01:00+14:00") == .instant(utc(2026, 11, 30, 11)))
                #expect(try when("2026-12-01 14:30+01:00") == .instant(utc(2026, 12, 1, 13, 30)))
                // Times are kept to the second: a fraction is refused, not cut off, unless
                // it is zero; LEADS_NOW, a clock (`date --iso-8601=ns`), drops it.
                #expect(whenError("2026-12-01T14:30:15.999999999Z") == .fractionOfSecond("2026-12-01T14:30:15.999999999Z"))
                #expect(whenError("2026-12-01T14:30:59.5") == .fractionOfSecond("2026-12-01T14:30:59.5"))
                #expect(try when("2026-12-01T14:30:15.000Z") == .instant(utc(2026, 12, 1, 14, 30, 15)))
                #expect(try WhenParser.parseNow("2026-12-01T14:30:15.999999999Z") == utc(2026, 12, 1, 14, 30, 15))
            }
        }

        @Test func germanForms() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("31.12.2026") == .day(day(2026, 12, 31)))
                #expect(try when("1.2.2027") == .day(day(2027, 2, 1)))
                #expect(try when("01.02.2027") == .day(day(2027, 2, 1)))
                #expect(try when("29.02.2028") == .day(day(2028, 2, 29)))
                #expect(try when("31.12.2026 14:30") == .instant(utc(2026, 12, 31, 13, 30)))
                #expect(try when("31.12.2026 9:05") == .instant(utc(2026, 12, 31, 8, 5)))
                #expect(try when("31.12.2026 14:30:20") == .instant(utc(2026, 12, 31, 13, 30, 20)))
            }
        }

        @Test func keywords() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("today") == .day(day(2026, 11, 23)))
                #expect(try when("Today") == .day(day(2026, 11, 23)))
                #expect(try when("tomorrow") == .day(day(2026, 11, 24)))
                #expect(try when("TOMORROW") == .day(day(2026, 11, 24)))
                #expect(try when("yesterday") == .day(day(2026, 11, 22)))
                #expect(try when("now") == .instant(mondayMorning))
                #expect(try when(" NOW ") == .instant(mondayMorning))
                // Month and year ends.
                #expect(try when("tomorrow", now: utc(2026, 12, 31, 12)) == .day(day(2027, 1, 1)))
                #expect(try when("yesterday", now: utc(2028, 3, 1, 12)) == .day(day(2028, 2, 29)))
            }
        }

        @Test func todayIsTheLocalDate() throws {
            let lateSunday = utc(2026, 11, 22, 23, 30)   // Monday 00:30 in Berlin, Sunday 18:30 in New York
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("today", now: lateSunday) == .day(day(2026, 11, 23)))
                #expect(try when("monday", now: lateSunday) == .day(day(2026, 11, 30)))
            }
            try withTimeZone("America/New_York") { () throws in
                #expect(try when("today", now: lateSunday) == .day(day(2026, 11, 22)))
                #expect(try when("monday", now: lateSunday) == .day(day(2026, 11, 23)))
            }
            try withTimeZone("Pacific/Kiritimati") { () throws in
                #expect(try when("today", now: mondayMorning) == .day(day(2026, 11, 24)))
            }
            try withTimeZone("Asia/Kolkata") { () throws in
                #expect(try when("today", now: utc(2026, 11, 22, 18, 30)) == .day(day(2026, 11, 23)))
                #expect(try when("today", now: utc(2026, 11, 22, 18, 29)) == .day(day(2026, 11, 22)))
            }
        }

        @Test func relativeForms() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("+3d") == .day(day(2026, 11, 26)))
                #expect(try when("+3D") == .day(day(2026, 11, 26)))
                #expect(try when("+0d") == .day(day(2026, 11, 23)))
                #expect(try when("+10d") == .day(day(2026, 12, 3)))
                #expect(try when("+2w") == .day(day(2026, 12, 7)))
                #expect(try when("+1m") == .day(day(2026, 12, 23)))
                #expect(try when("+2m") == .day(day(2027, 1, 23)))
                #expect(try when("+1y") == .day(day(2027, 11, 23)))
                #expect(try when("+4h") == .instant(utc(2026, 11, 23, 14)))
                #expect(try when("+48h") == .instant(utc(2026, 11, 25, 10)))
                #expect(try when("-7d") == .day(day(2026, 11, 16)))
                #expect(try when("-1m") == .day(day(2026, 10, 23)))
                #expect(try when("-2h") == .instant(utc(2026, 11, 23, 8)))
                // Counted from the local date, not the UTC one.
                #expect(try when("+1d", now: utc(2026, 11, 22, 23, 30)) == .day(day(2026, 11, 24)))
            }
        }

        @Test func monthEndClampingAndLeapYears() throws {
            try withTimeZone("UTC") { () throws in
                #expect(try when("+1m", now: utc(2026, 1, 31, 12)) == .day(day(2026, 2, 28)))
                #expect(try when("+1m", now: utc(2028, 1, 31, 12)) == .day(day(2028, 2, 29)))
                #expect(try when("+1m", now: utc(2026, 3, 31, 12)) == .day(day(2026, 4, 30)))
                #expect(try when("+1y", now: utc(2028, 2, 29, 12)) == .day(day(2029, 2, 28)))
                #expect(try when("+4y", now: utc(2028, 2, 29, 12)) == .day(day(2032, 2, 29)))
                #expect(try when("+1d", now: utc(2028, 2, 28, 12)) == .day(day(2028, 2, 29)))
                #expect(try when("+1d", now: utc(2026, 2, 28, 12)) == .day(day(2026, 3, 1)))
                #expect(try when("+1w", now: utc(2028, 2, 25, 12)) == .day(day(2028, 3, 3)))
            }
        }

        /// Each weekday name from each weekday of one week: always strictly after today.
        @Test(arguments: 0..<7)
        func weekdayNames(todayOffset: Int) throws {
            let names = [("monday", "mon"), ("tuesday", "tue"), ("wednesday", "wed"), ("thursday", "thu"),
                         ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun")]
            let today = day(2026, 11, 23).adding(days: todayOffset)   // Monday + offset
            let now = Timestamp(seconds: utc(2026, 11, 23, 12).seconds + Int64(todayOffset) * 86_400)
            try withTimeZone("Europe/Berlin") { () throws in
                for (target, (name, short)) in names.enumerated() {
                    let ahead = target > todayOffset ? target - todayOffset : target - todayOffset + 7
                    let expected = When.day(today.adding(days: ahead))
                    #expect(try when(name, now: now) == expected, "\(name) on \(today.iso)")
                    #expect(try when(short, now: now) == expected, "\(short) on \(today.iso)")
                    #expect(try when(name.uppercased(), now: now) == expected)
                    #expect(try when(short.capitalized(), now: now) == expected)
                }
            }
        }

        @Test func weekdayNamesByHand() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try when("monday") == .day(day(2026, 11, 30)))     // today is Monday → next week
                #expect(try when("tuesday") == .day(day(2026, 11, 24)))
                #expect(try when("Sun") == .day(day(2026, 11, 29)))
                #expect(try when("friday", now: utc(2026, 11, 27, 12)) == .day(day(2026, 12, 4)))
                #expect(try when("sat", now: utc(2026, 11, 27, 12)) == .day(day(2026, 11, 28)))
            }
        }

        @Test func dstWallTimes() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                // In the spring gap: shifted forward. In the autumn overlap: the earlier instant.
                #expect(try when("2026-03-29T02:30") == .instant(utc(2026, 3, 29, 1, 30)))
                #expect(try when("2026-10-25 02:30") == .instant(utc(2026, 10, 25, 0, 30)))
                #expect(try WhenParser.parseInstant("2026-03-29", now: mondayMorning) == utc(2026, 3, 28, 23))
                #expect(try WhenParser.parseInstant("2026-10-25", now: mondayMorning) == utc(2026, 10, 24, 22))
            }
        }

        @Test func invalidInputs() {
            withTimeZone("Europe/Berlin") {
                #expect(whenError("") == .empty)
                #expect(whenError("   ") == .empty)
                // ("next week", "mo" and "montag" are words now: DateWordsTests.)
                for text in ["+3x", "+", "-", "+d", "+3", "+3dd", "+ 3d", "3d", "2026-12-1",
                             "2026-1-01", "26-12-01", "2026/12/01", "12/01/2026", "31.12.26", "31.12.", "31-12-2026",
                             "2026-12-01Z", "2026-12-01T", "2026-12-01T14", "2026-12-01T14:3", "2026-12-01T1430",
                             "2026-12-01 14:30 Europe/Berlin", "2026-12-01T14:30+1", "2026-12-01T14:30+01:0",
                             "2026-12-01T14:30:15.", "2026-12-01  14:30", "mond", "mondays", "tomorrow!",
                             "to day", "noon", "14:30", "1.2.2027T", "20261201", "2026-12-01x",
                             "wednesdays", "2026-12-01T14:30:00+01:00:00", "111.12.2026", "1.123.2026"] {
                    #expect(whenError(text) == .invalid(text), "\(text)")
                }
            }
        }

        @Test func outOfRangeInputs() {
            withTimeZone("Europe/Berlin") {
                for text in ["31.02.2026", "2026-02-30", "2026-02-29", "29.02.2100", "2026-13-01", "2026-00-01",
                             "2026-12-00", "0.1.2026", "0000-01-01", "2026-12-01 25:00", "2026-12-01T24:00",
                             "2026-12-01T14:60", "2026-12-01T14:30:60", "2026-12-01T14:30+24:00",
                             "2026-12-01T14:30+01:60", "31.12.2026 24:00", "+9999999d", "+8000y", "-2026y",
                             "+100000m", "+99999999h"] {
                    #expect(whenError(text) == .outOfRange(text), "\(text)")
                }
                // The limits themselves are fine.
                #expect(whenError("9999-12-31") == nil)
                #expect(whenError("0001-01-01") == nil)
                #expect(whenError("+7973y") == nil)
            }
        }

        @Test func dateArgumentsRefuseTimes() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                let now = mondayMorning
                #expect(try WhenParser.parseDate("2026-12-01", now: now) == day(2026, 12, 1))
                #expect(try WhenParser.parseDate("31.12.2026", now: now) == day(2026, 12, 31))
                #expect(try WhenParser.parseDate("today", now: now) == day(2026, 11, 23))
                #expect(try WhenParser.parseDate("tomorrow", now: now) == day(2026, 11, 24))
                #expect(try WhenParser.parseDate("+1m", now: now) == day(2026, 12, 23))
                #expect(try WhenParser.parseDate("friday", now: now) == day(2026, 11, 27))
                for text in ["2026-12-01 14:30", "2026-12-01T14:30Z", "31.12.2026 14:30", "now", "+4h"] {
                    #expect(dateError(text) == .timeNotAllowed(text), "\(text)")
                }
                #expect(dateError("") == .empty)
                // "next week" is a day now (DateWordsTests); a phrase that is no date is still refused.
                #expect(dateError("next decade") == .invalid("next decade"))
                #expect(dateError("2026-02-30") == .outOfRange("2026-02-30"))
            }
        }

        @Test func instantArguments() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                let now = mondayMorning
                #expect(try WhenParser.parseInstant("2026-12-01", now: now) == utc(2026, 11, 30, 23))
                #expect(try WhenParser.parseInstant("today", now: now) == utc(2026, 11, 22, 23))
                #expect(try WhenParser.parseInstant("-7d", now: now) == utc(2026, 11, 15, 23))
                #expect(try WhenParser.parseInstant("now", now: now) == now)
                #expect(try WhenParser.parseInstant("2026-12-01 14:30", now: now) == utc(2026, 12, 1, 13, 30))
                #expect(try WhenParser.parseInstant("2026-12-01T14:30Z", now: now) == utc(2026, 12, 1, 14, 30))
                #expect(throws: DateError.invalid("soon")) { try WhenParser.parseInstant("soon", now: now) }
            }
        }

        @Test func leadsNow() throws {
            try withTimeZone("Europe/Berlin") { () throws in
                #expect(try WhenParser.parseNow("2026-11-22T09:30:00Z") == utc(2026, 11, 22, 9, 30))
                #expect(try WhenParser.parseNow("2026-11-22T10:30:00+01:00") == utc(2026, 11, 22, 9, 30))
                #expect(try WhenParser.parseNow("2026-11-22T10:30:00+0100") == utc(2026, 11, 22, 9, 30))
                #expect(try WhenParser.parseNow("2026-11-22T10:30") == utc(2026, 11, 22, 9, 30))
                #expect(try WhenParser.parseNow("2026-11-22T10:30:45") == utc(2026, 11, 22, 9, 30, 45))
                #expect(try WhenParser.parseNow("2026-11-22") == utc(2026, 11, 21, 23))
                #expect(try WhenParser.parseNow(" 2026-11-22T09:30:00Z\n") == utc(2026, 11, 22, 9, 30))
                for text in ["today", "now", "+3d", "monday", "22.11.2026", "yesterday", "2026-11-22T09:30:00 Z"] {
                    #expect(nowError(text) == .invalid(text), "\(text)")
                }
                #expect(nowError("") == .empty)
                #expect(nowError("2026-11-31") == .outOfRange("2026-11-31"))
            }
            try withTimeZone("America/New_York") { () throws in
                #expect(try WhenParser.parseNow("2026-11-22") == utc(2026, 11, 22, 5))
                #expect(try WhenParser.parseNow("2026-11-22T09:30:00Z") == utc(2026, 11, 22, 9, 30))
            }
        }
    }
}

private extension String {
    func capitalized() -> String {
        prefix(1).uppercased() + dropFirst()
    }
}
