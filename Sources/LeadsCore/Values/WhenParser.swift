/// A follow-up due date: a whole day (due from local midnight, evaluated in the TZ of the run
/// that checks it) or an instant.
public enum When: Sendable, Hashable {
    case day(CalendarDate)
    case instant(Timestamp)

    /// day → LocalTime.startOfDay, in the zone of the process asking.
    public var dueInstant: Timestamp {
        switch self {
        case .day(let date): return LocalTime.startOfDay(date)
        case .instant(let t): return t
        }
    }

    /// "2026-12-01" or "2026-12-01T13:30:00Z".
    public var stored: String {
        switch self {
        case .day(let date): return date.iso
        case .instant(let t): return t.iso8601
        }
    }

    public init?(stored: String) {
        if let date = CalendarDate(iso: stored) {
            self = .day(date)
        } else if let t = Timestamp(iso8601: stored) {
            self = .instant(t)
        } else {
            return nil
        }
    }
}

/// Every case carries the input text exactly as given.
public enum DateError: Error, Sendable, Equatable {
    /// Nothing but whitespace.
    case empty
    /// Unrecognised form ("next week", "+3x", "2026-1-5").
    case invalid(String)
    /// A recognised form with an impossible value (31.02.2026, 2026-13-01, 25:00, a zone
    /// offset beyond 23:59) or a result outside the years 1-9999 (+9000y).
    case outOfRange(String)
    /// A DATE that carried a time of day ("2026-12-01 14:30", "now", "+4h").
    case timeNotAllowed(String)
    /// A time with a fraction of a second that is not zero ("14:30:59.5"): times are kept
    /// to the second, and a fraction is never dropped without a word.
    case fractionOfSecond(String)
}

/// Reads WHEN and DATE arguments and LEADS_NOW. All relative forms count from `now` in local
/// time (TZ honoured); zone-less times of day are local wall times (see `LocalTime.instant`
/// for DST gaps and overlaps).
public enum WhenParser {
    /// WHEN: `2026-12-01` (day), `2026-12-01T14:30` / `2026-12-01 14:30` / with `:SS` (local time),
    /// with `Z` / `+01:00` / `+0100` / `+01` (that zone), `31.12.2026` (day; also `1.2.2027`),
    /// `31.12.2026 14:30`, `today`, `tomorrow`, `yesterday`, `now` (instant),
    /// `+3d` `+2w` `+1m` `+1y` (days/weeks/months/years from today's local date → day; months
    /// clamp to the month's end), `+4h` (hours from now → instant); `-` instead of `+` counts
    /// back (`--since=-7d`); weekday names and 3-letter abbreviations, case-insensitive
    /// (`monday` = the next Monday, strictly after today; today Monday → +7); and German and
    /// English words: `heute`, `morgen`, `übermorgen`, `freitag`, `in 3 Tagen`, `nächste Woche`,
    /// `vor 2 Tagen`, `in 3 days`, `next week`, `2 days ago` (see DateWords).
    public static func parse(_ text: String, now: Timestamp) throws(DateError) -> When {
        let result = try parsed(text, now: now)
        if case .day(let date) = result { return .day(try storable(date, text)) }
        return .instant(try instant(result, text))
    }

    /// DATE (e.g. --close): the day forms only; a time of day is refused with .timeNotAllowed.
    public static func parseDate(_ text: String, now: Timestamp) throws(DateError) -> CalendarDate {
        switch try parsed(text, now: now) {
        case .day(let date): return try storable(date, text)
        case .local, .instant: throw .timeNotAllowed(text)
        }
    }

    /// An instant for --at / --since: day forms give local midnight of that day.
    public static func parseInstant(_ text: String, now: Timestamp) throws(DateError) -> Timestamp {
        try instant(try parsed(text, now: now), text)
    }

    /// LEADS_NOW: "2026-11-22T09:30:00Z", with an offset, local "2026-11-22T09:30[:SS]", or a
    /// date (local midnight). Only these absolute ISO forms: the clock cannot be relative to itself.
    public static func parseNow(_ text: String) throws(DateError) -> Timestamp {
        try instant(try parsed(text, now: nil), text)
    }

    /// The instant a parsed WHEN stands for (a day: its local midnight), if storable.
    private static func instant(_ result: Parsed, _ text: String) throws(DateError) -> Timestamp {
        switch result {
        case .day(let date): return try storable(LocalTime.startOfDay(try storable(date, text)), text)
        case .local(let date, let secondOfDay): return try storable(localInstant(date, secondOfDay), text)
        case .instant(let t): return try storable(t, text)
        }
    }

    /// Files hold years 1 to 9999 only (`YYYY`): a result outside them, reached through a
    /// zone offset, a keyword or local time at the calendar's ends, could be stored but
    /// never read back.
    private static func storable(_ date: CalendarDate, _ text: String) throws(DateError) -> CalendarDate {
        guard (1...9999).contains(date.year) else { throw .outOfRange(text) }
        return date
    }

