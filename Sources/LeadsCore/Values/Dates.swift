import Glibc
import Synchronization

/// An instant, UTC, to the second.
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Since 1970-01-01T00:00:00Z.
    public var seconds: Int64

    public init(seconds: Int64) {
        self.seconds = seconds
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.seconds < rhs.seconds
    }

    /// The strict stored form "YYYY-MM-DDTHH:MM:SSZ" only (years 0001-9999, no leap second).
    public init?(iso8601: String) {
        var text = iso8601
        guard let seconds = text.withUTF8({ Timestamp.parseStored($0) }) else { return nil }
        self.seconds = seconds
    }

    static func parseStored(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 20, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"),
              b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z"),
              let date = CalendarDate.parseStored(UnsafeBufferPointer(rebasing: b[0..<10])),
              let hour = twoDigits(b, 11), let minute = twoDigits(b, 14), let second = twoDigits(b, 17),
              hour < 24, minute < 60, second < 60
        else { return nil }
        return Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// "2026-11-22T09:30:00Z".
    public var iso8601: String {
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let date = CalendarDate(daysSinceEpoch: Int(days))
        return asciiString(capacity: 48) { out in
            out.date(date)
            out.append(UInt8(ascii: "T"))
            out.clock(Int(secondOfDay), seconds: true)
            out.append(UInt8(ascii: "Z"))
        }
    }
}

extension Timestamp: CustomStringConvertible {
    public var description: String { iso8601 }
}

/// A day of the proleptic Gregorian calendar, without a time zone.
public struct CalendarDate: Sendable, Hashable, Comparable {
    public var year: Int, month: Int, day: Int

    /// Validates leap years and month lengths; years 1...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Strict "YYYY-MM-DD".
    public init?(iso: String) {
        var text = iso
        guard let date = text.withUTF8({ CalendarDate.parseStored($0) }) else { return nil }
        self = date
    }

    static func parseStored(_ b: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let high = twoDigits(b, 0), let low = twoDigits(b, 2),
              let month = twoDigits(b, 5), let day = twoDigits(b, 8)
        else { return nil }
        return CalendarDate(year: high * 100 + low, month: month, day: day)
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// "2026-12-01" (years beyond 4 digits, reachable only through arithmetic, print in full).
    public var iso: String {
        asciiString(capacity: 48) { $0.date(self) }
    }

    /// "2026-12" (pipeline --by month).
    public var monthKey: String {
        asciiString(capacity: 48) { out in
            out.number(year, width: 4)
            out.append(UInt8(ascii: "-"))
            out.number(month, width: 2)
        }
    }

    // Civil-date arithmetic on a calendar whose year starts on 1 March, so the leap day is the
    // last day of its year and month lengths repeat in a 5-month pattern (31 30 31 30 31)
    // that (153 × m + 2) / 5 counts exactly; 400 Gregorian years are exactly 146,097 days.
    private static let daysPer400Years = 146_097
    /// Days from 0000-03-01 to 1970-01-01.
    private static let epochShift = 719_468

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = floorDivision(marchYear, 400).quotient
        let yearOfEra = marchYear - era * 400                       // 0...399
        let marchMonth = month > 2 ? month - 3 : month + 9           // 0 = March ... 11 = February
        let dayOfYear = (153 * marchMonth + 2) / 5 + day - 1         // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * CalendarDate.daysPer400Years + dayOfEra - CalendarDate.epochShift
    }

    /// Any day count gives a date; years outside 1...9999 are representable but only
    /// reachable through arithmetic, never through the parsers.
    public init(daysSinceEpoch: Int) {
        let shifted = daysSinceEpoch + CalendarDate.epochShift
        let (era, dayOfEra) = floorDivision(shifted, CalendarDate.daysPer400Years)
        // Undo the leap-day corrections (every 4 years, not every 100, every 400) to find the
        // year of the era, then the day within that March-based year.
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        let year = era * 400 + yearOfEra + (month <= 2 ? 1 : 0)
        self.init(unchecked: year, month, day)
    }

    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The day is clamped to the month's end (Jan 31 + 1 month = Feb 28/29).
    public func adding(months: Int) -> CalendarDate {
        let (yearDelta, month0) = floorDivision(month - 1 + months, 12)
        let year = self.year + yearDelta
        let month = month0 + 1
        return CalendarDate(unchecked: year, month, min(day, CalendarDate.daysIn(month: month, year: year)))
    }

    /// 1 = Monday ... 7 = Sunday (ISO 8601).
    public var weekday: Int {
        // 1970-01-01 was a Thursday.
        floorDivision(daysSinceEpoch + 3, 7).remainder + 1
    }
}

extension CalendarDate: CustomStringConvertible {
    public var description: String { iso }
}

/// Local time as the C library sees it (TZ honoured, including the zone database's history).
///
/// The zone is read once per process (`tzset` on first use); a process that changes `TZ` after
/// that must call `LocalTime.zoneChanged()`.
public enum LocalTime {
    /// Re-reads `TZ` and forgets what was computed for the previous zone.
    public static func zoneChanged() {
        tzset()
        startOfDayCache.withLock { $0.removeAll() }
    }

    public static func date(of t: Timestamp) -> CalendarDate {
        components(of: t).date
    }

