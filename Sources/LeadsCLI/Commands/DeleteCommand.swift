import Glibc
import LeadsCore

enum DeleteCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let ids = try IDList.parse(invocation.positionals)
        let store = try context.store()
        if !invocation.flag("yes") {
            // Erasure cannot be undone: ask a person; refuse a script that did not say --yes.
            guard context.environment.stdinIsTerminal && context.environment.stderrIsTerminal,
                  !invocation.positionals.contains("-") else {
                throw CommandError.confirmationRequired(command: "delete")
            }
            var names: [String] = []
            for id in ids { names.append("\(id) \(try store.lead(id).name)") }
            let what = ids.count == 1 ? "lead " + names[0] : "\(ids.count) leads (" + names.joined(separator: ", ") + ")"
            guard confirm("delete \(what)? This cannot be undone. [y/N] ") else { throw CommandError.declined }
        }
        let now = try context.now()
        let deleted = try store.write { writer in
            let leads = try ids.map { try writer.lead($0) }
            for lead in leads {
                try writer.delete(lead, log: ActivityEntry(time: now, user: writer.actor.user, action: .delete, lead: lead.id))
            }
            return leads
        }
        try context.confirm(Confirmation.leads(deleted.map { ($0, "deleted") }, summary: "deleted"))
        return ExitStatus.success
    }

    static func confirm(_ question: String) -> Bool {
        let bytes = Array(("leads: " + question).utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 && byte != 10 { answer.append(byte) }
        let text = String(decoding: answer, as: UTF8.self).lowercased()
        return text == "y" || text == "yes"
    }
}
