import LeadsCore

// Completion scripts for bash, zsh and fish, generated from the command table: every
// visible command, its options (long and short) and the global ones, option values and
// positional arguments by their `ValueHint`. Values only the store knows come from the
// hidden `leads __complete KIND PREFIX` at TAB time, with the `--dir` typed on the
// command line passed through. The scripts hold no list of their own: regenerate them
// (`leads completion SHELL`) when the table changes; a test fails when they drift.
//
// This file holds the model the three share; quoting is CompletionQuoting.swift, and each
// shell's script is written by its own file (BashCompletion, ZshCompletion, FishCompletion).

enum Completions {
    static let shells = ["bash", "zsh", "fish"]

    static func script(for shell: String) -> String? {
        let model = CompletionModel()
        switch shell {
        case "bash": return bash(model)
        case "zsh": return zsh(model)
        case "fish": return fish(model)
        default: return nil
        }
    }
}

/// The table as a completion script sees it.
struct CompletionModel {
    /// `argument` may stand at positional indexes `first...last` (`last` nil: no end),
    /// counted from 0 after the command: `status ID… STAGE` puts ID at 0… and STAGE at 1….
    struct Slot {
        let argument: ArgumentSpec
        let first: Int
        let last: Int?

        func covers(_ index: Int) -> Bool { first <= index && (last.map { index <= $0 } ?? true) }
    }

    struct Command {
        let spec: CommandSpec
        /// Its own options, then the global ones it does not shadow.
        let options: [OptionSpec]
        let slots: [Slot]

        var name: String { spec.name }

        /// Past this index every position is alike: the unbounded slots' hints.
        var boundedCount: Int {
            slots.map { $0.last.map { $0 + 1 } ?? $0.first + 1 }.max() ?? 0
        }

        func hints(at index: Int) -> [ArgumentSpec] {
            slots.filter { $0.covers(index) }.map(\.argument)
        }

        var tailHints: [ArgumentSpec] { slots.filter { $0.last == nil }.map(\.argument) }
    }

    let globals: [OptionSpec]
    let commands: [Command]

    init(table: [CommandSpec] = CommandTable.commands, globals: [OptionSpec] = CommandTable.globalOptions) {
        self.globals = globals
        commands = table.filter { !$0.hidden }.map { spec in
            let own = Set(spec.options.map(\.name))
            return Command(spec: spec, options: spec.options + globals.filter { !own.contains($0.name) },
                           slots: Self.slots(spec.arguments))
        }
    }

    static func slots(_ arguments: [ArgumentSpec]) -> [Slot] {
        var slots: [Slot] = []
        var required = 0, before = 0, unbounded = false
        for argument in arguments {
            let variadic = argument.arity == .oneOrMore || argument.arity == .any
            slots.append(Slot(argument: argument, first: required, last: unbounded || variadic ? nil : before))
            if argument.arity == .one || argument.arity == .oneOrMore { required += 1 }
            before += 1
            if variadic { unbounded = true }
        }
        return slots
    }

    /// Commands whose own option of this name replaces the global one (`log --user`).
    func commandsShadowing(_ global: OptionSpec) -> [Command] {
        commands.filter { command in command.spec.options.contains { $0.name == global.name } }
    }

    var hasDirOption: Bool { globals.contains { $0.name == "dir" && $0.takesValue } }
}
