import LeadsCore

/// What a value is, so help, the man page and the shell completions can say and
/// complete it. `live` kinds are completed by `leads __complete KIND` from the store.
public enum ValueHint: Sendable, Equatable {
    case text
    case file
    case directory
    /// An external program (`lock -- CMD`).
    case command
    /// A name of one of leads' own commands (`help COMMAND`); the table cannot list
    /// itself, so the generators fill in the visible commands.
    case subcommand
    /// Words to offer. For an option whose `ValueKind` is `.choices` these are exactly
    /// the accepted values; for a parsed one (a delimiter), the common ones.
    case words([String])
    case live(LiveKind)
}

/// What phase one accepts as an option's value: the table's word on it, so the parser,
/// help, the man page and the completions cannot differ. Values that need the disk,
/// the clock or the environment (a stage, a date, a currency) stay `.text` and are read
/// by the command in phase two.
public enum ValueKind: Sendable {
    case text
    case choices(Choices)
    case parsed(ValueParser)
}

/// A closed set of words. Any other value is refused in phase one (exit 2).
public struct Choices: Sendable {
    public let values: [String]
    /// `pipeline --by Owner` is `owner`.
    public let ignoringCase: Bool
    /// Why another value is refused: "use utf8 or cp1252".
    let reason: String
    /// The "did you mean" word for a refused value, if the option offers one.
    let suggest: (@Sendable (String) -> String?)?

    public init(_ values: [String], reason: String, ignoringCase: Bool = false, suggesting: Bool = false) {
        var suggest: (@Sendable (String) -> String?)?
        if suggesting { suggest = { raw in Suggestion.nearest(to: raw, in: values) } }
        self.init(values, reason: reason, ignoringCase: ignoringCase, suggest: suggest)
    }

    public init(_ values: [String], reason: String, ignoringCase: Bool = false, suggest: (@Sendable (String) -> String?)?) {
        self.values = values
        self.ignoringCase = ignoringCase
        self.reason = reason
        self.suggest = suggest
    }

    public func accepts(_ value: String) -> Bool {
        ignoringCase ? values.contains(value.lowercased()) : values.contains(value)
    }
}

/// A value read by a pure function in phase one (a count, a delimiter); the command
/// reads the same value with the same function.
public struct ValueParser: Sendable {
    /// What completion offers; the parser may accept more.
    public let suggestions: [String]
    let check: @Sendable (String) throws(UsageError) -> Void

    public init(suggestions: [String] = [], check: @escaping @Sendable (String) throws(UsageError) -> Void) {
        self.suggestions = suggestions
        self.check = check
    }
}

extension ValueParser {
    /// A whole number, 0 or more (`list --limit`, `log -n`); `argument` names it in the message.
    static func count(argument: String) -> ValueParser {
        ValueParser { raw throws(UsageError) in
            guard count(raw) == nil else { return }
            throw .invalidArgument(argument: argument, value: raw, reason: "expected a count such as 20")
        }
    }

    /// `--user NAME`: the acting user, which goes into every record and file a command
    /// writes, follows the rule for owners (FieldParser.nameProblem). An empty `--user ""`
    /// is no flag: LEADS_USER and the rest decide (Environment.user).
    static let actingUser = ValueParser { raw throws(UsageError) in
        guard !raw.isEmpty, let problem = FieldParser.nameProblem(raw) else { return }
        throw .invalidArgument(argument: "--user", value: raw, reason: problem)
    }

    static func count(_ raw: String) -> Int? {
        guard let n = Int(raw), n >= 0 else { return nil }
        return n
    }
}

extension ValueKind {
    /// Throws the usage error phase one reports for `value` given to `option` ("--sort").
    func check(_ value: String, option: String) throws(UsageError) {
        switch self {
        case .text: return
        case .choices(let choices):
            guard !choices.accepts(value) else { return }
            throw .invalidChoice(argument: option, value: value, reason: choices.reason, suggestion: choices.suggest?(value))
        case .parsed(let parser): try parser.check(value)
        }
    }

    /// The completion words the kind implies, if any.
    var words: [String]? {
        switch self {
        case .text: return nil
        case .choices(let choices): return choices.values
        case .parsed(let parser): return parser.suggestions.isEmpty ? nil : parser.suggestions
        }
    }
}

/// Values only the store knows; `leads __complete KIND` prints them.
public enum LiveKind: String, Sendable, CaseIterable {
    case lead = "leads"
    case reminder = "reminders"
    case customer = "customers"
    case stage = "stages"
    case owner = "owners"
    case label = "labels"
    case source = "sources"
    case campaign = "campaigns"
}

public struct OptionSpec: Sendable {
    /// Long name without the dashes.
    public let name: String
    public let short: Character?
    /// Name of the value in help ("MONEY"); nil for a flag.
    public let valueName: String?
    public let help: String
    public let repeatable: Bool
    /// What completion offers for the value.
    public let hint: ValueHint
    /// What phase one accepts as the value.
    public let kind: ValueKind

