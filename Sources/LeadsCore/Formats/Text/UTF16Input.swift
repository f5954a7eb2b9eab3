/// Excel's "Unicode Text" and some exports are UTF-16 with a byte order mark. The
/// importer turns such input into UTF-8 as it copies it (a file is read twice), chunk by
/// chunk: a code unit or a surrogate pair split between two chunks is carried over.
public struct UTF16Input: Sendable {
    public enum ByteOrder: Sendable { case littleEndian, bigEndian }

    public let order: ByteOrder
    private var carry: [UInt8] = []
    private var highSurrogate: UInt16?
    /// The line being read, for the error.
    public private(set) var line = 1

    /// The byte order a UTF-16 BOM at the start of `prefix` names, if any.
    public static func byteOrder(of prefix: UnsafeRawBufferPointer) -> ByteOrder? {
        guard prefix.count >= 2 else { return nil }
        if prefix[0] == 0xFF && prefix[1] == 0xFE { return .littleEndian }
        if prefix[0] == 0xFE && prefix[1] == 0xFF { return .bigEndian }
        return nil
    }

    public init(order: ByteOrder) { self.order = order }

    /// A lone surrogate: the line it is on.
    public struct Invalid: Error, Sendable, Equatable { public var line: Int }

    /// The UTF-8 bytes of the next chunk (the BOM of the first one left out).
    public mutating func decode(_ chunk: ArraySlice<UInt8>, first: Bool) throws(Invalid) -> [UInt8] {
        var bytes = carry + Array(chunk)
        carry = []
        var start = 0
        if first && bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) {
            start = 2
        }
        if (bytes.count - start) % 2 == 1 { carry = [bytes.removeLast()] }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = start
        while i + 1 < bytes.count {
            let unit = order == .littleEndian ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
            i += 2
            if let high = highSurrogate {
                guard (0xDC00...0xDFFF).contains(unit) else { throw Invalid(line: line) }
                highSurrogate = nil
                append(0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00), to: &out)
            } else if (0xD800...0xDBFF).contains(unit) {
                highSurrogate = unit
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw Invalid(line: line)
            } else {
                if unit == 0x0A { line += 1 }
                append(UInt32(unit), to: &out)
            }
        }
        return out
    }

    /// After the last chunk: a half code unit or a lone high surrogate is an error.
    public func finish() throws(Invalid) {
        if !carry.isEmpty || highSurrogate != nil { throw Invalid(line: line) }
    }

    private func append(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case ..<0x80: out.append(UInt8(scalar))
        case ..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case ..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}
