/// The decoders incoming mail needs, the inverse of MIMEEncoding: base64 (RFC 4648 §4),
/// quoted-printable bodies (RFC 2045 §6.7), RFC 2047 encoded-words in header text, and
/// RFC 2231 parameter values (`filename*=utf-8''%C3%BC.pdf`, continuations `*0 *1`).
/// Every decoder is lenient where real mail is sloppy and a strict one would lose text
/// (a stray `=`, a missing pad), the way Python's `email` package is, and linear in its
/// input.
public enum MIMEDecoding {
    // MARK: base64

    private static let base64Values: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = Int8(i) }
        return table
    }()

    /// The bytes of base64 text. Characters outside the alphabet (line breaks, spaces,
    /// junk) are skipped, as RFC 2045 §6.8 tells a reader to; decoding stops at the first
    /// `=` pad; a last group of 2 or 3 characters without its pad still yields its bytes,
    /// and a lone last character (6 bits, not a byte) is dropped — Python does the same.
    public static func base64(_ text: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var count = 0
        for byte in text {
            if byte == UInt8(ascii: "=") { break }
            let value = base64Values[Int(byte)]
            guard value >= 0 else { continue }
            accumulator = accumulator << 6 | UInt32(value)
            count += 1
            if count == 4 {
                out.append(UInt8(accumulator >> 16 & 0xFF))
                out.append(UInt8(accumulator >> 8 & 0xFF))
                out.append(UInt8(accumulator & 0xFF))
                accumulator = 0
                count = 0
            }
        }
        if count == 2 {
            out.append(UInt8(accumulator >> 4 & 0xFF))
        } else if count == 3 {
            out.append(UInt8(accumulator >> 10 & 0xFF))
            out.append(UInt8(accumulator >> 2 & 0xFF))
        }
        return out
    }

    // MARK: Quoted-printable

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// A quoted-printable body whose lines end in LF: `=XX` is the byte, `=` at the end
    /// of a line joins it to the next (a soft break), white space at the end of a line is
    /// transport padding and dropped (§6.7 rule 3). A `=` not followed by two hex digits
    /// is kept as it stands, as Python's quopri keeps it.
    public static func quotedPrintable(_ body: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(body)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var lineStart = 0
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let hasBreak = lineEnd < bytes.count
            var end = lineEnd
            while end > lineStart, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D { end -= 1 }
            var soft = false
            var i = lineStart
            while i < end {
                let byte = bytes[i]
                if byte == UInt8(ascii: "=") {
                    if i + 1 == end {
                        soft = true
                        i += 1
                        continue
                    }
                    if i + 2 < end, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                        out.append(high << 4 | low)
                        i += 3
                        continue
                    }
                }
                out.append(byte)
                i += 1
            }
            if hasBreak && !soft { out.append(0x0A) }
            if !hasBreak { break }
            lineStart = lineEnd + 1
        }
        return out
    }

    // MARK: RFC 2047

    /// The Q encoding of an encoded-word (RFC 2047 §4.2): `_` is a space, `=XX` a byte.
    static func qDecoded(_ text: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(text)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "_") {
                out.append(0x20)
            } else if byte == UInt8(ascii: "="), i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
                continue
            } else {
                out.append(byte)
            }
            i += 1
        }
        return out
    }

    /// One encoded-word `=?charset?B|Q?text?=` (RFC 2047 §2, with RFC 2231's `*language`
    /// after the charset), decoded; nil when `word` is not one or names a charset leads
    /// does not read, so the caller keeps the text as it stands.
    public static func encodedWord(_ word: Substring) -> String? {
        let bytes = Array(word.utf8)
        guard bytes.count >= 8, bytes[0] == UInt8(ascii: "="), bytes[1] == UInt8(ascii: "?"),
              bytes[bytes.count - 2] == UInt8(ascii: "?"), bytes[bytes.count - 1] == UInt8(ascii: "=") else { return nil }
        let inner = bytes[2..<(bytes.count - 2)]
        let fields = inner.split(separator: UInt8(ascii: "?"), maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, fields[1].count == 1, !fields[2].contains(UInt8(ascii: "?")) else { return nil }
        var charsetName = String(decoding: fields[0], as: UTF8.self)
        if let star = charsetName.firstIndex(of: "*") { charsetName = String(charsetName[..<star]) }
        guard let charset = Charset(name: charsetName) else { return nil }
        let payload = fields[2]
        switch fields[1].first! | 0x20 {
        case UInt8(ascii: "b"): return charset.decode(base64(payload))
        case UInt8(ascii: "q"): return charset.decode(qDecoded(payload))
        default: return nil
        }
    }

    /// Header text with its encoded-words decoded (RFC 2047 §6): a word is recognised
    /// where it stands alone between white space (or at either end); the white space
    /// between two adjacent encoded-words is dropped (§6.2), any other is kept. Raw 8-bit
    /// bytes (not allowed, but sent) are read as UTF-8, or Windows-1252 where they are not
    /// valid UTF-8. Unfolded text only: line breaks were removed by the reader.
    public static func headerText(_ raw: [UInt8]) -> String {
        let text: String
        if raw.allSatisfy({ $0 < 0x80 }) || validUTF8(raw) {
            text = String(decoding: raw, as: UTF8.self)
        } else {
            text = Charset.windows1252.decode(raw)
        }
        guard text.contains("=?") else { return text }
        var out = ""
        var pendingSpace = ""
        var lastWasEncoded = false
        var index = text.startIndex
        while index < text.endIndex {
            // White space run.
            var spaceEnd = index
            while spaceEnd < text.endIndex, text[spaceEnd] == " " || text[spaceEnd] == "\t" { spaceEnd = text.index(after: spaceEnd) }
            pendingSpace = String(text[index..<spaceEnd])
            index = spaceEnd
            guard index < text.endIndex else {
                out += pendingSpace
                break
            }
            var wordEnd = index
            while wordEnd < text.endIndex, text[wordEnd] != " " && text[wordEnd] != "\t" { wordEnd = text.index(after: wordEnd) }
            let word = text[index..<wordEnd]
            if let decoded = encodedWords(in: word) {
                if !(lastWasEncoded && decoded.startsEncoded) { out += pendingSpace }
                out += decoded.text
                lastWasEncoded = decoded.endsEncoded
            } else {
                out += pendingSpace + word
                lastWasEncoded = false
            }
            index = wordEnd
        }
        return out
    }

    /// A white-space-free word made of one or more encoded-words back to back
    /// (`=?utf-8?q?a?==?utf-8?q?b?=`, which some mailers write), possibly with plain text
    /// around them such as `(` `)` or `"`; nil when it holds none.
    private static func encodedWords(in word: Substring) -> (text: String, startsEncoded: Bool, endsEncoded: Bool)? {
        let bytes = Array(word.utf8)
        func find(_ a: UInt8, _ b: UInt8, from: Int) -> Int? {
            var i = from
            while i + 1 < bytes.count {
                if bytes[i] == a, bytes[i + 1] == b { return i }
                i += 1
            }
            return nil
        }
        var out: [UInt8] = []
        var found = false
        var startsEncoded = false
        var endsEncoded = false
        var position = 0
        var search = 0
        while let start = find(UInt8(ascii: "="), UInt8(ascii: "?"), from: search) {
            // An encoded-word has exactly four `?`: =?charset?X?text?=
            guard let q1 = bytes[(start + 2)...].firstIndex(of: UInt8(ascii: "?")),
                  let q2 = bytes[(q1 + 1)...].firstIndex(of: UInt8(ascii: "?")),
                  let end = find(UInt8(ascii: "?"), UInt8(ascii: "="), from: q2 + 1) else { break }
            let candidate = String(decoding: bytes[start..<(end + 2)], as: UTF8.self)
            guard let decoded = encodedWord(Substring(candidate)) else {
                search = start + 2
                continue
            }
            if !found { startsEncoded = start == 0 }
            out += bytes[position..<start]
            out += Array(decoded.utf8)
            found = true
            position = end + 2
            search = position
            endsEncoded = position == bytes.count
        }
        guard found else { return nil }
        out += bytes[position...]
        return (String(decoding: out, as: UTF8.self), startsEncoded, endsEncoded)
    }

    static func validUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    // MARK: RFC 2231

    /// `utf-8'de'%C3%BCbersicht.pdf` (an extended parameter value): the charset, an
    /// optional language, then %XX-encoded bytes.
    static func extendedValue(_ value: String) -> String {
        let parts = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        let charset = parts.count == 3 ? Charset(name: String(parts[0])) ?? .utf8 : .utf8
        let encoded = parts.count == 3 ? parts[2] : Substring(value)
        return charset.decode(percentDecoded(encoded.utf8))
    }

    static func percentDecoded(_ text: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(text)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
