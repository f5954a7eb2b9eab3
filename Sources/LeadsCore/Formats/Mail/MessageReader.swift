/// Reads one RFC 5322 message with its MIME structure (RFC 2045–2049), for `leads mail`:
/// the header fields unfolded and decoded, the text a person would read (the text/plain
/// part of multipart/alternative, else text from HTML), and every other part as an
/// attachment with its file name.
///
/// Bounded: the message, each line, the number of parts and their nesting have limits,
/// and going over one is a `MessageReadError`, never a hang. Every step is one pass over
/// its bytes; only the nesting is scanned once per level, which the depth limit bounds.
///
/// Line ends: CRLF and LF are both read (an MTA's pipe gives LF, a saved .eml CRLF); the
/// message is turned into LF once, at the start, so every decoder sees one convention.
public struct MessageReader: Sendable {
    public struct Limits: Sendable, Equatable {
        /// The whole message, in bytes (config.json `mail.message_limit`).
        public var messageBytes: Int
        /// One line of the message, in bytes. RFC 5322 allows 998; real HTML mail goes
        /// far past that, so the limit only stops what no mail program writes.
        public var lineBytes: Int
        /// Every MIME part of the message, the message itself included.
        public var parts: Int
        /// Multiparts inside multiparts.
        public var depth: Int

        public init(messageBytes: Int = MailSettings.defaultMessageLimit, lineBytes: Int = 1 << 20, parts: Int = 1000, depth: Int = 50) {
            self.messageBytes = messageBytes
            self.lineBytes = lineBytes
            self.parts = parts
            self.depth = depth
        }
    }

    public var limits: Limits

    public init(limits: Limits = Limits()) { self.limits = limits }

    public func read(_ input: [UInt8]) throws(MessageReadError) -> MailMessage {
        guard !input.isEmpty else { throw .empty }
        guard input.count <= limits.messageBytes else { throw .tooLarge(limit: limits.messageBytes) }
        var bytes = Self.lineFeeds(input)
        // An mbox envelope line (`From sender date`), as procmail and fetchmail may deliver.
        if bytes.starts(with: Array("From ".utf8)) {
            bytes.removeSubrange(0...(bytes.firstIndex(of: 0x0A) ?? (bytes.count - 1)))
        }
        var lineNumber = 1
        var lineStart = 0
        for (i, byte) in bytes.enumerated() where byte == 0x0A {
            if i - lineStart > limits.lineBytes { throw .lineTooLong(line: lineNumber, limit: limits.lineBytes) }
            lineNumber += 1
            lineStart = i + 1
        }
        if bytes.count - lineStart > limits.lineBytes { throw .lineTooLong(line: lineNumber, limit: limits.lineBytes) }

        var context = Context(bytes: bytes, limits: limits)
        let root = try context.part(0..<bytes.count, depth: 0, path: "1", defaultType: "text/plain")
        guard !root.headers.isEmpty else { throw .notAMessage }
        var message = MailMessage(headers: root.headers)
        var attachments: [MailAttachment] = []
        message.text = context.bodyText(root, attachments: &attachments) ?? ""
        message.attachments = attachments
        message.partCount = context.partCount
        message.defects = context.defects
        return message
    }

