// Fuzz target `args`: CommandLineParser against the real command table (parsing only;
// no command runs).
//
// Input: the arguments after `leads`, separated by NUL bytes (argv can hold no NUL), lossy
// UTF-8.
//
// Invariants:
// - parse returns an Invocation or throws a UsageError (typed throws make anything else a
//   crash), and gives the same answer for the same arguments;
// - without a command, only global options and, unless for help or the version, no arguments;
// - an Invocation for a command (without --help / --version) only holds options that command
//   or the global table knows, values only for options that take one, at most one value for
//   an option that is not repeatable, no two options of an exclusive group, and a number of
//   positionals its arguments allow.

import LeadsCLI

private func parsed(_ arguments: [String]) -> Result<Invocation, UsageError> {
    do { return .success(try CommandLineParser.parse(arguments)) } catch { return .failure(error) }
}

private func same(_ a: Invocation, _ b: Invocation) -> Bool {
    a.command?.name == b.command?.name && a.options == b.options && a.positionals == b.positionals
        && a.wantsHelp == b.wantsHelp && a.wantsVersion == b.wantsVersion
}

private func checkInvocation(_ invocation: Invocation, _ arguments: [String]) {
    require(invocation.wantsHelp == invocation.flag("help") && invocation.wantsVersion == invocation.flag("version"),
            "help/version flags disagree with the options for \(arguments)")
    guard let command = invocation.command else {
        require(invocation.options.keys.allSatisfy { name in CommandTable.globalOptions.contains { $0.name == name } },
                "options of no command in \(arguments)")
        require(invocation.positionals.isEmpty || invocation.wantsHelp || invocation.wantsVersion,
                "positionals without a command in \(arguments)")
        return
    }
    for (name, values) in invocation.options {
        guard let spec = command.option(named: name) else {
            fatalError("invariant violated: \(command.name) got unknown option --\(name) from \(arguments)")
        }
        require(!values.isEmpty, "--\(name) recorded without a value from \(arguments)")
        require(spec.takesValue || values.allSatisfy(\.isEmpty), "flag --\(name) got a value from \(arguments)")
        require(spec.repeatable || values.count == 1, "--\(name) given \(values.count) times in \(arguments)")
    }
    if invocation.wantsHelp || invocation.wantsVersion { return }
    for group in command.exclusive {
        require(group.filter { invocation.options[$0] != nil }.count <= 1, "\(group) together in \(arguments)")
    }
    var required = 0
    var maximum: Int? = 0
    for argument in command.arguments {
        switch argument.arity {
        case .one: required += 1; maximum? += 1
        case .optional: maximum? += 1
        case .oneOrMore: required += 1; maximum = nil
        case .any: maximum = nil
        }
    }
    let count = invocation.positionals.count
    require(count >= required && count <= (maximum ?? .max), "\(count) arguments for \(command.name) in \(arguments)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let arguments = ["leads"] + (size == 0 ? [] : bytes.split(separator: 0, omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) })
    let first = parsed(arguments)
    let second = parsed(arguments)
    switch (first, second) {
    case (.success(let a), .success(let b)):
        require(same(a, b), "two parses of \(arguments) differ")
        checkInvocation(a, arguments)
    case (.failure(let a), .failure(let b)):
        require(a == b, "two parses of \(arguments) fail differently: \(a), \(b)")
    default:
        fatalError("invariant violated: two parses of \(arguments) disagree: \(first), \(second)")
    }
    return 0
}
