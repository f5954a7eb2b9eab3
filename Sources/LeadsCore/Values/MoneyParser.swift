/// Reads amounts as people and spreadsheets write them (MONEY on the command line, value
/// cells in import-csv). Accepts `12500`, `12500.50`, `12500,50`, `12.500,50`, `12,500.50`,
/// `12 500,50` (ASCII space, U+00A0 or U+202F as grouping), Swiss `12'500.00` (`'` or U+2019
/// as grouping), `1.234.567`, the German "no cents" form `12.500,-` (also `,--`, `.-`), an
/// optional leading `-` (or U+2212 MINUS SIGN), and a currency sign or ISO code before or after, with or without a space.
///
/// Rules, in order:
/// - Spaces and apostrophes only ever group thousands.
/// - A trailing `,-` makes `,` the decimal separator with no fraction (`.-` likewise `.`).
/// - With both `.` and `,` present, the last one is the decimal separator and may occur once.
/// - A separator that occurs more than once groups thousands.
/// - A single `.` or `,` followed by exactly three digits, after a first group of 1-3 digits
///   not starting with 0 and with no other separator, is ambiguous on its own. A currency in
///   the text whose countries write one convention settles it (`$1,200` is 1200 USD, `1.200 DKK`
///   is 1200 DKK) unless that reading has more decimals than the currency has cents (`$1.200`
///   stays ambiguous: 1200 or 1.20 USD); else `decimal:` (import-csv --decimal) settles it;
///   else it is refused.
///   `decimal:` never changes the reading of a text that is clear on its own (`1234.56`,
///   `EUR 5,000.00` under `--decimal ,`), so one file may mix conventions cell by cell.
/// - Otherwise a single `.` or `,` is the decimal separator.
/// - Grouping must be well formed: a first group of 1-3 digits not starting with 0, then groups
///   of exactly three, all with one kind of separator.
/// - At most 4 fraction digits; more are refused, never rounded. (An import cell may hold no
///   more than its currency's minor units, 2 for USD, 0 for JPY, 3 for KWD; the importer
///   checks that itself, as the currency may come from another column: CSVImport.swift.)
public enum MoneyParser {
    /// `currencyConvention`: refuse a lone `.` or `,` that the currency written in the text
    /// uses only between thousands and that groups none here (`$1,23`: USD writes `1.23` and
    /// `1,230`), unless `decimal:` names it the file's decimal separator (import-csv cells,
    /// where it is a misread amount, SPEC §5). Off for typed values, which read `1,20 $` as 1.20.
    public static func parse(_ text: String, decimal: DecimalSeparator? = nil,
                             currencyConvention: Bool = false) throws(MoneyError) -> MoneyInput {
        var copy = text
        let result = copy.withUTF8 {
            parse(bytes: $0, text: text, decimal: decimal, checkConvention: currencyConvention)
        }
        return try result.get()
    }

    /// "eur" → "EUR", "€" → "EUR", "$" → "USD", "£" → "GBP", "CHF"; any 3 ASCII letters
    /// upper-cased; surrounding ASCII whitespace ignored; anything else `.unknownCurrency(text)`,
    /// nothing at all `.empty`.
    public static func currencyCode(_ text: String) throws(MoneyError) -> String {
        var copy = text
        let result: Result<String, MoneyError> = copy.withUTF8 { bytes in
            var low = 0
            var high = bytes.count
            while low < high, isASCIISpace(bytes[low]) { low += 1 }
            while high > low, isASCIISpace(bytes[high - 1]) { high -= 1 }
            guard low < high else { return .failure(.empty) }
            if let code = currencyCode(bytes, low..<high) { return .success(code) }
            return .failure(.unknownCurrency(text))
        }
        return try result.get()
    }

    // MARK: - Currency