    /// CRLF (and a lone CR) become LF.
    static func lineFeeds(_ input: [UInt8]) -> [UInt8] {
        guard input.contains(0x0D) else { return input }
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let byte = input[i]
            if byte == 0x0D {
                out.append(0x0A)
                if i + 1 < input.count, input[i + 1] == 0x0A { i += 1 }
            } else {
                out.append(byte)
            }
            i += 1
        }
        return out
    }

    /// The header section of `range`: its fields unfolded, and where the body starts.
    /// A line that is neither a field nor a continuation ends the header (and starts the
    /// body), as Python's parser has it; so does the empty line.
    static func headers(_ bytes: [UInt8], _ range: Range<Int>) -> (fields: [MailHeader], body: Int) {
        var fields: [MailHeader] = []
        var i = range.lowerBound
        while i < range.upperBound {
            var end = i
            while end < range.upperBound, bytes[end] != 0x0A { end += 1 }
            let line = bytes[i..<end]
            if line.isEmpty { return (fields, min(end + 1, range.upperBound)) }
            if line.first == 0x20 || line.first == 0x09 {
                if !fields.isEmpty {
                    fields[fields.count - 1].raw += Array(line)
                    i = end + 1
                    continue
                }
                return (fields, i)
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F || $0 == 0x20 || $0 == 0x09 }),
                  line[line.startIndex..<colon].contains(where: { $0 != 0x20 && $0 != 0x09 }) else {
                return (fields, i)
            }
            var name = Array(line[line.startIndex..<colon])
            while let last = name.last, last == 0x20 || last == 0x09 { name.removeLast() }
            guard !name.contains(0x20), !name.contains(0x09) else { return (fields, i) }
            fields.append(MailHeader(name: String(decoding: name, as: UTF8.self), raw: Array(line[(colon + 1)...])))
            i = end + 1
        }
        return (fields, range.upperBound)
    }

    /// One message's walk: counts parts and keeps the defects found on the way.
    struct Context {
        let bytes: [UInt8]
        let limits: Limits
        var partCount = 0
        var defects: [String] = []

        init(bytes: [UInt8], limits: Limits) {
            self.bytes = bytes
            self.limits = limits
        }

        mutating func part(_ range: Range<Int>, depth: Int, path: String, defaultType: String) throws(MessageReadError) -> MIMEPart {
            partCount += 1
            guard partCount <= limits.parts else { throw .tooManyParts(limit: limits.parts) }
            let (fields, bodyStart) = MessageReader.headers(bytes, range)
            var part = MIMEPart(headers: fields, body: bodyStart..<range.upperBound, path: path)
            let (type, parameters) = HeaderValues.parameters(part.header("content-type") ?? "")
            part.contentType = type.contains("/") ? type : defaultType
            part.parameters = parameters
            part.transferEncoding = (part.header("content-transfer-encoding") ?? "").trimmingSpaces.lowercased()
            if let disposition = part.header("content-disposition") {
                let (kind, dispositionParameters) = HeaderValues.parameters(disposition)
                part.disposition = kind
                part.filename = dispositionParameters["filename"]
            }
            if part.filename == nil || part.filename!.isEmpty { part.filename = parameters["name"] }
            if let name = part.filename { part.filename = MIMEDecoding.headerText(Array(name.utf8)) }
            guard part.contentType.hasPrefix("multipart/") else { return part }
            guard depth < limits.depth else { throw .tooDeep(limit: limits.depth) }
            guard let boundary = parameters["boundary"], !boundary.isEmpty else { throw .missingBoundary(part: path) }
            let childDefault = part.contentType == "multipart/digest" ? "message/rfc822" : "text/plain"
            guard let ranges = splitParts(part.body, boundary: Array(boundary.utf8), path: path) else {
                throw .missingBoundary(part: path)
            }
            for (n, childRange) in ranges.enumerated() {
                part.children.append(try self.part(childRange, depth: depth + 1, path: path + "." + String(n + 1), defaultType: childDefault))
            }
            return part
        }

        /// The body parts between `--boundary` lines (RFC 2046 §5.1.1): a delimiter is a
        /// line that starts with `--` and the boundary, followed by nothing but white
        /// space (a longer line is text), or by `--` for the close delimiter. The line break
        /// before a delimiter belongs to it. The preamble and epilogue are dropped; a
        /// missing close delimiter ends the last part at the end of the body (a defect,
        /// noted). nil when no delimiter is found at all.
        mutating func splitParts(_ body: Range<Int>, boundary: [UInt8], path: String) -> [Range<Int>]? {
            var ranges: [Range<Int>] = []
            var partStart: Int? = nil
            var closed = false
            var i = body.lowerBound
            while i < body.upperBound {
                var end = i
                while end < body.upperBound, bytes[end] != 0x0A { end += 1 }
                if end - i >= boundary.count + 2, bytes[i] == UInt8(ascii: "-"), bytes[i + 1] == UInt8(ascii: "-"),
                   bytes[(i + 2)..<(i + 2 + boundary.count)].elementsEqual(boundary) {
                    var rest = bytes[(i + 2 + boundary.count)..<end]
                    let isClose = rest.starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")])
                    if isClose { rest = rest.dropFirst(2) }
                    if rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                        if let start = partStart {
                            // The LF before the delimiter is the delimiter's.
                            ranges.append(start..<max(start, i - 1))
                        }
                        if isClose {
                            closed = true
                            partStart = nil
                            break
                        }
                        partStart = min(end + 1, body.upperBound)
                    }
                }
                i = end + 1
            }
            if let start = partStart, !closed {
                ranges.append(start..<body.upperBound)
                defects.append("part \(path): no closing boundary")
            }
            if ranges.isEmpty && !closed { return nil }
            return ranges
        }

        /// The bytes of a leaf part's body, its transfer encoding undone.
        func decodedBody(_ part: MIMEPart) -> [UInt8] {
            let raw = bytes[part.body]
            switch part.transferEncoding {
            case "base64": return MIMEDecoding.base64(raw)
            case "quoted-printable": return MIMEDecoding.quotedPrintable(raw)
            default: return Array(raw)
            }
        }

        /// The text of a text part in its charset; an unknown charset is read as UTF-8
        /// and noted.
        mutating func text(of part: MIMEPart) -> String {
            let name = part.parameters["charset"] ?? "us-ascii"
            let charset: Charset
            if let known = Charset(name: name) {
                charset = known
            } else {
                defects.append("part \(part.path): unknown charset \(name), read as UTF-8")
                charset = .utf8
            }
            // US-ASCII is what a part without a charset is; mail programs that forget the
            // parameter mostly send UTF-8 or Latin-1, so 8-bit bytes there are read as
            // UTF-8 when they are that, else as Windows-1252.
            let body = decodedBody(part)
            if charset == .usASCII, body.contains(where: { $0 >= 0x80 }) {
                return MIMEDecoding.validUTF8(body) ? Charset.utf8.decode(body) : Charset.windows1252.decode(body)
            }
            let text = charset.decode(body)
            return part.contentType == "text/html" ? HTMLText.text(text) : text
        }

        /// What a person reads of `part`, or nil when it has no text; every part not read
        /// goes to `attachments`.
        mutating func bodyText(_ part: MIMEPart, attachments: inout [MailAttachment]) -> String? {
            if part.isAttachment {
                attach(part, to: &attachments)
                return nil
            }
            switch part.contentType {
            case "text/plain", "text/html":
                return text(of: part)
            case "multipart/alternative":
                // The plain text if there is one (the contract prefers it to HTML), else the
                // richest the reader can turn into text; the others are the same content.
                let order = part.children.indices.sorted { rank(part.children[$0]) < rank(part.children[$1]) }
                var chosen: String? = nil
                for index in order where chosen == nil {
                    var discarded: [MailAttachment] = []
                    if let text = bodyText(part.children[index], attachments: &discarded) {
                        chosen = text
                        attachments += discarded
                    }
                }
                return chosen
            case let type where type.hasPrefix("multipart/"):
                var texts: [String] = []
                for child in part.children {
                    if let text = bodyText(child, attachments: &attachments), !text.isEmpty { texts.append(text) }
                }
                return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
            default:
                attach(part, to: &attachments)
                return nil
            }
        }

        /// text/plain first, then other multiparts (which may hold it), then HTML.
        private func rank(_ part: MIMEPart) -> Int {
            switch part.contentType {
            case "text/plain": return 0
            case let type where type.hasPrefix("multipart/"): return 1
            case "text/html": return 2
            default: return 3
            }
        }

        mutating func attach(_ part: MIMEPart, to attachments: inout [MailAttachment]) {
            guard !part.contentType.hasPrefix("multipart/") else {
                for child in part.children { attach(child, to: &attachments) }
                return
            }
            let body = decodedBody(part)
            let name = part.filename.flatMap { $0.isEmpty ? nil : $0 }
            attachments.append(MailAttachment(filename: name, contentType: part.contentType, bytes: body, part: part.path))
        }
    }
}

