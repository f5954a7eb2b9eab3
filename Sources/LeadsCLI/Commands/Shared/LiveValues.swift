import LeadsCore

/// `leads __complete KIND [PREFIX]`: the values only the store knows, for the completion
/// scripts, one per line as `VALUE` or `VALUE<TAB>DESCRIPTION` (zsh and fish show the
/// description next to the value).
///
/// It runs inside the user's prompt, so it never fails noisily: any error (no store, a
/// corrupt config.json, an unreadable directory, a held lock) prints nothing and exits
/// 0. Unreadable lead files are skipped, as a completion is only a suggestion.
enum LiveValues {
    /// A writer (an import) may hold the lock for long; TAB must not hang for 10 s.
    static let lockTimeout = 1.0

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        guard let kind = LiveKind(rawValue: invocation.positionals[0]) else { return ExitStatus.success }
        let prefix = invocation.positionals.count > 1 ? invocation.positionals[1] : ""
        do {
            // Built by hand rather than context.store(): no "waiting for the lock" on the
            // terminal, and a short timeout.
            let actor = Actor(user: context.user, now: (try? context.now()) ?? Timestamp(seconds: 0), command: "__complete")
            let store = try LeadStore(path: try context.dataDirectory(), actor: actor, lockTimeout: lockTimeout)
            store.commandLock = context.lock
            var text = ""
            for (value, description) in try values(kind, store) where value.hasPrefix(prefix) {
                text += value
                if let description { text += "\t" + oneLine(description) }
                text += "\n"
            }
            try context.output.write(text)
            try context.output.flush()
        } catch {
            // Deliberately silent: see the type's comment.
        }
        return ExitStatus.success
    }

    static func values(_ kind: LiveKind, _ store: LeadStore) throws -> [(String, String?)] {
        switch kind {
        case .stage:
            return try store.config().allStages.map { ($0.name, nil) }
        case .customer:
            return try store.allCustomers().customers.map { (String($0.id), $0.name) }
        case .lead:
            return try summaries(store).map { (String($0.id), $0.name) }
        case .reminder:
            var result: [(String, String?)] = []
            for lead in try summaries(store) {
                for reminder in lead.reminders where reminder.isOpen {
                    let about = reminder.text.isEmpty ? lead.name : lead.name + ": " + reminder.text
                    result.append(("\(lead.id).\(reminder.number)", about))
                }
            }
            return result
        case .owner:
            let leads = try summaries(store)
            var names = Set(try store.config().users.users.map(\.name))
            for lead in leads {
                if let owner = lead.owner { names.insert(owner) }
                for reminder in lead.reminders { names.insert(reminder.owner) }
            }
            return distinct(names)
        case .label:
            return distinct(Set(try summaries(store).flatMap(\.labels)))
        case .source:
            return distinct(Set(try summaries(store).compactMap(\.source)))
        case .campaign:
            return distinct(Set(try summaries(store).compactMap(\.campaign)))
        }
    }

    static func distinct(_ names: Set<String>) -> [(String, String?)] {
        names.filter { !$0.isEmpty && !$0.contains("\n") && !$0.contains("\t") }.sorted().map { ($0, nil) }
    }

    /// A name with a newline or tab would break the line format.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { out += " " } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}

private func summaries(_ store: LeadStore) throws -> [Lead] {
    var leads: [Lead] = []
    _ = try store.scanSummaries { leads.append($0) }
    return leads
}
