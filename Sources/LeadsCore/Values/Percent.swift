/// A win probability in percent, exact to a hundredth of a percent: `60`, `33.33`. Other
/// CRMs export such values (Odoo computes probabilities with two decimals), so a lead
/// stores what was written; a finer value (`33.333`) is refused, never rounded. Stored and
/// printed in its shortest form: `60`, `33.3`, `33.33`.
public struct Percent: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Hundredths of a percent, 0...10,000.
    public let hundredths: Int

    public static let hundred = Percent(whole: 100)
    public static let zero = Percent(whole: 0)

    public init?(hundredths: Int) {
        guard (0...10_000).contains(hundredths) else { return nil }
        self.hundredths = hundredths
    }

    /// A whole percent, 0...100 (a stage's probability).
    public init(whole: Int) {
        precondition((0...100).contains(whole), "a percent is 0 to 100")
        hundredths = whole * 100
    }

    /// Plain digits with at most two significant decimals after a point: `60`, `10.0`,
    /// `33.33`, `33.330`; nil for anything else (sign, exponent, comma, above 100, finer).
    /// One pass over the bytes: the summary index reads one per lead with an override.
    public init?(exactly text: some StringProtocol) {
        var whole = 0, fraction = 0, wholeDigits = 0, fractionDigits = 0, seenPoint = false
        for byte in text.utf8 {
            if byte == 0x2E {
                guard !seenPoint, wholeDigits > 0 else { return nil }
                seenPoint = true
                continue
            }
            let digit = Int(byte) - 0x30
            guard (0...9).contains(digit) else { return nil }
            if seenPoint {
                fractionDigits += 1
                if fractionDigits <= 2 { fraction = fraction * 10 + digit } else if digit != 0 { return nil }
            } else {
                wholeDigits += 1
                guard wholeDigits <= 9 else { return nil }
                whole = whole * 10 + digit
            }
        }
        guard wholeDigits > 0, !seenPoint || fractionDigits > 0, whole <= 100 else { return nil }
        if fractionDigits == 1 { fraction *= 10 }
        self.init(hundredths: whole * 100 + fraction)
    }

    /// The whole and fraction digits of `12.3400` ("12", "34": trailing zeros dropped),
    /// nil unless the text is digits with at most one point between digits (at most 9 before it).
    static func digits(_ text: some StringProtocol) -> (whole: String, fraction: String)? {
        let pieces = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !pieces[0].isEmpty, pieces[0].count <= 9, pieces.count == 1 || !pieces[1].isEmpty,
              pieces.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else { return nil }
        let fraction = pieces.count == 2 ? String(pieces[1].reversed().drop { $0 == "0" }.reversed()) : ""
        return (String(pieces[0]), fraction)
    }

    /// The hundredths written as `whole.fraction` where the hundredths take `places`
    /// fraction digits: 2 for percent (`33.33`), 4 for a fraction of one (`0.3333`).
    /// nil for a longer fraction, or above 100 %.
    init?(whole: Int, fraction: String, places: Int) {
        guard fraction.count <= places else { return nil }
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let padded = fraction + String(repeating: "0", count: places - fraction.count)
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        self.init(hundredths: scaled + (Int(padded) ?? 0))
    }

    public var isWhole: Bool { hundredths % 100 == 0 }

    public var description: String {
        let whole = String(hundredths / 100)
        let cents = hundredths % 100
        if cents == 0 { return whole }
        return whole + "." + (cents % 10 == 0 ? String(cents / 10) : (cents < 10 ? "0" : "") + String(cents))
    }

    public static func < (a: Percent, b: Percent) -> Bool { a.hundredths < b.hundredths }
}

/// `35` is 35 % (stages, tests): a whole percent 0...100.
extension Percent: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(whole: value) }
}
