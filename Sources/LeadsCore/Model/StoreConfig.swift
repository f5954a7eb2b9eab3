/// A pipeline stage. Open stages come from config.json in order; `won`, `lost` and
/// `dnc` (do not contact) are built in and close a lead.
public struct Stage: Sendable, Equatable {
    public var name: String
    public var probability: Int
    public var closed: Bool

    public init(name: String, probability: Int, closed: Bool = false) {
        self.name = name
        self.probability = probability
        self.closed = closed
    }

    public static let won = Stage(name: "won", probability: 100, closed: true)
    public static let lost = Stage(name: "lost", probability: 0, closed: true)
    public static let dnc = Stage(name: "dnc", probability: 0, closed: true)
    public static let builtIn = [won, lost, dnc]
    public static let defaultOpen = [
        Stage(name: "new", probability: 10), Stage(name: "contacted", probability: 20),
        Stage(name: "qualified", probability: 40), Stage(name: "proposal", probability: 60),
        Stage(name: "negotiation", probability: 80),
    ]
}

public enum StageError: Error, Sendable, Equatable {
    case unknown(String, valid: [String])
    case ambiguous(String, candidates: [String])
}

/// config.json `mail`: how `remind --due --mail` sends and what `leads mail` accepts.
public struct MailSettings: Sendable, Equatable {
    public static let defaultMessageLimit = 25 << 20
    public static let defaultAttachmentLimit = 10 << 20

    /// The From of outgoing mail; without it, mail is not sent.
    public var from: String?
    /// sendmail-compatible program (LEADS_SENDMAIL wins; default /usr/sbin/sendmail).
    public var sendmail: String?
    /// `de` or `en` for users whose entry names no language (default en).
    public var language: String?
    /// Largest message `leads mail` reads, in bytes.
    public var messageLimit: Int
    /// Largest attachment kept as a lead's file, in bytes; larger ones are named in the note.
    public var attachmentLimit: Int

    public init(from: String? = nil, sendmail: String? = nil, language: String? = nil,
                messageLimit: Int = MailSettings.defaultMessageLimit, attachmentLimit: Int = MailSettings.defaultAttachmentLimit) {
        self.from = from
        self.sendmail = sendmail
        self.language = language
        self.messageLimit = messageLimit
        self.attachmentLimit = attachmentLimit
    }

    var isDefault: Bool { self == MailSettings() }

    var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let from { object["from"] = .string(from) }
        if let sendmail { object["sendmail"] = .string(sendmail) }
        if let language { object["language"] = .string(language) }
        if messageLimit != Self.defaultMessageLimit { object["message_limit"] = .number(String(messageLimit)) }
        if attachmentLimit != Self.defaultAttachmentLimit { object["attachment_limit"] = .number(String(attachmentLimit)) }
        return .object(object)
    }
}

/// DIR/config.json: ordered open stages, the default currency, optional team users,
/// mail settings, and whether the directory is shared by a group.
public struct StoreConfig: Sendable, Equatable {
    public static let fileName = "config.json"
    public static let defaultCurrency = "EUR"
    /// config.json `file_limit` unless set: the largest file a lead keeps (`attach`).
    public static let defaultFileLimit = 25 << 20

    public var stages: [Stage]
    public var currency: String
    public var users: UserTable
    public var mail: MailSettings
    /// `init --shared`: files group-writable, directories setgid.
    public var sharedGroup: Bool
    /// `file_limit`: the largest file, in bytes, that a lead keeps (Store/LeadFiles.swift).
    public var fileLimit = StoreConfig.defaultFileLimit
    /// `"decimal": ","` or `"."`: how this team writes amounts, settling a typed or imported
    /// `5.000 EUR` that neither the text nor its currency settles. nil: such amounts are refused.
    public var decimal: DecimalSeparator?
    /// Keys this version does not know, kept on rewrite.
    public var extra: [String: JSONValue]

