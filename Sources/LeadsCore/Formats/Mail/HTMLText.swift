/// HTML mail reduced to the text a reader sees, for the note of an HTML-only message:
/// tags dropped, `<br>` a line break, block elements (`p div tr li h1…h6 table blockquote`)
/// paragraphs, the contents of `script`, `style`, `head` and comments dropped, character
/// references decoded (named ones a mail client writes, and every numeric one), white
/// space collapsed outside `<pre>`. One pass, no tree: a broken document still gives
/// its text, and the work is linear in its length.
public enum HTMLText {
    public static func text(_ html: String) -> String {
        let chars = Array(html.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        var pendingSpace = false
        var pendingBreaks = 0
        var preformatted = 0
        var skipUntil: String? = nil  // the closing tag of script/style/head/title

        func emit(_ scalar: Unicode.Scalar) {
            if pendingBreaks > 0 {
                if !out.isEmpty { for _ in 0..<min(pendingBreaks, 2) { out.append("\n") } }
                pendingBreaks = 0
                pendingSpace = false
            } else if pendingSpace {
                if let last = out.last, last != "\n" { out.append(" ") }
                pendingSpace = false
            }
            out.append(scalar)
        }
        func lineBreak(_ count: Int) {
            pendingBreaks = max(pendingBreaks, count)
            pendingSpace = false
        }

        while i < chars.count {
            let c = chars[i]
            if c == "<" {
                // A comment runs to -->.
                if i + 3 < chars.count, chars[i + 1] == "!", chars[i + 2] == "-", chars[i + 3] == "-" {
                    var j = i + 4
                    while j + 2 < chars.count, !(chars[j] == "-" && chars[j + 1] == "-" && chars[j + 2] == ">") { j += 1 }
                    i = min(j + 3, chars.count)
                    continue
                }
                var j = i + 1
                var quote: Unicode.Scalar? = nil
                while j < chars.count {
                    let d = chars[j]
                    if let q = quote {
                        if d == q { quote = nil }
                    } else if d == "\"" || d == "'" {
                        quote = d
                    } else if d == ">" {
                        break
                    }
                    j += 1
                }
                let inside = String(String.UnicodeScalarView(chars[(i + 1)..<min(j, chars.count)]))
                i = min(j + 1, chars.count)
                let closing = inside.hasPrefix("/")
                let name = String((closing ? inside.dropFirst() : Substring(inside)).prefix { $0.isLetter || $0.isNumber }).lowercased()
                if let wanted = skipUntil {
                    if closing && name == wanted { skipUntil = nil }
                    continue
                }
                switch name {
                case "script", "style", "head", "title":
                    if !closing && !inside.hasSuffix("/") { skipUntil = name }
                case "br":
                    if pendingBreaks == 0 { out.append("\n") } else { lineBreak(pendingBreaks) }
                    pendingSpace = false
                case "p", "div", "tr", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "hr":
                    lineBreak(2)
                case "li", "dt", "dd":
                    lineBreak(1)
                    if !closing, name == "li" { emit("-"); pendingSpace = true }
                case "td", "th":
                    if closing { pendingSpace = true }
                case "pre":
                    lineBreak(2)
                    preformatted += closing ? -1 : 1
                    preformatted = max(preformatted, 0)
                default:
                    continue
                }
                continue
            }
            if skipUntil != nil {
                i += 1
                continue
            }
            if c == "&" {
                let (scalars, length) = reference(chars, at: i)
                for scalar in scalars { emit(scalar) }
                i += length
                continue
            }
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
                if preformatted > 0 {
                    if c == "\n" { out.append("\n") } else if c != "\r" { emit(c) }
                } else {
                    pendingSpace = true
                }
                i += 1
                continue
            }
            emit(c)
            i += 1
        }
        // Trailing spaces on each line and blank lines at either end go.
        let lines = String(out).split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var l = line
            while let last = l.last, last == " " || last == "\u{00A0}" { l.removeLast() }
            return l
        }
        var text = lines.joined(separator: "\n")
        while text.hasPrefix("\n") { text.removeFirst() }
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// The character reference at `i` (`&amp;`, `&#228;`, `&#xE4;`), and how many scalars
    /// it took; a `&` that starts none is itself.
    static func reference(_ chars: [Unicode.Scalar], at i: Int) -> ([Unicode.Scalar], Int) {
        var j = i + 1
        let limit = min(chars.count, i + 34)
        if j < chars.count, chars[j] == "#" {
            j += 1
            let hex = j < chars.count && (chars[j] == "x" || chars[j] == "X")
            if hex { j += 1 }
            var value: UInt32 = 0
            var digits = 0
            while j < limit, let d = hex ? MIMEDecoding.hexValue(UInt8(truncatingIfNeeded: chars[j].value)).map(UInt32.init) : (chars[j].value >= 0x30 && chars[j].value <= 0x39 ? chars[j].value - 0x30 : nil),
                  chars[j].isASCII {
                value = min(value * (hex ? 16 : 10) + d, 0x110000)
                digits += 1
                j += 1
            }
            guard digits > 0 else { return (["&"], 1) }
            if j < chars.count, chars[j] == ";" { j += 1 }
            // Zero, surrogates and out-of-range numbers are U+FFFD (HTML's rule); 128–159
            // are Windows-1252, as HTML reads them.
            if value >= 0x80 && value < 0xA0 { return ([Charset.windows1252Scalar(UInt8(value))], j - i) }
            return ([value == 0 ? "\u{FFFD}" : Unicode.Scalar(value) ?? "\u{FFFD}"], j - i)
        }
        var name = ""
        while j < limit, chars[j].properties.isAlphabetic || (chars[j].value >= 0x30 && chars[j].value <= 0x39), chars[j].isASCII {
            name.unicodeScalars.append(chars[j])
            j += 1
        }
        guard let scalar = HTMLEntities.named[name] else { return (["&"], 1) }
        if j < chars.count, chars[j] == ";" { j += 1 }
        return ([scalar], j - i)
    }
}
