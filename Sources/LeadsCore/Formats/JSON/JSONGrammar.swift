/// Byte-level scanning shared by the reader and `JSONValue.isValidNumber`.
/// Everything here works on raw buffers and reports positions, never errors, so the
/// callers decide which error a stop means.
enum JSONGrammar {
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10
    }

    @inline(__always)
    static func skipWhitespace(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> Int {
        var index = start
        while index < end && isWhitespace(buf[index]) { index += 1 }
        return index
    }

    /// Marks (high bit per byte) the bytes of `word` that end a plain string run:
    /// `"`, `\` and controls below 0x20. Borrows can mark bytes above a real hit
    /// but never below it, so the lowest mark is always exact.
    @inline(__always)
    private static func stringStopMarks(_ word: UInt64) -> UInt64 {
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let quoteHits = (quotes &- ones) & ~quotes
        let backslashHits = (backslashes &- ones) & ~backslashes
        let controlHits = (word &- ones &* 0x20) & ~word
        return (quoteHits | backslashHits | controlHits) & highBits
    }

    /// The first index at or after `start` holding `"`, `\` or a control byte (or
    /// `end`), and whether any byte before it is non-ASCII and so needs UTF-8
    /// validation. Eight bytes at a time because string bodies dominate lead files.
    @inline(__always)
    static func stringStop(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> (stop: Int, nonASCII: Bool) {
        var index = start
        var seen: UInt64 = 0
        if let base = buf.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= end {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                let marks = stringStopMarks(word)
                if marks != 0 {
                    let keptBits = (marks.trailingZeroBitCount >> 3) << 3
                    if keptBits > 0 { seen |= word & (~0 >> (64 - UInt64(keptBits))) }
                    return (index + keptBits >> 3, seen & highBits != 0)
                }
                seen |= word
                index += 8
            }
        }
        while index < end {
            let byte = buf[index]
            if byte == quote || byte == backslash || byte < 0x20 { break }
            seen |= UInt64(byte)
            index += 1
        }
        return (index, seen & highBits != 0)
    }

    /// The index just after a number starting at `start`, or nil if the bytes there
    /// break the RFC 8259 number grammar (`-` without digit, leading zero, `1.`,
    /// `1e`). The number ends at the first byte that cannot continue it; what follows
    /// is the caller's business.
    static func numberEnd(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> Int? {
        var index = start
        if index < end && buf[index] == 0x2D { index += 1 }
        guard index < end else { return nil }
        if buf[index] == 0x30 {
            index += 1
            if index < end && isDigit(buf[index]) { return nil }
        } else if isDigit(buf[index]) {
            index += 1
            while index < end && isDigit(buf[index]) { index += 1 }
        } else {
            return nil
        }
        if index < end && buf[index] == 0x2E {
            index += 1
            guard index < end && isDigit(buf[index]) else { return nil }
            while index < end && isDigit(buf[index]) { index += 1 }
        }
        if index < end && (buf[index] == 0x65 || buf[index] == 0x45) {
            index += 1
            if index < end && (buf[index] == 0x2B || buf[index] == 0x2D) { index += 1 }
            guard index < end && isDigit(buf[index]) else { return nil }
            while index < end && isDigit(buf[index]) { index += 1 }
        }
        return index
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
