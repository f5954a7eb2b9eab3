import LeadsTestSupport
import Testing
@testable import LeadsCore

private func units(_ value: Int64) -> Amount { Amount(units: value) }

private func parsed(_ text: String, decimal: DecimalSeparator? = nil) throws -> MoneyInput {
    try MoneyParser.parse(text, decimal: decimal)
}

private func parseError(_ text: String, decimal: DecimalSeparator? = nil) -> MoneyError? {
    do {
        _ = try MoneyParser.parse(text, decimal: decimal)
        return nil
    } catch {
        return error
    }
}

@Suite struct MoneyAmountTests {
    @Test(arguments: [
        (Int64(125_005_000), "12500.50"),
        (-30_000, "-3.00"),
        (1234, "0.1234"),
        (71_250, "7.125"),
        (0, "0.00"),
        (1, "0.0001"),
        (-1, "-0.0001"),
        (100, "0.01"),
        (10, "0.001"),
        (10_000, "1.00"),
        (12_345_678_901_234_500, "1234567890123.45"),
        (Int64.max, "922337203685477.5807"),
        (Int64.min, "-922337203685477.5808"),
    ])
    func canonicalForm(unitCount: Int64, text: String) {
        #expect(Amount(units: unitCount).canonical == text)
        #expect(Amount(canonical: text) == Amount(units: unitCount))
        #expect(Amount(units: unitCount).description == text)
    }

    @Test func canonicalAcceptsShorterFractionsAndNormalisesNegativeZero() {
        #expect(Amount(canonical: "0")?.units == 0)
        #expect(Amount(canonical: "-0")?.units == 0)
        #expect(Amount(canonical: "-0.00")?.units == 0)
        #expect(Amount(canonical: "12500")?.units == 125_000_000)
        #expect(Amount(canonical: "1.5")?.units == 15_000)
        #expect(Amount(canonical: "-2.125")?.units == -21_250)
    }

    @Test(arguments: [
        "", "-", "+1", "01", "00", "-01", "1.", ".5", "1.23456", "1,5", "1 000", "12.500,50",
        "1e3", " 1", "1 ", "--1", "1.2.3", "922337203685477.5808", "99999999999999999999",
        "-922337203685477.5809", "€1", "1€", "١٢", "0x10",
    ])
    func canonicalRejects(text: String) {
        #expect(Amount(canonical: text) == nil)
    }

    @Test func formattedWithSeparators() {
        let amount = units(125_005_000)
        #expect(amount.formatted(decimalSeparator: UInt8(ascii: ",")) == "12500,50")
        #expect(amount.formatted(decimalSeparator: UInt8(ascii: ","), groupingSeparator: UInt8(ascii: ".")) == "12.500,50")
        #expect(amount.formatted(groupingSeparator: UInt8(ascii: ",")) == "12,500.50")
        #expect(units(-12_345_678_912_345).formatted(groupingSeparator: UInt8(ascii: " ")) == "-1 234 567 891.2345")
        #expect(units(9_990_000).formatted(groupingSeparator: UInt8(ascii: ".")) == "999.00")
        #expect(units(10_000_000).formatted(groupingSeparator: UInt8(ascii: ".")) == "1.000.00")
        #expect(units(Int64.min).formatted(groupingSeparator: UInt8(ascii: ",")) == "-922,337,203,685,477.5808")
    }

    @Test func unambiguousFormattingPadsThreeFractionDigits() throws {
        #expect(units(71_250).formatted(unambiguous: true) == "7.1250")
        #expect(units(71_250).formatted(decimalSeparator: UInt8(ascii: ","), unambiguous: true) == "7,1250")
        #expect(units(71_200).formatted(unambiguous: true) == "7.12")
        #expect(units(71_234).formatted(unambiguous: true) == "7.1234")
        #expect(try parsed("7.1250").amount == units(71_250))
    }

    @Test func comparisonFollowsValue() {
        #expect(units(-1) < .zero)
        #expect(Amount.zero < units(1))
        #expect(Amount(canonical: "2.5")! > Amount(canonical: "2.49")!)
        #expect(Amount.zero.units == 0)
        #expect(Amount.fractionDigits == 4)
    }

