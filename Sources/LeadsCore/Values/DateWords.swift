/// WHEN in words, German and English, as a rep says a follow-up aloud: `morgen`,
/// `übermorgen`, `freitag`, `in 3 Tagen`, `in zwei Wochen`, `nächste Woche`,
/// `vor 2 Tagen`, `in 3 days`, `next week`, `2 days ago`.
///
/// The meanings (Docs/cli.md, "Dates"):
/// - `heute` today, `morgen` tomorrow, `übermorgen` (the day after tomorrow), `gestern`
///   yesterday, `vorgestern`, `jetzt` now;
/// - weekday names and abbreviations (`montag` … `sonntag`, `sonnabend`, `mo` … `so`) as in
///   English: the next such day, strictly after today; `nächsten Freitag`, `next friday` the same;
/// - `in N UNIT` / `N UNIT ago` / `vor N UNIT`: days, weeks, months (clamped to the month's
///   end, as `+1m`), years give a day; hours give an instant. N is digits or a number word
///   up to twelve (`ein`, `einer`, `zwei` … `zwölf`; `a`, `an`, `one` … `twelve`); a unit in
///   any of its forms (`Tag`, `Tage`, `Tagen`; `day`, `days`; `Woche`, `Wochen` …);
/// - `nächste Woche` / `next week`: Monday of next week; `nächsten Monat` / `next month`: the
///   1st of next month; `nächstes Jahr` / `next year`: 1 January of next year.
///
/// Words are matched case-insensitively, with `ä ö ü ß` also as `ae oe ue ss`; everything
/// else is refused, never guessed.
enum DateWords {
    enum Meaning: Equatable {
        case day(CalendarDate)
        /// Hours from now (negative: back).
        case hours(Int)
        case now
    }

    enum Failure: Error { case invalid, outOfRange }

    static func parse(_ text: String, today: CalendarDate) -> Result<Meaning, Failure> {
        // Bounded: the longest phrase ("in zwölf Monaten") is far shorter.
        guard text.utf8.count <= 40 else { return .failure(.invalid) }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { fold(String($0)) }
        guard !words.isEmpty else { return .failure(.invalid) }

        if words.count == 1 {
            let word = words[0]
            switch word {
            case "jetzt": return .success(.now)
            case "heute": return .success(.day(today))
            case "morgen": return .success(.day(today.adding(days: 1)))
            case "uebermorgen": return .success(.day(today.adding(days: 2)))
            case "gestern": return .success(.day(today.adding(days: -1)))
            case "vorgestern": return .success(.day(today.adding(days: -2)))
            default:
                guard let weekday = weekdays[word] else { return .failure(.invalid) }
                return .success(.day(next(weekday, after: today)))
            }
        }

        if words.count == 2, nextWords.contains(words[0]) {
            switch words[1] {
            case "week", "woche":
                return .success(.day(today.adding(days: 8 - today.weekday)))
            case "month", "monat":
                let first = today.adding(days: 1 - today.day)
                return .success(.day(first.adding(months: 1)))
            case "year", "jahr":
                return .success(.day(CalendarDate(unchecked: today.year + 1, 1, 1)))
            default:
                guard let weekday = weekdays[words[1]] else { return .failure(.invalid) }
                return .success(.day(next(weekday, after: today)))
            }
        }

        // in N UNIT, vor N UNIT, N UNIT ago
        let sign: Int, countWord: String, unitWord: String
        if words.count == 3, words[0] == "in" || words[0] == "vor" {
            (sign, countWord, unitWord) = (words[0] == "in" ? 1 : -1, words[1], words[2])
        } else if words.count == 3, words[2] == "ago" {
            (sign, countWord, unitWord) = (-1, words[0], words[1])
        } else {
            return .failure(.invalid)
        }
        guard let unit = units[unitWord] else { return .failure(.invalid) }
        let count: Int
        if let word = numberWords[countWord] {
            count = word
        } else {
            guard !countWord.isEmpty, countWord.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return .failure(.invalid) }
            // More than 6 digits lies beyond year 9999 in every unit, as with +3d.
            guard countWord.utf8.count <= 6, let n = Int(countWord) else { return .failure(.outOfRange) }
            count = n
        }
        let n = sign * count
        let result: CalendarDate
        switch unit {
        case .hour: return .success(.hours(n))
        case .day: result = today.adding(days: n)
        case .week: result = today.adding(days: n * 7)
        case .month: result = today.adding(months: n)
        case .year: result = today.adding(months: n * 12)
        }
        guard (1...9999).contains(result.year) else { return .failure(.outOfRange) }
        return .success(.day(result))
    }

    /// The next `weekday` (1 = Monday) strictly after `today`.
    static func next(_ weekday: Int, after today: CalendarDate) -> CalendarDate {
        today.adding(days: floorDivision(weekday - today.weekday - 1, 7).remainder + 1)
    }

    /// Lower case, umlauts and ß spelled out, so `Übermorgen`, `uebermorgen` and
    /// `ÜBERMORGEN` are one word. Swift compares characters by canonical equivalence, so
    /// a decomposed ü (u + combining diaeresis, as macOS types it) folds the same.
    static func fold(_ word: String) -> String {
        var out = ""
        for character in word.lowercased() {
            switch character {
            case "ä": out += "ae"
            case "ö": out += "oe"
            case "ü": out += "ue"
            case "ß": out += "ss"
            default: out.append(character)
            }
        }
        return out
    }

    enum Unit { case hour, day, week, month, year }

    static let units: [String: Unit] = [
        "hour": .hour, "hours": .hour, "stunde": .hour, "stunden": .hour,
        "day": .day, "days": .day, "tag": .day, "tage": .day, "tagen": .day,
        "week": .week, "weeks": .week, "woche": .week, "wochen": .week,
        "month": .month, "months": .month, "monat": .month, "monate": .month, "monaten": .month,
        "year": .year, "years": .year, "jahr": .year, "jahre": .year, "jahren": .year,
    ]

    static let numberWords: [String: Int] = [
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
        "ein": 1, "eine": 1, "einem": 1, "einer": 1, "eins": 1, "zwei": 2, "drei": 3, "vier": 4,
        "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwoelf": 12,
    ]

    static let nextWords: Set<String> = ["next", "naechste", "naechsten", "naechster", "naechstes", "kommende", "kommenden"]

    /// German names and abbreviations; the English ones are read by WhenParser itself.
    static let weekdays: [String: Int] = [
        "montag": 1, "dienstag": 2, "mittwoch": 3, "donnerstag": 4, "freitag": 5, "samstag": 6, "sonnabend": 6, "sonntag": 7,
        "mo": 1, "di": 2, "mi": 3, "do": 4, "fr": 5, "sa": 6, "so": 7,
        "monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
        "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
    ]
}
