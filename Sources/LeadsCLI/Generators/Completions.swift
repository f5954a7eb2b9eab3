import LeadsCore

// Completion scripts for bash, zsh and fish, generated from the command table: every
// visible command, its options (long and short) and the global ones, option values and
// positional arguments by their `ValueHint`. Values only the store knows come from the
// hidden `leads __complete KIND PREFIX` at TAB time, with the `--dir` typed on the
// command line passed through. The scripts hold no list of their own: regenerate them
// (`leads completion SHELL`) when the table changes; a test fails when they drift.

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

// MARK: - Quoting

/// A single-quoted word for bash, zsh and fish alike (fish also treats a backslash
/// inside single quotes specially; `fishQuoted` handles that).
func shellQuoted(_ text: String) -> String {
    var out = "'"
    for character in text {
        if character == "'" { out += "'\\''" } else { out.append(character) }
    }
    return out + "'"
}

/// Words made only of these need no quotes in any of the three shells.
func isPlainWord(_ text: String) -> Bool {
    !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", "+", ",", "@", "%": return true
        default: return false
        }
    }
}

func shellWord(_ text: String) -> String { isPlainWord(text) ? text : shellQuoted(text) }

func fishQuoted(_ text: String) -> String {
    var out = "'"
    for character in text {
        if character == "'" || character == "\\" { out.append("\\") }
        out.append(character)
    }
    return out + "'"
}

func fishWord(_ text: String) -> String { isPlainWord(text) ? text : fishQuoted(text) }

extension OptionSpec {
    /// "--name", and "-n" when it has a short form.
    var spellings: [String] { ["--" + name] + (short.map { ["-" + String($0)] } ?? []) }
}

// MARK: - bash

extension Completions {
    static func bash(_ model: CompletionModel) -> String {
        let commandWords = model.commands.map { shellWord($0.name) }.joined(separator: " ")

        func action(_ hint: ValueHint) -> String? {
            switch hint {
            case .text: return nil
            case .file: return "_leads_files"
            case .directory: return "_leads_files -d"
            case .command: return "_leads_programs"
            case .subcommand: return "_leads_words " + commandWords
            case .words(let values): return "_leads_words " + values.map(shellWord).joined(separator: " ")
            case .live(let kind): return "_leads_live " + kind.rawValue
            }
        }
        func pattern(_ command: String, _ option: String) -> String { shellQuoted(command + " " + option) }

        var takesValue = ""
        var values = ""
        for command in model.commands {
            for option in command.spec.options {
                let patterns = option.spellings.map { pattern(command.name, $0) }.joined(separator: "|")
                if option.takesValue {
                    takesValue += "        \(patterns)) return 0 ;;\n"
                    values += "        \(patterns)) \(action(option.hint) ?? ":") ;;\n"
                } else if model.globals.contains(where: { $0.name == option.name && $0.takesValue }) {
                    takesValue += "        \(patterns)) return 1 ;;\n"
                }
            }
        }
        for option in model.globals where option.takesValue {
            let patterns = option.spellings.map { "*" + shellQuoted(" " + $0) }.joined(separator: "|")
            takesValue += "        \(patterns)) return 0 ;;\n"
            values += "        \(patterns)) \(action(option.hint) ?? ":") ;;\n"
        }

        var options = ""
        for command in model.commands {
            options += "        \(shellWord(command.name))) _leads_words \(command.options.flatMap(\.spellings).joined(separator: " ")) ;;\n"
        }
        options += "        *) _leads_words \(model.globals.flatMap(\.spellings).joined(separator: " ")) ;;\n"

        var arguments = ""
        for command in model.commands {
            var lines: [String] = []
            for slot in command.slots {
                guard let action = action(slot.argument.hint) else { continue }
                var conditions: [String] = []
                if slot.last == slot.first {
                    conditions.append("n == \(slot.first)")
                } else {
                    if slot.first > 0 { conditions.append("n >= \(slot.first)") }
                    if let last = slot.last { conditions.append("n <= \(last)") }
                }
                lines.append(conditions.isEmpty ? action : "((\(conditions.joined(separator: " && ")))) && \(action)")
            }
            guard !lines.isEmpty else { continue }
            arguments += "        \(shellWord(command.name)))\n" + lines.map { "            \($0)\n" }.joined() + "            ;;\n"
        }

        let dirTracking = model.hasDirOption ? #"""
                    [[ $option == --dir ]] && _leads_dir=$word

        """# : ""
        let dirInline = model.hasDirOption ? #"""
                        --dir=*) _leads_dir=${word#--dir=} ;;

        """# : ""

        return #"""
        # bash completion for leads                                  -*- shell-script -*-
        # Generated by `leads completion bash` from the command table; do not edit.
        # Install as /usr/share/bash-completion/completions/leads (or
        # ~/.local/share/bash-completion/completions/leads), or source it from ~/.bashrc.

        # Adds the words that start with $cur to COMPREPLY, escaped for the command line.
        _leads_words() {
            local word
            for word; do
                if [[ $word == "$cur"* ]]; then
                    printf -v word '%q' "$word"
                    COMPREPLY+=("$word")
                fi
            done
        }

        # Values only the store knows: `leads __complete KIND PREFIX` prints one per line,
        # with a tab and a description after some.
        _leads_live() {
            local line
            local -a found=() dir=()
            [[ -n $_leads_dir ]] && dir=(--dir "$_leads_dir")
            while IFS= read -r line; do
                found+=("${line%%$'\t'*}")
            done < <("$_leads_program" "${dir[@]}" __complete "$1" "$cur" 2>/dev/null)
            _leads_words "${found[@]}"
        }

        # File names, or directory names with -d.
        _leads_files() {
            if declare -F _filedir >/dev/null; then
                _filedir "$@"
            else
                local line flag=${1:--f}
                compopt -o filenames 2>/dev/null
                while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen "$flag" -- "$cur")
            fi
        }

