/// UTC calendar arithmetic for the generated data. Done by hand so the data sets do not
/// depend on the time zone or on Foundation's calendar.
enum UTC {
    /// Days since 1970-01-01 of a proleptic Gregorian date (era-based, valid for any year).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `2026-11-23`
    static func day(_ seconds: Int) -> String {
        let d = date(days: floorDiv(seconds, 86_400))
        return "\(d.year)-\(two(d.month))-\(two(d.day))"
    }

    /// `2026-11-23T10:00:00Z`
    static func instant(_ seconds: Int) -> String {
        let s = seconds - floorDiv(seconds, 86_400) * 86_400
        return day(seconds) + "T\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))Z"
    }

    /// Taskwarrior's compact form: `20261123T100000Z`
    static func compact(_ seconds: Int) -> String {
        instant(seconds).filter { $0 != "-" && $0 != ":" }
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