    public init(stages: [Stage] = Stage.defaultOpen, currency: String = StoreConfig.defaultCurrency,
                users: UserTable = UserTable(), mail: MailSettings = MailSettings(), sharedGroup: Bool = false,
                extra: [String: JSONValue] = [:]) {
        self.stages = stages
        self.currency = currency
        self.users = users
        self.mail = mail
        self.sharedGroup = sharedGroup
        self.extra = extra
    }

    public static let defaults = StoreConfig()

    /// Every stage: the open ones in order, then won, lost, dnc.
    public var allStages: [Stage] { stages + Stage.builtIn }

    public func stage(exactly name: String) -> Stage? {
        // Not through `allStages`: the pipeline asks this of every lead, and joining the
        // two lists made an array each time.
        stages.first { $0.name == name } ?? Stage.builtIn.first { $0.name == name }
    }

    /// Resolves what a user typed: case-insensitive, exact name first, else a unique prefix.
    public func stage(matching input: String) throws(StageError) -> Stage {
        let wanted = input.lowercased()
        let all = allStages
        if let exact = all.first(where: { $0.name == wanted }) { return exact }
        if let alias = Self.stageAliases[wanted], let stage = all.first(where: { $0.name == alias }) { return stage }
        let candidates = wanted.isEmpty ? [] : all.filter { $0.name.hasPrefix(wanted) }
        if candidates.count == 1 { return candidates[0] }
        if candidates.isEmpty { throw .unknown(input, valid: all.map(\.name)) }
        throw .ambiguous(input, candidates: candidates.map(\.name))
    }

    /// The default stages as German CRMs and spreadsheets name them (imports from
    /// Perfex, MOCO or Excel in German), and common English synonyms. Exact matches only.
    static let stageAliases: [String: String] = [
        "neu": "new", "open": "new", "offen": "new", "kontaktiert": "contacted", "qualifiziert": "qualified",
        "angebot": "proposal", "verhandlung": "negotiation", "gewonnen": "won", "closed won": "won",
        "verloren": "lost", "closed lost": "lost", "nicht kontaktieren": "dnc", "do not contact": "dnc",
    ]

    public var json: JSONValue {
        var object = extra
        object["format"] = .number("1")
        object["currency"] = .string(currency)
        object["stages"] = .array(stages.map { .object(["name": .string($0.name), "probability": .number(String($0.probability))]) })
        if !users.isEmpty { object["users"] = .array(users.users.map(\.json)) } else { object["users"] = nil }
        if !mail.isDefault { object["mail"] = mail.json } else { object["mail"] = nil }
        if sharedGroup { object["shared"] = .string("group") } else { object["shared"] = nil }
        object["file_limit"] = fileLimit != Self.defaultFileLimit ? .integer(fileLimit) : nil
        switch decimal {
        case .comma?: object["decimal"] = .string(",")
        case .point?: object["decimal"] = .string(".")
        case nil: object["decimal"] = nil
        }
        return .object(object)
    }

    /// Parses and validates config.json; errors carry line and column.
    public init(bytes: [UInt8]) throws(JSONError) {
        var reader = JSONReader(bytes)
        var config = StoreConfig(stages: [], extra: [:])
        var sawStages = false
        try reader.beginObject()
        while let key = try reader.nextKey() {
            let at = reader.offset
            switch key {
            case "format":
                let format = try reader.readInt()
                if format != 1 { throw reader.fail(.invalidValue("unsupported format \(format) (this version reads format 1)"), at: at) }
            case "currency":
                let text = try reader.readString()
                guard let code = try? MoneyParser.currencyCode(text) else {
                    throw reader.fail(.invalidValue("\"currency\" must be an ISO 4217 code such as EUR"), at: at)
                }
                config.currency = code
            case "stages":
                sawStages = true
                try reader.beginArray()
                while try reader.nextElement() {
                    config.stages.append(try Self.readStage(&reader))
                }
            case "users":
                try reader.beginArray()
                while try reader.nextElement() {
                    let at = reader.offset
                    let user = try Self.readUser(&reader)
                    do throws(UserError) { try config.users.add(user) } catch {
                        throw reader.fail(.invalidValue(UserError.describe(error)), at: at)
                    }
                }
            case "mail":
                config.mail = try Self.readMail(&reader)
            case "shared":
                let text = try reader.readString()
                guard text == "group" else { throw reader.fail(.invalidValue("\"shared\" must be \"group\""), at: at) }
                config.sharedGroup = true
            case "file_limit":
                let value = try reader.readInt()
                guard value > 0 else { throw reader.fail(.invalidValue("\"file_limit\" must be a positive number of bytes"), at: at) }
                config.fileLimit = value
            case "decimal":
                switch try reader.readString() {
                case ",": config.decimal = .comma
                case ".": config.decimal = .point
                default: throw reader.fail(.invalidValue("\"decimal\" must be \",\" or \".\""), at: at)
                }
            default:
                config.extra[key] = try reader.readValue()
            }
        }
        try reader.finish()
        if !sawStages { config.stages = Stage.defaultOpen }
        if config.stages.isEmpty { throw reader.fail(.invalidValue("\"stages\" must list at least one open stage"), at: 0) }
        var seen = Set<String>()
        for stage in config.stages where !seen.insert(stage.name).inserted {
            throw reader.fail(.invalidValue("stage \"\(stage.name)\" is listed twice"), at: 0)
        }
        self = config
    }