    @Test func adding() throws {
        #expect(try units(125_005_000).adding(units(-30_000)) == units(124_975_000))
        #expect(try units(Int64.max).adding(units(-1)) == units(Int64.max - 1))
        #expect(throws: MoneyError.tooLarge("922337203685477.5807 + 0.0001")) {
            try units(Int64.max).adding(units(1))
        }
        #expect(throws: MoneyError.tooLarge("-922337203685477.5808 + -0.0001")) {
            try units(Int64.min).adding(units(-1))
        }
    }

    @Test(arguments: [
        // (units, percent, expected units)
        (Int64(125_000_000), 60, Int64(75_000_000)),   // 12500 × 60% = 7500.00
        (50, 100, 100),                                   // 0.005 → 0.01 (half away from zero)
        (-50, 100, -100),                                 // -0.005 → -0.01
        (49, 100, 0),                                     // 0.0049 → 0.00
        (-49, 100, 0),
        (100, 50, 100),                                   // 0.01 × 50% = 0.005 → 0.01
        (-100, 50, -100),
        (333_300, 33, 110_000),                           // 33.33 × 33% = 10.9989 → 11.00
        (10_000, 15, 1_500),                              // 1 × 15% = 0.15
        (12_345, 10, 1_200),                              // 1.2345 × 10% = 0.12345 → 0.12
        (12_350, 40, 4_900),                              // 1.235 × 40% = 0.494 → 0.49
        (15_000, 1, 200),                                 // 1.50 × 1% = 0.015 → 0.02
        (14_999, 1, 100),                                 // 0.014999 → 0.01
        (125_000_000, 0, 0),
        (Int64.max, 100, 9_223_372_036_854_775_800),
        (Int64.min, 100, -9_223_372_036_854_775_800),
        (Int64.max, 99, 9_131_138_316_486_228_000),       // 913113831648622.79 (…0049 → …00 rounds down)
    ])
    func weighted(unitCount: Int64, percent: Int, expected: Int64) throws {
        #expect(try units(unitCount).weighted(percent: percent) == units(expected))
    }

    @Test func weightedRefusesPercentOutsideRange() {
        #expect(throws: MoneyError.invalid("101")) { try units(100).weighted(percent: 101) }
        #expect(throws: MoneyError.invalid("-1")) { try units(100).weighted(percent: -1) }
    }

    @Test func weightedMatchesExactRationalRounding() throws {
        // Oracle: round(units × p / 10,000) half away from zero, by comparing twice the remainder.
        var random = SplitMix64(seed: 7)
        for _ in 0..<20_000 {
            let value = Int64.random(in: -10_000_000_000...10_000_000_000, using: &random)
            let percent = Int.random(in: 0...100, using: &random)
            let numerator = value * Int64(percent)
            let quotient = numerator / 10_000
            let remainder = numerator % 10_000
            let rounded = abs(remainder) * 2 >= 10_000 ? quotient + (numerator < 0 ? -1 : 1) : quotient
            #expect(try units(value).weighted(percent: percent).units == rounded * 100)
        }
    }

    @Test func randomCanonicalRoundTrip() throws {
        var random = SplitMix64(seed: 42)
        for round in 0..<50_000 {
            // Mix short amounts (where trimming matters) with full-width ones.
            let value: Int64 = switch round % 4 {
            case 0: Int64.random(in: -1_000_000...1_000_000, using: &random)
            case 1: Int64.random(in: -1_000...1_000, using: &random) * 100
            case 2: Int64.random(in: -100_000...100_000, using: &random) * 10
            default: Int64(bitPattern: random.next())
            }
            let amount = units(value)
            let text = amount.canonical
            #expect(Amount(canonical: text) == amount, "\(text)")
            #expect(text == referenceCanonical(value), "\(value)")
            // MoneyParser reads every unambiguous rendering back, plain and grouped in both styles.
            #expect(try parsed(amount.formatted(unambiguous: true)).amount == amount)
            #expect(try parsed(amount.formatted(decimalSeparator: UInt8(ascii: ","),
                                                groupingSeparator: UInt8(ascii: "."), unambiguous: true)).amount == amount)
            #expect(try parsed(amount.formatted(groupingSeparator: UInt8(ascii: ","), unambiguous: true)).amount == amount)
        }
    }

    /// An independent, string-based rendering of the canonical form.
    private func referenceCanonical(_ value: Int64) -> String {
        let magnitude = value.magnitude
        var fraction = String(magnitude % 10_000)
        fraction = String(repeating: "0", count: 4 - fraction.count) + fraction
        while fraction.count > 2, fraction.hasSuffix("0") { fraction.removeLast() }
        return (value < 0 ? "-" : "") + String(magnitude / 10_000) + "." + fraction
    }
}

