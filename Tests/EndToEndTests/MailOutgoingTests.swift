import Foundation
import Testing

/// `remind --due --mail` through a real mail system: leads pipes each owner's digest to
/// msmtp, msmtp delivers it over SMTP to aiosmtpd on 127.0.0.1, and Python's `email`
/// package reads what arrived (MailSystem.swift).
@Suite(.enabled(if: MailTools.enabled, "skipped: \(MailTools.missing ?? "") missing (.ci/run installs them; in CI this fails instead)"))
struct MailOutgoingTests {
    static let now = "2026-11-23T10:00:00Z"
    static let nowEpoch = 1_795_428_000

    /// A team of three with due reminders: anna (German), bob (English, no full name),
    /// juergen (English, umlauts in his name); plus what must not be mailed.
    func team(sendmail: String) throws -> Sandbox {
        let box = Sandbox(now: Self.now, user: "anna", timeZone: "Europe/Berlin")
        for user in [["anna", "--email", "anna@firma.de", "--full-name", "Anna Schmidt", "--language", "de"],
                     ["bob", "--email", "bob@example.com"],
                     ["juergen", "--email", "juergen@example.org", "--full-name", "Jürgen Müller-Lüdenscheidt", "--language", "en"]] {
            let added = box.run(["users", "add"] + user)
            #expect(added.status == 0, "\(added.stderr)")
        }
        try box.setMail(["from": "Vertrieb Müller & Söhne <crm@firma.de>", "sendmail": sendmail])
        let greta = box.add("Greta Schulz", "--owner", "anna")
        let hans = box.add("Hans Gross", "--owner", "bob")
        let aegir = box.add("Ægir Þórsson", "--owner", "juergen")
        let lost = box.add("Lost Lead", "--owner", "bob")
        for (lead, when, text) in [(greta, "2026-11-20", "Angebot schicken – Rabatt für Öl prüfen"), (greta, "2026-11-23", "Rückruf"),
                                   (greta, "2026-12-01", "not due yet"), (hans, "2026-11-22", "call"),
                                   (aegir, "2026-11-21", "ask about Q1"), (lost, "2026-11-01", "never mailed: the lead is lost")] {
            #expect(box.run("remind", String(lead), when, text).status == 0)
        }
        #expect(box.run("status", String(lost), "lost").status == 0)
        #expect([greta, hans, aegir, lost] as [Int] == [1, 2, 3, 4])
        return box
    }

    func sendmail(_ msmtp: String, _ server: SMTPServer, _ box: Sandbox) throws -> String {
        "\(msmtp) -C " + (try server.msmtprc(at: box.root + "/msmtprc-\(server.port)"))
    }

    func message(to address: String, in messages: [[String: Any]]) throws -> [String: Any] {
        try #require(messages.first { ($0["rcpt_tos"] as? [String]) == [address] }, "no message to \(address)")
    }

