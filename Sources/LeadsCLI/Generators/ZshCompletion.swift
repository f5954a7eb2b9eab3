import LeadsCore

// The zsh script: see Completions.swift for what every script offers.

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
