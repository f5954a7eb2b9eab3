import LeadsCore

enum NoteCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let id = try IDList.single(invocation.positionals[0])
        var text = invocation.positionals[1]
        if text == "-" {
            text = try readStandardInput()
            // The newline that ends the last line of input is not part of the note.
            if text.hasSuffix("\r\n") { text.removeLast(1) } else if text.hasSuffix("\n") { text.removeLast() }
        }
        text = try FieldParser.note(text, field: "TEXT")
        let now = try context.now()
        let at = try invocation.value("at").map { try FieldParser.instant($0, field: "--at", now: now) } ?? now
        let contacted = invocation.flag("contacted")
        let outcome = try LeadUpdate.apply([id], in: context) { lead, writer in
            let user = writer.actor.user
            // Notes stay in time order even when one is back-dated with --at.
            let position = lead.notes.firstIndex { $0.at > at } ?? lead.notes.endIndex
            lead.notes.insert(Note(at: at, by: user, text: text, contacted: contacted), at: position)
            if contacted, lead.lastContact.map({ $0.at <= at }) ?? true {
                lead.lastContact = Contact(at: at, by: user)
            }
            var details: [String: JSONValue] = [:]
            if contacted { details["contacted"] = .bool(true) }
            if at != now { details["at"] = .string(at.iso8601) }
            return ActivityEntry(time: now, user: user, action: .note, lead: lead.id, details: details)
        }
        if let lead = outcome.changed.first?.after {
            var change = contacted ? "note added, contacted" : "note added"
            if at != now { change += " at " + LeadView.time(at) }
            try context.confirm(Confirmation.lead(lead, change))
        }
        return ExitStatus.success
    }
}
