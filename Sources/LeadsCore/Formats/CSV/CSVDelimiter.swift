/// A cell delimiter as a user names it (`--delimiter` of import-csv and export-csv):
/// `tab` or `\t` for a tab, else one ASCII character other than a double quote, a line
/// break or NUL. nil for anything else; each command says why in its own words.
public enum CSVDelimiter {
    public static func parse(_ text: String) -> UInt8? {
        if text == "tab" || text == "\\t" { return 0x09 }
        let bytes = Array(text.utf8)
        guard bytes.count == 1, bytes[0] < 0x80, ![quoteByte, lfByte, crByte, 0].contains(bytes[0]) else { return nil }
        return bytes[0]
    }
}

/// Guesses the delimiter of a file from its first bytes.
public enum CSVDelimiterSniffer {
    public static let candidates: [UInt8] = [
        UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|"),
    ]

    /// Picks `,` `;` TAB or `|` by how often each occurs in the first record of `prefix`
    /// outside quoted cells (ties go to the earlier candidate in that order); nil if none
    /// occurs (a single column). A quote opens a quoted cell only at the start of a cell,
    /// as in the reader, so a stray `"` in a header does not hide the rest of it.
    public static func sniff(_ prefix: [UInt8]) -> UInt8? {
        var counts = [Int](repeating: 0, count: candidates.count)
        let n = prefix.count
        var i = n >= 3 && prefix[0] == 0xEF && prefix[1] == 0xBB && prefix[2] == 0xBF ? 3 : 0
        var atCellStart = true
        var inQuotes = false
        while i < n {
            let byte = prefix[i]
            i += 1
            if inQuotes {
                if byte == quoteByte {
                    if i < n && prefix[i] == quoteByte { i += 1 } else { inQuotes = false }
                }
                continue
            }
            if byte == crByte || byte == lfByte { break }
            if let index = candidates.firstIndex(of: byte) {
                counts[index] += 1
                atCellStart = true
            } else {
                inQuotes = byte == quoteByte && atCellStart
                atCellStart = false
            }
        }
        var best: Int?
        for index in counts.indices where counts[index] > 0 {
            if best == nil || counts[index] > counts[best!] { best = index }
        }
        return best.map { candidates[$0] }
    }
}
