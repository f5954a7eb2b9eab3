/// Keeps spreadsheets from executing exported text ("CSV injection"): a cell whose first
/// character is `=` `+` `-` `@` TAB or CR gets a leading `'`, which Excel and LibreOffice
/// treat as "show as text".
///
/// Exactly reversible, so import can undo what export did: a cell made of one or more `'`
/// followed by such a character gets one more `'` as well, otherwise restoring a genuine
/// `'=x` would turn it into `=x`.
public enum FormulaGuard {
    private static let apostrophe = UInt8(ascii: "'")

    private static func isTrigger(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"),
             0x09, 0x0D:
            return true
        default:
            return false
        }
    }

    /// True iff `neutralise` would change the cell.
    public static func needsGuard(_ cell: String) -> Bool {
        for byte in cell.utf8 where byte != apostrophe {
            return isTrigger(byte)
        }
        return false
    }

    public static func neutralise(_ cell: String) -> String {
        needsGuard(cell) ? "'" + cell : cell
    }

    /// Inverse of `neutralise`: removes the one `'` it added.
    public static func restore(_ cell: String) -> String {
        guard cell.utf8.first == apostrophe, needsGuard(cell) else { return cell }
        return String(decoding: cell.utf8.dropFirst(), as: UTF8.self)
    }
}
