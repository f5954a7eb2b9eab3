import Foundation
import Testing

/// `leads mail`: the corpus in Fixtures/mail/ (see make_corpus.py: messages shaped like
/// Thunderbird, Outlook, Gmail, Apple Mail, mailing lists, automatic replies, and broken
/// ones), each filed on its lead or kept unmatched as the table says; idempotence by
/// Message-ID; concurrent deliveries beside reps writing; dry-run, --bounce, refusals.
@Suite struct MailIncomingTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/mail").path

    static func message(_ name: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: corpus + "/" + name + ".eml")!)
    }

    /// Users anna and bob, the CRM's own address, six leads (5 and 6 share an address),
    /// and one suppressed address.
    static func store() throws -> Sandbox {
        let box = Sandbox()
        try box.setMail(["from": "Vertrieb <crm@firma.de>"])
        #expect(box.run("users", "add", "anna", "--email", "anna@firma.de", "--full-name", "Anna Schmidt").status == 0)
        #expect(box.run("users", "add", "bob", "--email", "bob@firma.de").status == 0)
        #expect(box.add("Greta Schulz", "--email", "greta.schulz@example.de") == 1)
        #expect(box.add("Hans Groß", "--email", "hans@gross-bau.de") == 2)
        #expect(box.add("Müller GmbH", "--org", "--email", "info@mueller-gmbh.de") == 3)
        #expect(box.add("Jean Dupont", "--email", "jean.dupont@example.fr") == 4)
        #expect(box.add("Office A", "--email", "office@shared.example") == 5)
        #expect(box.add("Office B", "--email", "office@shared.example", "--allow-duplicate") == 6)
        #expect(box.run("suppress", "blocked@example.org").status == 0)
        return box
    }

    struct Expectation: Sendable, CustomStringConvertible {
        var file: String
        /// The lead it is filed on; nil: kept unmatched (or refused, with status 65).
        var lead: Int?
        var reason: String? = nil
        var contains: [String] = []
        var lacks: [String] = []
        var contacted = false
        var files: [String] = []
        var status: Int32 = 0

        var description: String { file }
    }

    static let table: [Expectation] = [
        .init(file: "thunderbird-plain-8bit", lead: 1, contains: ["Subject: Angebot für das Büro", "From: Greta Schulz <greta.schulz@example.de>",
                                                                  "Message-ID: <3f1c2a9e-0001@example.de>", "können Sie mir das Angebot", "Viele Grüße"]),
        .init(file: "thunderbird-reply-lead-number", lead: 2, contains: ["anbei die Unterlagen zum Bauantrag", "Mit freundlichen Grüßen"], contacted: true),
        .init(file: "thunderbird-attachment", lead: 1, contains: ["Anbei das unterschriebene Formular."], files: ["Formular 2026.pdf"]),
        .init(file: "thunderbird-rfc2231-filename", lead: 3, contains: ["Die neue Preisliste liegt bei."], files: ["Preisliste Müller.pdf"]),
        .init(file: "outlook-cp1252-qp", lead: 3, contains: ["Subject: AW: Ihre Anfrage", "From: Müller, Klaus <info@mueller-gmbh.de>",
                                                             "der Preis beträgt 1.250 € netto – „Angebot gültig bis 31.12.“", "Klaus Müller"]),
        .init(file: "outlook-latin1-qp-wg", lead: 2, contains: ["Subject: WG: Termin für die Besichtigung", "Terminvorschläge für nächste Woche", "Gruß Hans"]),
        .init(file: "outlook-alternative-explicit-number", lead: 1, contains: ["Subject: AW: Bestätigung [#1]", "hiermit bestätige ich den Termin am Montag."],
              lacks: ["HTML-Fassung", "margin"], contacted: true),
        .init(file: "outlook-related-inline-image", lead: 2, contains: ["Hier der Lageplan als Bild."], lacks: ["<html>"], files: ["image001.png"]),
        .init(file: "gmail-alternative-base64", lead: 4, contains: ["merci pour le devis. Pouvons-nous parler jeudi à 14 h ?", "Jean Dupont"]),
        .init(file: "gmail-b-encoded-subject", lead: 2, contains: ["Subject: Rückruf wegen #2 – dringend", "Bitte um Rückruf zum Bauvorhaben."]),
        .init(file: "gmail-mixed-attachment", lead: 1, contains: ["Anbei der unterschriebene Vertrag."], lacks: ["<div>"], files: ["Vertrag.pdf"]),
        .init(file: "gmail-emoji", lead: 4, contains: ["Subject: Danke 🎉", "Merci beaucoup 🎉 à bientôt"]),
        .init(file: "apple-plain-qp", lead: 1, contains: ["gilt das Angebot auch für die Filiale in Köln? Eine sehr lange Zeile, die Apple Mail mit einem weichen Umbruch teilt, weil sie länger als sechsundsiebzig Zeichen ist."]),
        .init(file: "apple-mixed-inline-image", lead: 3, contains: ["Hier das Foto:", "Gruss, Klaus"], files: ["Lager.png"]),
        .init(file: "apple-html-only", lead: 4, contains: ["Schöne Grüße,\nder Preis: 5\u{00A0}€ & mehr", "Zweiter\u{00A0}Absatz – Ende"],
              lacks: ["alert", "font", "kommentar", "<html", "<p", "&euro;"]),
        .init(file: "list-post-unmatched", lead: nil, reason: "unmatched"),
        .init(file: "list-post-from-lead", lead: 1, contains: ["Wer ist auf der Messe?"]),
        .init(file: "autoreply-out-of-office", lead: 3, contains: ["Ich bin bis 7. Dezember nicht im Büro."]),
        .init(file: "autoreply-bounce-dsn", lead: nil, reason: "unmatched"),
        .init(file: "rule-bracket-defeats-number", lead: nil, reason: "unmatched"),
        .init(file: "rule-two-numbers-ambiguous", lead: nil, reason: "ambiguous"),
        .init(file: "rule-explicit-wins", lead: 3, contains: ["Die Raute gewinnt."]),
        .init(file: "rule-unknown-number-then-address", lead: 1, contains: ["die Adresse entscheidet."]),
        .init(file: "rule-shared-address-ambiguous", lead: nil, reason: "ambiguous"),
        .init(file: "rule-stranger-unmatched", lead: nil, reason: "unmatched"),
        .init(file: "rule-group-and-comments", lead: 2, contains: ["From: Bob Brenner <bob@firma.de>", "To: anna@firma.de, Groß, Hans <hans@gross-bau.de>"], contacted: true),
        .init(file: "rule-uppercase-address", lead: 2, contains: ["Grossbuchstaben in der Adresse."]),
        .init(file: "suppressed-sender", lead: nil, reason: "suppressed"),
        .init(file: "broken-missing-final-boundary", lead: 1, contains: ["Die Nachricht endet ohne Schlussgrenze."]),
        .init(file: "broken-no-boundary-parameter", lead: nil, reason: "unreadable"),
        .init(file: "broken-boundary-never-occurs", lead: nil, reason: "unreadable"),
        .init(file: "broken-sloppy-base64", lead: 4, contains: ["Grüße aus Paris!"]),
        .init(file: "broken-unknown-charset", lead: 2, contains: ["Unbekannter Zeichensatz, aber UTF-8: Größe."]),
        .init(file: "broken-mbox-from-line", lead: 1, contains: ["procmail liefert mit From-Zeile."], lacks: ["Tue Dec  1"]),
        .init(file: "broken-no-message-id", lead: 1, contains: ["Keine Message-ID, kein MIME-Version."]),
        .init(file: "broken-raw-utf8-header", lead: 3, contains: ["Subject: Grüße ungekodiert", "From: Klaus Müller <info@mueller-gmbh.de>"]),
        .init(file: "broken-odd-boundary-preamble", lead: 4, contains: ["Text mit Grenze, die Leerzeichen und Klammern hat."], lacks: ["Vorspann", "Nachspann", "HTML", "keine Grenze"]),
        .init(file: "not-a-message", lead: nil, status: 65),
    ]

    @Test func theCorpusCoversEveryFileAndEveryKind() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { $0.hasSuffix(".eml") }.map { String($0.dropLast(4)) }
        #expect(Set(files) == Set(Self.table.map(\.file)), "every .eml has a row and every row its .eml")
        #expect(files.count >= 30)
        for kind in ["thunderbird", "outlook", "gmail", "apple", "list", "autoreply", "broken"] {
            #expect(files.contains { $0.hasPrefix(kind) }, "no \(kind) message")
        }
    }

    /// Each message in turn into one store: filed on the expected lead with the expected
    /// text, or kept unmatched with the reason in the log, or refused.
    @Test func eachMessageIsFiledOrKeptAsExpected() throws {
        let box = try Self.store()
        var unmatched = 0
        for row in Self.table {
            let notesBefore = row.lead.map { (box.leadJSON($0)?["notes"] as? [[String: Any]] ?? []).count } ?? 0
            let logBefore = box.logEntries().count
            let result = box.run(["mail"], stdinBytes: Self.message(row.file))
            #expect(result.status == row.status, "\(row.file): \(result.status) \(result.stderr)")
            guard row.status == 0 else {
                #expect(box.logEntries().count == logBefore, "\(row.file): a refused message is not logged")
                continue
            }
            let record = try #require(box.logEntries().last, "\(row.file): no log record")
            if let lead = row.lead {
                let notes = box.leadJSON(lead)?["notes"] as? [[String: Any]] ?? []
                #expect(notes.count == notesBefore + 1, "\(row.file): \(result.stderr)")
                let note = try #require(notes.first { ($0["text"] as? String)?.contains(row.contains.first ?? "\u{0}") == true } ?? notes.last, "\(row.file)")
                let text = note["text"] as? String ?? ""
                for fragment in row.contains { #expect(text.contains(fragment), "\(row.file): \(fragment.debugDescription) not in \(text.debugDescription)") }
                for fragment in row.lacks { #expect(!text.contains(fragment), "\(row.file): \(fragment.debugDescription) in \(text.debugDescription)") }
                #expect((note["contacted"] as? Bool ?? false) == row.contacted, "\(row.file): contacted")
                #expect(record["action"] as? String == "mail" && record["lead"] as? Int == lead, "\(row.file): \(record)")
                let files = (box.leadJSON(lead)?["files"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                for name in row.files {
                    #expect(files.contains(name), "\(row.file): \(name) not among the lead's files \(files)")
                    #expect(box.fileBytes("files/\(lead)/\(name)")?.isEmpty == false, "\(row.file): bytes of \(name)")
                }
                #expect(result.stderr.contains("mail filed"), "\(row.file): \(result.stderr)")
            } else {
                unmatched += 1
                #expect(record["action"] as? String == "mail-unmatched" && record["reason"] as? String == row.reason, "\(row.file): \(record)")
                let key = try #require(record["file"] as? String)
                #expect(box.fileBytes("mail/unmatched/\(key).eml") == Self.message(row.file), "\(row.file): kept as it came")
                #expect(result.stderr.contains("kept as") && result.stderr.contains("mail/unmatched/\(key).eml"), "\(row.file): \(result.stderr)")
            }
        }
        let kept = try FileManager.default.contentsOfDirectory(atPath: box.dir + "/mail/unmatched")
        #expect(kept.count == unmatched, "\(kept)")
        // The log names no person: no address, subject or Message-ID of the corpus.
        let log = box.file("activity.log") ?? ""
        for secret in ["greta", "@", "Angebot", "3f1c2a9e"] { #expect(!log.contains(secret), "the log holds \(secret)") }
        // A suppressed sender's message names the entry on stderr, never the address.
        let result = box.run(["mail", "--dry-run"], stdinBytes: Self.message("suppressed-sender"))
        #expect(result.stdout.contains("suppression entry 1") && !result.stdout.contains("blocked"), "\(result.stdout)")
        #expect(box.run("fsck").status == 0)
    }

    /// The history says how each message was filed, or why it was not.
    @Test func showAndLogSayHowAMessageWasFiled() throws {
        let box = try Self.store()
        let sent = "From: Anna Schmidt <anna@firma.de>\nTo: hans@gross-bau.de\nSubject: Angebot #2\nMessage-ID: <h1@firma.de>\n\nanbei\n"
        #expect(box.run(["mail"], stdin: sent).status == 0)
        let stranger = "From: x@nowhere.example\nSubject: Hallo\nMessage-ID: <h2@nowhere.example>\n\nwer?\n"
        #expect(box.run(["mail"], stdin: stranger).status == 0)
        let show = box.run("show", "2")
        #expect(show.stdout.contains("  mail filed by subject (contacted)"), "\(show.stdout)")
        let log = box.run("log", "--action", "mail-unmatched")
        #expect(log.stdout.contains("mail-unmatched (unmatched)"), "\(log.stdout)")
    }

    @Test func theSameMessageTwiceIsOneNoteAndOneKeptFile() throws {
        let box = try Self.store()
        for name in ["thunderbird-plain-8bit", "broken-no-message-id", "rule-stranger-unmatched"] {
            let first = box.run(["mail"], stdinBytes: Self.message(name))
            let second = box.run(["mail"], stdinBytes: Self.message(name))
            #expect(first.status == 0 && second.status == 0, "\(name): \(second.stderr)")
            #expect(second.stderr.contains("already"), "\(name): \(second.stderr)")
        }
        #expect((box.leadJSON(1)?["notes"] as? [[String: Any]])?.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.dir + "/mail/unmatched").count == 1)
        #expect(box.logEntries().filter { ($0["action"] as? String)?.hasPrefix("mail") == true }.count == 3)
    }

    @Test func dryRunSaysWhereAndWhyAndWritesNothing() throws {
        let box = try Self.store()
        let before = box.snapshot()
        let filed = box.run(["mail", "--dry-run"], stdinBytes: Self.message("rule-explicit-wins"))
        #expect(filed.status == 0 && filed.stdout == "lead 3: the subject names lead 3 as #3\n", "\(filed.stdout + filed.stderr)")
        let byAddress = box.run(["mail", "--dry-run"], stdinBytes: Self.message("gmail-alternative-base64"))
        #expect(byAddress.stdout == "lead 4: an address of the message is lead 4's e-mail\n", "\(byAddress.stdout)")
        let ambiguous = box.run(["mail", "--dry-run"], stdinBytes: Self.message("rule-shared-address-ambiguous"))
        #expect(ambiguous.status == 0 && ambiguous.stdout.contains("unmatched: its addresses are the e-mail of several leads: #5, #6"), "\(ambiguous.stdout)")
        let bounce = box.run(["mail", "--dry-run", "--bounce"], stdinBytes: Self.message("rule-stranger-unmatched"))
        #expect(bounce.status == 67)
        #expect(box.snapshot() == before)
    }

    @Test func bounceReturnsAnUnfiledMessageAndKeepsNothing() throws {
        let box = try Self.store()
        let result = box.run(["mail", "--bounce"], stdinBytes: Self.message("rule-stranger-unmatched"))
        #expect(result.status == 67, "\(result.stderr)")
        #expect(!result.stderr.contains("stranger"), "\(result.stderr)")
        #expect(box.file("mail/unmatched") == nil && !FileManager.default.fileExists(atPath: box.dir + "/mail/unmatched"))
        #expect(box.run(["mail", "--bounce"], stdinBytes: Self.message("rule-explicit-wins")).status == 0)
    }

    @Test func anOversizedOrEmptyMessageIsRefusedWith65() throws {
        let box = try Self.store()
        let before = box.snapshot()
        var config = try #require(try JSONSerialization.jsonObject(with: Data(box.file("config.json")!.utf8)) as? [String: Any])
        var mail = config["mail"] as? [String: Any] ?? [:]
        mail["message_limit"] = 500
        config["mail"] = mail
        box.write("config.json", String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self))
        let snapshot = box.snapshot()
        let big = box.run(["mail"], stdinBytes: Self.message("thunderbird-attachment"))
        #expect(big.status == 65 && big.stderr.contains("larger than 500 bytes"), "\(big.stderr)")
        let empty = box.run(["mail"], stdinBytes: [])
        #expect(empty.status == 65 && empty.stderr.contains("empty"), "\(empty.stderr)")
        #expect(box.snapshot() == snapshot)
        _ = before
    }

    /// Eight deliveries at once (two of them the same message) while two reps write notes
    /// and fields on the same leads: every change is there once.
    @Test func eightDeliveriesAtOnceBesideRepsLoseNothing() throws {
        let box = try Self.store()
        let messages: [[UInt8]] = (0..<7).map { i in
            Array("""
            Message-ID: <parallel-\(i)@example.de>
            Date: Tue, 01 Dec 2026 12:0\(i):00 +0100
            From: \(i % 2 == 0 ? "greta.schulz@example.de" : "hans@gross-bau.de")
            To: anna@firma.de
            Subject: Parallel-\(i)

            Nachricht \(i).

            """.utf8)
        }
        let deliveries = messages + [messages[0]]
        let results = concurrently(12) { i -> Int32 in
            switch i {
            case 0..<8: return box.run(["mail"], stdinBytes: deliveries[i], env: ["LEADS_LOCK_TIMEOUT": "60"]).status
            case 8, 9: return box.run(["note", "1", "rep note \(i)"], env: ["LEADS_LOCK_TIMEOUT": "60"]).status
            default: return box.run(["set", "2", "--phone", "+49 30 \(i)00000"], env: ["LEADS_LOCK_TIMEOUT": "60"]).status
            }
        }
        #expect(results.allSatisfy { $0 == 0 }, "\(results)")
        let notes1 = (box.leadJSON(1)?["notes"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        let notes2 = (box.leadJSON(2)?["notes"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        for i in 0..<7 {
            let on = i % 2 == 0 ? notes1 : notes2
            #expect(on.filter { $0.contains("Nachricht \(i).") }.count == 1, "message \(i): \(on)")
        }
        #expect(notes1.filter { $0.hasPrefix("rep note") }.count == 2)
        #expect(notes1.count == 4 + 2 && notes2.count == 3)
        #expect(box.run("fsck").status == 0)
    }
}

extension Sandbox {
    /// Runs leads with `stdinBytes` as its standard input (a message need not be UTF-8).
    func run(_ arguments: [String], stdinBytes: [UInt8], env extra: [String: String?] = [:]) -> RunResult {
        var environment = self.environment
        for (key, value) in extra { environment[key] = value }
        return Sandbox.execute(Sandbox.binary, arguments, stdin: stdinBytes, environment: environment)
    }
}