    func body(_ message: [String: Any]) -> String {
        (message["body"] as? String ?? "").replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// Every line of the message as it arrived: within 76 characters, ASCII only.
    func expectShortASCIILines(_ message: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        for line in (message["header_lines"] as? [String] ?? []) + (message["body_lines"] as? [String] ?? []) {
            #expect(line.utf8.count <= 76 && line.utf8.allSatisfy { $0 < 0x80 }, "\(line)", sourceLocation: sourceLocation)
        }
    }

    @Test func eachOwnerGetsOneMessageReadBackHeaderByHeaderAndBodyByBody() throws {
        let tools = try MailTools.require()
        let box = try team(sendmail: "/bin/false")
        let server = try SMTPServer(directory: box.root + "/smtp", python: tools.python)
        defer { server.stop() }
        try box.setMail(["from": "Vertrieb Müller & Söhne <crm@firma.de>", "sendmail": try sendmail(tools.msmtp, server, box)])

        let sent = box.run("remind", "--due", "--mail", "--once")
        #expect(sent.status == 0, "\(sent.stderr)")
        // Nothing on stdout or stderr: cron mails any output, and there is nothing to say.
        #expect(sent.stdout == "" && sent.stderr == "")

        let messages = try server.messages()
        #expect(messages.count == 3)
        for message in messages {
            #expect((message["defects"] as? [String]) == [], "\(message["defects"] ?? "")")
            #expect(message["mail_from"] as? String == "crm@firma.de")
            #expect(message["fields"] as? [String] == ["Date", "From", "To", "Subject", "Message-ID", "MIME-Version", "Content-Type",
                                                         "Content-Transfer-Encoding", "Auto-Submitted"])
            let from = try #require((message["from"] as? [[String: String]])?.first)
            #expect(from == ["name": "Vertrieb Müller & Söhne", "address": "crm@firma.de"])
            #expect(message["date"] as? Int == Self.nowEpoch)
            // Local time with its offset: TZ is Europe/Berlin.
            #expect(message["raw_date"] as? String == "Mon, 23 Nov 2026 11:00:00 +0100")
            let id = try #require(message["message_id"] as? String)
            #expect(id.wholeMatch(of: #/<20261123T100000Z\.[0-9a-f]{24}\.leads@firma\.de>/#) != nil, "\(id)")
            #expect(message["mime_version"] as? String == "1.0")
            #expect(message["content_type"] as? String == "text/plain")
            #expect(message["charset"] as? String == "utf-8")
            #expect(message["auto_submitted"] as? String == "auto-generated")
            expectShortASCIILines(message)
        }
        #expect(Set(messages.compactMap { $0["message_id"] as? String }).count == 3)

        let anna = try message(to: "anna@firma.de", in: messages)
        #expect((anna["to"] as? [[String: String]]) == [["name": "Anna Schmidt", "address": "anna@firma.de"]])
        #expect(anna["subject"] as? String == "leads: 2 Wiedervorlagen fällig")
        #expect(anna["transfer_encoding"] as? String == "quoted-printable")
        #expect(body(anna) == """
            Hallo Anna Schmidt,

            2 Wiedervorlagen sind fällig:

            #1.1 Greta Schulz, fällig am 20.11.2026 (3 Tage überfällig): Angebot schicken – Rabatt für Öl prüfen  [leads show 1]
            #1.2 Greta Schulz, fällig am 23.11.2026 (heute): Rückruf  [leads show 1]

            Erledigt melden: leads remind --done 1.1
            Verschieben: leads remind --snooze 1.1 WANN

            """)
        // The encoded-word subject, folded, as it was on the wire.
        #expect((anna["header_lines"] as? [String])?.contains("Subject: =?UTF-8?Q?leads=3A_2_Wiedervorlagen_f=C3=A4llig?=") == true)

        let bob = try message(to: "bob@example.com", in: messages)
        #expect((bob["to"] as? [[String: String]]) == [["name": "", "address": "bob@example.com"]])
        #expect(bob["subject"] as? String == "leads: 1 follow-up due")
        // Plain ASCII goes as it is.
        #expect(bob["transfer_encoding"] as? String == "7bit")
        #expect(body(bob) == """
            Hello bob,

            1 follow-up is due:

            #2.1 Hans Gross, due 2026-11-22 (1 day overdue): call  [leads show 2]

            Close one with: leads remind --done 2.1
            Move one with: leads remind --snooze 2.1 WHEN