        _leads_programs() {
            local line
            while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen -c -- "$cur")
        }

        # Does option $2 take a value after command $1 ("" before the command)?
        _leads_takes_value() {
            case "$1 $2" in
        \#(takesValue)    esac
            return 1
        }

        # Completes the value of option $2 of command $1.
        _leads_value() {
            case "$1 $2" in
        \#(values)    esac
        }

        # Completes the options of command $1.
        _leads_options() {
            case $1 in
        \#(options)    esac
        }

        # Completes positional argument number $2 (from 0) of command $1.
        _leads_arguments() {
            local n=$2
            case $1 in
        \#(arguments)    esac
        }

        _leads() {
            local cur prev words cword
            if declare -F _get_comp_words_by_ref >/dev/null; then
                _get_comp_words_by_ref -n =: cur prev words cword
            else
                words=("${COMP_WORDS[@]}")
                cword=$COMP_CWORD
                cur=${words[cword]}
            fi
            COMPREPLY=()
            local _leads_program=leads _leads_dir= command= option= ended= word i n=0
            [[ ${words[0]} == */* && -x ${words[0]} ]] && _leads_program=${words[0]}
            # Find the command, the --dir given, and how many arguments precede the cursor.
            for ((i = 1; i < cword; i++)); do
                word=${words[i]}
                if [[ -n $option ]]; then
        \#(dirTracking)            option=
                elif [[ -z $ended && $word == -- ]]; then
                    ended=1
                elif [[ -z $ended && $word == -?* ]]; then
                    case $word in
        \#(dirInline)                --*=*) ;;
                        *) _leads_takes_value "$command" "$word" && option=$word ;;
                    esac
                elif [[ -z $command ]]; then
                    command=$word
                else
                    n=$((n + 1))
                fi
            done
            [[ $_leads_dir == '~/'* ]] && _leads_dir=$HOME/${_leads_dir#'~/'}

            if [[ -n $option ]]; then
                _leads_value "$command" "$option"
            elif [[ -z $ended && $cur == --*=* ]]; then
                option=${cur%%=*}
                cur=${cur#*=}
                _leads_value "$command" "$option"
                # Readline replaces only the part after "=" when "=" breaks words.
                [[ $COMP_WORDBREAKS == *=* ]] || COMPREPLY=("${COMPREPLY[@]/#/$option=}")
            elif [[ -z $ended && $cur == -* ]]; then
                _leads_options "$command"
            elif [[ -z $command ]]; then
                _leads_words \#(commandWords)
            else
                _leads_arguments "$command" "$n"
            fi
            if declare -F __ltrim_colon_completions >/dev/null; then
                __ltrim_colon_completions "$cur"
            fi
            return 0
        }

        complete -F _leads leads

        """#
    }
}

// MARK: - zsh

extension Completions {
    static func zsh(_ model: CompletionModel) -> String {
        /// Text inside an option's [description]: brackets, colons and backslashes escaped.
        func described(_ text: String) -> String {
            var out = ""
            for character in text {
                if "[]:\\".contains(character) { out.append("\\") }
                out.append(character)
            }
            return out
        }
        /// A word inside an action's (list): backslash before anything special.
        func listWord(_ text: String) -> String {
            var out = ""
            for character in text {
                if !isPlainWord(String(character)) { out.append("\\") }
                out.append(character)
            }
            return out
        }
        func action(_ hint: ValueHint) -> String? {
            switch hint {
            case .text: return nil
            case .file: return "_files"
            case .directory: return "_files -/"
            case .command: return "_command_names -e"
            case .subcommand: return "_leads_commands"
            case .words(let values): return "(" + values.map(listWord).joined(separator: " ") + ")"
            case .live(let kind): return "_leads_live " + kind.rawValue
            }
        }
        func optionSpecs(_ option: OptionSpec) -> [String] {
            let value = option.valueName.map { ":\(described($0)):\(action(option.hint) ?? " ")" } ?? ""
            var forms = ["--" + option.name + (option.takesValue ? "=" : "")]
            if let short = option.short { forms.append("-" + String(short) + (option.takesValue ? "+" : "")) }
            let prefix: String
            if option.repeatable {
                prefix = "*"
            } else if forms.count > 1 {
                prefix = "(" + option.spellings.joined(separator: " ") + ")"
            } else {
                prefix = ""
            }
            return forms.map { shellQuoted(prefix + $0 + "[" + described(option.help) + "]" + value) }
        }

        var helpers = ""
        /// The action for arguments that may share one position: one, or a helper that
        /// offers them all.
        func positionAction(_ command: CompletionModel.Command, _ label: String, _ arguments: [ArgumentSpec]) -> String {
            var seen: [ValueHint] = []
            var actions: [(ArgumentSpec, String)] = []
            for argument in arguments {
                guard !seen.contains(argument.hint), let action = action(argument.hint) else { continue }
                seen.append(argument.hint)
                actions.append((argument, action))
            }
            if actions.isEmpty { return " " }
            if actions.count == 1 { return actions[0].1 }
            let name = "_leads_\(command.name)_\(label)"
            helpers += "\(name)() {\n  _alternative \\\n"
            helpers += actions.enumerated().map { index, entry in
                "    " + shellQuoted("\(entry.0.name.lowercased())\(index):\(entry.0.name):\(entry.1)")
            }.joined(separator: " \\\n") + "\n}\n\n"
            return name
        }

        var arms = ""
        for command in model.commands {
            var specs = command.options.flatMap(optionSpecs)
            for index in 0..<command.boundedCount {
                let arguments = command.hints(at: index)
                guard !arguments.isEmpty else { continue }
                let optional = arguments.allSatisfy { $0.arity == .optional || $0.arity == .any }
                let message = arguments.map(\.name).joined(separator: " or ")
                specs.append(shellQuoted("\(index + 1):\(optional ? ":" : "")\(message):\(positionAction(command, String(index + 1), arguments))"))
            }
            let tail = command.tailHints
            if !tail.isEmpty {
                let message = tail.map(\.name).joined(separator: " or ")
                specs.append(shellQuoted("*:\(message):\(positionAction(command, "rest", tail))"))
            }
            arms += "      (\(command.name))\n        _arguments -s -S \\\n"
            arms += specs.map { "          " + $0 }.joined(separator: " \\\n") + " && ret=0\n        ;;\n"
        }

        let commandList = model.commands.map {
            "    " + shellQuoted($0.name.replacingColons + ":" + $0.spec.summary)
        }.joined(separator: "\n")
        let globalSpecs = model.globals.flatMap(optionSpecs).map { "    " + $0 + " \\\n" }.joined()
        let dirScan = model.hasDirOption ? #"""
          for (( i = 2; i <= $#_leads_line; i++ )); do
            (( i == _leads_current )) && continue
            word=${(Q)_leads_line[i]}
            case $word in
              (--dir) dir=(--dir ${(Q)_leads_line[i+1]}) ;;
              (--dir=*) dir=(--dir ${word#--dir=}) ;;
            esac
          done
          [[ $dir[2] == '~/'* ]] && dir[2]=$HOME/${dir[2]#'~/'}

        """# : ""

        return #"""
        #compdef leads
        # zsh completion for leads
        # Generated by `leads completion zsh` from the command table; do not edit.
        # Install as _leads in a directory of $fpath (e.g. /usr/local/share/zsh/site-functions)
        # and start a new shell (or run compinit).

        # Values only the store knows: `leads __complete KIND PREFIX` prints one per line,
        # with a tab and a description after some. KIND comes last: _arguments puts its
        # compadd options in front.
        _leads_live() {
          local kind=$argv[-1] line word
          local -a dir values
          integer i
        \#(dirScan)  for line in ${(f)"$($_leads_program $dir __complete $kind $PREFIX 2>/dev/null)"}; do
            if [[ $line == *$'\t'* ]]; then
              values+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
            else
              values+=("${line//:/\\:}")
            fi
          done
          _describe -t $kind $kind values
        }

        _leads_commands() {
          local -a commands
          commands=(
        \#(commandList)
          )
          _describe -t commands 'leads command' commands
        }

        \#(helpers)_leads() {
          local curcontext=$curcontext state state_descr line ret=1
          local -A opt_args
          # The whole line, before _arguments narrows $words to the command's part.
          local -a _leads_line
          _leads_line=("${words[@]}")
          local _leads_current=$CURRENT
          local _leads_program=leads
          [[ $words[1] == */* && -x $words[1] ]] && _leads_program=$words[1]
          _arguments -C -s -S \
        \#(globalSpecs)    '1: :_leads_commands' \
            '*:: :->args' && ret=0
          if [[ $state == args ]]; then
            curcontext=${curcontext%:*:*}:leads-$words[1]:
            case $words[1] in
        \#(arms)    esac
          fi
          return ret
        }

        _leads "$@"

        """#
    }
}

extension String {
    /// A _describe entry is NAME:DESCRIPTION; a colon in the name must be escaped.
    var replacingColons: String {
        var out = ""
        for character in self {
            if character == ":" { out += "\\:" } else { out.append(character) }
        }
        return out
    }
}

// MARK: - fish

extension Completions {
    static func fish(_ model: CompletionModel) -> String {
        func arguments(_ hint: ValueHint) -> String? {
            switch hint {
            case .text: return nil
            case .file: return "-F"
            case .directory: return "-a '(__fish_complete_directories (__leads_token))'"
            case .command: return "-a '(__fish_complete_command)'"
            case .subcommand: return "-a '(__leads_commands)'"
            case .words(let values): return "-a " + fishQuoted(values.map(fishWord).joined(separator: " "))
            case .live(let kind): return "-a '(__leads_live \(kind.rawValue))'"
            }
        }
        func optionLine(_ option: OptionSpec, condition: String?) -> String {
            var line = "complete -c leads"
            if let condition { line += " -n " + fishQuoted(condition) }
            if let short = option.short { line += " -s " + fishWord(String(short)) }
            line += " -l " + fishWord(option.name)
            if option.takesValue {
                if let arguments = arguments(option.hint) {
                    line += (option.hint == .file ? " -r " : " -x ") + arguments
                } else {
                    line += " -x"
                }
            }
            return line + " -d " + fishQuoted(option.help)
        }

        var takesValue: [String] = []
        var doesNot: [String] = []
        for command in model.commands {
            for option in command.spec.options {
                let patterns = option.spellings.map { fishQuoted(command.name + " " + $0) }
                if option.takesValue {
                    takesValue += patterns
                } else if model.globals.contains(where: { $0.name == option.name && $0.takesValue }) {
                    doesNot += patterns
                }
            }
        }
        let globalPatterns = model.globals.filter(\.takesValue).flatMap(\.spellings).map { fishQuoted("* " + $0) }
        var takesValueBody = ""
        if !doesNot.isEmpty { takesValueBody += "        case \(doesNot.joined(separator: " "))\n            return 1\n" }
        if !takesValue.isEmpty { takesValueBody += "        case \(takesValue.joined(separator: " "))\n            return 0\n" }
        if !globalPatterns.isEmpty { takesValueBody += "        case \(globalPatterns.joined(separator: " "))\n            return 0\n" }

        var lines: [String] = []
        lines.append("# Commands")
        for command in model.commands {
            lines.append("complete -c leads -n __leads_needs_command -a \(fishWord(command.name)) -d \(fishQuoted(command.spec.summary))")
        }
        lines.append("")
        lines.append("# Global options")
        for option in model.globals {
            let shadowing = model.commandsShadowing(option).map(\.name)
            lines.append(optionLine(option, condition: shadowing.isEmpty ? nil : "not __leads_using " + shadowing.joined(separator: " ")))
        }
        for command in model.commands {
            lines.append("")
            lines.append("# \(command.name)")
            for option in command.spec.options {
                lines.append(optionLine(option, condition: "__leads_using " + command.name))
            }
            for slot in command.slots {
                guard let arguments = arguments(slot.argument.hint) else { continue }
                let range = slot.last.map { " \(slot.first) \($0)" } ?? " \(slot.first)"
                lines.append("complete -c leads -n \(fishQuoted("__leads_at " + command.name + range)) \(arguments)")
            }
        }
        let commandList = model.commands.map {
            "    printf '%s\\t%s\\n' \(fishWord($0.name)) \(fishQuoted($0.spec.summary))"
        }.joined(separator: "\n")
        let dirTracking = model.hasDirOption ? #"""
                    test "$option" = --dir; and set dir $word

        """# : ""
        let dirInline = model.hasDirOption ? #"""
                    if string match -q -- '--dir=*' $word
                        set dir (string sub -s 7 -- $word)
                    else if not string match -q -- '--*=*' $word; and __leads_takes_value "$command" $word
                        set option $word
                    end

        """# : #"""
                    if not string match -q -- '--*=*' $word; and __leads_takes_value "$command" $word
                        set option $word
                    end

        """#

        return #"""
        # fish completion for leads
        # Generated by `leads completion fish` from the command table; do not edit.
        # Install as ~/.config/fish/completions/leads.fish (or in a vendor_completions.d
        # directory such as /usr/share/fish/vendor_completions.d).

        # Does option $argv[2] take a value after command $argv[1] ("" before the command)?
        function __leads_takes_value
            switch "$argv[1] $argv[2]"
        \#(takesValueBody)    end
            return 1
        end

        # The command line before the cursor, one item per line: the command, how many
        # arguments follow it, the --dir given, an option still waiting for its value.
        function __leads_state
            set -l command ''
            set -l count 0
            set -l dir ''
            set -l option ''
            set -l ended 0
            set -l words (commandline -opc)
            set -e words[1]
            for word in $words
                if test -n "$option"
        \#(dirTracking)            set option ''
                else if test $ended = 0; and test "$word" = --
                    set ended 1
                else if test $ended = 0; and string match -qr -- '^-.' $word
        \#(dirInline)        else if test -z "$command"
                    set command $word
                else
                    set count (math $count + 1)
                end
            end
            printf '%s\n' "$command" $count (string replace -r -- '^~/' "$HOME/" "$dir") "$option"
        end

        function __leads_needs_command
            set -l state (__leads_state)
            test -z "$state[1]"; and test -z "$state[4]"
        end

        # Is the command one of $argv?
        function __leads_using
            set -l state (__leads_state)
            contains -- "$state[1]" $argv
        end

        # Is the cursor on argument FIRST (to LAST, or beyond) of COMMAND?
        function __leads_at --argument-names command first last
            set -l state (__leads_state)
            test "$state[1]" = "$command"; and test -z "$state[4]"; or return 1
            test $state[2] -ge $first; or return 1
            test -z "$last"; or test $state[2] -le $last
        end

        # The word being completed, without an "--option=" in front.
        function __leads_token
            string replace -r -- '^-[^=]*=' '' (commandline -ct)
        end

        # Values only the store knows: `leads __complete KIND PREFIX` prints one per line,
        # with a tab and a description after some.
        function __leads_live --argument-names kind
            set -l state (__leads_state)
            set -l program leads
            set -l first (commandline -opc)[1]
            string match -q -- '*/*' $first; and test -x $first; and set program $first
            set -l dir
            test -n "$state[3]"; and set dir --dir $state[3]
            $program $dir __complete $kind (__leads_token) 2>/dev/null
        end

        function __leads_commands
        \#(commandList)
        end

        complete -c leads -f

        \#(lines.joined(separator: "\n"))

        """#
    }
}