    static func currencyCode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        switch range.count {
        case 1:
            if bytes[range.lowerBound] == UInt8(ascii: "$") { return "USD" }
        case 2:
            if bytes[range.lowerBound] == 0xC2, bytes[range.lowerBound + 1] == 0xA3 { return "GBP" }
        case 3:
            let (a, b, c) = (bytes[range.lowerBound], bytes[range.lowerBound + 1], bytes[range.lowerBound + 2])
            if a == 0xE2, b == 0x82, c == 0xAC { return "EUR" }
            if isASCIILetter(a), isASCIILetter(b), isASCIILetter(c) {
                // Clearing bit 5 upper-cases an ASCII letter.
                return asciiString(capacity: 3) { out in
                    out.append(a & 0xDF)
                    out.append(b & 0xDF)
                    out.append(c & 0xDF)
                }
            }
        default:
            break
        }
        return nil
    }

    /// Bytes that may form a currency sign or code: ASCII letters, `$`, and non-ASCII bytes
    /// (€, £, ¥ …). Callers exclude the non-ASCII spaces first.
    @inline(__always)
    static func isCurrencyByte(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    /// The decimal separator a currency's countries all write, for settling `12.500`-shaped
    /// amounts; nil where usage differs (EUR: `€1,200.00` in Ireland, `1.200,00 €` in Germany).
    static func convention(_ code: String) -> DecimalSeparator? {
        switch code {
        case "USD", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "CNY", "HKD", "SGD", "INR", "MXN", "ILS", "KRW":
            return .point
        case "DKK", "NOK", "SEK", "PLN", "CZK", "BRL", "TRY", "HUF", "RON":
            return .comma
        default:
            return nil
        }
    }

    /// ISO-4217 minor units: how many fraction digits an amount written with this currency
    /// may have.
    public static func minorUnits(_ code: String) -> Int {
        switch code {
        case "JPY", "KRW", "ISK", "CLP", "VND", "PYG", "UGX", "XAF", "XOF", "XPF", "RWF", "KMF", "GNF", "VUV", "DJF":
            return 0
        case "BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD":
            return 3
        default:
            return 2
        }
    }

    // MARK: - Parsing

    private enum Separator { case point, comma, space, apostrophe }

    static func parse(bytes: UnsafeBufferPointer<UInt8>, text: String, decimal: DecimalSeparator?,
                      checkConvention: Bool = false) -> Result<MoneyInput, MoneyError> {
        var low = 0
        var high = bytes.count
        while low < high, case let n = trimLength(bytes, at: low), n > 0 { low += n }
        while high > low, case let n = trimLength(bytes, endingAt: high), n > 0 { high -= n }
        guard low < high else { return .failure(.empty) }

        // The sign: `-` or U+2212 MINUS SIGN (Numbers, LibreOffice and Nordic number
        // formats write it), the same minus either way.
        var negative = false
        if case let n = minusLength(bytes, at: low, end: high), n > 0 {
            negative = true
            low += n
        }

        // Currency before the number: "€12.500,50", "EUR 12500", "-€5", "€ -5".
        var prefix: Range<Int>?
        var scan = low
        while scan < high, spaceLength(bytes, at: scan) == 0, minusLength(bytes, at: scan, end: high) == 0, isCurrencyByte(bytes[scan]) {
            scan += 1
        }
        if scan > low {
            prefix = low..<scan
            low = scan
            while low < high, case let n = spaceLength(bytes, at: low), n > 0 { low += n }
            if !negative, low < high, case let n = minusLength(bytes, at: low, end: high), n > 0 {
                negative = true
                low += n
            }
        }

        // Currency after the number: "12.500,50 €", "12500EUR".
        var suffix: Range<Int>?
        scan = high
        while scan > low, spaceLength(bytes, endingAt: scan) == 0, isCurrencyByte(bytes[scan - 1]) { scan -= 1 }
        if scan < high {
            suffix = scan..<high
            high = scan
            while high > low, case let n = spaceLength(bytes, endingAt: high), n > 0 { high -= n }
        }

        guard low < high else { return .failure(.invalid(text)) }

        func unknown(_ token: Range<Int>) -> MoneyError {
            .unknownCurrency(String(decoding: UnsafeBufferPointer(rebasing: bytes[token]), as: UTF8.self))
        }
        var currency: String?
        if let prefix {
            guard let code = currencyCode(bytes, prefix) else { return .failure(unknown(prefix)) }
            currency = code
        }
        if let suffix {
            guard let code = currencyCode(bytes, suffix) else { return .failure(unknown(suffix)) }
            if let currency, currency != code { return .failure(.conflictingCurrency(text)) }
            currency = code
        }

        // "12.500,-": the comma is the decimal separator and there are no cents.
        var strict: DecimalSeparator?
        if high - low >= 3, bytes[high - 1] == UInt8(ascii: "-") {
            var dashStart = high - 1
            if bytes[dashStart - 1] == UInt8(ascii: "-") { dashStart -= 1 }
            let mark = bytes[dashStart - 1]
            if dashStart - 1 > low, mark == UInt8(ascii: ",") || mark == UInt8(ascii: "."),
               isDigit(bytes[dashStart - 2]) {
                // The mark is the one decimal separator, so it may not occur before it.
                for i in low..<(dashStart - 1) where bytes[i] == mark { return .failure(.invalid(text)) }
                strict = mark == UInt8(ascii: ",") ? .comma : .point
                high = dashStart - 1
            }
        }

        // "$1,23": USD writes ',' only between thousands, and this one groups none: the
        // cell is 1.23 written the other way, or a slip. An import refuses it unless the
        // file's decimal separator (`decimal:`) is that one.
        if checkConvention, strict == nil, let currency, let written = convention(currency),
           let lone = loneSeparator(bytes, low..<high), lone.separator != written, lone.fractionLength != 3, lone.separator != decimal {
            return parseNumber(bytes, low..<high, negative: negative, text: text, strict: lone.separator, settle: nil)
                .flatMap { units, _ in
                    .failure(.againstCurrencyConvention(text: text, currency: currency, separator: lone.separator,
                                                        decimal: Amount(units: units)))
                }
        }

        let settle = currency.flatMap(convention) ?? decimal
        // A currency settles "1.200" only where its reading keeps to the currency's cents:
        // "$1.200" would be 1.200 USD, three decimals of a two-decimal currency, which is
        // far likelier a German 1.200 (1200) than a price in tenths of a cent.
        let settleLimit = currency.flatMap { convention($0) == nil ? nil : minorUnits($0) }
        return parseNumber(bytes, low..<high, negative: negative, text: text, strict: strict, settle: settle,
                           settleLimit: settleLimit, fallback: settleLimit == nil ? nil : decimal)
            .map { units, _ in MoneyInput(amount: Amount(units: units), currency: currency) }
    }

    /// The one `.` or `,` of a number written with no other separator (no space, no
    /// apostrophe, no second mark), and how many digits follow it; nil for any other shape.
    private static func loneSeparator(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>)
        -> (separator: DecimalSeparator, fractionLength: Int)? {
        var found: (DecimalSeparator, Int)?
        for i in range where !isDigit(bytes[i]) {
            guard found == nil, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",") else { return nil }
            found = (bytes[i] == UInt8(ascii: ".") ? .point : .comma, range.upperBound - i - 1)
        }
        return found
    }

    /// The amount in units, and the number of fraction digits written, for the
    /// digits-and-separators part. `strict` names the decimal separator outright (the other of
    /// `.`/`,` may then only group); `settle` is used only when the text is ambiguous on its own.
    private static func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, negative: Bool,
                                    text: String, strict: DecimalSeparator?,
                                    settle: DecimalSeparator?, settleLimit: Int? = nil,
                                    fallback: DecimalSeparator? = nil) -> Result<(Int64, Int), MoneyError> {
        // One pass to learn the shape: separator counts, where the last one sits, and that
        // groups of digits alternate with single separators.
        var points = 0, commas = 0, spaces = 0, apostrophes = 0
        var lastSeparator: Separator?
        var lastSeparatorEnd = range.lowerBound   // first byte after the last separator
        var lastSeparatorStart = range.lowerBound
        var firstSeparatorStart = range.upperBound
        var index = range.lowerBound
        var previousWasDigit = false
        while index < range.upperBound {
            let byte = bytes[index]
            if isDigit(byte) {
                previousWasDigit = true
                index += 1
                continue
            }
            let kind: Separator
            let length: Int
            if byte == UInt8(ascii: ".") {
                kind = .point; length = 1; points += 1
            } else if byte == UInt8(ascii: ",") {
                kind = .comma; length = 1; commas += 1
            } else if case let n = spaceLength(bytes, at: index), n > 0, byte != UInt8(ascii: "\t") {
                kind = .space; length = n; spaces += 1
            } else if case let n = apostropheLength(bytes, at: index), n > 0 {
                kind = .apostrophe; length = n; apostrophes += 1
            } else {
                return .failure(.invalid(text))
            }
            guard previousWasDigit else { return .failure(.invalid(text)) }
            previousWasDigit = false
            if firstSeparatorStart == range.upperBound { firstSeparatorStart = index }
            lastSeparator = kind
            lastSeparatorStart = index
            index += length
            lastSeparatorEnd = index
        }
        guard previousWasDigit else { return .failure(.invalid(text)) }

        // Decide which separator, if any, is the decimal one.
        var decimalKind: Separator?
        func named(_ separator: DecimalSeparator) -> Separator? {
            switch separator {
            case .point: return points > 0 ? .point : nil
            case .comma: return commas > 0 ? .comma : nil
            }
        }
        if let strict {
            decimalKind = named(strict)
        } else if points > 0, commas > 0 {
            decimalKind = lastSeparator
        } else if points + commas == 1 {
            let kind: Separator = points == 1 ? .point : .comma
            let fractionLength = range.upperBound - lastSeparatorEnd
            let firstGroupLength = lastSeparatorStart - range.lowerBound
            if spaces == 0, apostrophes == 0, fractionLength == 3, firstGroupLength <= 3,
               bytes[range.lowerBound] != UInt8(ascii: "0") {
                // A reading that makes the three digits decimals of a currency with fewer is
                // no reading (settleLimit); `decimal:` settles what the currency could not.
                func fits(_ separator: DecimalSeparator) -> Bool { !(named(separator) == kind && (settleLimit ?? 3) < 3) }
                // An explicit `decimal:` is the user's word and always settles it.
                if let reading = settle.flatMap({ fits($0) ? $0 : nil }) ?? fallback {
                    decimalKind = named(reading)
                } else {
                    let thousands = digits(bytes, range)
                    let asDecimal = digits(bytes, range.lowerBound..<lastSeparatorStart) * Amount.unitsPerWhole
                        + digits(bytes, lastSeparatorEnd..<range.upperBound) * 10
                    let sign: Int64 = negative ? -1 : 1
                    return .failure(.ambiguous(text: text,
                                               thousands: Amount(units: sign * thousands * Amount.unitsPerWhole),
                                               decimal: Amount(units: sign * asDecimal)))
                }
            } else {
                decimalKind = kind
            }
        }
        // Otherwise: no `.`/`,`, or one of them repeated, which can only be grouping.
        if let decimalKind {
            // The decimal separator occurs once and comes after any grouping.
            let count: Int
            switch decimalKind {
            case .point: count = points
            case .comma: count = commas
            case .space, .apostrophe: return .failure(.invalid(text))
            }
            guard count == 1, lastSeparator == decimalKind else { return .failure(.invalid(text)) }
        }

        let integerEnd = decimalKind == nil ? range.upperBound : lastSeparatorStart
        let groupingCount = points + commas + spaces + apostrophes - (decimalKind == nil ? 0 : 1)
        if groupingCount > 0 {
            guard wellGrouped(bytes, range.lowerBound..<integerEnd, firstSeparatorStart: firstSeparatorStart) else {
                return .failure(.invalid(text))
            }
        }

        var integer: Int64 = 0
        for i in range.lowerBound..<integerEnd where isDigit(bytes[i]) {
            guard let next = appendDigit(integer, bytes[i]) else { return .failure(.tooLarge(text)) }
            integer = next
        }
        var fraction: Int64 = 0
        var fractionLength = 0
        if decimalKind != nil {
            fractionLength = range.upperBound - lastSeparatorEnd
            guard fractionLength <= Amount.fractionDigits else { return .failure(.tooManyFractionDigits(text)) }
            fraction = digits(bytes, lastSeparatorEnd..<range.upperBound)
        }
        guard let units = Amount.combine(integer: integer, fraction: fraction, fractionLength: fractionLength,
                                         negative: negative)
        else { return .failure(.tooLarge(text)) }
        return .success((units, fractionLength))
    }

    /// A first group of 1-3 digits not starting with 0, then separator + exactly three digits,
    /// all separators of one kind (spaces of any of the three widths count as one kind).
    private static func wellGrouped(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                                    firstSeparatorStart: Int) -> Bool {
        let firstGroup = firstSeparatorStart - range.lowerBound
        guard firstGroup >= 1, firstGroup <= 3, bytes[range.lowerBound] != UInt8(ascii: "0") else { return false }
        let groupingByte = bytes[firstSeparatorStart]
        var index = firstSeparatorStart
        while index < range.upperBound {
            // At a separator: it must match the first one's kind, then exactly three digits.
            let byte = bytes[index]
            let length: Int
            if groupingByte == UInt8(ascii: ".") || groupingByte == UInt8(ascii: ",") {
                guard byte == groupingByte else { return false }
                length = 1
            } else if apostropheLength(bytes, at: firstSeparatorStart) > 0 {
                length = apostropheLength(bytes, at: index)
                guard length > 0 else { return false }
            } else {
                length = spaceLength(bytes, at: index)
                guard length > 0 else { return false }
            }
            index += length
            guard index + 3 <= range.upperBound else { return false }
            for i in index..<(index + 3) where !isDigit(bytes[i]) { return false }
            index += 3
        }
        return true
    }

    /// The value of the digits in `range`, skipping anything else; only used on short runs.
    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64 {
        var value: Int64 = 0
        for i in range where isDigit(bytes[i]) {
            value = value * 10 + Int64(bytes[i] &- UInt8(ascii: "0"))
        }
        return value
    }
}