@Suite struct MoneyParserTests {
    @Test(arguments: [
        ("12500", Int64(125_000_000)),
        ("12500.50", 125_005_000),
        ("12500,50", 125_005_000),
        ("12.500,50", 125_005_000),
        ("12,500.50", 125_005_000),
        ("12 500,50", 125_005_000),
        ("12\u{00A0}500,50", 125_005_000),
        ("12\u{202F}500,50", 125_005_000),
        ("12 500.50", 125_005_000),
        ("12 500", 125_000_000),
        ("1 234 567", 12_345_670_000),
        ("1.234.567", 12_345_670_000),
        ("1,234,567", 12_345_670_000),
        ("1.234.567,89", 12_345_678_900),
        ("1,234,567.8912", 12_345_678_912),
        ("1 234,567", 12_345_670),          // a space groups, so the comma is the decimal
        ("0.500", 5_000),                   // a leading 0 cannot start a thousands group
        ("0,500", 5_000),
        ("012.500", 125_000),
        ("1234.500", 12_345_000),           // four digits before: not a thousands group
        ("12.5", 125_000),
        ("12,5", 125_000),
        ("12.50", 125_000),
        ("1.2345", 12_345),
        ("12.5000", 125_000),
        ("0", 0),
        ("-0", 0),
        ("007", 70_000),
        ("-5", -50_000),
        ("-12.500,50", -125_005_000),
        ("  12500  ", 125_000_000),
        ("12500\r", 125_000_000),
        ("922337203685477.5807", Int64.max),
        ("-922337203685477.5808", Int64.min),
        ("922.337.203.685.477,5807", Int64.max),
    ])
    func acceptedAmountsWithoutCurrency(text: String, expected: Int64) throws {
        let input = try parsed(text)
        #expect(input.amount == units(expected))
        #expect(input.currency == nil)
    }

    @Test(arguments: [
        ("€12.500,50", Int64(125_005_000), "EUR"),
        ("€ 12.500,50", 125_005_000, "EUR"),
        ("12.500,50 €", 125_005_000, "EUR"),
        ("12.500,50€", 125_005_000, "EUR"),
        ("12.500,50\u{00A0}€", 125_005_000, "EUR"),
        ("EUR 12500", 125_000_000, "EUR"),
        ("EUR12500", 125_000_000, "EUR"),
        ("12500 EUR", 125_000_000, "EUR"),
        ("12500EUR", 125_000_000, "EUR"),
        ("12500 eur", 125_000_000, "EUR"),
        ("-€5", -50_000, "EUR"),
        ("€-5", -50_000, "EUR"),
        ("€ -5", -50_000, "EUR"),
        ("-5 €", -50_000, "EUR"),
        ("-EUR 5", -50_000, "EUR"),
        ("$1,234.56", 12_345_600, "USD"),
        ("£99", 990_000, "GBP"),
        ("CHF 1'000", 10_000_000, "CHF"),   // Swiss grouping
        ("CHF 1 000.05", 10_000_500, "CHF"),
        ("1.05 chf", 10_500, "CHF"),        // CHF writes a decimal point
        ("usd 3", 30_000, "USD"),
        ("€ 5 EUR", 50_000, "EUR"),         // the same currency twice is no conflict
        ("JPY 500", 5_000_000, "JPY"),
    ])
    func acceptedAmountsWithCurrency(text: String, expected: Int64, currency: String) throws {
        switch currency {
        case "ambiguous":
            #expect(parseError(text) == .ambiguous(text: text, thousands: units(10_000_000), decimal: units(10_000)))
        default:
            let input = try parsed(text)
            #expect(input.amount == units(expected))
            #expect(input.currency == currency)
        }
    }

    @Test(arguments: [
        ("12.500", Int64(125_000_000), Int64(125_000)),
        ("12,500", 125_000_000, 125_000),
        ("1.000", 10_000_000, 10_000),
        ("999,999", 9_999_990_000, 9_999_990),
        ("-12.500", -125_000_000, -125_000),
        ("€12.500", 125_000_000, 125_000),
        ("12,500 EUR", 125_000_000, 125_000),
    ])
    func ambiguousCarriesBothReadings(text: String, thousands: Int64, decimal: Int64) {
        #expect(parseError(text) == .ambiguous(text: text, thousands: units(thousands), decimal: units(decimal)))
    }

    @Test func decimalOptionSettlesAmbiguity() throws {
        #expect(try parsed("12.500", decimal: .point).amount == units(125_000))
        #expect(try parsed("12.500", decimal: .comma).amount == units(125_000_000))
        #expect(try parsed("12,500", decimal: .point).amount == units(125_000_000))
        #expect(try parsed("12,500", decimal: .comma).amount == units(125_000))
        #expect(try parsed("-€12,500", decimal: .comma) == MoneyInput(amount: units(-125_000), currency: "EUR"))
    }