    /// Local midnight; when midnight falls into a DST gap (zones that switch at 00:00), the first
    /// existing instant of that day.
    public static func startOfDay(_ d: CalendarDate) -> Timestamp {
        // Reports ask this for every reminder of 100,000 leads, which fall on a few
        // hundred days: remember the answers rather than asking the C library each time.
        let day = d.daysSinceEpoch
        if let known = startOfDayCache.withLock({ $0[day] }) { return Timestamp(seconds: known) }
        let start = instant(d, hour: 0, minute: 0, second: 0)
        startOfDayCache.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[day] = start.seconds
        }
        return start
    }

    /// Local wall time → instant.
    /// - A wall time in a DST gap (it never happens, e.g. 02:30 when clocks jump from 02:00 to
    ///   03:00) is shifted forward by the length of the gap (02:30 → 03:30), which keeps the
    ///   duration from the previous midnight.
    /// - A wall time in an overlap (it happens twice, e.g. 02:30 when clocks go back from 03:00
    ///   to 02:00) gives the earlier instant, so nothing set for it is ever late.
    /// Out-of-range fields roll over arithmetically (hour 24 is the next midnight).
    public static func instant(_ d: CalendarDate, hour: Int, minute: Int, second: Int) -> Timestamp {
        let wall = Int64(d.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        // The instant lies within [wall − 14 h, wall + 12 h] (the extreme real offsets), so the
        // offsets just outside that window are the only candidates, unless a zone changed its
        // offset twice within one day (which the zone database does not record).
        let before = utcOffset(at: wall - 15 * 3600)
        let after = utcOffset(at: wall + 13 * 3600)
        let candidateBefore = wall - Int64(before)
        let candidateAfter = wall - Int64(after)
        let beforeFits = utcOffset(at: candidateBefore) == before
        let afterFits = utcOffset(at: candidateAfter) == after
        switch (beforeFits, afterFits) {
        case (true, true): return Timestamp(seconds: min(candidateBefore, candidateAfter))
        case (true, false): return Timestamp(seconds: candidateBefore)
        case (false, true): return Timestamp(seconds: candidateAfter)
        case (false, false):
            // A gap: read with the offset in force before it, the wall time lands past the
            // transition, shifted forward by the gap's length.
            return Timestamp(seconds: candidateBefore)
        }
    }

    public static func components(of t: Timestamp)
        -> (date: CalendarDate, hour: Int, minute: Int, second: Int, utcOffsetSeconds: Int) {
        _ = zoneLoaded
        var time = time_t(t.seconds)
        var parts = tm()
        if localtime_r(&time, &parts) != nil {
            return (CalendarDate(unchecked: Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday)),
                    Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(parts.tm_gmtoff))
        }
        // Beyond what the C library can represent: UTC arithmetic, the only answer left.
        let (days, secondOfDay) = floorDivision(t.seconds, 86_400)
        let s = Int(secondOfDay)
        return (CalendarDate(daysSinceEpoch: Int(days)), s / 3600, s / 60 % 60, s % 60, 0)
    }

    /// Seconds east of UTC in force at `seconds`.
    public static func utcOffset(at seconds: Int64) -> Int {
        _ = zoneLoaded
        var time = time_t(seconds)
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }

    /// "2026-12-01 14:30" in local time, for humans.
    public static func display(_ t: Timestamp) -> String {
        let local = components(of: t)
        return asciiString(capacity: 48) { out in
            out.date(local.date)
            out.append(UInt8(ascii: " "))
            out.clock(local.hour * 3600 + local.minute * 60, seconds: false)
        }
    }
}

/// `localtime_r` need not read `TZ` itself (glibc's does not after the first call), so the
/// zone is loaded explicitly, once, before the first conversion.
private let zoneLoaded: Void = tzset()

// MARK: - Helpers shared with the parsers

/// Quotient rounded toward negative infinity and the matching non-negative remainder.
@inline(__always)
func floorDivision<T: BinaryInteger>(_ value: T, _ divisor: T) -> (quotient: T, remainder: T) {
    let quotient = value / divisor
    let remainder = value % divisor
    return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
}

@inline(__always)
func twoDigits(_ b: UnsafeBufferPointer<UInt8>, _ index: Int) -> Int? {
    let high = b[index] &- UInt8(ascii: "0")
    let low = b[index + 1] &- UInt8(ascii: "0")
    guard high < 10, low < 10 else { return nil }
    return Int(high) * 10 + Int(low)
}

/// Writes ASCII straight into a new String's storage: short results (all dates and times
/// here) stay inline, with no allocation at all.
func asciiString(capacity: Int, _ body: (inout ASCIIWriter) -> Void) -> String {
    String(unsafeUninitializedCapacity: capacity) { buffer in
        var writer = ASCIIWriter(buffer: buffer)
        body(&writer)
        return writer.count
    }
}

/// `capacity` must cover the longest output; 48 bytes hold any Int year (20 characters) with
/// a full time of day.
struct ASCIIWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    mutating func append(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }

    /// Zero-padded to `width`; a minus sign for negative values.
    mutating func number(_ value: Int, width: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var divisor: UInt = 1
        var digitCount = 1
        while magnitude / divisor >= 10 {
            divisor *= 10
            digitCount += 1
        }
        for _ in digitCount..<max(width, digitCount) { append(UInt8(ascii: "0")) }
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// "YYYY-MM-DD".
    mutating func date(_ date: CalendarDate) {
        number(date.year, width: 4)
        append(UInt8(ascii: "-"))
        number(date.month, width: 2)
        append(UInt8(ascii: "-"))
        number(date.day, width: 2)
    }

    /// "HH:MM" or "HH:MM:SS" for a second of the day.
    mutating func clock(_ secondOfDay: Int, seconds: Bool) {
        number(secondOfDay / 3600, width: 2)
        append(UInt8(ascii: ":"))
        number(secondOfDay / 60 % 60, width: 2)
        if seconds {
            append(UInt8(ascii: ":"))
            number(secondOfDay % 60, width: 2)
        }
    }
}

/// Local midnight by day number; the time zone does not change while a process runs.
private let startOfDayCache = Mutex<[Int: Int64]>([:])
