/// Exact decimal amount, at most 4 fraction digits, stored as an integer count of 1/10,000.
///
/// Money never passes through binary floating point: sums and weightings are integer
/// arithmetic with explicit overflow checks, so totals over many leads are exact.
public struct Amount: Sendable, Hashable, Comparable {
    public static let fractionDigits = 4
    /// 10^fractionDigits: the number of units in one whole currency unit.
    public static let unitsPerWhole: Int64 = 10_000

    public let units: Int64

    public init(units: Int64) {
        self.units = units
    }

    public static let zero = Amount(units: 0)

    public static func < (lhs: Amount, rhs: Amount) -> Bool {
        lhs.units < rhs.units
    }

    /// The strict stored form `-?(0|[1-9][0-9]*)(\.[0-9]{1,4})?`; "-0" (and "-0.00") reads as 0.
    /// Nil for anything else, including values beyond the Int64 range of units.
    public init?(canonical: String) {
        var text = canonical
        guard let units = text.withUTF8({ Amount.parseCanonical($0) }) else { return nil }
        self.units = units
    }

    static func parseCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let count = bytes.count
        var negative = false
        if index < count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let integerStart = index
        while index < count, isDigit(bytes[index]) { index += 1 }
        let integerLength = index - integerStart
        // One leading zero only when it is the whole integer part, so each value has one spelling.
        guard integerLength > 0,
              integerLength == 1 || bytes[integerStart] != UInt8(ascii: "0")
        else { return nil }
        var fractionStart = index
        var fractionLength = 0
        if index < count {
            guard bytes[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            fractionStart = index
            while index < count, isDigit(bytes[index]) { index += 1 }
            fractionLength = index - fractionStart
            guard fractionLength >= 1, fractionLength <= fractionDigits, index == count else { return nil }
        }
        var magnitude: Int64 = 0
        for i in integerStart..<(integerStart + integerLength) {
            guard let next = appendDigit(magnitude, bytes[i]) else { return nil }
            magnitude = next
        }
        var fraction: Int64 = 0
        for i in fractionStart..<(fractionStart + fractionLength) {
            fraction = fraction * 10 + Int64(bytes[i] &- UInt8(ascii: "0"))
        }
        return combine(integer: magnitude, fraction: fraction, fractionLength: fractionLength, negative: negative)
    }

    /// integer + fraction (of `fractionLength` digits) as signed units, or nil on overflow.
    /// The negative side is built by subtraction so that Int64.min itself is reachable.
    static func combine(integer: Int64, fraction: Int64, fractionLength: Int, negative: Bool) -> Int64? {
        var scale: Int64 = 1
        for _ in fractionLength..<fractionDigits { scale *= 10 }
        let (scaled, overflow) = integer.multipliedReportingOverflow(by: unitsPerWhole)
        guard !overflow else { return nil }
        let (total, overflow2) = negative
            ? (0 - scaled).subtractingReportingOverflow(fraction * scale)
            : scaled.addingReportingOverflow(fraction * scale)
        return overflow2 ? nil : total
    }

    /// "12500.50", "-3.00", "0.1234", "7.125": at least 2 fraction digits, trailing zeros beyond 2 trimmed.
    public var canonical: String {
        formatted()
    }

    /// The canonical digits with a chosen decimal separator and optional thousands grouping,
    /// e.g. `formatted(decimalSeparator: ",", groupingSeparator: ".")` → "12.500,50" (German Excel).
    public func formatted(decimalSeparator: UInt8 = UInt8(ascii: "."), groupingSeparator: UInt8? = nil) -> String {
        formatted(decimalSeparator: decimalSeparator, groupingSeparator: groupingSeparator, unambiguous: false)
    }

