/// Why a value a user gave (an option, an argument, a CSV cell) cannot be used.
public enum FieldProblem: Sendable, Equatable {
    case money(MoneyError)
    case date(DateError)
    case stage(StageError)
    case invalid(String)
}

/// A rejected value, named the way the user named it: "--value", "STAGE" or a CSV
/// column such as "Wert".
public struct FieldError: Error, Sendable, Equatable {
    public var field: String
    public var value: String
    public var problem: FieldProblem

    public init(field: String, value: String, problem: FieldProblem) {
        self.field = field
        self.value = value
        self.problem = problem
    }
}

/// Validation of lead field values, shared by the command options and the importer
/// so that `add`, `set` and `import-csv` accept exactly the same things.
public enum FieldParser {
    /// Text fields keep what was typed, but an all-blank value is no value.
    public static func text(_ raw: String) -> String? {
        raw.unicodeScalars.allSatisfy(isSpace) ? nil : raw
    }

    /// White space by Unicode scalar, with a fast path for ASCII: every cell of an import
    /// passes here, and Character's `isWhitespace` runs the grapheme machinery.
    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar == " " || (scalar.value >= 9 && scalar.value <= 13) }
        return scalar.properties.isWhitespace
    }

    /// A plausible e-mail shape: one @, something before it, a dotted domain after it,
    /// no spaces. Anything stricter refuses real addresses.
    public static func email(_ raw: String, field: String) throws(FieldError) -> String {
        let text = trimmed(raw)
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let ok = parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !text.contains(where: \.isWhitespace)
        guard ok else { throw FieldError(field: field, value: raw, problem: .invalid("not an e-mail address (name@example.com)")) }
        return text
    }

    /// Percent 0-100 to a hundredth at the finest (`60`, `33.33`), "%" optional. A finer
    /// value is refused, not rounded.
    public static func probability(_ raw: String, field: String) throws(FieldError) -> Percent {
        var text = trimmed(raw)
        if text.hasSuffix("%") { text = trimmed(String(text.dropLast())) }
        if let value = Percent(exactly: text) { return value }
        if let digits = Percent.digits(text), digits.fraction.count > 2, let whole = Int(digits.whole), whole <= 100 {
            throw FieldError(field: field, value: raw, problem: .invalid(Self.finerThanAHundredth))
        }
        throw FieldError(field: field, value: raw, problem: .invalid(Self.probabilityRange))
    }

    static let probabilityRange = "a probability is a percent from 0 to 100 (60, 33.33)"
    static let finerThanAHundredth = "finer than a hundredth of a percent; probabilities are kept to 0.01 % and never rounded"

    /// Labels are single words of text: no comma (the CSV list separator), no leading
    /// + or - (the `set --label +L/-L` syntax).
    public static func label(_ raw: String, field: String) throws(FieldError) -> String {
        let text = trimmed(raw)
        guard !text.isEmpty else { throw FieldError(field: field, value: raw, problem: .invalid("a label must not be empty")) }
        guard !text.contains(",") else { throw FieldError(field: field, value: raw, problem: .invalid("a label must not contain a comma")) }
        guard !text.hasPrefix("+"), !text.hasPrefix("-") else {
            throw FieldError(field: field, value: raw, problem: .invalid("a label must not start with + or -"))
        }
        return text
    }

    /// "a, b,c" → ["a", "b", "c"] (CSV cells).
    public static func labels(_ raw: String, field: String) throws(FieldError) -> [String] {
        var labels: [String] = []
        for part in raw.split(separator: ",") where !trimmed(String(part)).isEmpty {
            let label = try label(String(part), field: field)
            if !labels.contains(label) { labels.append(label) }
        }
        return labels
    }

    /// Custom field keys: letters, digits, `_`, `-`, `.`; so that `field:KEY` columns
    /// and `--field KEY=VALUE` stay unambiguous.
    public static func fieldKey(_ raw: String, field: String) throws(FieldError) -> String {
        let ok = !raw.isEmpty && raw.utf8.count <= 64 && raw.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ($0.value >= 0x30 && $0.value <= 0x39) || $0 == "_" || $0 == "-" || $0 == "."
        }
        guard ok else {
            throw FieldError(field: field, value: raw, problem: .invalid("a custom field name is letters, digits, _, - or ."))
        }
        return raw
    }

    /// "KEY=VALUE".
    public static func customField(_ raw: String, field: String) throws(FieldError) -> (key: String, value: String) {
        guard let eq = raw.firstIndex(of: "=") else {
            throw FieldError(field: field, value: raw, problem: .invalid("expected KEY=VALUE"))
        }
        let key = try fieldKey(String(raw[..<eq]), field: field)
        return (key, String(raw[raw.index(after: eq)...]))
    }

    public static func currency(_ raw: String, field: String) throws(FieldError) -> String {
        do { return try MoneyParser.currencyCode(trimmed(raw)) } catch {
            throw FieldError(field: field, value: raw, problem: .money(error))
        }
    }

    /// An amount with its currency: the currency written in the amount, else `currency`,
    /// else the store's default. Both given and different: refused.
    public static func money(_ raw: String, field: String, currency: String?, defaultCurrency: String,
                             decimal: DecimalSeparator? = nil) throws(FieldError) -> Money {
        try moneyAndWhetherCurrencyIsGiven(raw, field: field, currency: currency, defaultCurrency: defaultCurrency, decimal: decimal).money
    }

    /// `given` is false when the currency is `defaultCurrency` only because neither the
    /// text nor `currency` named one: an update keeps the lead's own currency then, as
    /// `set --value 200` does.
    /// `cell`: an import-csv cell, where a currency's convention refuses `$1,23` (MoneyParser).
    public static func moneyAndWhetherCurrencyIsGiven(_ raw: String, field: String, currency: String?, defaultCurrency: String,
                                                      decimal: DecimalSeparator? = nil,
                                                      cell: Bool = false) throws(FieldError) -> (money: Money, given: Bool) {
        let input: MoneyInput
        do { input = try MoneyParser.parse(raw, decimal: decimal, currencyConvention: cell) } catch {
            throw FieldError(field: field, value: raw, problem: .money(error))
        }
        if let written = input.currency, let currency, written != currency {
            throw FieldError(field: field, value: raw, problem: .money(.conflictingCurrency(raw)))
        }
        let given = input.currency ?? currency
        return (Money(amount: input.amount, currency: given ?? defaultCurrency), given != nil)
    }

    public static func date(_ raw: String, field: String, now: Timestamp) throws(FieldError) -> CalendarDate {
        do { return try WhenParser.parseDate(trimmed(raw), now: now) } catch {
            throw FieldError(field: field, value: raw, problem: .date(error))
        }
    }

    public static func when(_ raw: String, field: String, now: Timestamp) throws(FieldError) -> When {
        do { return try WhenParser.parse(trimmed(raw), now: now) } catch {
            throw FieldError(field: field, value: raw, problem: .date(error))
        }
    }

    public static func instant(_ raw: String, field: String, now: Timestamp) throws(FieldError) -> Timestamp {
        do { return try WhenParser.parseInstant(trimmed(raw), now: now) } catch {
            throw FieldError(field: field, value: raw, problem: .date(error))
        }
    }

    public static func stage(_ raw: String, field: String, config: StoreConfig) throws(FieldError) -> Stage {
        do { return try config.stage(matching: trimmed(raw)) } catch {
            throw FieldError(field: field, value: raw, problem: .stage(error))
        }
    }

    /// A note's text: kept exactly as written (lines, spaces), but not all blank.
    public static func note(_ raw: String, field: String) throws(FieldError) -> String {
        guard text(raw) != nil else { throw FieldError(field: field, value: raw, problem: .invalid("a note must not be empty")) }
        return raw
    }

    /// A name or owner: required, and a single line.
    public static func name(_ raw: String, field: String) throws(FieldError) -> String {
        if let problem = nameProblem(raw) { throw FieldError(field: field, value: raw, problem: .invalid(problem)) }
        return raw
    }

    /// Why `raw` is no name, owner or acting user (`--user`, LEADS_USER), or nil. Line breaks
    /// by scalar: "\r\n" is one Character, equal to neither "\n" nor "\r".
    public static func nameProblem(_ raw: String) -> String? {
        if text(raw) == nil { return "must not be empty" }
        if raw.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) { return "must be a single line" }
        return nil
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
