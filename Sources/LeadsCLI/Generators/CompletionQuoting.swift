import LeadsCore

// Quoting words for the shells' scripts: POSIX single quotes for bash and zsh, fish's own.

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