    /// A user is an object, or (as earlier versions wrote) just a login.
    private static func readUser(_ reader: inout JSONReader) throws(JSONError) -> User {
        let start = reader.offset
        if try reader.peekKind() == .string { return User(name: try reader.readString()) }
        var user = User(name: "")
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case "name": user.name = try reader.readString()
            case "email": user.email = try reader.readString()
            case "full_name": user.fullName = try reader.readString()
            case "language": user.language = try reader.readString()
            case "aliases":
                try reader.beginArray()
                while try reader.nextElement() { user.aliases.append(try reader.readString()) }
            default: try reader.skipValue()
            }
        }
        if user.name.isEmpty { throw reader.fail(.invalidValue("each user needs a \"name\""), at: start) }
        return user
    }

    private static func readMail(_ reader: inout JSONReader) throws(JSONError) -> MailSettings {
        var mail = MailSettings()
        try reader.beginObject()
        while let key = try reader.nextKey() {
            let at = reader.offset
            switch key {
            case "from": mail.from = try reader.readString()
            case "sendmail": mail.sendmail = try reader.readString()
            case "language":
                let text = try reader.readString()
                guard User.languages.contains(text) else {
                    throw reader.fail(.invalidValue("mail language must be one of \(User.languages.joined(separator: ", "))"), at: at)
                }
                mail.language = text
            case "message_limit", "attachment_limit":
                let value = try reader.readInt()
                guard value > 0 else { throw reader.fail(.invalidValue("\"\(key)\" must be a positive number of bytes"), at: at) }
                if key == "message_limit" { mail.messageLimit = value } else { mail.attachmentLimit = value }
            default: try reader.skipValue()
            }
        }
        return mail
    }

    private static func readStage(_ reader: inout JSONReader) throws(JSONError) -> Stage {
        let start = reader.offset
        var name: String?
        var probability: Int?
        try reader.beginObject()
        while let key = try reader.nextKey() {
            let at = reader.offset
            switch key {
            case "name":
                let text = try reader.readString()
                guard isValidStageName(text) else {
                    throw reader.fail(.invalidValue("stage name \"\(text)\" must be lower-case letters, digits, - or _"), at: at)
                }
                guard Stage.builtIn.allSatisfy({ $0.name != text }) else {
                    throw reader.fail(.invalidValue("\"\(text)\" is a built-in stage and cannot be configured"), at: at)
                }
                name = text
            case "probability":
                let value = try reader.readInt()
                guard (0...100).contains(value) else {
                    throw reader.fail(.invalidValue("probability must be 0 to 100"), at: at)
                }
                probability = value
            default:
                try reader.skipValue()
            }
        }
        guard let name, let probability else {
            throw reader.fail(.invalidValue("each stage needs \"name\" and \"probability\""), at: start)
        }
        return Stage(name: name, probability: probability)
    }

    static func isValidStageName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 40 && text.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F
        }
    }
}
