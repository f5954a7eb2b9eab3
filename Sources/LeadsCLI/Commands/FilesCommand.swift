import LeadsCore

/// `leads attach ID FILE… [--name NAME]`, `leads files ID [--json]`, `leads detach ID NAME`:
/// files kept on a lead (Docs/commands.md). The checks, the staging and the one commit are
/// the store's (Store/LeadFiles.swift); this reads the FILE arguments and says what happened.
enum FilesCommand {
    static func attach(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let id = try IDList.single(invocation.positionals[0])
        let paths = Array(invocation.positionals.dropFirst())
        let name = invocation.value("name")
        if name != nil, paths.count > 1 {
            throw UsageError.invalidArgument(argument: "--name", value: name!, reason: "names one FILE, and \(paths.count) are given; attach the others separately")
        }
        if paths.filter({ $0 == "-" }).count > 1 {
            throw UsageError.invalidArgument(argument: "FILE", value: "-", reason: "standard input can be read only once")
        }
        if paths.contains("-"), name == nil {
            throw UsageError.invalidArgument(argument: "FILE", value: "-", reason: "standard input has no file name; give one with --name")
        }
        let now = try context.now()
        let store = try context.store()
        let limit = try store.config().fileLimit
        // Every file is read before the lock is taken: a slow pipe never holds up other writers,
        // and an unreadable file changes nothing.
        var files: [(name: String, bytes: [UInt8])] = []
        for path in paths {
            files.append((name ?? baseName(path), try LeadFileInput.read(path, limit: limit)))
        }
        var kept: [LeadFile] = []
        let outcome = try LeadUpdate.apply([id], in: context) { lead, writer in
            kept = try writer.attach(files, to: &lead, onCollision: .refuse, sources: paths)
            return ActivityEntry(time: now, user: writer.actor.user, action: .attach, lead: lead.id,
                                 details: ["files": .integer(kept.count), "bytes": .integer(kept.reduce(0) { $0 + $1.size })])
        }
        if let lead = outcome.changed.first?.after {
            try context.confirm(Confirmation.lead(lead, "attached " + describe(kept)))
        }
        return ExitStatus.success
    }

    static func detach(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let id = try IDList.single(invocation.positionals[0])
        let name = invocation.positionals[1]
        let now = try context.now()
        var removed: LeadFile?
        let outcome = try LeadUpdate.apply([id], in: context) { lead, writer in
            let file = try writer.detach(name, from: &lead)
            removed = file
            return ActivityEntry(time: now, user: writer.actor.user, action: .detach, lead: lead.id,
                                 details: ["files": .integer(1), "bytes": .integer(file.size)])
        }
        if let lead = outcome.changed.first?.after, let removed {
            try context.confirm(Confirmation.lead(lead, "detached " + describe([removed])))
        }
        return ExitStatus.success
    }

    static func list(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let id = try IDList.single(invocation.positionals[0])
        let store = try context.store()
        let lead = try store.lead(id)
        let out = context.output
        if invocation.flag("json") {
            try out.write(bytes: JSONWriter.pretty(.array(lead.files.map { json($0, of: lead, store: store) })))
            return ExitStatus.success
        }
        if lead.files.isEmpty {
            try context.hint("lead \(id) has no files: 'leads attach \(id) FILE' keeps one")
            return ExitStatus.success
        }
        var table = TextTable([.init(title: "NAME", flexible: true), .init(title: "SIZE", alignment: .right),
                               .init(title: "ADDED"), .init(title: "BY")])
        for file in lead.files { table.add([file.name, String(file.size), LeadView.time(file.addedAt), file.addedBy]) }
        for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout) {
            try out.line(line)
        }
        return ExitStatus.success
    }

    /// One file in `files --json`: its record, and where its bytes are.
    static func json(_ file: LeadFile, of lead: Lead, store: LeadStore) -> JSONValue {
        guard case .object(var object) = file.json else { return file.json }
        object["path"] = .string(store.filePath(lead: lead.id, name: file.name))
        return .object(object)
    }

    /// "Angebot.pdf (12.3 KiB)", "3 files (1.2 MiB): a.pdf, b.png, c.txt".
    static func describe(_ files: [LeadFile]) -> String {
        let total = files.reduce(0) { $0 + $1.size }
        if files.count == 1 { return Confirmation.cut(files[0].name) + " (\(LeadView.size(total)))" }
        let names = files.prefix(Confirmation.namedLimit).map { Confirmation.cut($0.name) }.joined(separator: ", ")
        return "\(files.count) files (\(LeadView.size(total))): " + names + (files.count > Confirmation.namedLimit ? " and \(files.count - Confirmation.namedLimit) more" : "")
    }

    /// The last component of a path, as the file is named on the lead ("a/b.pdf" → "b.pdf").
    static func baseName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        return String(trimmed.split(separator: "/", omittingEmptySubsequences: true).last ?? trimmed)
    }
}