// MARK: - Bytes

/// Whitespace ignored around a value: ASCII whitespace (a CSV cell may end in CR) and the
/// two non-breaking spaces.
@inline(__always)
func trimLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
    isASCIISpace(bytes[index]) ? 1 : spaceLength(bytes, at: index)
}

@inline(__always)
func trimLength(_ bytes: UnsafeBufferPointer<UInt8>, endingAt end: Int) -> Int {
    isASCIISpace(bytes[end - 1]) ? 1 : spaceLength(bytes, endingAt: end)
}

@inline(__always)
func isASCIILetter(_ byte: UInt8) -> Bool {
    (byte | 0x20) &- UInt8(ascii: "a") < 26
}

@inline(__always)
func isASCIISpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}

/// Length of the space at `index`: ASCII space or tab (1), U+00A0 (2), U+202F (3), else 0.
@inline(__always)
func spaceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
    let byte = bytes[index]
    if byte == 0x20 || byte == 0x09 { return 1 }
    if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0xA0 { return 2 }
    if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xAF { return 3 }
    return 0
}

/// Length of the minus at `index` before `end`: `-` (1) or U+2212 MINUS SIGN (3), else 0.
@inline(__always)
func minusLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, end: Int) -> Int {
    let byte = bytes[index]
    if byte == UInt8(ascii: "-") { return 1 }
    if byte == 0xE2, index + 2 < end, bytes[index + 1] == 0x88, bytes[index + 2] == 0x92 { return 3 }
    return 0
}

/// Length of the Swiss thousands mark at `index`: `'` (1) or U+2019 (3), else 0.
@inline(__always)
func apostropheLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
    let byte = bytes[index]
    if byte == UInt8(ascii: "'") { return 1 }
    if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0x99 { return 3 }
    return 0
}

/// Length of the space that ends just before `end`, as `spaceLength`.
@inline(__always)
func spaceLength(_ bytes: UnsafeBufferPointer<UInt8>, endingAt end: Int) -> Int {
    let byte = bytes[end - 1]
    if byte == 0x20 || byte == 0x09 { return 1 }
    if byte == 0xA0, end >= 2, bytes[end - 2] == 0xC2 { return 2 }
    if byte == 0xAF, end >= 3, bytes[end - 3] == 0xE2, bytes[end - 2] == 0x80 { return 3 }
    return 0
}
