// Fuzz target `dates`: WhenParser, When, CalendarDate, Timestamp, LocalTime.
//
// Input: byte 0 picks `now` (bits 0-1: an ordinary day, the first and last second of the
// supported years, a DST change in Europe/Berlin); the rest is the text. The runner sets
// TZ=Europe/Berlin so that local times meet DST gaps and overlaps.
//
// Invariants:
// - what is parsed is stored and read back unchanged: When(stored:), CalendarDate(iso:),
//   Timestamp(iso8601:); a parsed day lies in the years 1...9999;
// - the four entry points agree: parseDate succeeds iff parse gives a day (else
//   .timeNotAllowed); parseInstant gives parse's instant, or local midnight of its day;
//   whatever parseNow accepts, parseInstant reads the same way;
// - the parser reads its own output: the ISO form of a parsed day or instant, and the
//   D.M.YYYY form of a day, parse to the same value;
// - errors carry the text as given.

import LeadsCore

private let nows: [Timestamp] = [
    Timestamp(iso8601: "2026-11-22T09:30:00Z")!,
    Timestamp(iso8601: "0001-01-01T00:00:00Z")!,
    Timestamp(iso8601: "9999-12-31T23:59:59Z")!,
    Timestamp(iso8601: "2026-03-29T00:30:00Z")!,   // 1:30 in Berlin, half an hour before the gap
]

private func result<T>(_ body: () throws(DateError) -> T) -> Result<T, DateError> {
    do { return .success(try body()) } catch { return .failure(error) }
}

private func checkError(_ error: DateError, _ text: String) {
    switch error {
    case .empty:
        require(text.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D },
                "\(text.debugDescription) is not empty")
    case .invalid(let t), .outOfRange(let t), .timeNotAllowed(let t), .fractionOfSecond(let t):
        require(sameBytes(t, text), "\(error) for \(text.debugDescription)")
    }
}

private let earliest = Timestamp(iso8601: "0001-01-01T00:00:00Z")!
private let latest = Timestamp(iso8601: "9999-12-31T23:59:59Z")!

/// Finding 3 in Docs/reliability.md, pinned by FuzzDatesRegressionTests: some forms give a
/// day or an instant (in UTC) outside the years 1-9999, which cannot be stored and read
/// back, instead of `.outOfRange`. While this is true such results only skip the read-back
/// checks, so that fuzzing goes on past them; set it to false once the parser is fixed.
private let toleratingFinding3 = false

private func inStoredRange(_ when: When) -> Bool {
    switch when {
    case .day(let date): return (1...9999).contains(date.year)
    case .instant(let t): return inStoredRange(t)
    }
}

private func inStoredRange(_ t: Timestamp) -> Bool {
    t >= earliest && t <= latest
}

/// False (after checking what can be checked) for a result outside the stored range.
private func checkStored(_ when: When, _ text: String) -> Bool {
    guard inStoredRange(when) else {
        require(toleratingFinding3, "\(text.debugDescription) → \(when.stored), outside the years 1-9999")
        return false
    }
    require(When(stored: when.stored) == when, "\(text.debugDescription) → \(when.stored) does not read back")
    switch when {
    case .day(let date):
        require(CalendarDate(iso: date.iso) == date, "\(text.debugDescription) → \(date.iso)")
        require((1...7).contains(date.weekday), "\(date) weekday \(date.weekday)")
    case .instant(let t):
        require(Timestamp(iso8601: t.iso8601) == t, "\(text.debugDescription) → \(t.iso8601) does not read back")
        _ = LocalTime.display(t)
    }
    return true
}

private func fourDigits(_ year: Int) -> String {
    let digits = String(year)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let now = nows[Int(input.byte() & 3)]
    let text = input.restAsText()

    let when = result { () throws(DateError) in try WhenParser.parse(text, now: now) }
    let date = result { () throws(DateError) in try WhenParser.parseDate(text, now: now) }
    let instant = result { () throws(DateError) in try WhenParser.parseInstant(text, now: now) }
    let clock = result { () throws(DateError) in try WhenParser.parseNow(text) }

    switch when {
    case .success(let w):
        let stored = checkStored(w, text)
        switch w {
        case .day(let d):
            require(date == .success(d), "parse gave \(d), parseDate \(date)")
            // Local midnight of year 1 can fall into UTC year 0 (Berlin was 0:53:28 ahead).
            let midnight = LocalTime.startOfDay(d)
            require(instant == .success(midnight) || (!inStoredRange(midnight) && instant == .failure(.outOfRange(text))),
                    "parse gave \(d), parseInstant \(instant)")
            guard stored else { break }
            require(result { () throws(DateError) in try WhenParser.parse(d.iso, now: now) } == .success(w),
                    "\(d.iso) does not parse to itself")
            let german = "\(d.day).\(d.month).\(fourDigits(d.year))"
            require(result { () throws(DateError) in try WhenParser.parse(german, now: now) } == .success(w),
                    "\(german) does not parse to \(d)")
        case .instant(let t):
            require(date == .failure(.timeNotAllowed(text)), "parse gave an instant, parseDate \(date)")
            require(instant == .success(t), "parse gave \(t), parseInstant \(instant)")
            guard stored else { break }
            require(result { () throws(DateError) in try WhenParser.parse(t.iso8601, now: now) } == .success(w),
                    "\(t.iso8601) does not parse to itself")
        }
    case .failure(let error):
        checkError(error, text)
        // A time of day out of range may be refused by parseDate for being a time at all.
        // So may a time with a fraction of a second.
        require(date == .failure(error)
                    || ((error == .outOfRange(text) || error == .fractionOfSecond(text)) && date == .failure(.timeNotAllowed(text))),
                "parse failed with \(error), parseDate \(date)")
        require(instant == .failure(error), "parse failed with \(error), parseInstant \(instant)")
    }

    switch clock {
    case .success(let t):
        if inStoredRange(t) {
            require(Timestamp(iso8601: t.iso8601) == t, "LEADS_NOW \(text.debugDescription) → \(t.iso8601) does not read back")
        } else {
            require(toleratingFinding3, "LEADS_NOW \(text.debugDescription) → \(t.iso8601), outside the years 1-9999")
        }
        // LEADS_NOW drops a fraction of a second (a clock is often printed with one); arguments refuse it.
        require(instant == .success(t) || (instant == .failure(.fractionOfSecond(text)) && text.utf8.contains(UInt8(ascii: "."))),
                "parseNow gave \(t), parseInstant \(instant)")
    case .failure(let error):
        checkError(error, text)
    }
    return 0
}