            """)

        let juergen = try message(to: "juergen@example.org", in: messages)
        #expect((juergen["to"] as? [[String: String]]) == [["name": "Jürgen Müller-Lüdenscheidt", "address": "juergen@example.org"]])
        #expect(juergen["subject"] as? String == "leads: 1 follow-up due")
        #expect(juergen["transfer_encoding"] as? String == "quoted-printable")
        #expect(body(juergen).hasPrefix("Hello Jürgen Müller-Lüdenscheidt,\n\n1 follow-up is due:\n\n#3.1 Ægir Þórsson, due 2026-11-21 (2 days overdue): ask about Q1  [leads show 3]\n"))

        // Every mailed reminder is announced; the one not due and the lost lead's are not.
        #expect(box.announced(1) == [1, 2])
        #expect(box.announced(2) == [1])
        #expect(box.announced(3) == [1])
        #expect(box.announced(4) == [])
        let announcements = box.logEntries().filter { $0["action"] as? String == "remind-announce" }
        #expect(announcements.map { $0["lead"] as? Int } == [1, 2, 3])
        #expect(announcements.allSatisfy { $0["mailed"] as? Bool == true })

        // Once announced, never again: a second run sends nothing and says nothing.
        let again = box.run("remind", "--due", "--mail", "--once")
        #expect(again.status == 0 && again.stdout == "" && again.stderr == "", "\(again.stderr)")
        #expect(try server.messages().count == 3)
    }

    /// bob's address is refused by the server, carol has no address, dora is in no users
    /// table: each is named on stderr and keeps every reminder unannounced, while anna's
    /// mail goes and hers are marked.
    @Test func onlyDeliveredOwnersAreMarked() throws {
        let tools = try MailTools.require()
        let box = try team(sendmail: "/bin/false")
        try box.setMail(["from": "crm@firma.de"], users: [["name": "carol", "full_name": "Carol Ohne"]])
        let carol = box.add("Carol's lead", "--owner", "carol")
        let dora = box.add("Dora's lead", "--owner", "dora")
        #expect(box.run("remind", String(carol), "2026-11-20", "call").status == 0)
        #expect(box.run("remind", String(dora), "2026-11-20", "call").status == 0)
        let rejecting = try SMTPServer(directory: box.root + "/smtp-1", reject: ["bob@example.com"], python: tools.python)
        defer { rejecting.stop() }
        try box.setMail(["from": "crm@firma.de", "sendmail": try sendmail(tools.msmtp, rejecting, box)])

        let first = box.run("remind", "--due", "--mail", "--once")
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stdout == "")
        let lines = first.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("leads: bob <bob@example.com>: '\(tools.msmtp)' exited with status 65; 1 reminder not mailed, left unannounced"), "\(first.stderr)")
        #expect(lines.contains("leads: carol: user has no e-mail address (add \"email\" to their entry in config.json users); 1 reminder not mailed, left unannounced"))
        #expect(lines.contains("leads: dora: not in the users table, so no address to mail to (leads users add dora --email ADDRESS); 1 reminder not mailed, left unannounced"))
        // msmtp says why on our stderr; our stdout stays clean.
        #expect(first.stderr.contains("recipient rejected by the test"))

        let delivered = try rejecting.messages()
        #expect(delivered.map { $0["rcpt_tos"] as? [String] } == [["anna@firma.de"], ["juergen@example.org"]])
        #expect(box.announced(1) == [1, 2] && box.announced(3) == [1])
        #expect(box.announced(2) == [] && box.announced(carol) == [] && box.announced(dora) == [])
        #expect(box.logEntries().filter { $0["action"] as? String == "remind-announce" }.map { $0["lead"] as? Int } == [1, 3])
        rejecting.stop()

        // The server takes bob's mail now: his reminder goes, anna's is not sent twice.
        let accepting = try SMTPServer(directory: box.root + "/smtp-2", python: tools.python)
        defer { accepting.stop() }
        try box.setMail(["from": "crm@firma.de", "sendmail": try sendmail(tools.msmtp, accepting, box)])
        let second = box.run("remind", "--due", "--mail", "--once")
        #expect(second.status == 1, "carol and dora still have no address: \(second.stderr)")
        #expect(!second.stderr.contains("bob"))
        let now = try accepting.messages()
        #expect(now.map { $0["rcpt_tos"] as? [String] } == [["bob@example.com"]])
        #expect(box.announced(2) == [1] && box.announced(1) == [1, 2] && box.announced(carol) == [] && box.announced(dora) == [])
    }

    /// The SMTP server is down: msmtp exits EX_TEMPFAIL, so leads exits 75 (cron may
    /// run again) and marks nothing; once it is up, the same run delivers everything.
    @Test func aServerThatIsDownIsATemporaryFailure() throws {
        let tools = try MailTools.require()
        let box = try team(sendmail: "/bin/false")
        let server = try SMTPServer(directory: box.root + "/smtp", python: tools.python)
        try box.setMail(["from": "crm@firma.de", "sendmail": try sendmail(tools.msmtp, server, box)])
        server.stop()
        let before = box.snapshot(includingDerived: false)
        let down = box.run("remind", "--due", "--mail", "--once")
        #expect(down.status == 75, "\(down.stderr)")
        #expect(down.stderr.contains("leads: anna <anna@firma.de>: '\(tools.msmtp)' exited with status 75 (temporary failure); 2 reminders not mailed, left unannounced"), "\(down.stderr)")
        #expect(box.snapshot(includingDerived: false) == before)

        let up = try SMTPServer(directory: box.root + "/smtp-up", python: tools.python)
        defer { up.stop() }
        try box.setMail(["from": "crm@firma.de", "sendmail": try sendmail(tools.msmtp, up, box)])
        let sent = box.run("remind", "--due", "--mail", "--once")
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(try up.messages().count == 3)
        #expect(box.announced(1) == [1, 2])
    }

    /// LEADS_SENDMAIL wins over config.json; without --once every run mails everything
    /// due and marks nothing; --owner limits the run to one person.
    @Test func environmentSendmailWithoutOnceAndForOneOwner() throws {
        let tools = try MailTools.require()
        let box = try team(sendmail: "/bin/false")
        let server = try SMTPServer(directory: box.root + "/smtp", python: tools.python)
        defer { server.stop() }
        let program = try sendmail(tools.msmtp, server, box)
        let env: [String: String?] = ["LEADS_SENDMAIL": program]
        #expect(box.run(["remind", "--due", "--mail"], env: env).status == 0)
        #expect(box.run(["remind", "--due", "--mail"], env: env).status == 0)
        #expect(try server.messages().count == 6)
        #expect(box.announced(1) == [] && box.announced(2) == [])
        let bobs = box.run(["remind", "--due", "--mail", "--once", "--owner", "bob@example.com"], env: env)
        #expect(bobs.status == 0, "\(bobs.stderr)")
        let all = try server.messages()
        #expect(all.count == 7)
        #expect(all.last?["rcpt_tos"] as? [String] == ["bob@example.com"])
        #expect(box.announced(2) == [1] && box.announced(1) == [])
        // The config's program is used when the variable is unset: /bin/false fails everyone.
        let failing = box.run("remind", "--due", "--mail")
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("'/bin/false' exited with status 1"))
    }
}

/// What `--mail` does before any mail system is involved, with stand-in sendmail
/// programs (shell scripts) where one is run.
@Suite struct MailOutgoingCommandTests {
    func box(due: Bool = true) throws -> Sandbox {
        let box = Sandbox(now: "2026-11-23T10:00:00Z", user: "anna")
        #expect(box.run("users", "add", "anna", "--email", "anna@firma.de").status == 0)
        let id = box.add("Greta Schulz", "--owner", "anna")
        #expect(box.run("remind", String(id), due ? "2026-11-20" : "2026-12-20", "Angebot über 5.000 €").status == 0)
        return box
    }

    func script(_ box: Sandbox, _ name: String, _ body: String) -> String {
        let path = box.root + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(("#!/bin/sh\n" + body + "\n").utf8), attributes: [.posixPermissions: 0o755])
        return path
    }

    @Test func withoutAFromNothingIsSent() throws {
        let box = try box()
        let before = box.snapshot()
        let result = box.run("remind", "--due", "--mail", "--once")
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("leads: config.json has no mail.from: set it to the sender of the reminder mails"), "\(result.stderr)")
        #expect(box.snapshot() == before)
        try box.setMail(["from": "crm"])
        let bad = box.run("remind", "--due", "--mail")
        #expect(bad.status == 1)
        #expect(bad.stderr == "leads: config.json mail.from \"crm\" is not an e-mail address (local@domain); nothing was sent\n")
    }

    @Test func mailGoesWithDueAndNotWithJSON() {
        let box = Sandbox()
        let alone = box.run("remind", "--mail")
        #expect(alone.status == 2)
        #expect(alone.stderr.contains("option '--mail' works only with --due"), "\(alone.stderr)")
        let json = box.run("remind", "--due", "--mail", "--json")
        #expect(json.status == 2)
        #expect(json.stderr.contains("cannot be used together"), "\(json.stderr)")
    }

    @Test func nothingDueRunsNoSendmail() throws {
        let box = try box(due: false)
        let marker = box.root + "/ran"
        try box.setMail(["from": "crm@firma.de", "sendmail": script(box, "sendmail", "touch \(marker); exit 1")])
        let result = box.run("remind", "--due", "--mail", "--once")
        #expect(result.status == 0 && result.stdout == "" && result.stderr == "", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    /// The bytes on the pipe: `-t -oi`, LF line ends only, one final LF, the body in
    /// quoted-printable (the text has umlauts and €).
    @Test func thePipeCarriesLFLinesAndSendmailGetsMinusTMinusOi() throws {
        let box = try box()
        let copy = box.root + "/message"
        let arguments = box.root + "/arguments"
        try box.setMail(["from": "Leads <crm@firma.de>", "sendmail": script(box, "sendmail", "echo \"$@\" > \(arguments); cat > \(copy)") + " --extra word"])
        let result = box.run("remind", "--due", "--mail", "--once")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: arguments, encoding: .utf8) == "--extra word -t -oi\n")
        let bytes = try #require(FileManager.default.contents(atPath: copy))
        #expect(!bytes.contains(0x0D))
        #expect(bytes.last == 0x0A && bytes.dropLast().last != 0x0A)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\nTo: anna@firma.de\n"))
        #expect(text.contains("\nContent-Transfer-Encoding: quoted-printable\n"))
        #expect(text.contains("\n\nHello anna,\n"))
        #expect(text.contains("Angebot =C3=BCber 5.000"))
        #expect(box.announced(1) == [1])
    }

    @Test func sendmailThatCannotRunOrIsKilledFails() throws {
        let box = try box()
        try box.setMail(["from": "crm@firma.de", "sendmail": box.root + "/no-such-sendmail"])
        let missing = box.run("remind", "--due", "--mail", "--once")
        #expect(missing.status == 1)
        #expect(missing.stderr == "leads: anna <anna@firma.de>: '\(box.root)/no-such-sendmail' cannot be run: no such file or directory; 1 reminder not mailed, left unannounced\n")
        try box.setMail(["from": "crm@firma.de", "sendmail": script(box, "killed", "cat > /dev/null; kill -9 $$")])
        let killed = box.run("remind", "--due", "--mail", "--once")
        #expect(killed.status == 1)
        #expect(killed.stderr.contains("was killed by signal 9"), "\(killed.stderr)")
        try box.setMail(["from": "crm@firma.de", "sendmail": script(box, "tempfail", "cat > /dev/null; exit 75")])
        let later = box.run("remind", "--due", "--mail", "--once")
        #expect(later.status == 75)
        #expect(later.stderr.contains("exited with status 75 (temporary failure)"))
        #expect(box.announced(1) == [])
        // A temporary failure beside a permanent one is a failure: running again will not help everyone.
        try box.setMail(["from": "crm@firma.de", "sendmail": script(box, "tempfail", "cat > /dev/null; exit 75")],
                        users: [["name": "bob"]])
        let bob = box.add("Bob's lead", "--owner", "bob")
        #expect(box.run("remind", String(bob), "2026-11-20").status == 0)
        #expect(box.run("remind", "--due", "--mail", "--once").status == 1)
    }

    /// A sendmail stuck on a relay that never answers must not hold the store's lock for
    /// ever: past LEADS_SENDMAIL_TIMEOUT it is stopped, the owner stays unannounced, and the
    /// run ends as a temporary failure, so the next cron run mails them. One that reads
    /// nothing at all (a message larger than the pipe) meets the same deadline.
    @Test func aSendmailThatHangsIsStoppedAndTriedAgainLater() throws {
        let box = try box()
        for (name, body) in [("hangs", "cat > /dev/null; exec sleep 60"), ("deaf", "exec sleep 60")] {
            try box.setMail(["from": "crm@firma.de", "sendmail": script(box, name, body)])
            let hung = box.run(["remind", "--due", "--mail", "--once"], env: ["LEADS_SENDMAIL_TIMEOUT": "0.5"])
            #expect(hung.status == 75, "\(name): \(hung.stderr)")
            #expect(hung.stderr == "leads: anna <anna@firma.de>: '\(box.root)/\(name)' did not finish within 0.5 s and was stopped (LEADS_SENDMAIL_TIMEOUT); 1 reminder not mailed, left unannounced\n", "\(name)")
            #expect(box.announced(1) == [])
            // The lock is free again: a rep's write goes through at once.
            #expect(box.run(["note", "1", "called"], env: ["LEADS_LOCK_TIMEOUT": "0"]).status == 0)
        }
        let bad = box.run(["remind", "--due", "--mail"], env: ["LEADS_SENDMAIL_TIMEOUT": "soon"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "leads: LEADS_SENDMAIL_TIMEOUT='soon' is not valid: expected a number of seconds such as 60 or 0.5\n")
    }

    /// Overlapping cron runs (a slow mount, a retried job): with --once each owner's
    /// reminders go out exactly once, whichever run gets the lock first.
    @Test func overlappingRunsMailEachReminderOnce() throws {
        let box = try box()
        for name in ["bob", "carol", "dora"] {
            #expect(box.run("users", "add", name, "--email", "\(name)@example.com").status == 0)
            let lead = box.add("Lead of \(name)", "--owner", name)
            #expect(box.run("remind", String(lead), "2026-11-21", "call \(name)").status == 0)
        }
        let sent = box.root + "/sent"
        // One line per message: its To field. A short append is one write, so lines never mix.
        try box.setMail(["from": "crm@firma.de", "sendmail": script(box, "sendmail", "grep '^To: ' >> \(sent)")])
        let runs = concurrently(6) { _ in box.run("remind", "--due", "--mail", "--once") }
        for run in runs { #expect(run.status == 0 && run.stderr == "", "\(run.stderr)") }
        let lines = try String(contentsOfFile: sent, encoding: .utf8).split(separator: "\n").sorted()
        #expect(lines == ["To: anna@firma.de", "To: bob@example.com", "To: carol@example.com", "To: dora@example.com"])
        #expect(box.logEntries().filter { $0["action"] as? String == "remind-announce" }.count == 4)
    }

    /// An address leads cannot put in a header is that owner's failure only.
    @Test func anAddressOutsideASCIIIsNamed() throws {
        let box = try box()
        try box.setMail(["from": "crm@firma.de", "sendmail": script(box, "sendmail", "cat > /dev/null")],
                        users: [["name": "juergen", "email": "jürgen@firma.de"]])
        let lead = box.add("Other", "--owner", "juergen")
        #expect(box.run("remind", String(lead), "2026-11-20").status == 0)
        let result = box.run("remind", "--due", "--mail", "--once")
        #expect(result.status == 1)
        #expect(result.stderr == "leads: juergen: user juergen's e-mail \"jürgen@firma.de\" has characters outside ASCII, which mail through sendmail cannot carry in an address; 1 reminder not mailed, left unannounced\n", "\(result.stderr)")
        #expect(box.announced(1) == [1] && box.announced(lead) == [])
    }
}
