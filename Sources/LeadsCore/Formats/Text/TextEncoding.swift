/// Byte-level text helpers for CSV input: Windows-1252 decoding (what German Excel writes
/// when saving "CSV (Trennzeichen-getrennt)") and locating the first invalid UTF-8 byte so
/// an error can name its line.
enum TextEncoding {
    /// Windows-1252 code points for 0x80...0x9F. The five bytes Windows leaves undefined
    /// (0x81 0x8D 0x8F 0x90 0x9D) map to the C1 control of the same value, as the WHATWG
    /// encoding standard does; the CSV reader refuses them first (`firstUndefinedWindows1252`),
    /// as Python's strict cp1252 codec does: a file holding them is not cp1252.
    static let windows1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// The offset of the first byte cp1252 leaves undefined, or nil.
    static func firstUndefinedWindows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.firstIndex { $0 == 0x81 || $0 == 0x8D || $0 == 0x8F || $0 == 0x90 || $0 == 0x9D }
    }

    static func decodeWindows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var isASCII = true
        for byte in bytes where byte >= 0x80 {
            isASCII = false
            break
        }
        if isASCII { return String(decoding: bytes, as: UTF8.self) }
        let table = windows1252High
        // Each input byte becomes at most three UTF-8 bytes (U+20AC and friends).
        return String(unsafeUninitializedCapacity: bytes.count * 3) { out in
            var o = 0
            for byte in bytes {
                let scalar: UInt32 = byte >= 0x80 && byte < 0xA0
                    ? UInt32(table[Int(byte) - 0x80]) : UInt32(byte)
                if scalar < 0x80 {
                    out[o] = UInt8(scalar)
                    o += 1
                } else if scalar < 0x800 {
                    out[o] = UInt8(0xC0 | (scalar >> 6))
                    out[o + 1] = UInt8(0x80 | (scalar & 0x3F))
                    o += 2
                } else {
                    out[o] = UInt8(0xE0 | (scalar >> 12))
                    out[o + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
                    out[o + 2] = UInt8(0x80 | (scalar & 0x3F))
                    o += 3
                }
            }
            return o
        }
    }

    /// The one UTF-8 check of the JSON reader and the CSV reader. The offset of the
    /// first byte in `start..<stop` that breaks UTF-8 (RFC 3629:
    /// no overlongs, no encoded surrogates, nothing above U+10FFFF), or nil.
    /// A sequence cut off by `stop` is reported at `stop`.
    static func firstInvalidUTF8(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, to stop: Int) -> Int? {
        var index = start
        while index < stop {
            if let base = buf.baseAddress {
                let raw = UnsafeRawPointer(base)
                while index + 8 <= stop,
                      raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                    index += 8
                }
                if index >= stop { break }
            }
            let lead = buf[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            var continuationCount: Int
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: continuationCount = 1
            case 0xE0: continuationCount = 2; secondLow = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: continuationCount = 2
            case 0xED: continuationCount = 2; secondHigh = 0x9F
            case 0xF0: continuationCount = 3; secondLow = 0x90
            case 0xF1...0xF3: continuationCount = 3
            case 0xF4: continuationCount = 3; secondHigh = 0x8F
            default: return index
            }
            index += 1
            if index >= stop { return stop }
            let second = buf[index]
            if second < secondLow || second > secondHigh { return index }
            continuationCount -= 1
            while continuationCount > 0 {
                index += 1
                if index >= stop { return stop }
                if buf[index] & 0xC0 != 0x80 { return index }
                continuationCount -= 1
            }
            index += 1
        }
        return nil
    }

    /// The same check over a whole buffer.
    static func firstInvalidUTF8Offset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        firstInvalidUTF8(bytes, from: 0, to: bytes.count)
    }

    /// Physical line breaks in `bytes`, counting CRLF once and lone CR or LF once each.
    static func lineBreakCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0D || (byte == 0x0A && previous != 0x0D) { count += 1 }
            previous = byte
        }
        return count
    }
}