    @Test func decimalOptionSettlesOnlyWhatIsAmbiguousOnItsOwn() throws {
        // --decimal . leaves clear cells alone (one file may mix conventions)
        #expect(try parsed("12,500.50", decimal: .point).amount == units(125_005_000))
        #expect(try parsed("1,234,567", decimal: .point).amount == units(12_345_670_000))
        #expect(try parsed("12.5", decimal: .point).amount == units(125_000))
        #expect(try parsed("12500", decimal: .point).amount == units(125_000_000))
        #expect(try parsed("12 500.5", decimal: .point).amount == units(125_005_000))
        #expect(try parsed("12500,50", decimal: .point).amount == units(125_005_000))
        #expect(try parsed("12.500,50", decimal: .point).amount == units(125_005_000))
        #expect(try parsed("1.234.567", decimal: .point).amount == units(12_345_670_000))
        #expect(try parsed("12,5", decimal: .point).amount == units(125_000))
        // --decimal ,
        #expect(try parsed("12.500,50", decimal: .comma).amount == units(125_005_000))
        #expect(try parsed("1.234.567", decimal: .comma).amount == units(12_345_670_000))
        #expect(try parsed("12,5", decimal: .comma).amount == units(125_000))
        #expect(try parsed("12 500,5", decimal: .comma).amount == units(125_005_000))
        #expect(try parsed("1234.56", decimal: .comma).amount == units(12_345_600))
        #expect(try parsed("12,500.50", decimal: .comma).amount == units(125_005_000))
        #expect(try parsed("1,234,567", decimal: .comma).amount == units(12_345_670_000))
        #expect(try parsed("EUR 5,000.00", decimal: .comma) == MoneyInput(amount: units(50_000_000), currency: "EUR"))
        // Mixed grouping stays invalid whatever the option says.
        #expect(parseError("1 234.567,5", decimal: .comma) == .invalid("1 234.567,5"))
        // Too many fraction digits stays that error.
        #expect(parseError("1,23456", decimal: .comma) == .tooManyFractionDigits("1,23456"))
    }

    @Test(arguments: [
        // A currency whose countries write one convention settles the ambiguous shape, and wins over --decimal.
        ("$1,200", DecimalSeparator?.none, Int64(12_000_000), "USD"),
        ("$1,200", .comma, 12_000_000, "USD"),
        ("$1,200,000", .comma, 12_000_000_000, "USD"),
        ("1,200 USD", .comma, 12_000_000, "USD"),
        ("£2,500", nil, 25_000_000, "GBP"),
        ("1.200 DKK", .point, 12_000_000, "DKK"),
        ("EUR 5,000.00", .comma, 50_000_000, "EUR"),
        ("1.234,56 €", .point, 12_345_600, "EUR"),
        // "No cents" and Swiss forms.
        ("12.500,- €", nil, 125_000_000, "EUR"),
        ("12.500,-", nil, 125_000_000, ""),
        ("12500,--", nil, 125_000_000, ""),
        ("1,500.-", nil, 15_000_000, ""),
        ("CHF 12'500.00", nil, 125_000_000, "CHF"),
        ("12'500.00", nil, 125_000_000, ""),
        ("1'234'567.5", .comma, 12_345_675_000, ""),
        ("12\u{2019}500.50 CHF", nil, 125_005_000, "CHF"),
        ("12'500,50", nil, 125_005_000, ""),
        ("-12.500,-", nil, -125_000_000, ""),
        ("1,20 $", nil, 12_000, "USD"),         // clear on its own: the comma is the decimal
        ("$1.200", .comma, 12_000_000, "USD"),  // USD cannot settle it (three decimals); --decimal , can
    ])
    func conventionFixedByTheCell(text: String, decimal: DecimalSeparator?, expected: Int64, currency: String) throws {
        let input = try parsed(text, decimal: decimal)
        #expect(input.amount == units(expected))
        #expect(input.currency == (currency.isEmpty ? nil : currency))
    }

    @Test(arguments: [
        ("12,500,-", "invalid"),          // two decimal commas
        ("12.50,-", "invalid"),
        ("1'23.00", "invalid"),
        ("12'500 000", "invalid"),        // two kinds of grouping
        ("12'500.000.5", "invalid"),
        (",-", "invalid"),
    ])
    func conventionRefusals(text: String, kind: String) {
        var failure: MoneyError?
        do { _ = try MoneyParser.parse(text) } catch { failure = error }
        #expect(failure == .invalid(text), "\(kind)")
    }

