import Foundation
import Testing

/// The generated completion scripts, driven in the real shells against a sandbox store:
/// bash through bash-completion and the completion function, fish through
/// `complete -C`, zsh through a `compinit` session in a pseudo-terminal.
@Suite struct ShellCompletionTests {
    static let bashCompletion = "/usr/share/bash-completion/bash_completion"

    /// A store with two leads, and the environment the shells run in: the built binary
    /// first on PATH, LEADS_DIR pointing at the store.
    final class Fixture {
        let box = Sandbox()
        let other = Sandbox()
        var environment: [String: String]

        init() {
            _ = box.add("Jane Roe", "--label", "vip", "--label", "big deal", "--owner", "bob")
            _ = box.add("Acme", "--org", "--stage", "qualified")
            for name in ["X", "Y", "Z"] { _ = other.add(name) }
            try? FileManager.default.createDirectory(atPath: box.root + "/home/projects", withIntermediateDirectories: true)
            environment = box.environment
            let binDirectory = (Sandbox.binary as NSString).deletingLastPathComponent
            environment["PATH"] = binDirectory + ":/usr/bin:/bin"
            environment["TERM"] = "dumb"
        }

        func script(_ shell: String, named name: String) throws -> String {
            let result = box.run("completion", shell)
            #expect(result.status == 0)
            let directory = box.root + "/" + shell
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = directory + "/" + name
            try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func file(_ name: String, _ text: String) throws -> String {
            let path = box.root + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// Runs a shell under `timeout`, so a hanging completion fails instead of blocking.
        func shell(_ arguments: [String]) -> RunResult {
            Sandbox.execute("/usr/bin/timeout", ["60"] + arguments, stdin: nil, environment: environment)
        }
    }

    /// Output of the drivers: "== LINE" and then one candidate per line.
    static func groups(_ output: String) -> [String: [String]] {
        var groups: [String: [String]] = [:]
        var current: String?
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("== ") {
                current = String(line.dropFirst(3))
                groups[current!] = []
            } else if let current, !line.isEmpty {
                groups[current]!.append(String(line))
            }
        }
        return groups
    }

    static let stages = ["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dnc"]

    // MARK: - bash

