import Testing
@testable import LeadsCore

private func outcome<T>(_ body: () throws(DateError) -> T) -> Result<T, DateError> {
    do { return .success(try body()) } catch { return .failure(error) }
}

/// Finding 3 of the `dates` fuzz target (Docs/reliability.md, "Fuzzing"): forms that give a
/// day or a UTC instant outside the years 1-9999 must be refused as `.outOfRange`, as
/// `+9000y` is; otherwise the stored form ("10000-01-01", "0000-12-31T23:00:00Z") cannot be
/// read back and the lead file holding it no longer loads.
extension DateTimeZoneDependentTests {
    @Suite struct FuzzDatesRegressionTests {
        @Test func zoneOffsetPushesTheInstantOutOfRange() {
            let now = utc(2026, 11, 22, 9, 30)
            for text in ["0001-01-01T00:00+01:00", "9999-12-31T23:59-01:00", "9999-12-31 23:00:00-0100"] {
                #expect(outcome { () throws(DateError) in try WhenParser.parse(text, now: now) }
                        == .failure(.outOfRange(text)), "\(text)")
                #expect(outcome { () throws(DateError) in try WhenParser.parseNow(text) }
                        == .failure(.outOfRange(text)), "LEADS_NOW=\(text)")
            }
        }

        @Test func keywordsAtTheEndsOfTheCalendar() {
            withTimeZone("UTC") {
                let last = utc(9999, 12, 31, 12)
                let first = utc(1, 1, 1, 12)
                for (text, now) in [("tomorrow", last), ("friday", last), ("yesterday", first)] {
                    #expect(outcome { () throws(DateError) in try WhenParser.parse(text, now: now) }
                            == .failure(.outOfRange(text)), "\(text) at \(now)")
                }
            }
        }

        @Test func localTimesBeforeTheFirstUTCInstant() {
            // Berlin's local mean time is 0:53:28 ahead of UTC, so the first local day of
            // year 1 starts in UTC year 0.
            withTimeZone("Europe/Berlin") {
                let now = utc(1, 1, 1, 0, 30)
                for text in ["0001-01-01T00:30", "-1h"] {
                    #expect(outcome { () throws(DateError) in try WhenParser.parse(text, now: now) }
                            == .failure(.outOfRange(text)), "\(text)")
                }
                #expect(outcome { () throws(DateError) in try WhenParser.parseInstant("0001-01-01", now: now) }
                        == .failure(.outOfRange("0001-01-01")))
                #expect(outcome { () throws(DateError) in try WhenParser.parseNow("0001-01-01") }
                        == .failure(.outOfRange("0001-01-01")))
            }
        }
    }
}
