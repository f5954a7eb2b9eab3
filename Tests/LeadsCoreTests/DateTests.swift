import Glibc
import LeadsTestSupport
import Testing
@testable import LeadsCore

private func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate {
    CalendarDate(year: year, month: month, day: day)!
}

/// Seconds since the epoch of a UTC wall time, computed by the C library (an oracle).
func utcSeconds(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Int64 {
    var parts = tm()
    parts.tm_year = Int32(year - 1900)
    parts.tm_mon = Int32(month - 1)
    parts.tm_mday = Int32(day)
    parts.tm_hour = Int32(hour)
    parts.tm_min = Int32(minute)
    parts.tm_sec = Int32(second)
    return Int64(timegm(&parts))
}

func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Timestamp {
    Timestamp(seconds: utcSeconds(year, month, day, hour, minute, second))
}

/// Runs `body` with TZ set in this process, then restores the previous TZ. Only for tests
/// inside `DateTimeZoneDependentTests`, which run one at a time.
func withTimeZone<T>(_ zone: String, _ body: () throws -> T) rethrows -> T {
    let saved = getenv("TZ").map { String(cString: $0) }
    setenv("TZ", zone, 1)
    LocalTime.zoneChanged()
    defer {
        if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
        LocalTime.zoneChanged()
    }
    return try body()
}

@Suite struct DateCalendarTests {
    @Test func validation() {
        #expect(CalendarDate(year: 2028, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2026, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2100, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2026, month: 2, day: 28) != nil)
        #expect(CalendarDate(year: 2026, month: 4, day: 31) == nil)
        #expect(CalendarDate(year: 2026, month: 4, day: 30) != nil)
        #expect(CalendarDate(year: 2026, month: 12, day: 31) != nil)
        #expect(CalendarDate(year: 2026, month: 12, day: 32) == nil)
        #expect(CalendarDate(year: 2026, month: 0, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 1, day: 0) == nil)
        #expect(CalendarDate(year: 0, month: 1, day: 1) == nil)
        #expect(CalendarDate(year: 1, month: 1, day: 1) != nil)
        #expect(CalendarDate(year: 9999, month: 12, day: 31) != nil)
        #expect(CalendarDate(year: 10_000, month: 1, day: 1) == nil)
        #expect(CalendarDate(year: -1, month: 1, day: 1) == nil)
    }

    @Test func isoStrict() {
        #expect(CalendarDate(iso: "2026-12-01") == date(2026, 12, 1))
        #expect(CalendarDate(iso: "2028-02-29") == date(2028, 2, 29))
        #expect(CalendarDate(iso: "0001-01-01") == date(1, 1, 1))
        for bad in ["2026-12-1", "2026-1-01", "26-12-01", "2026/12/01", "2026-12-01 ", " 2026-12-01",
                    "+2026-12-01", "2026-12-01T00:00:00Z", "0000-01-01", "2026-02-29", "2026-02-30",
                    "2026-13-01", "2026-00-10", "2026-12-00", "20261-12-01", "", "2026-12-0a", "01.12.2026"] {
            #expect(CalendarDate(iso: bad) == nil, "\(bad)")
        }
        #expect(date(2026, 12, 1).iso == "2026-12-01")
        #expect(date(33, 1, 9).iso == "0033-01-09")
        #expect(date(2026, 12, 1).description == "2026-12-01")
    }

    @Test func knownDayNumbers() {
        #expect(date(1970, 1, 1).daysSinceEpoch == 0)
        #expect(date(1969, 12, 31).daysSinceEpoch == -1)
        #expect(date(2000, 3, 1).daysSinceEpoch == 11_017)
        #expect(date(2026, 11, 23).daysSinceEpoch == 20_780)
        #expect(date(1, 1, 1).daysSinceEpoch == -719_162)
        #expect(date(9999, 12, 31).daysSinceEpoch == 2_932_896)
        #expect(CalendarDate(daysSinceEpoch: 0) == date(1970, 1, 1))
        #expect(CalendarDate(daysSinceEpoch: 20_780) == date(2026, 11, 23))
        #expect(CalendarDate(daysSinceEpoch: -1) == date(1969, 12, 31))
    }

    /// Every day of the years 1-9999 against two oracles: a day-by-day walk with its own leap
    /// rule, and Glibc's `timegm` (day number and weekday).
    @Test func civilConversionAgreesWithTimegmEveryDay() {
        var (year, month, day) = (1, 1, 1)
        var mismatches = 0
        var firstMismatch = ""
        for days in -719_162...2_932_896 {
            let converted = CalendarDate(daysSinceEpoch: days)
            var parts = tm()
            parts.tm_year = Int32(year - 1900)
            parts.tm_mon = Int32(month - 1)
            parts.tm_mday = Int32(day)
            let byLibrary = timegm(&parts)
            let libraryWeekday = (Int(parts.tm_wday) + 6) % 7 + 1   // tm_wday: 0 = Sunday
            if converted.year != year || converted.month != month || converted.day != day
                || converted.daysSinceEpoch != days || Int64(byLibrary) != Int64(days) * 86_400
                || converted.weekday != libraryWeekday {
                mismatches += 1
                if firstMismatch.isEmpty { firstMismatch = "\(days): \(converted.iso) vs \(year)-\(month)-\(day)" }
            }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let length = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            day += 1
            if day > length { day = 1; month += 1 }
            if month > 12 { month = 1; year += 1 }
        }
        #expect(mismatches == 0, "first: \(firstMismatch)")
        #expect((year, month, day) == (10_000, 1, 1))
    }

    @Test func weekdays() {
        #expect(date(2026, 11, 23).weekday == 1)   // Monday
        #expect(date(2026, 11, 29).weekday == 7)   // Sunday
        #expect(date(1970, 1, 1).weekday == 4)     // Thursday
        #expect(date(2000, 1, 1).weekday == 6)     // Saturday
        #expect(date(1969, 12, 29).weekday == 1)   // before the epoch
        #expect(date(1, 1, 1).weekday == 1)
    }

    @Test func addingDays() {
        #expect(date(2026, 11, 23).adding(days: 8) == date(2026, 12, 1))
        #expect(date(2026, 12, 31).adding(days: 1) == date(2027, 1, 1))
        #expect(date(2028, 2, 28).adding(days: 1) == date(2028, 2, 29))
        #expect(date(2026, 2, 28).adding(days: 1) == date(2026, 3, 1))
        #expect(date(2026, 3, 1).adding(days: -1) == date(2026, 2, 28))
        #expect(date(2026, 11, 23).adding(days: 0) == date(2026, 11, 23))
        #expect(date(2026, 11, 23).adding(days: 365) == date(2027, 11, 23))
    }

    @Test func addingMonthsClampsToMonthEnd() {
        #expect(date(2026, 1, 31).adding(months: 1) == date(2026, 2, 28))
        #expect(date(2028, 1, 31).adding(months: 1) == date(2028, 2, 29))
        #expect(date(2026, 3, 31).adding(months: 1) == date(2026, 4, 30))
        #expect(date(2026, 3, 31).adding(months: -1) == date(2026, 2, 28))
        #expect(date(2026, 12, 15).adding(months: 1) == date(2027, 1, 15))
        #expect(date(2026, 1, 15).adding(months: -1) == date(2025, 12, 15))
        #expect(date(2026, 11, 23).adding(months: 13) == date(2027, 12, 23))
        #expect(date(2026, 11, 23).adding(months: -23) == date(2024, 12, 23))
        #expect(date(2028, 2, 29).adding(months: 12) == date(2029, 2, 28))
        #expect(date(2028, 2, 29).adding(months: 48) == date(2032, 2, 29))
        #expect(date(2026, 8, 31).adding(months: 0) == date(2026, 8, 31))
    }

    @Test func monthKeyAndOrder() {
        #expect(date(2026, 12, 1).monthKey == "2026-12")
        #expect(date(987, 3, 9).monthKey == "0987-03")
        #expect(date(2026, 11, 30) < date(2026, 12, 1))
        #expect(date(2025, 12, 31) < date(2026, 1, 1))
        #expect(date(2026, 1, 2) > date(2026, 1, 1))
        #expect(!(date(2026, 1, 1) < date(2026, 1, 1)))
    }
}

@Suite struct DateTimestampTests {
    @Test func isoRendering() {
        #expect(Timestamp(seconds: 0).iso8601 == "1970-01-01T00:00:00Z")
        #expect(Timestamp(seconds: -1).iso8601 == "1969-12-31T23:59:59Z")
        #expect(utc(2026, 11, 22, 9, 30).iso8601 == "2026-11-22T09:30:00Z")
        #expect(utc(2028, 2, 29, 23, 59, 59).iso8601 == "2028-02-29T23:59:59Z")
        #expect(utc(1, 1, 1).iso8601 == "0001-01-01T00:00:00Z")
        #expect(utc(9999, 12, 31, 23, 59, 59).description == "9999-12-31T23:59:59Z")
    }

    @Test func strictParsing() {
        #expect(Timestamp(iso8601: "2026-11-22T09:30:00Z") == utc(2026, 11, 22, 9, 30))
        #expect(Timestamp(iso8601: "1969-12-31T23:59:59Z")?.seconds == -1)
        for bad in ["2026-11-22T09:30:00", "2026-11-22T09:30Z", "2026-11-22 09:30:00Z", "2026-11-22t09:30:00Z",
                    "2026-11-22T09:30:00z", "2026-11-22T24:00:00Z", "2026-11-22T09:60:00Z", "2026-11-22T09:30:60Z",
                    "2026-02-30T00:00:00Z", "2026-11-22T09:30:00+00:00", "2026-11-22T9:30:00Z",
                    "2026-11-22T09:30:00.5Z", "2026-11-22", "", " 2026-11-22T09:30:00Z", "0000-01-01T00:00:00Z"] {
            #expect(Timestamp(iso8601: bad) == nil, "\(bad)")
        }
    }

    @Test func randomRoundTripAgainstGmtime() {
        var random = SplitMix64(seed: 11)
        let low = utcSeconds(1, 1, 1)
        let high = utcSeconds(9999, 12, 31, 23, 59, 59)
        for _ in 0..<20_000 {
            let seconds = Int64.random(in: low...high, using: &random)
            let t = Timestamp(seconds: seconds)
            #expect(Timestamp(iso8601: t.iso8601) == t)
            var time = time_t(seconds)
            var parts = tm()
            _ = gmtime_r(&time, &parts)
            let expected = padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2)
                + "-" + padded(Int(parts.tm_mday), 2) + "T" + padded(Int(parts.tm_hour), 2) + ":"
                + padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2) + "Z"
            #expect(t.iso8601 == expected)
        }
    }

    @Test func order() {
        #expect(Timestamp(seconds: 1) < Timestamp(seconds: 2))
        #expect(Timestamp(seconds: -5) < Timestamp(seconds: 0))
    }
}

