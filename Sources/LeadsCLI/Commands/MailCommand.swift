import Glibc
import LeadsCore

/// `leads mail [--dry-run] [--bounce]`: one message on standard input, filed as a note on
/// its lead (MailFiling's rules), or kept in DIR/mail/unmatched/. The order of events:
///
///   1. Standard input is read up to config.json `mail.message_limit` (one byte more is
///      a refusal, exit 65, without reading the rest) before any lock is taken, so a slow
///      pipe never holds the store.
///   2. MessageReader reads it. Empty, not a message, too large: refused (65), nothing kept.
///      Any other reader error (a line, part count or nesting over its limit, a multipart
///      without its boundary): kept unmatched as "unreadable", never filed.
///   3. Under the exclusive lock: the suppression list (any From/To/Cc address on it: kept
///      unmatched naming the entry), then the subject's numbers, then the addresses. One
///      lead: the note (and the attachments, staged with writer.attach) in one
///      writer.save, unless that lead already has a note with the message's identity.
///      Otherwise one keepUnmatchedMail commit, unless that file exists already.
///
/// Exit statuses are what a mail system reads (sysexits.h): 0 delivered (filed or
/// kept), 65 refused, 67 `--bounce` and not filed, 75 try again (the lock was busy).
enum MailCommand {
    /// Where the message goes, and why (the dry-run's words).
    enum Decision {
        case lead(Int, why: String, by: MatchedBy)
        case unmatched(reason: Reason, why: String)
    }

    enum MatchedBy: String { case subject, address }

    enum Reason: String { case unmatched, ambiguous, suppressed, unreadable }

    /// What the decision needs from the store: the same rules with a writer (the index of
    /// e-mail keys) and in a dry-run (a scan under the shared lock).
    struct Lookup {
        var lead: (Int) throws -> Lead?
        var leadsWithEmail: (String) throws -> [Int]
        var suppression: SuppressionList?
        var home: String
    }

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let config = try store.config()
        let bytes = try readMessage(limit: config.mail.messageLimit)
        let reader = MessageReader(limits: .init(messageBytes: config.mail.messageLimit))
        let parsed: Result<MailMessage, MessageReadError>
        do { parsed = .success(try reader.read(bytes)) } catch {
            switch error {
            case .empty, .notAMessage, .tooLarge: throw error
            default: parsed = .failure(error)
            }
        }
        let bounce = invocation.flag("bounce")
        let users = config.users
        let team = Set(users.users.compactMap { $0.email.map(MailFiling.addressKey) }
                       + [config.mail.from.flatMap { try? MailAddress.parse($0, source: "mail.from") }?.address].compactMap { $0.map(MailFiling.addressKey) })
        let home = try PrivacySettings(config).country

        if invocation.flag("dry-run") {
            return try store.withLock(.shared) { () throws -> Int32 in
                let (leads, _) = try store.allLeads(notes: false)
                let lookup = Lookup(
                    lead: { id in leads.first { $0.id == id } },
                    leadsWithEmail: { address in
                        let wanted = MailFiling.addressKey(address)
                        return leads.filter { $0.email.map(MailFiling.addressKey) == wanted }.map(\.id).sorted()
                    },
                    suppression: try store.suppressionList(), home: home)
                let decision = try decide(parsed, team: team, lookup: lookup)
                switch decision {
                case let .lead(id, why, _):
                    try context.output.line("lead \(id): \(why)")
                    return ExitStatus.success
                case let .unmatched(_, why):
                    try context.output.line("unmatched: \(why)")
                    return bounce ? ExitStatus.noUser : ExitStatus.success
                }
            }
        }

