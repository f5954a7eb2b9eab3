/// Columns of text for humans. On a terminal the table is fitted to its width by
/// truncating the widest flexible columns with "…" (a row is never wrapped); into a
/// pipe nothing is truncated, so scripts get every character.
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        var title: String
        var alignment: Alignment = .left
        /// May be shortened to fit the terminal.
        var flexible = false
    }

    var columns: [Column]
    /// Every cell's text, row after row, in one buffer, with its end and its width: a
    /// `String` and an array a cell held `list`'s 100,000 rows in 37 MB, this in 10.
    private var text: [UInt8] = []
    private var ends: [UInt32] = []
    private var widths: [UInt32] = []
    private(set) var rowCount = 0
    /// Rows drawn in bold/dim etc.: an escape sequence wrapped around the whole row.
    var rowStyles: [Int: String] = [:]

    init(_ columns: [Column]) { self.columns = columns }

    mutating func add(_ row: [String], style: String? = nil) {
        precondition(row.count == columns.count, "a row has a cell for each column")
        if let style { rowStyles[rowCount] = style }
        for text in row {
            let cell = TableCell(text)
            append(cell.text.utf8, width: cell.width)
        }
        rowCount += 1
    }

    /// A row packed where it was made (`PackedRow`).
    mutating func add(_ row: PackedRow, style: String? = nil) {
        if let style { rowStyles[rowCount] = style }
        row.forEachCell { bytes, width in append(bytes, width: width) }
        precondition(ends.count == (rowCount + 1) * columns.count, "a row has a cell for each column")
        rowCount += 1
    }

    private mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes, width: Int) {
        text.append(contentsOf: bytes)
        ends.append(UInt32(text.count))
        widths.append(UInt32(width))
    }

    private func cell(row: Int, column: Int) -> (bytes: ArraySlice<UInt8>, width: Int) {
        let k = row * columns.count + column
        let start = k == 0 ? 0 : Int(ends[k - 1])
        return (text[start..<Int(ends[k])], Int(widths[k]))
    }

    func render(width: Int?, color: Bool, header: Bool = true) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(rowCount + 1)
        layOut(width: width, color: color, header: header) { line in lines.append(String(decoding: line, as: UTF8.self)) }
        return lines
    }

    /// As `render`, each line written to `out` as it is laid out: `list` on 100,000 leads
    /// prints 20 MB, which as one `String` a line cost more than reading the leads.
    func write(to out: Output, width: Int?, color: Bool, header: Bool = true) throws(OutputError) {
        try layOut(width: width, color: color, header: header) { (line) throws(OutputError) in try out.line(bytes: line) }
    }

    private func layOut<Failure: Error>(width: Int?, color: Bool, header: Bool,
                                        _ emit: ([UInt8]) throws(Failure) -> Void) throws(Failure) {
        let titles = header ? columns.map { TableCell($0.title) } : []
        var widths = columns.indices.map { i in titles.isEmpty ? 0 : titles[i].width }
        for (k, width) in self.widths.enumerated() where Int(width) > widths[k % columns.count] { widths[k % columns.count] = Int(width) }
        let gap = 2
        if let width {
            var total = widths.reduce(0, +) + gap * (widths.count - 1)
            while total > width {
                // Shrink the widest flexible column by one, down to a floor of 6.
                guard let i = columns.indices.filter({ columns[$0].flexible && widths[$0] > 6 })
                    .max(by: { widths[$0] < widths[$1] }) else { break }
                widths[i] -= 1
                total -= 1
            }
        }
        let spaces = [UInt8](repeating: 0x20, count: 256)
        func pad(_ n: Int, _ line: inout [UInt8]) {
            var n = n
            while n > 0 {
                let run = min(n, spaces.count)
                line.append(contentsOf: spaces[..<run])
                n -= run
            }
        }
        var line: [UInt8] = []
        func layOutRow(_ cell: (Int) -> (bytes: ArraySlice<UInt8>, width: Int), style: String?) throws(Failure) {
            line.removeAll(keepingCapacity: true)
            var lineWidth = 0
            for i in columns.indices {
                var (bytes, cellWidth) = cell(i)
                if cellWidth > widths[i] {
                    let cut = TableCell(neutralised: truncate(String(decoding: bytes, as: UTF8.self), to: widths[i]))
                    (bytes, cellWidth) = (ArraySlice(cut.text.utf8), cut.width)
                }
                let padding = widths[i] - cellWidth
                if i > 0 { line.append(0x20); line.append(0x20) }
                switch columns[i].alignment {
                case .left:
                    line.append(contentsOf: bytes)
                    // No padding after the last column.
                    if i < columns.count - 1 { pad(padding, &line) }
                case .right:
                    pad(padding, &line)
                    line.append(contentsOf: bytes)
                }
                lineWidth += (i > 0 ? gap : 0) + padding + cellWidth
            }
            while line.last == 0x20 {
                line.removeLast()
                lineWidth -= 1
            }
            // Cut before styling: a cut through the style would lose its reset, and the
            // colour would run on into whatever the terminal prints next.
            if let width, lineWidth > width { line = Array(truncate(String(decoding: line, as: UTF8.self), to: width).utf8) }
            if color, let style {
                line.insert(contentsOf: style.utf8, at: 0)
                line.append(contentsOf: Style.reset.utf8)
            }
            try emit(line)
        }
        if header { try layOutRow({ (ArraySlice(titles[$0].text.utf8), titles[$0].width) }, style: Style.bold) }
        for r in 0..<rowCount { try layOutRow({ cell(row: r, column: $0) }, style: rowStyles[r]) }
    }
}