/// A header field as read: its name as written and its value unfolded (line breaks
/// removed, the white space after them kept), still encoded.
public struct MailHeader: Sendable, Equatable {
    public var name: String
    public var raw: [UInt8]

    /// The value with encoded-words decoded and surrounding white space trimmed.
    public var text: String { MIMEDecoding.headerText(raw).trimmingSpaces }
}

/// One MIME part: its header, where its body lies in the message, and its children.
struct MIMEPart {
    var headers: [MailHeader]
    var body: Range<Int>
    var path: String
    var contentType = "text/plain"
    var parameters: [String: String] = [:]
    var transferEncoding = ""
    var disposition: String? = nil
    var filename: String? = nil
    var children: [MIMEPart] = []

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name }.map { String(decoding: $0.raw, as: UTF8.self).trimmingSpaces }
    }

    /// Sent as a file (`Content-Disposition: attachment`). Other parts that are not text
    /// (images, PDFs, forwarded messages) become attachments where the text is chosen.
    var isAttachment: Bool { disposition == "attachment" && !contentType.hasPrefix("multipart/") }
}

/// A part that is not the message's text: a file sent with it, an inline image, a
/// forwarded message. `filename` is as the sender named it (nil when unnamed).
public struct MailAttachment: Sendable, Equatable {
    public var filename: String?
    public var contentType: String
    public var bytes: [UInt8]
    /// Where it sits in the message: `1.2.1`, as IMAP numbers parts.
    public var part: String
}