    private static func storable(_ t: Timestamp, _ text: String) throws(DateError) -> Timestamp {
        let days = t.seconds >= 0 ? t.seconds / 86_400 : (t.seconds - 86_399) / 86_400
        guard (1...9999).contains(CalendarDate(daysSinceEpoch: Int(days)).year) else { throw .outOfRange(text) }
        return t
    }

    // MARK: - Grammar

    private enum Parsed {
        case day(CalendarDate)
        case local(CalendarDate, secondOfDay: Int)
        case instant(Timestamp)
    }

    private static func localInstant(_ date: CalendarDate, _ secondOfDay: Int) -> Timestamp {
        LocalTime.instant(date, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
    }

    /// `now == nil` admits only the absolute ISO forms (LEADS_NOW).
    private static func parsed(_ text: String, now: Timestamp?) throws(DateError) -> Parsed {
        var copy = text
        let result = copy.withUTF8 { bytes -> Result<Parsed, DateError> in
            var low = 0
            var high = bytes.count
            while low < high, isASCIISpace(bytes[low]) { low += 1 }
            while high > low, isASCIISpace(bytes[high - 1]) { high -= 1 }
            guard low < high else { return .failure(.empty) }
            var reader = Reader(bytes: bytes, position: low, end: high, text: text, dropsFraction: now == nil)
            let first = bytes[low]
            let formal: Result<Parsed, DateError>
            if isDigit(first) {
                formal = reader.absolute(localeForms: now != nil)
            } else if now == nil {
                return .failure(.invalid(text))
            } else if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
                return reader.relative(now: now!)
            } else {
                formal = reader.keyword(now: now!)
            }
            // Not a formal date: perhaps words ("in 3 Tagen", "3 days ago", "nächste Woche").
            guard let now, case .failure(.invalid) = formal else { return formal }
            return words(String(decoding: UnsafeBufferPointer(rebasing: bytes[low..<high]), as: UTF8.self), now: now, text: text)
        }
        return try result.get()
    }

