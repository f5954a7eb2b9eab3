import LeadsCore

/// `leads help`, `leads help CMD` and `leads CMD --help`, generated from the table.
enum HelpText {
    static func general() -> String {
        var out = "leads \(leadsVersion): manage sales leads from the shell\n\n"
        out += "Usage: leads [--dir DIR] [--user NAME] COMMAND [ARGS] [OPTIONS]\n\n"
        out += "Commands:\n"
        let visible = CommandTable.commands.filter { !$0.hidden }
        let width = visible.map(\.name.count).max() ?? 0
        for command in visible {
            out += "  " + command.name.padding(to: width) + "  " + command.summary + "\n"
        }
        out += "\nGlobal options:\n" + optionLines(CommandTable.globalOptions, width: optionWidth(CommandTable.globalOptions))
        out += "\nEnvironment: LEADS_DIR, LEADS_USER, LEADS_NOW, LEADS_LOCK_TIMEOUT, LEADS_SENDMAIL, LEADS_SENDMAIL_TIMEOUT, NO_COLOR, TZ.\n"
        out += "Exit status: 0 success, 1 failure, 2 usage error, 75 lock not available in time.\n"
        out += "Run 'leads help COMMAND' for a command's options; 'man leads' for everything.\n"
        return out
    }

    static func command(_ spec: CommandSpec) -> String {
        var out = "leads \(spec.name): \(spec.summary)\n\nUsage:\n"
        for line in spec.usageLines { out += "  \(line)\n" }
        for paragraph in spec.details { out += "\n" + wrap(paragraph, width: 78, indent: "") }
        if !spec.arguments.isEmpty {
            out += "\nArguments:\n"
            let width = max(20, spec.arguments.map(\.label.count).max() ?? 0)
            for argument in spec.arguments {
                out += "  " + argument.label.padding(to: width) + "  " + argument.help + "\n"
            }
        }
        let shadowed = Set(spec.options.map(\.name))
        let globals = CommandTable.globalOptions.filter { !shadowed.contains($0.name) }
        let width = optionWidth(spec.options + globals)
        if !spec.options.isEmpty {
            out += "\nOptions:\n" + optionLines(spec.options, width: width)
        }
        out += "\nGlobal options:\n" + optionLines(globals, width: width)
        if !spec.examples.isEmpty {
            out += "\nExamples:\n"
            for example in spec.examples { out += "  \(example.command)\n      \(example.explanation)\n" }
        }
        return out
    }

    static func optionLabel(_ option: OptionSpec) -> String { (option.short == nil ? "    " : "") + option.label }

    static func optionWidth(_ options: [OptionSpec]) -> Int { max(20, options.map { optionLabel($0).count }.max() ?? 0) }

    static func optionLines(_ options: [OptionSpec], width: Int) -> String {
        let labels = options.map(optionLabel)
        var out = ""
        for (option, label) in zip(options, labels) {
            let help = option.help + (option.repeatable && !option.help.contains("repeatable") ? " (repeatable)" : "")
            out += "  " + label.padding(to: width) + "  " + help + "\n"
        }
        return out
    }

    static func wrap(_ text: String, width: Int, indent: String) -> String {
        var lines: [String] = []
        var line = indent
        for word in text.split(separator: " ") {
            if line.count > indent.count && line.count + 1 + word.count > width {
                lines.append(line)
                line = indent
            }
            line += (line.count > indent.count ? " " : "") + word
        }
        if line.count > indent.count { lines.append(line) }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padding(to width: Int) -> String {
        let w = displayWidth(self)
        return w >= width ? self : self + String(repeating: " ", count: width - w)
    }
}

enum HelpCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        if let topic = invocation.positionals.first {
            guard let spec = CommandTable.command(named: topic) else {
                throw UsageError.unknownHelpTopic(topic, suggestion: Suggestion.nearest(
                    to: topic, in: CommandTable.commands.filter { !$0.hidden }.map(\.name)))
            }
            try context.output.write(HelpText.command(spec))
        } else {
            try context.output.write(HelpText.general())
        }
        return ExitStatus.success
    }
}