    static let bashDriver = #"""
        # bash --norc --noprofile DRIVER SCRIPT with|without LINE...: COMPREPLY for each LINE,
        # split into COMP_WORDS as readline does ("=" breaks words).
        script=$1 mode=$2
        shift 2
        if [[ $mode == with ]]; then source /usr/share/bash-completion/bash_completion || exit 3; fi
        source "$script" || exit 4
        complete -p leads
        for line in "$@"; do
            COMP_LINE=$line
            COMP_POINT=${#line}
            read -ra raw <<< "$line"
            [[ $line == *' ' ]] && raw+=('')
            COMP_WORDS=()
            for word in "${raw[@]}"; do
                if [[ $word == *=* ]]; then COMP_WORDS+=("${word%%=*}" = "${word#*=}"); else COMP_WORDS+=("$word"); fi
            done
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            COMPREPLY=()
            _leads leads "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            echo "== $line"
            printf '%s\n' "${COMPREPLY[@]}"
        done
        """#

    @Test(.enabled(if: FileManager.default.fileExists(atPath: bashCompletion), "bash-completion is not installed; .ci/run installs it"))
    func bashWithBashCompletion() throws {
        let fixture = Fixture()
        let script = try fixture.script("bash", named: "leads.bash")
        let driver = try fixture.file("driver.bash", Self.bashDriver)
        let lines = [
            "leads li", "leads list --ow", "leads show ", "leads show 1", "leads show 1 ", "leads list --stage ",
            "leads list --stage=q", "leads completion ", "leads help ", "leads list --label ", "leads log --user ",
            "leads --dir /nonexistent show ", "leads --dir \(fixture.other.dir) show ", "leads --dir=\(fixture.other.dir) show 2",
            "leads list --sort -v", "leads log -", "leads init \(fixture.box.root)/home/pro", "leads ",
            "leads add X --company ", "leads --user ",
        ]
        let result = fixture.shell(["/bin/bash", "--norc", "--noprofile", driver, script, "with"] + lines)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        #expect(result.stdout.hasPrefix("complete -F _leads leads\n"))
        let got = Self.groups(result.stdout)
        let commands = GeneratedDocsTests.visibleCommands(fixture.box)
        #expect(got["leads li"] == ["list"])
        #expect(got["leads list --ow"] == ["--owner"])
        #expect(got["leads show "] == ["1", "2"])
        #expect(got["leads show 1"] == ["1"])
        #expect(got["leads show 1 "] == [])
        #expect(got["leads list --stage "] == Self.stages)
        #expect(got["leads list --stage=q"] == ["qualified"])
        #expect(got["leads completion "] == ["bash", "zsh", "fish"])
        #expect(got["leads help "] == commands)
        #expect(got["leads "] == commands)
        #expect(got["leads list --label "] == ["big\\ deal", "vip"])
        #expect(got["leads log --user "] == ["alice", "bob"])
        #expect(got["leads --user "] == ["alice", "bob"])
        #expect(got["leads --dir /nonexistent show "] == [])
        #expect(got["leads --dir \(fixture.other.dir) show "] == ["1", "2", "3"])
        #expect(got["leads --dir=\(fixture.other.dir) show 2"] == ["2"])
        #expect(got["leads list --sort -v"] == ["-value"])
        #expect(got["leads add X --company "] == [])
        #expect(got["leads init \(fixture.box.root)/home/pro"] == ["\(fixture.box.root)/home/projects"])
        let logOptions = try #require(got["leads log -"])
        #expect(Set(logOptions) == Set(Self.options(fixture.box, "log")))
        #expect(logOptions.contains("-n") && logOptions.contains("--count") && logOptions.contains("--dir"))
    }

    @Test func bashWithoutBashCompletion() throws {
        let fixture = Fixture()
        let script = try fixture.script("bash", named: "leads.bash")
        let driver = try fixture.file("driver.bash", Self.bashDriver)
        let result = fixture.shell(["/bin/bash", "--norc", "--noprofile", driver, script, "without",
                                    "leads li", "leads show ", "leads list --stage q", "leads list --ow"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let got = Self.groups(result.stdout)
        #expect(got["leads li"] == ["list"])
        #expect(got["leads show "] == ["1", "2"])
        #expect(got["leads list --stage q"] == ["qualified"])
        #expect(got["leads list --ow"] == ["--owner"])
    }

    // MARK: - fish

    @Test(.enabled(if: Tool.path("fish") != nil, "fish is not installed; .ci/run installs it"))
    func fishCompletesFromTheTableAndTheStore() throws {
        let fixture = Fixture()
        let script = try fixture.script("fish", named: "leads.fish")
        let lines = [
            "leads li", "leads list --ow", "leads show ", "leads show 1 ", "leads list --stage ", "leads list --stage=q",
            "leads completion ", "leads help ", "leads log --user ", "leads --dir \(fixture.other.dir) show ",
            "leads --dir /nonexistent show ", "leads list --sort=-v", "leads log -",
        ]
        let result = fixture.shell([Tool.path("fish")!, "--no-config", "-c",
                                    "source $argv[1]; or exit 3; for line in $argv[2..-1]; echo \"== $line\"; complete -C $line; end",
                                    script] + lines)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let got = Self.groups(result.stdout)
        func values(_ line: String) -> Set<String> {
            Set((got[line] ?? []).map { String($0.split(separator: "\t", omittingEmptySubsequences: false)[0]) })
        }
        #expect(got["leads li"] == ["list\tlist leads (open ones by default)"])
        #expect(values("leads list --ow") == ["--owner"])
        // Lead IDs come with the names as descriptions.
        #expect(got["leads show "] == ["1\tJane Roe", "2\tAcme"])
        #expect(got["leads show 1 "] == [])
        #expect(values("leads list --stage ") == Set(Self.stages))
        #expect(values("leads list --stage=q") == ["--stage=qualified"])
        #expect(values("leads completion ") == ["bash", "zsh", "fish"])
        #expect(values("leads help ") == Set(GeneratedDocsTests.visibleCommands(fixture.box)))
        #expect(values("leads log --user ") == ["alice", "bob"])
        #expect(got["leads --dir \(fixture.other.dir) show "] == ["1\tX", "2\tY", "3\tZ"])
        #expect(got["leads --dir /nonexistent show "] == [])
        // fish reads a word starting with "-" as an option, never as a value: --sort=-v.
        #expect(values("leads list --sort=-v") == ["--sort=-value"])
        #expect(values("leads log -") == Set(Self.options(fixture.box, "log")))
    }

    // MARK: - zsh

    /// Drives an interactive `zsh -f` in a pseudo-terminal: compinit with the script's
    /// directory on fpath, compadd wrapped to print what is offered (and the display
    /// strings with descriptions), and a key that completes then prints an end mark.
    static let zshDriver = #"""
        # zsh -f DRIVER FPATH_DIRECTORY LINE...
        zmodload zsh/zpty || exit 3
        zpty z zsh -f -i
        zpty -w z "unsetopt prompt_sp prompt_cr beep; unset zle_bracketed_paste; PS1='' RPS1=''; fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
        zpty -w z 'compadd() { local -a found; local m i; if (( ${@[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi; builtin compadd -O found "$@"; for m in $found; do print -r -- "<""<$m>>"; done; i=${@[(i)-d]}; if (( i < $# )); then for m in ${(P)${@[i+1]}}; do print -r -- "<""<display:$m>>"; done; fi; builtin compadd "$@"; }'
        zpty -w z 'zle -C leads-complete complete-word _main_complete; leads-test() { zle leads-complete; print -r -- "<<EN""D>>"; zle kill-whole-line; }; zle -N leads-test; bindkey "^T" leads-test'
        zpty -w z 'print -r -- READY""-MARK'
        out=''
        while zpty -r z chunk; do out+=$chunk; [[ $out == *READY-MARK* ]] && break; done
        shift
        for line in "$@"; do
          zpty -w -n z "$line"$'\C-t'
          out=''
          while zpty -r z chunk; do
            out+=$chunk
            [[ $out == *'<<END>>'* ]] && break
          done
          print -r -- "== $line"
          for match in ${(u)${${(M)${(s:>>:)out//$'\r'/}:#*<<*}#*<<}}; do
            [[ $match == END ]] || print -r -- $match
          done
        done
        zpty -d z
        """#

    @Test(.enabled(if: Tool.path("zsh") != nil, "zsh is not installed; .ci/run installs it"))
    func zshScriptParsesAndLoads() throws {
        let fixture = Fixture()
        let script = try fixture.script("zsh", named: "_leads")
        let syntax = fixture.shell([Tool.path("zsh")!, "-n", script])
        #expect(syntax.status == 0 && syntax.stderr == "", "\(syntax.stderr)")
        let directory = (script as NSString).deletingLastPathComponent
        let load = fixture.shell([Tool.path("zsh")!, "-f", "-c",
                                  "fpath=($1 $fpath); autoload -U compinit; compinit -u -D && print -r -- $_comps[leads]", "zsh", directory])
        #expect(load.status == 0)
        #expect(load.stderr == "")
        #expect(load.stdout == "_leads\n")
    }

    @Test(.enabled(if: Tool.path("zsh") != nil, "zsh is not installed; .ci/run installs it"))
    func zshCompletesFromTheTableAndTheStore() throws {
        let fixture = Fixture()
        let script = try fixture.script("zsh", named: "_leads")
        let driver = try fixture.file("driver.zsh", Self.zshDriver)
        let lines = [
            "leads li", "leads show ", "leads list --ow", "leads list --stage ", "leads list --stage=q", "leads completion ",
            "leads help ", "leads log --user ", "leads --dir \(fixture.other.dir) show ", "leads --dir /nonexistent show ",
            "leads list --sort -v", "leads show 1 ",
        ]
        let result = fixture.shell([Tool.path("zsh")!, "-f", driver, (script as NSString).deletingLastPathComponent] + lines)
        #expect(result.status == 0, "\(result.stderr)")
        let got = Self.groups(result.stdout)
        func matches(_ line: String) -> [String] { (got[line] ?? []).filter { !$0.hasPrefix("display:") } }
        func displays(_ line: String) -> [String] { (got[line] ?? []).filter { $0.hasPrefix("display:") } }
        #expect(matches("leads li") == ["list"])
        #expect(Set(matches("leads show ")) == ["1", "2"])
        // Lead IDs come with the names as descriptions.
        #expect(displays("leads show ").contains { $0.contains("1") && $0.hasSuffix("Jane Roe") })
        #expect(displays("leads show ").contains { $0.contains("2") && $0.hasSuffix("Acme") })
        #expect(matches("leads list --ow") == ["--owner"])
        #expect(Set(matches("leads list --stage ")) == Set(Self.stages))
        #expect(matches("leads list --stage=q") == ["qualified"])
        #expect(matches("leads completion ") == ["bash", "zsh", "fish"])
        #expect(Set(matches("leads help ")) == Set(GeneratedDocsTests.visibleCommands(fixture.box)))
        #expect(Set(matches("leads log --user ")) == ["alice", "bob"])
        #expect(Set(matches("leads --dir \(fixture.other.dir) show ")) == ["1", "2", "3"])
        #expect(matches("leads --dir /nonexistent show ") == [])
        #expect(matches("leads list --sort -v") == ["-value"])
        // No second ID; _arguments offers the options once the arguments are given.
        #expect(!matches("leads show 1 ").isEmpty && matches("leads show 1 ").allSatisfy { $0.hasPrefix("-") })
    }

    /// The long and short options `leads COMMAND --help` lists.
    static func options(_ box: Sandbox, _ command: String) -> [String] {
        GeneratedDocsTests.options(box, command)
    }
}
