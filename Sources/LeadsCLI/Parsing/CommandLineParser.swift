import LeadsCore

/// The syntax of one command line, before anything is interpreted: phase one of two.
/// Produced without touching the file system, the clock or the environment.
public struct Invocation: Sendable {
    public var command: CommandSpec?
    /// Option values by long name, in the order given; flags record "".
    public var options: [String: [String]] = [:]
    public var positionals: [String] = []
    public var wantsHelp = false
    public var wantsVersion = false

    public func flag(_ name: String) -> Bool { options[name] != nil }
    public func value(_ name: String) -> String? { options[name]?.last }
    public func values(_ name: String) -> [String] { options[name] ?? [] }
}

public enum UsageError: Error, Sendable, Equatable {
    case unknownCommand(String, suggestion: String?)
    case unknownOption(String, command: String?, suggestion: String?)
    case missingValue(option: String)
    case unexpectedValue(option: String)
    case repeatedOption(String)
    case conflictingOptions(String, String)
    case missingArgument(command: String, name: String)
    case unexpectedArgument(command: String, value: String)
    case invalidArgument(argument: String, value: String, reason: String)
    /// A value outside a closed set; `then` is a further line (the whole set, when long).
    case invalidChoice(argument: String, value: String, reason: String, suggestion: String?, then: String? = nil)
    case unknownHelpTopic(String, suggestion: String?)
    case optionRequires(option: String, modes: [String])
    /// Argument `position` (1 = the first after `leads`) holds bytes that are not UTF-8.
    case notUTF8(position: Int, bytes: [UInt8])
}

public enum CommandLineParser {
    /// Parses `arguments` (including argv[0]) against the command table.
    public static func parse(_ arguments: [String], table: [CommandSpec] = CommandTable.commands) throws(UsageError) -> Invocation {
        var result = Invocation()
        var tokens = arguments.dropFirst()[...]
        var optionsEnded = false

        func lookupLong(_ name: String) throws(UsageError) -> OptionSpec {
            if let spec = result.command?.option(named: name) ?? CommandTable.globalOptions.first(where: { $0.name == name }) {
                return spec
            }
            let candidates = (result.command?.options ?? []) + CommandTable.globalOptions
            throw .unknownOption("--" + name, command: result.command?.name,
                                 suggestion: Suggestion.nearest(to: name, in: candidates.map(\.name)).map { "--" + $0 })
        }

        func record(_ spec: OptionSpec, _ value: String) throws(UsageError) {
            if let previous = result.options[spec.name], !spec.repeatable {
                // Saying the same flag twice is harmless; two values would drop one silently.
                if spec.takesValue || previous != [value] { throw .repeatedOption("--" + spec.name) }
                return
            }
            result.options[spec.name, default: []].append(value)
            switch spec.name {
            case "help": result.wantsHelp = true
            case "version": result.wantsVersion = true
            default: break
            }
        }

        while let token = tokens.popFirst() {
            if optionsEnded || token == "-" || !token.hasPrefix("-") {
                if result.command == nil && !result.wantsHelp && !result.wantsVersion {
                    guard let command = table.first(where: { $0.name == token }) else {
                        throw .unknownCommand(token, suggestion: Suggestion.nearest(to: token, in: table.filter { !$0.hidden }.map(\.name)))
                    }
                    result.command = command
                } else {
                    result.positionals.append(token)
                }
                continue
            }
            if token == "--" {
                optionsEnded = true
                continue
            }
            if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let name: String, inline: String?
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq])
                    inline = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                    inline = nil
                }
                let spec = try lookupLong(name)
                if spec.takesValue {
                    // A value may start with a dash (`--label -old`, `--value -5`).
                    guard let value = inline ?? tokens.popFirst() else { throw .missingValue(option: "--" + spec.name) }
                    try record(spec, value)
                } else {
                    if inline != nil { throw .unexpectedValue(option: "--" + spec.name) }
                    try record(spec, "")
                }
                continue
            }
            // Short options: -h, -n 5, -n5, -y; clusters of flags such as -hy.
            var rest = token.dropFirst()[...]
            while let letter = rest.popFirst() {
                guard let spec = result.command?.option(short: letter) ?? CommandTable.globalOptions.first(where: { $0.short == letter }) else {
                    let candidates = ((result.command?.options ?? []) + CommandTable.globalOptions).compactMap { $0.short.map(String.init) }
                    throw .unknownOption("-" + String(letter), command: result.command?.name,
                                         suggestion: candidates.contains(String(letter).lowercased()) ? "-" + String(letter).lowercased() : nil)
                }
                if spec.takesValue {
                    let value = rest.isEmpty ? tokens.popFirst() : String(rest)
                    guard let value else { throw .missingValue(option: "-" + String(letter)) }
                    try record(spec, value)
                    break
                }
                try record(spec, "")
            }
        }

        guard let command = result.command, !result.wantsHelp, !result.wantsVersion else { return result }
        for group in command.exclusive {
            let given = group.filter { result.options[$0] != nil }
            if given.count > 1 { throw .conflictingOptions("--" + given[0], "--" + given[1]) }
        }
        try checkArity(command, result.positionals)
        try checkValues(command, result.options)
        return result
    }

    /// Every value against its option's declared kind, in the table's order of options, then
    /// the global options the command does not shadow (`--user`).
    static func checkValues(_ command: CommandSpec, _ given: [String: [String]]) throws(UsageError) {
        var seen: Set<String> = []
        for spec in command.options + CommandTable.globalOptions where seen.insert(spec.name).inserted {
            for value in given[spec.name] ?? [] { try spec.kind.check(value, option: "--" + spec.name) }
        }
    }

    /// Positional counts are syntax; what they mean is checked by each command.
    static func checkArity(_ command: CommandSpec, _ positionals: [String]) throws(UsageError) {
        var required = 0
        var maximum: Int? = 0
        for argument in command.arguments {
            switch argument.arity {
            case .one: required += 1; maximum = maximum.map { $0 + 1 }
            case .optional: maximum = maximum.map { $0 + 1 }
            case .oneOrMore: required += 1; maximum = nil
            case .any: maximum = nil
            }
        }
        if positionals.count < required {
            // Name the first argument not supplied.
            var count = 0
            for argument in command.arguments {
                if argument.arity == .one || argument.arity == .oneOrMore {
                    count += 1
                    if count > positionals.count { throw .missingArgument(command: command.name, name: argument.name) }
                }
            }
        }
        if let maximum, positionals.count > maximum {
            throw .unexpectedArgument(command: command.name, value: positionals[maximum])
        }
    }
}

/// "Did you mean …": the closest name by edit distance, if it is close enough.
enum Suggestion {
    static func nearest(to input: String, in candidates: [String]) -> String? {
        let lowered = input.lowercased()
        if let prefixed = candidates.first(where: { $0.hasPrefix(lowered) && !lowered.isEmpty }) { return prefixed }
        var best: (String, Int)?
        for candidate in candidates {
            let d = editDistance(lowered, candidate)
            if d <= max(1, min(3, candidate.count / 3)) && d < (best?.1 ?? .max) { best = (candidate, d) }
        }
        return best?.0
    }
}
