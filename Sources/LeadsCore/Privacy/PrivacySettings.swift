/// The privacy keys of config.json: `country` (whose national phone numbers a leading
/// 0 means, default DE) and `retention` (RetentionRule). Kept among the config's extra
/// keys so that older versions keep them on rewrite.
public struct PrivacySettings: Sendable, Equatable {
    public var country: String
    public var retention: [RetentionRule]

    public init(_ config: StoreConfig) throws(PrivacyError) {
        country = "DE"
        retention = []
        if let value = config.extra["country"] {
            guard case .string(let code) = value, code.utf8.count == 2, code.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else {
                throw .invalidConfig("\"country\" must be a two-letter ISO 3166 code such as \"DE\"")
            }
            country = code.uppercased()
        }
        if let value = config.extra["retention"] {
            guard case .array(let rules) = value else {
                throw .invalidConfig("\"retention\" must be a list of rules such as {\"stage\": \"lost\", \"months\": 24}")
            }
            for (index, rule) in rules.enumerated() {
                retention.append(try RetentionRule(rule, number: index + 1))
            }
        }
    }
}

/// One retention rule: leads in `stage` (a stage name, or `open` for every open stage)
/// untouched — no change, note or contact — for `months` are due for erasure.
public struct RetentionRule: Sendable, Equatable {
    public var stage: String
    public var months: Int
    /// "retention rule 2 (lost after 24 months)": how a refusal or report names it.
    public var label: String

    public init(stage: String, months: Int, number: Int) {
        self.stage = stage
        self.months = months
        self.label = "retention rule \(number) (\(stage) after \(months) months)"
    }

    init(_ value: JSONValue, number: Int) throws(PrivacyError) {
        guard case .object(let object) = value, case .string(let stage)? = object["stage"],
              case .number(let text)? = object["months"], let months = Int(text), months > 0, months <= 1200 else {
            throw .invalidConfig("retention rule \(number) must be {\"stage\": NAME or \"open\", \"months\": N} with N from 1 to 1200")
        }
        for key in object.keys where key != "stage" && key != "months" {
            throw .invalidConfig("retention rule \(number): unknown key \"\(key)\"")
        }
        self.init(stage: stage, months: months, number: number)
    }

    public func applies(to lead: Lead, config: StoreConfig) -> Bool {
        if stage == "open" { return !lead.isClosed }
        return lead.stage == stage
    }
}