    /// A currency's convention settles "1.200" only where the reading keeps to its cents.
    @Test(arguments: ["$1.200", "1.200 USD", "£2.500", "1.200 JPY", "-1.200 USD", "1.000 chf"])
    func aCurrencyDoesNotReadAThousandsGroupAsCents(text: String) {
        guard case .ambiguous(text, _, _)? = parseError(text) else {
            Issue.record("\(text): \(String(describing: parseError(text)))")
            return
        }
        // An explicit --decimal is the user's word: it settles what the currency could not.
        #expect(parseError(text, decimal: .point) == nil && parseError(text, decimal: .comma) == nil, "\(text)")
    }

    @Test func minorUnits() throws {
        #expect(MoneyParser.minorUnits("EUR") == 2)
        #expect(MoneyParser.minorUnits("JPY") == 0)
        #expect(MoneyParser.minorUnits("KWD") == 3)
        // The parser keeps the stored precision (typed values may carry four digits); an
        // import cell is held to its currency's minor units by the importer
        // (ImportTests: 'JPY 1000.5', 'EUR 0.001' refused).
        #expect(try parsed("7.1250 USD").amount == units(71_250))
        #expect(try parsed("KWD 1.2345").amount == units(12_345))
    }

    @Test(arguments: [
        "abc", "EUR", "€", "-", "--5", "- 5", "5-", "+5", "1e3", "12x5", "12..5", "12.,5", ".5", ",5", "5.", "5,",
        "1.2.3", "12.50.00", "1,234.567.8", "1.234,567,8", "12,34.5", "1.23.456", "1234.567,8", "1.2345.678",
        "0.500.000", "01.234.567", "12  500", "12 50", "1 2345", "12 500 .5", "12\t500", "1 234.567,5",
        "12.500 ,5", "(5)", "5 %", "1'00", "€ 5 €5", "1,000.000.000",
    ])
    func rejectedAsInvalid(text: String) {
        #expect(parseError(text) == .invalid(text))
    }

    @Test func rejectedAsEmpty() {
        #expect(parseError("") == .empty)
        #expect(parseError("   ") == .empty)
        #expect(parseError("\u{00A0}\t") == .empty)
    }

    @Test func tooManyFractionDigitsIsNeverRounded() {
        #expect(parseError("1.23456") == .tooManyFractionDigits("1.23456"))
        #expect(parseError("0,00001") == .tooManyFractionDigits("0,00001"))
        #expect(parseError("12.500,12345") == .tooManyFractionDigits("12.500,12345"))
        #expect(parseError("€ 1.000000") == .tooManyFractionDigits("€ 1.000000"))
    }

    @Test func tooLarge() {
        #expect(parseError("922337203685477.5808") == .tooLarge("922337203685477.5808"))
        #expect(parseError("-922337203685477.5809") == .tooLarge("-922337203685477.5809"))
        #expect(parseError("1000000000000000") == .tooLarge("1000000000000000"))
        #expect(parseError("99999999999999999999999") == .tooLarge("99999999999999999999999"))
        #expect(parseError("EUR 1.000.000.000.000.000") == .tooLarge("EUR 1.000.000.000.000.000"))
    }

    @Test func currencyErrors() {
        #expect(parseError("€ 5 USD") == .conflictingCurrency("€ 5 USD"))
        #expect(parseError("EUR5$") == .conflictingCurrency("EUR5$"))
        #expect(parseError("EURO 5") == .unknownCurrency("EURO"))
        #expect(parseError("5 euro") == .unknownCurrency("euro"))
        #expect(parseError("¥500") == .unknownCurrency("¥"))
        #expect(parseError("5 EU") == .unknownCurrency("EU"))
        #expect(parseError("€€5") == .unknownCurrency("€€"))
    }

    @Test func currencyCodes() throws {
        #expect(try MoneyParser.currencyCode("eur") == "EUR")
        #expect(try MoneyParser.currencyCode("EUR") == "EUR")
        #expect(try MoneyParser.currencyCode("€") == "EUR")
        #expect(try MoneyParser.currencyCode("$") == "USD")
        #expect(try MoneyParser.currencyCode("£") == "GBP")
        #expect(try MoneyParser.currencyCode("CHF") == "CHF")
        #expect(try MoneyParser.currencyCode("cHf") == "CHF")
        #expect(try MoneyParser.currencyCode(" usd ") == "USD")
        #expect(throws: MoneyError.empty) { try MoneyParser.currencyCode("") }
        #expect(throws: MoneyError.empty) { try MoneyParser.currencyCode("  ") }
        for bad in ["EU", "EURO", "E1R", "¥", "€€", "US$", "ÄÖÜ", "e u"] {
            #expect(throws: MoneyError.unknownCurrency(bad)) { try MoneyParser.currencyCode(bad) }
        }
    }
}