    /// DateWords' phrases, as a parsed WHEN; errors carry the text as given.
    private static func words(_ phrase: String, now: Timestamp, text: String) -> Result<Parsed, DateError> {
        switch DateWords.parse(phrase, today: LocalTime.date(of: now)) {
        case .success(.day(let date)): return .success(.day(date))
        case .success(.now): return .success(.instant(now))
        case .success(.hours(let n)):
            let t = Timestamp(seconds: now.seconds + Int64(n) * 3600)
            guard (1...9999).contains(LocalTime.date(of: t).year) else { return .failure(.outOfRange(text)) }
            return .success(.instant(t))
        case .failure(.outOfRange): return .failure(.outOfRange(text))
        case .failure(.invalid): return .failure(.invalid(text))
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position: Int
        let end: Int
        let text: String
        /// LEADS_NOW: the clock of a run (`$(date --iso-8601=ns)`), not a value kept, may
        /// carry a fraction, dropped.
        let dropsFraction: Bool

        var atEnd: Bool { position == end }

        func peek() -> UInt8? { position < end ? bytes[position] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < end, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// Between `minimum` and `maximum` digits (as many as there are), or nil; unless `more`,
        /// a digit right after the maximum also gives nil.
        mutating func number(minimum: Int, maximum: Int, more: Bool = false) -> Int? {
            var value = 0
            var count = 0
            while position < end, count < maximum, isDigit(bytes[position]) {
                value = value * 10 + Int(bytes[position] &- UInt8(ascii: "0"))
                position += 1
                count += 1
            }
            if !more, position < end, isDigit(bytes[position]) { return nil }
            return count >= minimum ? value : nil
        }

        var invalid: Result<Parsed, DateError> { .failure(.invalid(text)) }
        var outOfRange: Result<Parsed, DateError> { .failure(.outOfRange(text)) }

        /// `YYYY-MM-DD` or `D.M.YYYY`, each optionally followed by a time of day.
        mutating func absolute(localeForms: Bool) -> Result<Parsed, DateError> {
            let start = position
            guard let first = number(minimum: 1, maximum: 4) else { return invalid }
            let year: Int, month: Int, day: Int
            if position - start == 4, take(UInt8(ascii: "-")) {
                guard let m = number(minimum: 2, maximum: 2), take(UInt8(ascii: "-")),
                      let d = number(minimum: 2, maximum: 2)
                else { return invalid }
                (year, month, day) = (first, m, d)
            } else if localeForms, position - start <= 2, take(UInt8(ascii: ".")) {
                guard let m = number(minimum: 1, maximum: 2), take(UInt8(ascii: ".")),
                      let y = number(minimum: 4, maximum: 4)
                else { return invalid }
                (year, month, day) = (y, m, first)
            } else {
                return invalid
            }
            // Check the shape of the rest before the values, so a malformed text reads as
            // invalid rather than out of range.
            let clock: Clock?
            switch timeOfDay() {
            case .success(let value): clock = value
            case .failure(let error): return .failure(error)
            }
            guard let date = CalendarDate(year: year, month: month, day: day) else { return outOfRange }
            guard let clock else { return .success(.day(date)) }
            guard let offset = clock.offset else { return .success(.local(date, secondOfDay: clock.secondOfDay)) }
            let wall = Int64(date.daysSinceEpoch) * 86_400 + Int64(clock.secondOfDay)
            return .success(.instant(Timestamp(seconds: wall - Int64(offset))))
        }

        struct Clock {
            var secondOfDay: Int
            var offset: Int?   // seconds east of UTC; nil = local time
        }

        /// Nothing left → nil; else `T` or space, `H:MM` or `HH:MM`, optional `:SS` (and a
        /// fraction `.000` of zeros only), optional zone `Z`, `±HH`, `±HHMM`, `±HH:MM`, then the end.
        mutating func timeOfDay() -> Result<Clock?, DateError> {
            if atEnd { return .success(nil) }
            guard take(UInt8(ascii: "T")) || take(UInt8(ascii: "t")) || take(UInt8(ascii: " ")) else {
                return .failure(.invalid(text))
            }
            guard let hour = number(minimum: 1, maximum: 2), take(UInt8(ascii: ":")),
                  let minute = number(minimum: 2, maximum: 2)
            else { return .failure(.invalid(text)) }
            var second = 0
            if take(UInt8(ascii: ":")) {
                guard let s = number(minimum: 2, maximum: 2) else { return .failure(.invalid(text)) }
                second = s
                if take(UInt8(ascii: ".")) {
                    guard let fraction = number(minimum: 1, maximum: 9) else { return .failure(.invalid(text)) }
                    guard fraction == 0 || dropsFraction else { return .failure(.fractionOfSecond(text)) }
                }
            }
            var offset: Int?
            if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) {
                offset = 0
            } else if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                position += 1
                // "+0100": the hours run straight into the minutes.
                guard let hours = number(minimum: 2, maximum: 2, more: true) else { return .failure(.invalid(text)) }
                var minutes = 0
                if !atEnd {
                    _ = take(UInt8(ascii: ":"))
                    guard let m = number(minimum: 2, maximum: 2) else { return .failure(.invalid(text)) }
                    minutes = m
                }
                guard hours < 24, minutes < 60 else { return .failure(.outOfRange(text)) }
                offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            }
            guard atEnd else { return .failure(.invalid(text)) }
            guard hour < 24, minute < 60, second < 60 else { return .failure(.outOfRange(text)) }
            return .success(Clock(secondOfDay: hour * 3600 + minute * 60 + second, offset: offset))
        }

        /// `+3d` `+2w` `+1m` `+1y` `+4h`, or with `-` to count back.
        mutating func relative(now: Timestamp) -> Result<Parsed, DateError> {
            let backwards = bytes[position] == UInt8(ascii: "-")
            position += 1
            let digitsStart = position
            while position < end, isDigit(bytes[position]) { position += 1 }
            let digitCount = position - digitsStart
            guard digitCount > 0, end - position == 1 else { return invalid }
            // Anything longer than 6 digits is beyond year 9999 in every unit.
            guard digitCount <= 6 else { return outOfRange }
            var count = 0
            for i in digitsStart..<position { count = count * 10 + Int(bytes[i] &- UInt8(ascii: "0")) }
            if backwards { count = -count }
            let today = LocalTime.date(of: now)
            let result: CalendarDate
            switch bytes[position] | 0x20 {
            case UInt8(ascii: "d"): result = today.adding(days: count)
            case UInt8(ascii: "w"): result = today.adding(days: count * 7)
            case UInt8(ascii: "m"): result = today.adding(months: count)
            case UInt8(ascii: "y"): result = today.adding(months: count * 12)
            case UInt8(ascii: "h"):
                let t = Timestamp(seconds: now.seconds + Int64(count) * 3600)
                guard (1...9999).contains(LocalTime.date(of: t).year) else { return outOfRange }
                return .success(.instant(t))
            default: return invalid
            }
            guard (1...9999).contains(result.year) else { return outOfRange }
            return .success(.day(result))
        }

        /// today, tomorrow, yesterday, now, weekday names and their 3-letter abbreviations.
        mutating func keyword(now: Timestamp) -> Result<Parsed, DateError> {
            let length = end - position
            guard length >= 3, length <= 9 else { return invalid }
            for i in position..<end where !isASCIILetter(bytes[i]) { return invalid }
            // At most 9 bytes: an inline string, no allocation.
            let word = asciiString(capacity: length) { out in
                for i in position..<end { out.append(bytes[i] | 0x20) }
            }
            let today = LocalTime.date(of: now)
            let weekday: Int
            switch word {
            case "now": return .success(.instant(now))
            case "today": return .success(.day(today))
            case "tomorrow": return .success(.day(today.adding(days: 1)))
            case "yesterday": return .success(.day(today.adding(days: -1)))
            case "monday", "mon": weekday = 1
            case "tuesday", "tue": weekday = 2
            case "wednesday", "wed": weekday = 3
            case "thursday", "thu": weekday = 4
            case "friday", "fri": weekday = 5
            case "saturday", "sat": weekday = 6
            case "sunday", "sun": weekday = 7
            default: return invalid
            }
            let ahead = floorDivision(weekday - today.weekday - 1, 7).remainder + 1   // 1...7
            return .success(.day(today.adding(days: ahead)))
        }
    }
}