        return try store.write { writer -> Int32 in
            let lookup = Lookup(
                lead: { id in
                    do throws(StoreError) { return try writer.lead(id) } catch {
                        switch error {
                        case .leadNotFound: return nil
                        case .mergedAway(_, let into): return try? writer.lead(into)
                        default: throw error
                        }
                    }
                },
                leadsWithEmail: { address in try writer.leads(withEmail: address) },
                suppression: try writer.suppressionList(), home: home)
            let decision = try decide(parsed, team: team, lookup: lookup)
            let now = writer.actor.now
            switch decision {
            case let .lead(id, why, matchedBy):
                guard case .success(let message) = parsed, let before = try lookup.lead(id) else { return ExitStatus.failure }
                let identity = MailFiling.identity(of: message, bytes: bytes)
                if before.notes.contains(where: { MailFiling.identity(of: $0) == identity }) {
                    ErrorReport.notice("\(Confirmation.name(before)): this message is filed already (\(why))")
                    return ExitStatus.success
                }
                var lead = before
                let sender = message.from.first.flatMap { users.user(withEmail: $0.address) }
                let at = message.date ?? now
                // Attachments over the mail limit, or the store's file limit, are named in the
                // note and not kept; the rest are kept on the lead in this same commit.
                let limit = min(config.mail.attachmentLimit, config.fileLimit)
                var files: [(name: String, bytes: [UInt8])] = []
                var named: [String] = []
                for attachment in message.attachments {
                    let name = LeadFileName.sanitised(attachment.filename ?? MailFiling.fallbackName(attachment))
                    if attachment.bytes.isEmpty {
                        named.append("\(name) (\(attachment.contentType), empty, not kept)")
                    } else if attachment.bytes.count > limit {
                        named.append("\(name) (\(attachment.contentType), \(attachment.bytes.count) bytes, over the limit of \(limit), not kept)")
                    } else {
                        files.append((name, attachment.bytes))
                    }
                }
                let kept = try writer.attach(files, to: &lead, onCollision: .number)
                named = kept.map { "\($0.name) (\($0.size) bytes, kept)" } + named
                var note = Note(at: at, by: sender?.name ?? writer.actor.user, text: MailFiling.noteText(message, attachments: named),
                                contacted: sender != nil)
                note.extra["mail"] = MailFiling.noteRecord(message, identity: identity)
                let position = lead.notes.firstIndex { $0.at > at } ?? lead.notes.endIndex
                lead.notes.insert(note, at: position)
                if let sender, lead.lastContact.map({ $0.at <= at }) ?? true { lead.lastContact = Contact(at: at, by: sender.name) }
                lead.touch(at: now, by: writer.actor.user)
                var details: [String: JSONValue] = ["matched_by": .string(matchedBy.rawValue)]
                if sender != nil { details["contacted"] = .bool(true) }
                if !kept.isEmpty { details["attachments"] = .number(String(kept.count)) }
                if at != now { details["at"] = .string(at.iso8601) }
                try writer.save(lead, previous: before,
                                log: ActivityEntry(time: now, user: writer.actor.user, action: .mail, lead: id, details: details))
                try context.confirm(Confirmation.lead(lead, "mail filed (\(why))" + (kept.isEmpty ? "" : ", \(Confirmation.count(kept.count, "file")) kept")))
                return ExitStatus.success
            case let .unmatched(reason, why):
                if bounce {
                    ErrorReport.notice("the message was not filed: \(reason == .ambiguous ? "it names several leads" : why); returned to the mail system (--bounce)")
                    return ExitStatus.noUser
                }
                let identity: String
                if case .success(let message) = parsed { identity = MailFiling.identity(of: message, bytes: bytes) } else { identity = "sha256:" + hexString(SHA256.hash(bytes)) }
                let key = LeadStore.unmatchedMailKey(identity)
                let path = store.unmatchedMailPath(key)
                if try writer.hasUnmatchedMail(key) {
                    ErrorReport.notice("not filed: \(why); kept already as \(path)")
                    return ExitStatus.success
                }
                var details: [String: JSONValue] = ["file": .string(key), "reason": .string(reason.rawValue)]
                if case .ambiguous = reason, case .success(let message) = parsed {
                    details["candidates"] = .array(try candidates(message, team: team, lookup: lookup).map { .number(String($0)) })
                }
                if case .suppressed = reason, case .success(let message) = parsed,
                   let entry = suppressedEntry(message, lookup: lookup) {
                    details["suppression"] = .number(String(entry.number))
                }
                try writer.keepUnmatchedMail(bytes, key: key,
                                             log: ActivityEntry(time: now, user: writer.actor.user, action: .mailUnmatched, details: details))
                ErrorReport.notice("not filed: \(why); kept as \(path)")
                return ExitStatus.success
            }
        }
    }

    /// The rules of MailFiling, with the store's answers.
    static func decide(_ parsed: Result<MailMessage, MessageReadError>, team: Set<String>, lookup: Lookup) throws -> Decision {
        let message: MailMessage
        switch parsed {
        case .failure(let error): return .unmatched(reason: .unreadable, why: MessageReadError.describe(error))
        case .success(let m): message = m
        }
        if let entry = suppressedEntry(message, lookup: lookup) {
            return .unmatched(reason: .suppressed, why: "an address of the message is on the suppression list: \(entry.rule)")
        }
        let (explicit, bare) = MailFiling.subjectNumbers(message.subject ?? "")
        for (numbers, form) in [(explicit, "#N"), (bare, "number")] where !numbers.isEmpty {
            var found: [Int] = []
            for number in numbers {
                if let lead = try lookup.lead(number), !found.contains(lead.id) { found.append(lead.id) }
            }
            if found.count == 1 {
                return .lead(found[0], why: "the subject names lead \(found[0])" + (form == "#N" ? " as #\(found[0])" : ""), by: .subject)
            }
            if found.count > 1 {
                return .unmatched(reason: .ambiguous, why: "the subject names several leads: " + found.map { "#\($0)" }.joined(separator: ", "))
            }
        }
        let ids = try candidates(message, team: team, lookup: lookup)
        switch ids.count {
        case 0:
            return .unmatched(reason: .unmatched, why: "no lead number in the subject, and no address of From, To or Cc is a lead's e-mail")
        case 1:
            return .lead(ids[0], why: "an address of the message is lead \(ids[0])'s e-mail", by: .address)
        default:
            return .unmatched(reason: .ambiguous, why: "its addresses are the e-mail of several leads: " + ids.map { "#\($0)" }.joined(separator: ", "))
        }
    }

    /// The leads whose e-mail is an address of From, To or Cc, the team's own left out.
    static func candidates(_ message: MailMessage, team: Set<String>, lookup: Lookup) throws -> [Int] {
        var ids: [Int] = []
        for address in MailFiling.addresses(of: message) where !team.contains(MailFiling.addressKey(address.address)) {
            for id in try lookup.leadsWithEmail(address.address) where !ids.contains(id) { ids.append(id) }
        }
        return ids.sorted()
    }

    static func suppressedEntry(_ message: MailMessage, lookup: Lookup) -> SuppressionList.Entry? {
        guard let list = lookup.suppression else { return nil }
        for address in MailFiling.addresses(of: message) {
            if let normalised = ContactKeys.email(address.address), let entry = list.entry(.email, normalised) { return entry }
        }
        return nil
    }

    /// Standard input, up to `limit` bytes; one more is a refusal without reading on.
    static func readMessage(limit: Int) throws -> [UInt8] {
        guard let bytes = try readStandardInputBytes(limit: limit) else { throw MessageReadError.tooLarge(limit: limit) }
        return bytes
    }
}