private func padded(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Every test that reads or changes TZ lives under this suite: it runs one test at a time.
@Suite(.serialized) struct DateTimeZoneDependentTests {}

extension DateTimeZoneDependentTests {
    @Suite struct DateLocalTimeTests {
        @Test func zoneDatabaseIsInstalled() {
            // Without tzdata every zone silently reads as UTC and the tests below would be
            // meaningless; this names the cause.
            withTimeZone("Europe/Berlin") {
                #expect(LocalTime.components(of: utc(2026, 7, 1)).utcOffsetSeconds == 7200)
            }
        }

        @Test func utcZone() {
            withTimeZone("UTC") {
                let t = utc(2026, 11, 23, 10, 0)
                #expect(LocalTime.date(of: t) == date(2026, 11, 23))
                #expect(LocalTime.startOfDay(date(2026, 11, 23)) == utc(2026, 11, 23))
                #expect(LocalTime.instant(date(2026, 11, 23), hour: 14, minute: 30, second: 5) == utc(2026, 11, 23, 14, 30, 5))
                #expect(LocalTime.display(t) == "2026-11-23 10:00")
                let parts = LocalTime.components(of: t)
                #expect(parts.date == date(2026, 11, 23) && parts.hour == 10 && parts.minute == 0 && parts.second == 0)
                #expect(parts.utcOffsetSeconds == 0)
            }
        }

        @Test func berlinOrdinaryDays() {
            withTimeZone("Europe/Berlin") {
                // Winter: +01:00. Local date turns before UTC does.
                #expect(LocalTime.date(of: utc(2026, 11, 22, 23, 30)) == date(2026, 11, 23))
                #expect(LocalTime.date(of: utc(2026, 11, 22, 22, 59, 59)) == date(2026, 11, 22))
                #expect(LocalTime.startOfDay(date(2026, 12, 1)) == utc(2026, 11, 30, 23))
                #expect(LocalTime.display(utc(2026, 12, 1, 13, 30)) == "2026-12-01 14:30")
                // Summer: +02:00.
                let summer = LocalTime.components(of: utc(2026, 7, 1, 22, 30, 15))
                #expect(summer.date == date(2026, 7, 2))
                #expect((summer.hour, summer.minute, summer.second, summer.utcOffsetSeconds) == (0, 30, 15, 7200))
                #expect(LocalTime.startOfDay(date(2026, 7, 2)) == utc(2026, 7, 1, 22))
            }
        }

        @Test func berlinSpringForward() {
            withTimeZone("Europe/Berlin") {
                // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00Z). Midnight exists.
                let day = date(2026, 3, 29)
                #expect(LocalTime.startOfDay(day) == utc(2026, 3, 28, 23))
                #expect(LocalTime.instant(day, hour: 1, minute: 59, second: 59) == utc(2026, 3, 29, 0, 59, 59))
                // In the gap: shifted forward by the hour the clocks skip.
                #expect(LocalTime.instant(day, hour: 2, minute: 0, second: 0) == utc(2026, 3, 29, 1))
                #expect(LocalTime.instant(day, hour: 2, minute: 30, second: 0) == utc(2026, 3, 29, 1, 30))
                #expect(LocalTime.display(LocalTime.instant(day, hour: 2, minute: 30, second: 0)) == "2026-03-29 03:30")
                #expect(LocalTime.instant(day, hour: 3, minute: 0, second: 0) == utc(2026, 3, 29, 1))
                #expect(LocalTime.instant(day, hour: 3, minute: 30, second: 0) == utc(2026, 3, 29, 1, 30))
                #expect(LocalTime.startOfDay(date(2026, 3, 30)) == utc(2026, 3, 29, 22))
            }
        }

        @Test func berlinFallBack() {
            withTimeZone("Europe/Berlin") {
                // 2026-10-25: 03:00 CEST goes back to 02:00 CET (01:00Z); 02:00-02:59 happen twice.
                let day = date(2026, 10, 25)
                #expect(LocalTime.startOfDay(day) == utc(2026, 10, 24, 22))
                #expect(LocalTime.instant(day, hour: 1, minute: 59, second: 0) == utc(2026, 10, 24, 23, 59))
                // The earlier of the two instants (still CEST).
                #expect(LocalTime.instant(day, hour: 2, minute: 0, second: 0) == utc(2026, 10, 25, 0))
                #expect(LocalTime.instant(day, hour: 2, minute: 30, second: 0) == utc(2026, 10, 25, 0, 30))
                #expect(LocalTime.instant(day, hour: 3, minute: 0, second: 0) == utc(2026, 10, 25, 2))
                // Both instants display as the same wall time.
                #expect(LocalTime.display(utc(2026, 10, 25, 0, 30)) == "2026-10-25 02:30")
                #expect(LocalTime.display(utc(2026, 10, 25, 1, 30)) == "2026-10-25 02:30")
                #expect(LocalTime.components(of: utc(2026, 10, 25, 1, 30)).utcOffsetSeconds == 3600)
                #expect(LocalTime.startOfDay(date(2026, 10, 26)) == utc(2026, 10, 25, 23))
            }
        }

        @Test func newYork() {
            withTimeZone("America/New_York") {
                #expect(LocalTime.startOfDay(date(2026, 11, 23)) == utc(2026, 11, 23, 5))
                #expect(LocalTime.date(of: utc(2026, 11, 23, 4, 59)) == date(2026, 11, 22))
                #expect(LocalTime.components(of: utc(2026, 7, 1)).utcOffsetSeconds == -4 * 3600)
                // 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST.
                #expect(LocalTime.instant(date(2026, 3, 8), hour: 2, minute: 30, second: 0) == utc(2026, 3, 8, 7, 30))
                #expect(LocalTime.display(utc(2026, 3, 8, 7, 30)) == "2026-03-08 03:30")
                #expect(LocalTime.instant(date(2026, 11, 1), hour: 1, minute: 30, second: 0) == utc(2026, 11, 1, 5, 30))
                #expect(LocalTime.instant(date(2026, 11, 1), hour: 2, minute: 0, second: 0) == utc(2026, 11, 1, 7))
            }
        }

        @Test func kolkataHalfHourOffset() {
            withTimeZone("Asia/Kolkata") {
                let parts = LocalTime.components(of: utc(2026, 11, 23, 10))
                #expect((parts.hour, parts.minute, parts.utcOffsetSeconds) == (15, 30, 19_800))
                #expect(LocalTime.startOfDay(date(2026, 11, 23)) == utc(2026, 11, 22, 18, 30))
                #expect(LocalTime.date(of: utc(2026, 11, 22, 18, 29, 59)) == date(2026, 11, 22))
                #expect(LocalTime.date(of: utc(2026, 11, 22, 18, 30)) == date(2026, 11, 23))
            }
        }

        @Test func farOffsets() {
            withTimeZone("Pacific/Kiritimati") {
                // +14:00: already tomorrow for most of the UTC day.
                #expect(LocalTime.date(of: utc(2026, 11, 23, 10)) == date(2026, 11, 24))
                #expect(LocalTime.startOfDay(date(2026, 11, 24)) == utc(2026, 11, 23, 10))
                #expect(LocalTime.display(utc(2026, 11, 23, 9, 59)) == "2026-11-23 23:59")
            }
            withTimeZone("Pacific/Apia") {
                // Samoa skipped 2011-12-30 entirely (−10:00 → +14:00 at 10:00Z): the day's first
                // existing instant is the start of the 31st.
                #expect(LocalTime.startOfDay(date(2011, 12, 30)) == utc(2011, 12, 30, 10))
                #expect(LocalTime.date(of: utc(2011, 12, 30, 10)) == date(2011, 12, 31))
                #expect(LocalTime.startOfDay(date(2011, 12, 31)) == utc(2011, 12, 30, 10))
                #expect(LocalTime.startOfDay(date(2011, 12, 29)) == utc(2011, 12, 29, 10))
                #expect(LocalTime.components(of: utc(2026, 11, 23)).utcOffsetSeconds == 13 * 3600)
            }
        }

        @Test func midnightInsideTheGap() {
            withTimeZone("America/Sao_Paulo") {
                // 2018-11-04 00:00 −03 jumped to 01:00 −02: the day starts at 01:00.
                #expect(LocalTime.startOfDay(date(2018, 11, 4)) == utc(2018, 11, 4, 3))
                #expect(LocalTime.display(LocalTime.startOfDay(date(2018, 11, 4))) == "2018-11-04 01:00")
                #expect(LocalTime.date(of: LocalTime.startOfDay(date(2018, 11, 4))) == date(2018, 11, 4))
            }
        }

        @Test func posixZoneString() {
            withTimeZone("CET-1CEST,M3.5.0,M10.5.0/3") {
                #expect(LocalTime.startOfDay(date(2026, 7, 2)) == utc(2026, 7, 1, 22))
                #expect(LocalTime.startOfDay(date(2026, 12, 2)) == utc(2026, 12, 1, 23))
            }
        }

        /// instant(components(of: t)) gives t back for every quarter hour of 2026, except in
        /// an overlap, where it gives the earlier instant with the same wall time.
        @Test(arguments: ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata", "Pacific/Apia",
                          "Pacific/Kiritimati", "Australia/Lord_Howe"])
        func wallTimeRoundTrip(zone: String) {
            withTimeZone(zone) {
                var failures = 0
                var firstFailure = ""
                var seconds = utcSeconds(2026, 1, 1)
                while seconds < utcSeconds(2027, 1, 1) {
                    let t = Timestamp(seconds: seconds)
                    let wall = LocalTime.components(of: t)
                    let back = LocalTime.instant(wall.date, hour: wall.hour, minute: wall.minute, second: wall.second)
                    var ok = back == t
                    if !ok, back < t {
                        let earlier = LocalTime.components(of: back)
                        ok = earlier.date == wall.date && earlier.hour == wall.hour && earlier.minute == wall.minute
                            && earlier.utcOffsetSeconds > wall.utcOffsetSeconds
                    }
                    if !ok {
                        failures += 1
                        if firstFailure.isEmpty { firstFailure = "\(t.iso8601) → \(back.iso8601)" }
                    }
                    seconds += 900
                }
                #expect(failures == 0, "first: \(firstFailure)")
            }
        }
    }
}
