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
    case choices([String])
    case live(LiveKind)
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
    public let hint: ValueHint

    public init(_ name: String, short: Character? = nil, value: String? = nil, _ help: String,
                repeatable: Bool = false, hint: ValueHint = .text) {
        self.name = name
        self.short = short
        self.valueName = value
        self.help = help
        self.repeatable = repeatable
        self.hint = hint
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

public struct CommandSpec: Sendable {
    public let name: String
    /// One line, lower case, no full stop: shown in `leads help` and the man page.
    public let summary: String
    /// Usage lines without the leading "leads "; generated from the arguments when empty.
    public let usage: [String]
    public let arguments: [ArgumentSpec]
    public let options: [OptionSpec]
    /// Writing commands take the exclusive lock; readers that scan take a shared one.
    public let writes: Bool
    /// Hidden commands (doc generators, completion back end) stay out of help and completion.
    public let hidden: Bool
    /// Paragraphs for `help CMD` and the man page.
    public let details: [String]
    public let examples: [Example]
    /// Groups of option names of which at most one may be given.
    public let exclusive: [[String]]
    let run: @Sendable (Invocation, CommandContext) throws -> Int32

    init(_ name: String, _ summary: String, usage: [String] = [], arguments: [ArgumentSpec] = [],
         options: [OptionSpec] = [], writes: Bool, hidden: Bool = false, details: [String] = [],
         examples: [Example] = [], exclusive: [[String]] = [],
         run: @escaping @Sendable (Invocation, CommandContext) throws -> Int32) {
        self.name = name
        self.summary = summary
        self.usage = usage
        self.arguments = arguments
        self.options = options
        self.writes = writes
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