/// A table row in one buffer, made where its lead was decoded and kept until the rows are
/// sorted: each cell as its width and byte count (four bytes each) and its text.
struct PackedRow: Sendable {
    private var bytes: [UInt8] = []

    init(_ cells: [TableCell]) {
        bytes.reserveCapacity(cells.reduce(0) { $0 + 8 + $1.text.utf8.count })
        for cell in cells {
            Self.put(UInt32(cell.width), &bytes)
            Self.put(UInt32(cell.text.utf8.count), &bytes)
            bytes.append(contentsOf: cell.text.utf8)
        }
    }

    private static func put(_ n: UInt32, _ out: inout [UInt8]) {
        withUnsafeBytes(of: n.littleEndian) { out.append(contentsOf: $0) }
    }

    private func get(_ at: Int) -> Int {
        Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }

    func forEachCell(_ body: (ArraySlice<UInt8>, Int) -> Void) {
        var at = 0
        while at < bytes.count {
            let width = get(at), count = get(at + 4)
            body(bytes[(at + 8)..<(at + 8 + count)], width)
            at += 8 + count
        }
    }
}

/// A cell as a table shows it: the text made `printable`, and the columns it takes,
/// measured once (`list` on 10,000 leads has 80,000 cells).
struct TableCell: Sendable {
    let text: String
    let width: Int

    init(_ raw: String) {
        // Most cells are printable ASCII: one column a byte, nothing to neutralise, known
        // in one pass over the bytes.
        var raw = raw
        if raw.withUTF8({ $0.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }) {
            self.init(text: raw, width: raw.utf8.count)
        } else {
            self.init(neutralised: printable(raw))
        }
    }

    /// Text that is printable already.
    init(neutralised text: String) { self.init(text: text, width: displayWidth(text)) }

    private init(text: String, width: Int) {
        self.text = text
        self.width = width
    }
}

/// ANSI styles, used only when colour is allowed (a terminal, no NO_COLOR).
enum Style {
    static let reset = "\u{1B}[0m"
    static let bold = "\u{1B}[1m"
    static let dim = "\u{1B}[2m"
    static let red = "\u{1B}[31m"
    static let green = "\u{1B}[32m"
    static let yellow = "\u{1B}[33m"
    static let cyan = "\u{1B}[36m"

    static func apply(_ style: String, _ text: String, if enabled: Bool) -> String {
        enabled ? style + text + reset : text
    }
}

/// Columns a string takes on a terminal: wide East Asian characters and emoji take
/// two, combining marks and zero-width characters none.
func displayWidth(_ text: String) -> Int {
    // Most cells are printable ASCII: one column per byte.
    var ascii = true
    for byte in text.utf8 where byte < 0x20 || byte >= 0x7F {
        ascii = false
        break
    }
    if ascii { return text.utf8.count }
    var width = 0
    var inEscape = false
    for scalar in text.unicodeScalars {
        if inEscape {
            if scalar == "m" { inEscape = false }
            continue
        }
        if scalar == "\u{1B}" {
            inEscape = true
            continue
        }
        width += scalarWidth(scalar)
    }
    return width
}

