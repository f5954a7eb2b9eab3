/// A member of the team, from config.json `users`: the login `--user` and `--mine` use,
/// and the other ways people and exports name them (e-mail, full name, aliases).
public struct User: Sendable, Equatable {
    /// The login: what owners and the log record.
    public var name: String
    public var email: String?
    public var fullName: String?
    public var aliases: [String]
    /// `de` or `en`: the language of the mail `remind --due --mail` sends this user.
    public var language: String?

    public init(name: String, email: String? = nil, fullName: String? = nil, aliases: [String] = [], language: String? = nil) {
        self.name = name
        self.email = email
        self.fullName = fullName
        self.aliases = aliases
        self.language = language
    }

    /// Every text that names this user, the login first.
    public var identifiers: [String] {
        [name] + [email, fullName].compactMap { $0 } + aliases
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["name": .string(name)]
        if let email { object["email"] = .string(email) }
        if let fullName { object["full_name"] = .string(fullName) }
        if !aliases.isEmpty { object["aliases"] = .array(aliases.map { .string($0) }) }
        if let language { object["language"] = .string(language) }
        return .object(object)
    }

    public static let languages = ["de", "en"]
}

/// How a text named (or failed to name) a user.
public enum UserMatch: Sendable, Equatable {
    case user(User)
    case none
    /// Several users share the text (an alias given twice, say): nothing is guessed.
    case ambiguous([String])
}

public enum UserError: Error, Sendable, Equatable {
    case exists(String)
    case unknown(String)
    /// NAME's e-mail, full name or alias is already another user's.
    case clash(text: String, user: String)
    case invalid(String)
    /// Several users answer to the text.
    case ambiguous(text: String, users: [String])

    public static func describe(_ error: UserError) -> String {
        switch error {
        case .exists(let name): return "user \"\(name)\" exists already"
        case .unknown(let name): return "no user \"\(name)\""
        case .clash(let text, let user): return "\"\(text)\" already names user \(user)"
        case .invalid(let reason): return reason
        case .ambiguous(let text, let users): return "\"\(text)\" names several users: \(users.joined(separator: ", "))"
        }
    }
}

/// The users table of config.json with the one lookup everything shares: `--mine`,
/// owners typed on the command line, import owner columns, incoming mail senders.
public struct UserTable: Sendable, Equatable {
    public var users: [User]

    public init(_ users: [User] = []) { self.users = users }

    public var isEmpty: Bool { users.isEmpty }

    public func user(named login: String) -> User? { users.first { $0.name == login } }

    /// Login, e-mail, full name or alias, case-insensitively and ignoring surrounding
    /// white space and runs of inner spaces. An exact login wins over any other
    /// identifier, so a login that is also someone's alias still names its own user.
    public func resolve(_ text: String) -> UserMatch {
        let wanted = Self.fold(text)
        guard !wanted.isEmpty else { return .none }
        if let exact = users.first(where: { Self.fold($0.name) == wanted }) { return .user(exact) }
        let hits = users.filter { user in user.identifiers.contains { Self.fold($0) == wanted } }
        switch hits.count {
        case 0: return .none
        case 1: return .user(hits[0])
        default: return .ambiguous(hits.map(\.name))
        }
    }

    /// The user whose e-mail is `address` (case-insensitive), for mail senders.
    public func user(withEmail address: String) -> User? {
        let wanted = Self.fold(address)
        let hits = users.filter { $0.email.map(Self.fold) == wanted }
        return hits.count == 1 ? hits[0] : nil
    }

    /// What an owner typed becomes: the login of the user it names, else the text as
    /// typed (the table is optional, and a team may use owners it never listed).
    public func owner(_ text: String) throws(UserError) -> String {
        switch resolve(text) {
        case .user(let user): return user.name
        case .none: return text
        case .ambiguous(let names): throw .ambiguous(text: text, users: names)
        }
    }

    /// The owner values an `--owner U` filter matches: the user's login and every other
    /// name of theirs (leads imported before the table existed may carry any of them),
    /// or just U when it names no user.
    public func ownerNames(_ text: String) -> Set<String> {
        if case .user(let user) = resolve(text) { return Set(user.identifiers) }
        return [text]
    }

    public mutating func add(_ user: User) throws(UserError) {
        guard Self.isValidLogin(user.name) else {
            throw .invalid("user name \"\(user.name)\" must be a login: letters, digits, . _ - (no spaces)")
        }
        if users.contains(where: { Self.fold($0.name) == Self.fold(user.name) }) { throw .exists(user.name) }
        if let email = user.email, !Self.looksLikeAddress(email) {
            throw .invalid("\"\(email)\" is not an e-mail address (local@domain)")
        }
        if let language = user.language, !User.languages.contains(language) {
            throw .invalid("language \"\(language)\" must be one of \(User.languages.joined(separator: ", "))")
        }
        for text in user.identifiers {
            guard !Self.fold(text).isEmpty else { throw .invalid("an empty name, e-mail or alias cannot name a user") }
            if case .user(let other) = resolve(text) { throw .clash(text: text, user: other.name) }
            if case .ambiguous(let names) = resolve(text) { throw .ambiguous(text: text, users: names) }
        }
        users.append(user)
    }

    public mutating func remove(_ login: String) throws(UserError) {
        guard let i = users.firstIndex(where: { $0.name == login }) ?? users.firstIndex(where: { Self.fold($0.name) == Self.fold(login) }) else {
            throw .unknown(login)
        }
        users.remove(at: i)
    }

    /// Lower-cased, trimmed, inner white space collapsed to one space.
    static func fold(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    static func isValidLogin(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "_" || scalar == "-"
        } && text.first != "-"
    }

    static func looksLikeAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
            && !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "," || $0 == "\n" })
    }
}
