/// The encodings outgoing mail needs, written for `remind --due --mail`:
/// base64 (RFC 4648 §4), quoted-printable bodies (RFC 2045 §6.7) and encoded-words
/// for header text (RFC 2047). Line ends are LF: the message goes to sendmail(1) on a
/// pipe, and sendmail turns LF into CRLF on the wire (RFC 5321 wants CRLF only there).
public enum MIMEEncoding {
    /// RFC 5322 §2.1.1 says lines SHOULD stay within 78 characters; RFC 2045 §6.7 caps a
    /// quoted-printable line at 76, and encoded-words are folded to the same 76.
    public static let lineLimit = 76
    /// RFC 2047 §2: an encoded-word is at most 75 characters, delimiters included.
    public static let encodedWordLimit = 75
    // MARK: base64

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// RFC 4648 §4 with padding, on one line.
    public static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(base64Alphabet[Int((n >> UInt32(shift)) & 0x3F)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(base64Alphabet[Int((n >> 18) & 0x3F)])
            out.append(base64Alphabet[Int((n >> 12) & 0x3F)])
            out.append(rest == 2 ? base64Alphabet[Int((n >> 6) & 0x3F)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Length of the base64 text of `count` bytes.
    static func base64Length(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    // MARK: Quoted-printable bodies

    /// Whether `text` can go as 7bit (RFC 2045 §2.7): ASCII without controls other than
    /// TAB and the line breaks, and no line longer than 76 characters (7bit allows 998,
    /// but one limit for every line of a message is simpler to keep: a longer line is
    /// soft-broken by quoted-printable and reads the same once decoded). Anything else
    /// is sent quoted-printable, which every mail system carries unchanged; 8bit would
    /// need the whole path to speak 8BITMIME.
    public static func isSevenBit(_ text: String) -> Bool {
        var lineLength = 0
        for byte in text.utf8 {
            if byte == 0x0A {
                lineLength = 0
                continue
            }
            guard byte < 0x80, byte >= 0x20 || byte == 0x09, byte != 0x7F else { return false }
            lineLength += 1
            if lineLength > lineLimit { return false }
        }
        return true
    }

    /// RFC 2045 §6.7 of UTF-8 text whose lines end in LF: each line is encoded on its
    /// own and keeps its (hard) line break; `=` and every byte outside printable ASCII
    /// become `=XX` (upper-case hex); a space or TAB is kept except at the end of a line,
    /// where transport may strip it; lines are cut with a soft break (`=` at the end) so
    /// that no encoded line is longer than 76 characters, never inside an `=XX`.
    /// A CR is encoded (`=0D`): the text's line breaks are its LFs. A line that is a lone
    /// `.` becomes `=2E`, as Python's `quopri` does.
    public static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        let lines = Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if index > 0 { out.append(0x0A) }
            var length = 0
            let bytes = Array(line)
            // A line of a single dot would end the message for a sendmail run without
            // -oi (and an SMTP client that forgets to dot-stuff): encoded, it cannot.
            let loneDot = bytes == [UInt8(ascii: ".")]
            for (i, byte) in bytes.enumerated() {
                let last = i == bytes.count - 1
                let literal = !loneDot && ((byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 0x20 || byte == 0x09) && !last))
                let width = literal ? 1 : 3
                // The last piece of a line may use all 76 columns; any other needs one left
                // for the soft break's `=`.
                let room = last ? lineLimit : lineLimit - 1
                if length + width > room {
                    out.append(UInt8(ascii: "="))
                    out.append(0x0A)
                    length = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "="))
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                }
                length += width
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    // MARK: Encoded-words (RFC 2047)

    /// Whether header text can stand as it is: printable ASCII and spaces only, and no
    /// `=?` that a reader would take for the start of an encoded-word.
    public static func isPlainHeaderText(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            guard byte >= 0x20, byte < 0x7F else { return false }
            if previous == UInt8(ascii: "="), byte == UInt8(ascii: "?") { return false }
            previous = byte
        }
        return true
    }

    /// The bytes RFC 2047 §5(3) lets stand for themselves in a Q-encoded word: letters,
    /// digits and `! * + - /`. That rule is the strictest of the three (it holds in a
    /// display name too), so one encoder serves Subject, From and To.
    static func isQLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    /// The Q encoding of `bytes` (RFC 2047 §4.2): a space is `_`, other bytes `=XX`.
    static func qEncoded(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        for byte in bytes {
            if isQLiteral(byte) {
                out.append(byte)
            } else if byte == 0x20 {
                out.append(UInt8(ascii: "_"))
            } else {
                out += [UInt8(ascii: "="), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
        }
        return out
    }

    static func qLength(_ bytes: some Sequence<UInt8>) -> Int {
        bytes.reduce(0) { $0 + (isQLiteral($1) || $1 == 0x20 ? 1 : 3) }
    }

    /// Which RFC 2047 encoding a text gets.
    public enum WordEncoding: Sendable, Equatable {
        case q, b

        var letter: String { self == .q ? "Q" : "B" }
    }

    static let wordPrefix = "=?UTF-8?"
    /// `=?UTF-8?Q?` … `?=`.
    static let wordOverhead = wordPrefix.utf8.count + 2 + 2

    /// Q for text that is at least half ASCII (German with umlauts stays readable in the
    /// raw message), else B, which is shorter for Cyrillic, Greek or CJK text.
    public static func preferredEncoding(for text: String) -> WordEncoding {
        let scalars = text.unicodeScalars
        return scalars.filter(\.isASCII).count * 2 >= scalars.count ? .q : .b
    }

    /// `text` as a run of UTF-8 encoded-words, each within `encodedWordLimit` and the
    /// line it starts: the first may take `firstLineRoom` characters, each later one a
    /// continuation line of its own (a space, then the word: `lineLimit - 1`). A word
    /// never splits a character (an extended grapheme cluster), as RFC 2047 §5 requires
    /// for multi-byte characters; a reader joins adjacent encoded-words and drops the
    /// folding white space between them (§6.2), so the text comes back exactly.
    public static func encodedWords(_ text: String, firstLineRoom: Int, encoding: WordEncoding? = nil) -> [String] {
        let encoding = encoding ?? preferredEncoding(for: text)
        func length(_ bytes: [UInt8]) -> Int {
            wordOverhead + (encoding == .q ? qLength(bytes) : base64Length(bytes.count))
        }
        func word(_ bytes: [UInt8]) -> String {
            let payload = encoding == .q ? String(decoding: qEncoded(bytes), as: UTF8.self) : base64(bytes)
            return wordPrefix + encoding.letter + "?" + payload + "?="
        }
        let fullRoom = min(lineLimit - 1, encodedWordLimit)
        // The pieces a word may end after: characters, or the scalars of a character too
        // long for any word (a long emoji sequence), which is then the lesser harm.
        var pieces: [[UInt8]] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if length(bytes) <= fullRoom {
                pieces.append(bytes)
            } else {
                pieces += character.unicodeScalars.map { Array(String($0).utf8) }
            }
        }
        var words: [String] = []
        var current: [UInt8] = []
        var room = min(max(firstLineRoom, 0), encodedWordLimit)
        for piece in pieces {
            if !current.isEmpty, length(current + piece) > room {
                words.append(word(current))
                current = piece
                room = fullRoom
            } else {
                current += piece
            }
        }
        if !current.isEmpty || words.isEmpty { words.append(word(current)) }
        return words
    }
}
