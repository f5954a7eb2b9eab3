/// A file kept on a lead (`leads attach`, or an e-mail's attachment): the lead file records
/// it, DIR/files/<id>/<name> holds its bytes (Store/LeadFiles.swift). The record is the one
/// source of truth for what the lead has; the size and SHA-256 let `fsck` tell a missing,
/// changed or extra file from the bytes alone.
public struct LeadFile: Sendable, Equatable {
    /// The file's name in DIR/files/<id>/, checked by `LeadFileName.problem`.
    public var name: String
    public var size: Int
    /// Lower-case hex SHA-256 of the bytes.
    public var sha256: String
    public var addedAt: Timestamp
    public var addedBy: String
    public var extra: [String: JSONValue] = [:]

    public init(name: String, size: Int, sha256: String, addedAt: Timestamp, addedBy: String) {
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.addedAt = addedAt
        self.addedBy = addedBy
    }

    /// The record of `bytes` kept under `name`.
    public init(name: String, bytes: [UInt8], at time: Timestamp, by user: String) {
        self.init(name: name, size: bytes.count, sha256: hexString(SHA256.hash(bytes)), addedAt: time, addedBy: user)
    }

    public var json: JSONValue {
        var o = extra
        o["name"] = .string(name)
        o["size"] = .integer(size)
        o["sha256"] = .string(sha256)
        o["added_at"] = .string(addedAt.iso8601)
        o["added_by"] = .string(addedBy)
        return .object(o)
    }

    init(reader r: inout JSONReader) throws(JSONError) {
        let start = r.offset
        var name: String?, size: Int?, sha: String?, added: Timestamp?, by = ""
        var extra: [String: JSONValue] = [:]
        try r.beginObject()
        while let key = try r.nextKey() {
            let at = r.offset
            switch key {
            case "name":
                let text = try r.readString()
                if let problem = LeadFileName.problem(text) { throw r.fail(.invalidValue("file name \"\(text)\" \(problem)"), at: at) }
                name = text
            case "size":
                let value = try r.readInt()
                guard value >= 0 else { throw r.fail(.invalidValue("a file's size must not be negative"), at: at) }
                size = value
            case "sha256":
                let text = try r.readString()
                guard text.utf8.count == 64, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                    throw r.fail(.invalidValue("\"sha256\" must be 64 lower-case hex digits"), at: at)
                }
                sha = text
            case "added_at": added = try Lead.readTimestamp(&r)
            case "added_by": by = try r.readString()
            default: extra[key] = try r.readValue()
            }
        }
        guard let name, let size, let sha, let added else {
            throw r.fail(.invalidValue("a file needs \"name\", \"size\", \"sha256\" and \"added_at\""), at: start)
        }
        self.init(name: name, size: size, sha256: sha, addedAt: added, addedBy: by)
        self.extra = extra
    }
}

/// What may name a lead's file. The name becomes a directory entry in DIR/files/<id>/,
/// so it must be one harmless path component: never a way out of the directory, never a
/// hidden name (the store's temporary and backup files start with a dot), nothing a
/// terminal would act on, and short enough that its temporary name still fits NAME_MAX.
public enum LeadFileName {
    /// Bytes of UTF-8; the temporary name adds a dot and ".tmp-<pid>-<random>" (255 in all).
    public static let maxBytes = 200

    /// Why `name` cannot name a lead's file (a phrase after the name), or nil when it can.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." { return "is not a file name" }
        if name.utf8.contains(UInt8(ascii: "/")) { return "contains '/'" }
        if name.hasPrefix(".") { return "starts with '.', which the store keeps for its own hidden files" }
        if name.unicodeScalars.contains(where: isControl) { return "contains a control character" }
        if name.unicodeScalars.contains(where: isBidiControl) { return "contains a bidirectional control character, which makes a name read differently than it is" }
        if name.utf8.count > maxBytes { return "is longer than \(maxBytes) bytes" }
        return nil
    }

    /// A name that `problem` accepts, made from what a sender wrote (an e-mail attachment's
    /// filename): '/', '\', controls and bidirectional controls become '_', leading dots
    /// go, an empty result is "attachment", and a long name is cut keeping its extension.
    /// The caller says which name it kept, so nothing changes silently.
    public static func sanitised(_ raw: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in raw.unicodeScalars {
            if scalar == "/" || scalar == "\\" || isControl(scalar) || isBidiControl(scalar) {
                scalars.append("_")
            } else {
                scalars.append(scalar)
            }
        }
        var name = String(scalars)
        while name.hasPrefix(".") { name.removeFirst() }
        if name.isEmpty { name = "attachment" }
        if name.utf8.count > maxBytes {
            let (stem, ext) = split(name)
            var cut = stem
            while cut.utf8.count + ext.utf8.count > maxBytes, !cut.isEmpty { cut.removeLast() }
            name = cut.isEmpty ? String(name.prefix(maxBytes / 4)) : cut + ext
            while name.utf8.count > maxBytes { name.removeLast() }
        }
        return name
    }

    /// "offer.pdf" → "offer (2).pdf": the next free name, as a browser saves a second download.
    public static func numbered(_ name: String, avoiding taken: (String) -> Bool) -> String {
        guard taken(name) else { return name }
        let (stem, ext) = split(name)
        var n = 2
        while true {
            var stemPart = stem
            var candidate = "\(stemPart) (\(n))\(ext)"
            while candidate.utf8.count > maxBytes, !stemPart.isEmpty {
                stemPart.removeLast()
                candidate = "\(stemPart) (\(n))\(ext)"
            }
            if !taken(candidate) { return candidate }
            n += 1
        }
    }

    /// "offer.pdf" → ("offer", ".pdf"); a name without a dot (or only a leading one) has no extension.
    static func split(_ name: String) -> (stem: String, ext: String) {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), String(name[dot...]))
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (0x7F...0x9F).contains(s.value) }

    static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value) || s.value == 0x200E || s.value == 0x200F || s.value == 0x061C
    }
}