    /// As `formatted(decimalSeparator:groupingSeparator:)`; with `unambiguous`, never exactly three
    /// fraction digits ("7.125" → "7.1250"), so that `MoneyParser.parse` reads every output back
    /// without `decimal:` (for export-csv → import-csv).
    public func formatted(decimalSeparator: UInt8 = UInt8(ascii: "."), groupingSeparator: UInt8? = nil,
                          unambiguous: Bool) -> String {
        // Int64 has at most 19 digits: sign + 15 integer digits + 4 groupings + point + 4 fraction fit in 32.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            let magnitude = units.magnitude
            let whole = magnitude / UInt64(Amount.unitsPerWhole)
            var fraction = magnitude % UInt64(Amount.unitsPerWhole)
            var fractionLength = Amount.fractionDigits
            while fractionLength > 2, fraction % 10 == 0 {
                fraction /= 10
                fractionLength -= 1
            }
            if unambiguous, fractionLength == 3 {
                fraction *= 10
                fractionLength = 4
            }
            // Written right to left, then copied out.
            var position = buffer.count
            for _ in 0..<fractionLength {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
            }
            position -= 1
            buffer[position] = decimalSeparator
            var rest = whole
            var written = 0
            repeat {
                if let groupingSeparator, written > 0, written % 3 == 0 {
                    position -= 1
                    buffer[position] = groupingSeparator
                }
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                written += 1
            } while rest > 0
            if units < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[position...]), as: UTF8.self)
        }
    }

    /// Overflow → `.tooLarge("A + B")` with both operands in canonical form.
    public func adding(_ other: Amount) throws(MoneyError) -> Amount {
        let (sum, overflow) = units.addingReportingOverflow(other.units)
        guard !overflow else { throw .tooLarge("\(canonical) + \(other.canonical)") }
        return Amount(units: sum)
    }

    /// value × percent / 100, rounded half away from zero to 0.01 (commercial rounding, like a
    /// spreadsheet's ROUND(x; 2)); percent 0...100. A percent outside that range throws
    /// `.invalid` carrying the percent as text.
    public func weighted(percent: Int) throws(MoneyError) -> Amount {
        guard (0...100).contains(percent) else { throw .invalid(String(percent)) }
        return try weighted(by: Percent(whole: percent))
    }

    /// value × percent / 100, rounded half away from zero to 0.01, once.
    public func weighted(by percent: Percent) throws(MoneyError) -> Amount {
        let product = exactWeighted(by: percent)
        // The product is in 10⁻⁸ (units × hundredths of a percent ÷ 100); one cent is 10⁶ of them.
        let divisor: Int128 = 1_000_000
        var cents = product / divisor
        let remainder = product % divisor
        if remainder.magnitude * 2 >= divisor.magnitude {
            cents += product < 0 ? -1 : 1
        }
        let result = cents * 100
        guard let exact = Int64(exactly: result) else { throw .tooLarge(canonical) }
        return Amount(units: exact)
    }

    /// value × percent / 100 exactly, in hundred-millionths (10⁻⁸) of the currency.
    public func exactWeighted(by percent: Percent) -> Int128 {
        Int128(units) * Int128(percent.hundredths)
    }
}

extension Amount: CustomStringConvertible {
    public var description: String { canonical }
}

public enum DecimalSeparator: Sendable { case point, comma }   // import-csv --decimal . | ,

public struct MoneyInput: Sendable, Equatable {
    public var amount: Amount
    /// Upper-case ISO-4217 code when the text carried a sign or code, else nil (the caller
    /// applies `--currency` or the configured default).
    public var currency: String?

    public init(amount: Amount, currency: String? = nil) {
        self.amount = amount
        self.currency = currency
    }
}

/// Every case carries what a message needs; texts are the input exactly as given.
public enum MoneyError: Error, Sendable, Equatable {
    /// Nothing but whitespace.
    case empty
    /// Not an amount (stray characters, malformed grouping, separators in the wrong place,
    /// a percent outside 0...100 for `weighted`): the offending text.
    case invalid(String)
    /// "12.500": 12500 or 12.5; `decimal:` (import-csv --decimal) settles it.
    case ambiguous(text: String, thousands: Amount, decimal: Amount)
    /// import-csv: `$1,23`, a lone `separator` that the text's currency writes only between
    /// thousands, grouping none here; `decimal` is the amount read with it as the decimal
    /// separator. Refused unless `--decimal` names that separator.
    case againstCurrencyConvention(text: String, currency: String, separator: DecimalSeparator, decimal: Amount)
    /// More than 4 fraction digits: refused, never rounded. The whole text.
    case tooManyFractionDigits(String)
    /// import-csv: more fraction digits than the currency has minor units (`JPY 1000.5`,
    /// `EUR 0.001`): the text, the currency and its minor units. Refused, never shifted.
    case beyondMinorUnits(String, currency: String, minorUnits: Int)
    /// Beyond ±922,337,203,685,477.5807: the text (or "A + B" from `Amount.adding`).
    case tooLarge(String)
    /// A currency sign or code that is not known: the sign or code alone ("EURO", "¥").
    case unknownCurrency(String)
    /// Two different currencies in one text ("€ 5 USD"): the whole text.
    case conflictingCurrency(String)
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool {
    byte &- UInt8(ascii: "0") < 10
}

/// magnitude × 10 + digit, or nil on overflow.
@inline(__always)
func appendDigit(_ magnitude: Int64, _ digit: UInt8) -> Int64? {
    let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
    let (sum, o2) = times10.addingReportingOverflow(Int64(digit &- UInt8(ascii: "0")))
    return o1 || o2 ? nil : sum
}
