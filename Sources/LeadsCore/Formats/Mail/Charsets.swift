/// The character sets incoming mail is read in (RFC 2046 §4.1.2 `charset=`, RFC 2047
/// encoded-words): UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15 and Windows-1252 for Western
/// Europe, ISO-8859-2 and Windows-1250 for Central Europe, Windows-1251 and KOI8-R for
/// Cyrillic, by their IANA names and common aliases. Bytes that are not valid in the named set become
/// U+FFFD, as Python's `email` package does with `errors="replace"`: a note keeps what
/// can be read and shows where something could not, instead of refusing the message.
public enum Charset: String, Sendable, Equatable, CaseIterable {
    case utf8 = "utf-8"
    case usASCII = "us-ascii"
    case latin1 = "iso-8859-1"
    case latin9 = "iso-8859-15"
    case windows1252 = "windows-1252"
    case latin2 = "iso-8859-2"
    case windows1250 = "windows-1250"
    case windows1251 = "windows-1251"
    case koi8r = "koi8-r"

    /// The set a `charset=` value names, case-insensitively, or nil for one leads does not
    /// know (the reader then falls back to UTF-8, and names the charset in the note).
    public init?(name: String) {
        let folded = String(name.lowercased().filter { $0 != " " && $0 != "\"" && $0 != "'" })
        switch folded {
        case "utf-8", "utf8": self = .utf8
        case "us-ascii", "ascii", "ansi_x3.4-1968", "us", "iso646-us": self = .usASCII
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819": self = .latin1
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9", "l9": self = .latin9
        case "windows-1252", "cp1252", "x-cp1252", "cp-1252": self = .windows1252
        case "iso-8859-2", "iso8859-2", "iso_8859-2", "latin2", "latin-2", "l2", "iso-ir-101": self = .latin2
        case "windows-1250", "cp1250", "x-cp1250", "cp-1250": self = .windows1250
        case "windows-1251", "cp1251", "x-cp1251", "cp-1251": self = .windows1251
        case "koi8-r", "koi8r", "cskoi8r": self = .koi8r
        default: return nil
        }
    }

    /// The text of `bytes` in this set.
    public func decode(_ bytes: some Collection<UInt8>) -> String {
        switch self {
        case .utf8: return String(decoding: bytes, as: UTF8.self)
        case .usASCII:
            return String(String.UnicodeScalarView(bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" }))
        case .latin1:
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .latin9:
            return String(String.UnicodeScalarView(bytes.map { Self.latin9Scalar($0) }))
        case .windows1252:
            return String(String.UnicodeScalarView(bytes.map { Self.windows1252Scalar($0) }))
        case .latin2: return Self.decode(bytes, upperHalf: CharsetTables.latin2)
        case .windows1250: return Self.decode(bytes, upperHalf: CharsetTables.windows1250)
        case .windows1251: return Self.decode(bytes, upperHalf: CharsetTables.windows1251)
        case .koi8r: return Self.decode(bytes, upperHalf: CharsetTables.koi8r)
        }
    }

    /// A single-byte set that is ASCII below 0x80 and `upperHalf` above.
    static func decode(_ bytes: some Collection<UInt8>, upperHalf: [UInt16]) -> String {
        String(String.UnicodeScalarView(bytes.map { byte in
            byte < 0x80 ? Unicode.Scalar(byte) : Unicode.Scalar(upperHalf[Int(byte) - 0x80]) ?? "\u{FFFD}"
        }))
    }

    /// ISO-8859-15 differs from ISO-8859-1 in eight places (the euro sign among them).
    static func latin9Scalar(_ byte: UInt8) -> Unicode.Scalar {
        switch byte {
        case 0xA4: return "\u{20AC}"
        case 0xA6: return "\u{0160}"
        case 0xA8: return "\u{0161}"
        case 0xB4: return "\u{017D}"
        case 0xB8: return "\u{017E}"
        case 0xBC: return "\u{0152}"
        case 0xBD: return "\u{0153}"
        case 0xBE: return "\u{0178}"
        default: return Unicode.Scalar(byte)
        }
    }

    /// Windows-1252: ISO-8859-1 with printable characters in 0x80–0x9F. The five bytes
    /// Windows leaves undefined are U+FFFD, as Python's cp1252 codec (with "replace") has it.
    static func windows1252Scalar(_ byte: UInt8) -> Unicode.Scalar {
        guard byte >= 0x80, byte < 0xA0 else { return Unicode.Scalar(byte) }
        switch byte {
        case 0x81, 0x8D, 0x8F, 0x90, 0x9D: return "\u{FFFD}"
        default: return Unicode.Scalar(TextEncoding.windows1252High[Int(byte) - 0x80]).map { $0 } ?? "\u{FFFD}"
        }
    }
}