/// A message as `leads mail` files it.
public struct MailMessage: Sendable, Equatable {
    public var headers: [MailHeader]
    public var text = ""
    public var attachments: [MailAttachment] = []
    public var partCount = 0
    /// What was wrong but could be read past (a missing close delimiter, an unknown charset).
    public var defects: [String] = []

    public init(headers: [MailHeader]) { self.headers = headers }

    /// The first field called `name` (case-insensitively), decoded.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.text
    }

    /// Every field called `name`, raw and unfolded.
    func rawValues(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map { String(decoding: $0.raw, as: UTF8.self) }
    }

    public var subject: String? { header("subject") }
    public var from: [MailAddress] { addresses("from") }
    public var to: [MailAddress] { addresses("to") }
    public var cc: [MailAddress] { addresses("cc") }
    public var date: Timestamp? { rawValues("date").first.flatMap(HeaderValues.date) }
    public var messageID: String? { rawValues("message-id").first.flatMap(HeaderValues.messageID) }

    /// Every mailbox of every field called `name` (a message may repeat To or Cc).
    public func addresses(_ name: String) -> [MailAddress] {
        rawValues(name).flatMap { HeaderValues.addresses($0) }
    }
}

public enum MessageReadError: Error, Sendable, Equatable {
    /// Nothing on standard input.
    case empty
    case tooLarge(limit: Int)
    /// No header field at all: not a message.
    case notAMessage
    case lineTooLong(line: Int, limit: Int)
    case tooManyParts(limit: Int)
    case tooDeep(limit: Int)
    /// A multipart without a boundary parameter, or whose boundary never occurs.
    case missingBoundary(part: String)

    public static func describe(_ error: MessageReadError) -> String {
        switch error {
        case .empty: return "the message is empty"
        case .tooLarge(let limit): return "the message is larger than \(limit) bytes (config.json mail.message_limit)"
        case .notAMessage: return "not a mail message: it has no header fields"
        case let .lineTooLong(line, limit): return "line \(line) is longer than \(limit) bytes"
        case .tooManyParts(let limit): return "the message has more than \(limit) MIME parts"
        case .tooDeep(let limit): return "the message nests multiparts more than \(limit) deep"
        case .missingBoundary(let part): return "MIME part \(part) is a multipart without its boundary"
        }
    }
}
