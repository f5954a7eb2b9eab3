// Fuzz target `money`: MoneyParser, Amount.
//
// Input: the text of an amount (invalid UTF-8 becomes U+FFFD).
//
// Invariants, for each `decimal:` hint (none, `.`, `,`):
// - a parsed amount reads back from its canonical form (`Amount(canonical:)`), and
//   MoneyParser reads every unambiguous rendering of it (both decimal separators, with and
//   without grouping by `.` `,` or space) to the same amount, with and without its currency
//   before or after;
// - an ambiguous text reads as the error's `decimal` amount with the hint naming its
//   separator and as its `thousands` amount with the other hint;
// - errors carry the text as given;
// - weighted(percent:) is within half a cent of the exact product, whole cents, and
//   refuses percents outside 0...100.

import LeadsCore

private let hints: [DecimalSeparator?] = [nil, .point, .comma]
private let point = UInt8(ascii: "."), comma = UInt8(ascii: ","), space = UInt8(ascii: " ")
/// Decimal separator, grouping separator, and the hint under which that rendering must read.
private let renderings: [(UInt8, UInt8?, DecimalSeparator?)] = [
    (point, nil, nil), (comma, nil, nil), (point, comma, nil), (comma, point, nil),
    (point, space, nil), (comma, space, nil), (point, comma, .point), (comma, point, .comma),
    (point, nil, .point), (comma, nil, .comma),
]

private func parsed(_ text: String, _ hint: DecimalSeparator?) -> Result<MoneyInput, MoneyError> {
    do { return .success(try MoneyParser.parse(text, decimal: hint)) } catch { return .failure(error) }
}

private func checkRoundTrips(_ input: MoneyInput, text: String) {
    let amount = input.amount
    require(Amount(canonical: amount.canonical) == amount, "\(text.debugDescription): canonical \(amount.canonical)")
    for (decimal, grouping, hint) in renderings {
        let rendered = amount.formatted(decimalSeparator: decimal, groupingSeparator: grouping, unambiguous: true)
        var forms = [rendered]
        if let code = input.currency { forms += [rendered + " " + code, code + " " + rendered, rendered + code] }
        for form in forms {
            guard case .success(let again) = parsed(form, hint) else {
                fatalError("invariant violated: \(text.debugDescription) → \(form.debugDescription) does not read back under \(String(describing: hint)): \(parsed(form, hint))")
            }
            require(again.amount == amount, "\(text.debugDescription) → \(form.debugDescription) reads as \(again.amount)")
            require(again.currency == (form == rendered ? nil : input.currency), "\(form.debugDescription): currency \(String(describing: again.currency))")
        }
    }
}

private func checkWeighted(_ amount: Amount) {
    for percent in [0, 1, 7, 33, 50, 99, 100] {
        let weighted: Amount
        do {
            weighted = try amount.weighted(percent: percent)
        } catch {
            require(error == .tooLarge(amount.canonical), "\(amount) × \(percent)%: \(error)")
            continue
        }
        require(weighted.units % 100 == 0, "\(amount) × \(percent)% = \(weighted), not whole cents")
        // |weighted − amount × percent / 100| ≤ half a cent, all in units × 100.
        let error = Int128(weighted.units) * 100 - Int128(amount.units) * Int128(percent)
        require(error.magnitude <= 50 * 100, "\(amount) × \(percent)% = \(weighted)")
    }
    for percent in [-1, 101, Int.min, Int.max] {
        do {
            _ = try amount.weighted(percent: percent)
            fatalError("invariant violated: \(amount) weighted by \(percent)% did not throw")
        } catch {
            require(error == .invalid(String(percent)), "\(amount) × \(percent)%: \(error)")
        }
    }
}

private func checkError(_ error: MoneyError, text: String, hint: DecimalSeparator?) {
    switch error {
    case .empty:
        require(text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }, "\(text.debugDescription) is not empty")
    case .invalid(let t), .tooManyFractionDigits(let t), .tooLarge(let t), .conflictingCurrency(let t):
        require(sameBytes(t, text), "\(error) for \(text.debugDescription)")
    case .beyondMinorUnits:
        // Only the importer compares an amount with its currency's minor units; the parser keeps four digits.
        require(false, "MoneyParser refused \(text.debugDescription) for its currency's minor units")
    case .againstCurrencyConvention:
        // Only import cells ask for the currency's convention; the parser is called without it here.
        require(false, "MoneyParser refused \(text.debugDescription) for its currency's convention")
    case .unknownCurrency(let token):
        // Bytes, not Characters: the token may end inside a grapheme cluster ("2" + U+06EC).
        let haystack = Array(text.utf8), needle = Array(token.utf8)
        require(!needle.isEmpty && haystack.indices.contains { haystack[$0...].starts(with: needle) },
                "\(error) for \(text.debugDescription)")
    case .ambiguous(let t, let thousands, let decimal):
        require(sameBytes(t, text) && hint == nil, "\(error) for \(text.debugDescription) under \(String(describing: hint))")
        let separator: DecimalSeparator = text.utf8.contains(point) ? .point : .comma
        let other: DecimalSeparator = separator == .point ? .comma : .point
        require((try? MoneyParser.parse(text, decimal: separator))?.amount == decimal,
                "\(text.debugDescription) under \(separator) is not \(decimal)")
        require((try? MoneyParser.parse(text, decimal: other))?.amount == thousands,
                "\(text.debugDescription) under \(other) is not \(thousands)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let text = input.restAsText()
    for hint in hints {
        switch parsed(text, hint) {
        case .success(let result):
            if let code = result.currency {
                require(code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }, "currency \(code)")
            }
            checkRoundTrips(result, text: text)
            checkWeighted(result.amount)
        case .failure(let error):
            checkError(error, text: text, hint: hint)
        }
    }
    if let percent = Percent(exactly: text) {
        require(text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }, "Percent read \(text.debugDescription)")
        require(Percent(exactly: percent.description) == percent, "\(percent) does not read back")
        if let amount = try? MoneyParser.parse(text, decimal: .point).amount {
            // The same digits as an amount: percent × 100 hundredths.
            require(Int128(amount.units) == Int128(percent.hundredths) * 100, "\(text.debugDescription): \(percent) against \(amount)")
        }
    }
    if let code = try? MoneyParser.currencyCode(text) {
        require(code.utf8.count == 3 && code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A }, "currency \(code)")
    }
    return 0
}
