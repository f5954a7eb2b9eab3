/// DIR/merged/<OTHER>.json: a lead that `leads merge` folded into another, kept whole
/// with the other lead as it was before and after, so that `unmerge` can restore both
/// exactly and `show OTHER` can say where it went. It holds personal data: deleting
/// KEEP erases it with KEEP, and subject-access reports it.
public struct MergedLead: Sendable, Equatable {
    public static let format = 1

    public var other: Lead
    public var into: Int
    public var at: Timestamp
    public var by: String
    public var keepBefore: Lead
    public var keepAfter: Lead

    public init(other: Lead, keepBefore: Lead, keepAfter: Lead, at: Timestamp, by: String) {
        self.other = other
        self.into = keepBefore.id
        self.at = at
        self.by = by
        self.keepBefore = keepBefore
        self.keepAfter = keepAfter
    }

    public var json: JSONValue {
        .object(["format": .number(String(Self.format)), "id": .number(String(other.id)), "into": .number(String(into)),
                 "at": .string(at.iso8601), "by": .string(by),
                 "other": other.json, "keep_before": keepBefore.json, "keep_after": keepAfter.json])
    }

    public init(bytes: [UInt8], expectedID: Int) throws(JSONError) {
        var reader = JSONReader(bytes)
        let start = reader.offset
        guard case .object(let object) = try reader.readValue() else { throw reader.fail(.typeMismatch(expected: "object"), at: start) }
        try reader.finish()
        func fail(_ why: String) -> JSONError { reader.fail(.invalidValue(why), at: start) }
        guard case .number(let format)? = object["format"], format == String(Self.format) else {
            throw fail("unsupported or missing \"format\" (this version reads format \(Self.format))")
        }
        guard case .number(let idText)? = object["id"], Int(idText) == expectedID else { throw fail("\"id\" is not \(expectedID), the number in the file name") }
        guard case .number(let intoText)? = object["into"], let into = Int(intoText),
              case .string(let atText)? = object["at"], let at = Timestamp(iso8601: atText),
              case .string(let by)? = object["by"] else { throw fail("missing \"into\", \"at\" or \"by\"") }
        func lead(_ key: String, _ id: Int) throws(JSONError) -> Lead {
            guard let value = object[key] else { throw fail("missing \"\(key)\"") }
            return try Lead(bytes: JSONWriter.compact(value), expectedID: id)
        }
        self.other = try lead("other", expectedID)
        self.keepBefore = try lead("keep_before", into)
        self.keepAfter = try lead("keep_after", into)
        self.into = into
        self.at = at
        self.by = by
    }
}
