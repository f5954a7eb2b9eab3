/// How a file writes the cells that have more than one reading: numeric dates, two-digit
/// years, probabilities and label lists. Set by the command line (`--date-format`,
/// `--century`, `--probability-scale`) or a profile; nothing here guesses.
public enum DateOrder: String, Sendable, Equatable, CaseIterable {
    case dmy = "DMY", mdy = "MDY", ymd = "YMD"
}

public enum ProbabilityScale: String, Sendable, Equatable, CaseIterable {
    /// `60`, `60 %`, `10.0`: the number is percent.
    case percent
    /// `0.6`, `0,6`: the number is a fraction of one.
    case fraction
}

public struct CellReading: Sendable, Equatable {
    public var dateOrder: DateOrder?
    /// The century of two-digit years (2000: `27` is 2027); nil refuses them.
    public var century: Int?
    /// nil: not said. Numbers are percent then, except that `0.2` (below 1, with a
    /// fraction, no `%`) is refused as ambiguous: 0.2 % or 20 %.
    public var probabilityScale: ProbabilityScale?
    /// Characters any of which separates labels in a cell.
    public var labelSeparators: String = ",;"

    public init() {}

    // MARK: Dates

    /// A numeric date `3/5/2024`, `01.01.27`, `2027-01-31` (optionally followed by a time),
    /// rewritten as ISO; other text (`today`, `2027-01-31T10:00`) is passed on unchanged.
    /// nil time: the cell has none.
    func isoDate(_ raw: String, field: String) throws(FieldError) -> (date: String, time: String?)? {
        let text = FieldParser.trimmed(raw)
        var datePart = Substring(text)
        var timePart: Substring?
        if let space = text.firstIndex(of: " ") {
            datePart = text[..<space]
            timePart = text[text.index(after: space)...].drop { $0 == " " }
        }
        let separators: Set<Character> = [".", "/", "-"]
        guard let separator = datePart.first(where: { separators.contains($0) }) else { return nil }
        let parts = datePart.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        if let timePart, !Self.isClock(timePart) { return nil }
        let a = String(parts[0]), b = String(parts[1]), c = String(parts[2])
        var year: String, month: String, day: String
        if a.count == 4 || dateOrder == .ymd {
            (year, month, day) = (a, b, c)
        } else {
            guard c.count == 4 || c.count == 2 else { return nil }
            var order = dateOrder
            // A dotted date is the German day.month.year everywhere it is written.
            if order == nil && separator == "." { order = .dmy }
            let (first, second) = (Int(a)!, Int(b)!)
            func isMonth(_ n: Int) -> Bool { (1...12).contains(n) }
            guard let order else {
                // `13/5/2024` has one reading, but one cell does not say how the file writes
                // its dates (another may be `5/13/2024`): the order is asked for, naming it.
                let reason: String
                switch (isMonth(second), isMonth(first)) {
                case (true, true):
                    reason = "the order of day and month is not known (\(first) \(Self.monthName(second)) or \(Self.monthName(first)) \(second)); use --date-format DMY or --date-format MDY"
                case (true, false):
                    reason = "the order of day and month is not known: day first it is \(first) \(Self.monthName(second)) \(c), month first there is no month \(first); use --date-format DMY if the file writes the day first"
                case (false, true):
                    reason = "the order of day and month is not known: month first it is \(Self.monthName(first)) \(second) \(c), day first there is no month \(second); use --date-format MDY if the file writes the month first"
                case (false, false):
                    reason = "neither \(first) nor \(second) is a month (1 to 12), so this is no date"
                }
                throw FieldError(field: field, value: raw, problem: .invalid(reason))
            }
            (year, month, day) = order == .mdy ? (c, a, b) : (c, b, a)
            if let m = Int(month), !isMonth(m) {
                // `13/5/2024` in a month-first file: the order is named, and the other one.
                let dotted = separator == "." && dateOrder == nil
                let words = order == .mdy ? "read as month/day/year," : dotted ? "a dotted date is day.month.year, and" : "read as day/month/year,"
                // The other order, where it would give a month.
                let other = dotted || !isMonth(Int(day) ?? 0) ? ""
                    : order == .mdy ? "; use --date-format DMY if the file writes the day first" : "; use --date-format MDY if the file writes the month first"
                throw FieldError(field: field, value: raw, problem: .invalid("\(words) there is no month \(m)" + other))
            }
        }
        if year.count == 2 {
            guard let century else {
                throw FieldError(field: field, value: raw, problem: .invalid(
                    "a two-digit year (\(year)); use --century 2000 if it means 20\(year)"))
            }
            year = String(century + Int(year)!)
        }
        guard year.count <= 4, month.count <= 2, day.count <= 2 else { return nil }
        func pad(_ s: String, _ n: Int) -> String { String(repeating: "0", count: max(0, n - s.count)) + s }
        return (pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2), timePart.map(String.init))
    }

    static func isISODate(_ text: String) -> Bool {
        guard text.utf8.count == 10 else { return false }
        let b = Array(text.utf8)
        return b[4] == UInt8(ascii: "-") && b[7] == UInt8(ascii: "-") && [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { (0x30...0x39).contains(b[$0]) }
    }

    static func isClock(_ text: Substring) -> Bool {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        return (2...3).contains(parts.count) && parts.allSatisfy { (1...2).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    static func isMidnight(_ time: String) -> Bool { time.split(separator: ":").allSatisfy { Int($0) == 0 } }

    static func monthName(_ month: Int) -> String {
        let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return (1...12).contains(month) ? names[month - 1] : "month \(month)"
    }

    /// A calendar date; a time of 00:00 (HubSpot's `2027-01-01 00:00`) is that date, any
    /// other time is refused: a date column that carries times is not a date column.
    public func date(_ raw: String, field: String, now: Timestamp) throws(FieldError) -> CalendarDate {
        // The common case, `2027-01-31`, needs no rewriting (100,000 rows a run).
        if Self.isISODate(raw) { return try FieldParser.date(raw, field: field, now: now) }
        var cell = FieldParser.trimmed(raw)
        // A date written as an instant: `2027-01-31T00:00`, Salesforce's and HubSpot's
        // `2027-01-31T00:00:00.000Z`, `31.01.2027 00:00`, `2027-01-31 00:00+01:00`: the
        // date as written. Any other time is refused, with the way to keep it.
        if let split = cell.firstIndex(where: { $0 == "T" || $0 == " " }) {
            let time = cell[cell.index(after: split)...].drop { $0 == " " }
            if let midnight = Self.clockIsMidnight(time) {
                guard midnight else {
                    throw FieldError(field: field, value: raw, problem: .invalid("a date is expected, but the cell has the time \(time); map the column to a custom field (--map 'COLUMN=field:KEY') to keep it as written"))
                }
                cell = String(cell[..<split])
            }
        }
        if let iso = try isoDate(cell, field: field) { cell = iso.date }
        do { return try FieldParser.date(cell, field: field, now: now) } catch { throw Self.asWritten(error, raw) }
    }

    /// For `HH:MM[:SS[.fraction]]` with an optional zone (`Z`, `+01:00`, `-0500`): whether
    /// it is midnight; nil for text that is not such a time.
    static func clockIsMidnight(_ text: Substring) -> Bool? {
        var clock = text
        if clock.last == "Z" || clock.last == "z" {
            clock = clock.dropLast()
        } else if let sign = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = Array(clock[clock.index(after: sign)...].utf8)
            let digits = zone.filter { $0 != UInt8(ascii: ":") }
            guard digits.allSatisfy({ (0x30...0x39).contains($0) }),
                  zone.count == 2 || zone.count == 4 || (zone.count == 5 && zone[2] == UInt8(ascii: ":") && digits.count == 4) else { return nil }
            clock = clock[..<sign]
        }
        var fractionIsZero = true
        if let dot = clock.firstIndex(of: ".") {
            let fraction = clock[clock.index(after: dot)...]
            guard !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fractionIsZero = fraction.allSatisfy { $0 == "0" }
            clock = clock[..<dot]
        }
        guard isClock(clock) else { return nil }
        return fractionIsZero && isMidnight(String(clock))
    }

    /// A problem found in the rewritten ISO text, named with the cell as the file writes it.
    static func asWritten(_ error: FieldError, _ raw: String) -> FieldError {
        var error = error
        error.value = raw
        switch error.problem {
        case .date(.invalid): error.problem = .date(.invalid(raw))
        case .date(.outOfRange): error.problem = .date(.outOfRange(raw))
        default: break
        }
        return error
    }

    /// A point in time (`Create Date`, `Created Time`): numeric dates in the file's order,
    /// with an optional `HH:MM[:SS]` in local time.
    public func instant(_ raw: String, field: String, now: Timestamp) throws(FieldError) -> Timestamp {
        if let exact = Timestamp(iso8601: raw) { return exact }
        var cell = raw
        if let iso = try isoDate(raw, field: field) {
            cell = iso.date + (iso.time.map { "T" + $0.split(separator: ":").map { $0.count == 1 ? "0" + $0 : String($0) }.joined(separator: ":") } ?? "")
        }
        do { return try FieldParser.instant(cell, field: field, now: now) } catch { throw Self.asWritten(error, raw) }
    }

    /// A follow-up due (`next_reminder`): the stored form, a numeric date, or any WHEN.
    public func when(_ raw: String, field: String, now: Timestamp) throws(FieldError) -> When {
        if let stored = When(stored: raw) { return stored }
        if let iso = try isoDate(raw, field: field), iso.time == nil {
            do { return try FieldParser.when(iso.date, field: field, now: now) } catch { throw Self.asWritten(error, raw) }
        }
        return try FieldParser.when(raw, field: field, now: now)
    }

    // MARK: Probabilities

    /// Percent 0–100 to a hundredth (`60`, `10.0`, `33.33`, `33,33`); with the fraction
    /// scale `0.2`, `0,2` and `0.3333` are 20 % and 33.33 %. A finer value is refused,
    /// never rounded.
    public func probability(_ raw: String, field: String) throws(FieldError) -> Percent {
        if probabilityScale != .fraction, let whole = Int(raw), (0...100).contains(whole) { return Percent(whole: whole) }
        var text = FieldParser.trimmed(raw)
        var scale = probabilityScale
        if text.hasSuffix("%") {
            text = FieldParser.trimmed(String(text.dropLast()))
            scale = .percent
        }
        func refuse(_ reason: String) -> FieldError { FieldError(field: field, value: raw, problem: .invalid(reason)) }
        guard let number = Percent.digits(String(text.map { $0 == "," ? "." : $0 })), let whole = Int(number.whole) else {
            throw refuse(FieldParser.probabilityRange)
        }
        switch scale {
        case nil where whole == 0 && !number.fraction.isEmpty:
            let asFraction = Percent(whole: 0, fraction: number.fraction, places: 4)
            throw refuse("\(text) % or \(asFraction.map { "\($0) %" } ?? "a fraction of one")? the file does not say;"
                         + " use --probability-scale fraction if it gives fractions of one (0.2 = 20 %), or --probability-scale percent if it means \(text) %")
        case nil, .percent:
            guard whole <= 100 else { throw refuse(FieldParser.probabilityRange) }
            guard number.fraction.count <= 2 else { throw refuse(FieldParser.finerThanAHundredth) }
            guard let percent = Percent(whole: whole, fraction: number.fraction, places: 2) else { throw refuse(FieldParser.probabilityRange) }
            return percent
        case .fraction:
            guard whole <= 1 else {
                throw refuse("above 1, but the probability scale is fraction (0.6 = 60 %); use --probability-scale percent")
            }
            guard number.fraction.count <= 4 else {
                throw refuse("finer than a hundredth of a percent as a fraction (0.3333 = 33.33 %); probabilities are kept to 0.01 % and never rounded")
            }
            guard let percent = Percent(whole: whole, fraction: number.fraction, places: 4) else {
                throw refuse("a probability is at most 1 (100 %)")
            }
            return percent
        }
    }

    // MARK: Labels

    public func labels(_ raw: String, field: String) throws(FieldError) -> [String] {
        var labels: [String] = []
        let separators = Array(labelSeparators.unicodeScalars)
        for part in raw.unicodeScalars.split(whereSeparator: { separators.contains($0) }).map(String.init)
        where !FieldParser.trimmed(part).isEmpty {
            let label = try FieldParser.label(String(part), field: field)
            if !labels.contains(label) { labels.append(label) }
        }
        return labels
    }
}