    /// `accepts` declares the values phase one lets through; a `.text` hint then
    /// becomes the words those imply, so completion offers what the parser accepts.
    public init(_ name: String, short: Character? = nil, value: String? = nil, _ help: String,
                repeatable: Bool = false, hint: ValueHint = .text, accepts kind: ValueKind = .text) {
        self.name = name
        self.short = short
        self.valueName = value
        self.help = help
        self.repeatable = repeatable
        if case .text = hint, let words = kind.words { self.hint = .words(words) } else { self.hint = hint }
        self.kind = kind
    }

    public var takesValue: Bool { valueName != nil }

    /// "--value MONEY", "-n, --count N".
    public var label: String {
        var text = short.map { "-\($0), " } ?? ""
        text += "--" + name
        if let valueName { text += " " + valueName }
        return text
    }
}

public struct ArgumentSpec: Sendable {
    public enum Arity: Sendable { case one, optional, oneOrMore, any }
    public let name: String
    public let help: String
    public let arity: Arity
    public let hint: ValueHint

    public init(_ name: String, _ help: String, hint: ValueHint = .text) {
        self.init(name, .one, help, hint: hint)
    }

    public init(_ name: String, _ arity: Arity, _ help: String, hint: ValueHint = .text) {
        self.name = name
        self.arity = arity
        self.help = help
        self.hint = hint
    }

    /// "ID", "[ID]", "ID…".
    public var label: String {
        switch arity {
        case .one: return name
        case .optional: return "[\(name)]"
        case .oneOrMore: return "\(name)…"
        case .any: return "[\(name)…]"
        }
    }
}

public struct Example: Sendable {
    public let command: String
    public let explanation: String

    public init(_ command: String, _ explanation: String) {
        self.command = command
        self.explanation = explanation
    }
}

/// Which lock a command takes: one kind, or one decided by the options given
/// (`fsck` reads, `fsck --repair` writes) or by its first argument (`users add`).
public struct LockRule: Sendable {
    public let standard: LockKind
    /// The first of these options the command line gives decides instead.
    public let byOption: [(option: String, kind: LockKind)]
    /// Or the first positional argument (`users` lists, `users add` writes).
    public let byArgument: [(argument: String, kind: LockKind)]

    public init(_ standard: LockKind, byOption: [(option: String, kind: LockKind)] = [],
                byArgument: [(argument: String, kind: LockKind)] = []) {
        self.standard = standard
        self.byOption = byOption
        self.byArgument = byArgument
    }

    public static let none = LockRule(.none)
    public static let shared = LockRule(.shared)
    public static let exclusive = LockRule(.exclusive)

    public func kind(for invocation: Invocation) -> LockKind {
        if let rule = byOption.first(where: { invocation.flag($0.option) }) { return rule.kind }
        if let first = invocation.positionals.first, let rule = byArgument.first(where: { $0.argument == first }) { return rule.kind }
        return standard
    }
}

public struct CommandSpec: Sendable {
    public let name: String
    /// One line, lower case, no full stop: shown in `leads help` and the man page.
    public let summary: String
    /// Usage lines without the leading "leads "; generated from the arguments when empty.
    public let usage: [String]
    public let arguments: [ArgumentSpec]
    public let options: [OptionSpec]
    /// The store lock the command takes (StoreLock.swift): the dispatcher gives it to
    /// the command's context, and every lock the store takes for the command is this one.
    public let lock: LockRule
    /// Hidden commands (doc generators, completion back end) stay out of help and completion.
    public let hidden: Bool
    /// Paragraphs for `help CMD` and the man page.
    public let details: [String]
    public let examples: [Example]
    /// Groups of option names of which at most one may be given.
    public let exclusive: [[String]]
    let run: @Sendable (Invocation, CommandContext) throws -> Int32

    init(_ name: String, _ summary: String, usage: [String] = [], arguments: [ArgumentSpec] = [],
         options: [OptionSpec] = [], lock: LockRule, hidden: Bool = false, details: [String] = [],
         examples: [Example] = [], exclusive: [[String]] = [],
         run: @escaping @Sendable (Invocation, CommandContext) throws -> Int32) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.arguments = arguments
        self.options = options
        self.lock = lock
        self.hidden = hidden
        self.details = details
        self.examples = examples
        self.exclusive = exclusive
        self.run = run
    }

    public var usageLines: [String] {
        if !usage.isEmpty { return usage.map { "leads \(name) \($0)" } }
        var line = "leads \(name)"
        for argument in arguments { line += " " + argument.label }
        if !options.isEmpty { line += " [OPTIONS]" }
        return [line]
    }

    public func option(named name: String) -> OptionSpec? {
        options.first { $0.name == name } ?? CommandTable.globalOptions.first { $0.name == name }
    }

    public func option(short: Character) -> OptionSpec? {
        options.first { $0.short == short } ?? CommandTable.globalOptions.first { $0.short == short }
    }
}