func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
    if v < 0x300 { return 1 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    if v == 0x200B || (v >= 0xFE00 && v <= 0xFE0F) { return 0 }
    if (v >= 0x1100 && v <= 0x115F) || (v >= 0x2E80 && v <= 0xA4CF) || (v >= 0xAC00 && v <= 0xD7A3)
        || (v >= 0xF900 && v <= 0xFAFF) || (v >= 0xFE30 && v <= 0xFE4F) || (v >= 0xFF00 && v <= 0xFF60)
        || (v >= 0xFFE0 && v <= 0xFFE6) || (v >= 0x1F300 && v <= 0x1F64F) || (v >= 0x1F900 && v <= 0x1F9FF)
        || (v >= 0x20000 && v <= 0x3FFFD) {
        return 2
    }
    return 1
}

/// `text` safe to show on a terminal: line breaks and tabs become spaces (a cell never
/// breaks a row), and every other control character, ESC above all, becomes U+FFFD, so
/// that data (an imported name, a note) can never move the cursor, recolour, retitle or
/// clear the user's terminal. `--json`, `--ids` and export-csv give the exact text.
func printable(_ text: String) -> String {
    // Every scalar these checks catch is a byte below 0x20, 0x7F, or starts with one of
    // these lead bytes (C1 controls: C2; U+061C: D8; U+180E: E1; U+2000-U+2FFF: E2;
    // U+F000-U+FFFF: EF): names with only umlauts or accents need no scalar walk.
    guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xD8 || $0 == 0xE1 || $0 == 0xE2 || $0 == 0xEF })
    else { return text }
    guard text.unicodeScalars.contains(where: { isControl($0.value) || isFormatControl($0.value) }) else { return text }
    var out = String.UnicodeScalarView()
    var previous: Unicode.Scalar?
    for scalar in text.unicodeScalars {
        defer { previous = scalar }
        switch scalar {
        case "\n" where previous == "\r": continue  // CRLF is one break
        case "\n", "\r", "\t": out.append(" ")
        default: appendNeutralised(scalar, to: &out)
        }
    }
    return String(out)
}

/// C0 and C1 controls (ESC, BEL, CSI…): they drive a terminal.
func isControl(_ v: UInt32) -> Bool { v < 0x20 || (v >= 0x7F && v < 0xA0) }

/// Invisible format controls that reorder or hide text: the bidi embeddings, overrides
/// and isolates (U+202A–U+202E, U+2066–U+2069), the directional marks (U+200E, U+200F,
/// U+061C), zero-width space and word joiners, deprecated format characters, the BOM
/// and interlinear annotation marks. A name with U+202E can make `list` show a
/// different text than is stored, so they are shown as `<U+202E>`. ZWJ and ZWNJ
/// (U+200C, U+200D) stay: emoji sequences and several scripts need them.
func isFormatControl(_ v: UInt32) -> Bool {
    switch v {
    case 0x061C, 0x180E, 0x200B, 0x200E, 0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069,
         0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFB:
        return true
    default:
        return false
    }
}

private func appendNeutralised(_ scalar: Unicode.Scalar, to out: inout String.UnicodeScalarView) {
    if isControl(scalar.value) {
        out.append("\u{FFFD}")
    } else if isFormatControl(scalar.value) {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        out.append(contentsOf: "<U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex)>".unicodeScalars)
    } else {
        out.append(scalar)
    }
}

/// A message for stderr with its line breaks and tabs kept but nothing else that could
/// drive the terminal or hide text: what every `leads: …` line goes through.
func neutralised(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { ($0.value != 10 && $0.value != 9 && isControl($0.value)) || isFormatControl($0.value) }) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if scalar == "\n" || scalar == "\t" { out.append(scalar) } else { appendNeutralised(scalar, to: &out) }
    }
    return String(out)
}

/// Cuts `text` to at most `width` columns, ending in "…" when cut. Newlines and tabs
/// are shown as spaces so a cell never breaks a row.
func truncate(_ text: String, to width: Int) -> String {
    let flat = text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        ? String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\r\n" ? " " : $0 }) : text
    guard displayWidth(flat) > width else { return flat }
    guard width > 0 else { return "" }
    var out = ""
    var used = 0
    var inEscape = false
    for scalar in flat.unicodeScalars {
        if inEscape || scalar == "\u{1B}" {
            inEscape = scalar != "m"
            out.unicodeScalars.append(scalar)
            continue
        }
        let w = scalarWidth(scalar)
        if used + w > width - 1 { break }
        out.unicodeScalars.append(scalar)
        used += w
    }
    return out + "…"
}
