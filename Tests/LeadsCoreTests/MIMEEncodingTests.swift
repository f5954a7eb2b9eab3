import Foundation
@testable import LeadsCore
import LeadsTestSupport
import Testing

/// The hand-written MIME of outgoing mail, checked against RFC 4648's vectors and against
/// an independent implementation: Python's `base64`, `quopri` and `email` packages, run
/// by the test. python3 comes from Debian (.ci/run installs it); without it the tests
/// are skipped on a developer's machine and fail in CI.
@Suite struct MIMEEncodingTests {
    static let python = "/usr/bin/python3"
    static var pythonMissing: Bool { !FileManager.default.isExecutableFile(atPath: python) }

    /// Runs `script` with `input` (JSON) on stdin and returns its stdout parsed as JSON.
    func python(_ script: String, _ input: Any) throws -> Any? {
        if Self.pythonMissing {
            // Skipping is for a developer's machine only: CI must have what .ci/run installs.
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("\(Self.python) is missing: .ci/run installs python3")
            } else {
                FileHandle.standardError.write(Data("MIMEEncodingTests: \(Self.python) is missing, the comparison with Python is skipped (in CI it fails)\n".utf8))
            }
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = ["-c", script]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let data = try JSONSerialization.data(withJSONObject: input)
        // Read stdout while writing: a large answer must not fill the pipe and stall.
        let group = DispatchGroup()
        nonisolated(unsafe) var output = Data()
        group.enter()
        DispatchQueue.global().async {
            output = stdout.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        try stdin.fileHandleForWriting.write(contentsOf: data)
        try stdin.fileHandleForWriting.close()
        group.wait()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python failed: \(errors)")
        return try JSONSerialization.jsonObject(with: output)
    }

    // MARK: base64

    @Test func base64MatchesTheVectorsOfRFC4648() {
        // RFC 4648 §10.
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(MIMEEncoding.base64(Array(plain.utf8)) == encoded, "\(plain)")
        }
        #expect(MIMEEncoding.base64([0xFF, 0xFE, 0xFD]) == "//79")
        #expect(MIMEEncoding.base64([0xFB, 0xFF]) == "+/8=")
    }

    @Test func base64AgreesWithPythonOnRandomBytes() throws {
        var random = SplitMix64(seed: 4648)
        let samples = (0..<200).map { _ in (0..<random.below(70)).map { _ in UInt8(random.below(256)) } }
        let script = """
            import base64, json, sys
            print(json.dumps([base64.b64encode(bytes(s)).decode() for s in json.load(sys.stdin)]))
            """
        guard let expected = try python(script, samples.map { $0.map(Int.init) }) as? [String] else { return }
        for (bytes, python) in zip(samples, expected) {
            #expect(MIMEEncoding.base64(bytes) == python, "\(bytes)")
        }
    }

    // MARK: Quoted-printable

    @Test func quotedPrintableEncodesWhatMustBeEncoded() {
        #expect(MIMEEncoding.quotedPrintable("Grüße") == "Gr=C3=BC=C3=9Fe")
        #expect(MIMEEncoding.quotedPrintable("a=b") == "a=3Db")
        // White space is kept inside a line and encoded at its end, where transport may strip it.
        #expect(MIMEEncoding.quotedPrintable("a b\tc \nd\t") == "a b\tc=20\nd=09")
        #expect(MIMEEncoding.quotedPrintable("line one\nline two\n") == "line one\nline two\n")
        #expect(MIMEEncoding.quotedPrintable("cr\r") == "cr=0D")
        #expect(MIMEEncoding.quotedPrintable("") == "")
        #expect(MIMEEncoding.quotedPrintable("a\n.\n..\n") == "a\n=2E\n..\n")
        // 76 characters fit; the 77th needs a soft break, leaving 75 and the '='.
        let exact = String(repeating: "x", count: 76)
        #expect(MIMEEncoding.quotedPrintable(exact) == exact)
        let over = String(repeating: "x", count: 77)
        #expect(MIMEEncoding.quotedPrintable(over) == String(repeating: "x", count: 75) + "=\nxx")
        // An escape is never cut by a soft break.
        let escapes = MIMEEncoding.quotedPrintable(String(repeating: "ä", count: 30))
        for line in escapes.split(separator: "\n") {
            #expect(line.count <= 76)
            let body = line.hasSuffix("=") ? line.dropLast() : line[...]
            #expect(body.count % 3 == 0, "\(line)")
        }
    }

    /// 7bit allows lines of 998 characters; leads keeps every line within 76 and sends a
    /// longer one quoted-printable.
    @Test func isSevenBitOnlyForShortASCIILines() {
        #expect(MIMEEncoding.isSevenBit("plain text\nwith\ttabs\n"))
        #expect(!MIMEEncoding.isSevenBit("Müller"))
        #expect(!MIMEEncoding.isSevenBit("bell\u{07}"))
        #expect(!MIMEEncoding.isSevenBit("cr\r\n"))
        #expect(MIMEEncoding.isSevenBit(String(repeating: "a", count: 76) + "\n" + String(repeating: "b", count: 76)))
        #expect(!MIMEEncoding.isSevenBit(String(repeating: "a", count: 77)))
    }

    /// Random texts: umlauts, emoji, `=`, spaces and TABs at line ends, long lines. Python's
    /// `quopri` decodes each to the original; where no line needs a soft break (which
    /// encoders may place differently), the encoding is also byte-for-byte `quopri`'s.
    @Test func quotedPrintableAgreesWithPythonsQuopri() throws {
        var random = SplitMix64(seed: 2045)
        let alphabet: [String] = ["a", "b", "Z", "0", " ", "\t", "=", ".", "ä", "Ö", "ß", "€", "😀", "\n", "_", "?", "~", "\u{7F}", "\u{01}"]
        var samples: [String] = []
        for _ in 0..<300 {
            let length = random.below(random.below(4) == 0 ? 400 : 60)
            samples.append(String((0..<length).map { _ in random.pick(alphabet) }.joined()))
        }
        samples += ["ends with space ", "ends with tab\t", String(repeating: "=", count: 80), "x" + String(repeating: "ü", count: 40)]
        let encoded = samples.map(MIMEEncoding.quotedPrintable)
        let script = """
            import json, quopri, sys
            pairs = json.load(sys.stdin)
            print(json.dumps([[quopri.decodestring(e.encode()).decode('utf-8'), quopri.encodestring(t.encode()).decode()]
                              for t, e in pairs]))
            """
        guard let answers = try python(script, zip(samples, encoded).map { [$0, $1] }) as? [[String]] else { return }
        for ((text, ours), answer) in zip(zip(samples, encoded), answers) {
            #expect(answer[0] == text, "quopri decodes \(ours.debugDescription) to \(answer[0].debugDescription), not \(text.debugDescription)")
            let lines = ours.split(separator: "\n", omittingEmptySubsequences: false)
            for line in lines {
                #expect(line.utf8.count <= MIMEEncoding.lineLimit, "\(line)")
                #expect(line.utf8.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }, "\(line)")
            }
            if !lines.contains(where: { $0.utf8.count >= 74 }) {
                // Soft breaks are the encoder's choice (quopri even cuts an escape in
                // two); away from them, the encoding is fixed by RFC 2045.
                #expect(ours == answer[1], "\(text.debugDescription)")
            }
        }
    }

    // MARK: Encoded-words and headers

    @Test func plainSubjectsStayReadable() {
        #expect(OutgoingMessage.subjectField("leads: 3 follow-ups due") == "Subject: leads: 3 follow-ups due")
        // `=?` would read as the start of an encoded-word, so such a subject is encoded.
        #expect(OutgoingMessage.subjectField("a =?b") .hasPrefix("Subject: =?UTF-8?Q?"))
        #expect(OutgoingMessage.subjectField("Müller").hasPrefix("Subject: =?UTF-8?Q?M=C3=BCller?="))
    }

    @Test func encodedWordsPickQForUmlautsAndBForOtherScripts() {
        #expect(MIMEEncoding.preferredEncoding(for: "3 Wiedervorlagen fällig") == .q)
        #expect(MIMEEncoding.preferredEncoding(for: "Напоминания о клиентах") == .b)
        #expect(MIMEEncoding.encodedWords("Grüße", firstLineRoom: 67) == ["=?UTF-8?Q?Gr=C3=BC=C3=9Fe?="])
        #expect(MIMEEncoding.encodedWords("ä", firstLineRoom: 67, encoding: .b) == ["=?UTF-8?B?w6Q=?="])
    }

    /// Subjects and display names with umlauts, other scripts, emoji and long runs:
    /// `email.header` decodes every folded field to the original text; no line passes
    /// 76 characters, no encoded-word 75, and no word splits a character.
    @Test func encodedWordsAgreeWithPythonsEmailHeader() throws {
        var random = SplitMix64(seed: 2047)
        let alphabet: [String] = ["a", "B", "7", " ", "ä", "Ü", "ß", "é", "€", "–", "„", "“", "?", "=", "_", ":", "\"", "Я", "ж", "日", "本", "👩‍💻", "🇩🇪", "e\u{301}"]
        var subjects = ["Wiedervorlage für Jürgen Müller – Angebot über 12.500 €", "3 Wiedervorlagen fällig",
                        String(repeating: "Überfällige Wiedervorlage ", count: 8), "👩‍💻👩‍💻👩‍💻", "=?UTF-8?Q?not_an_encoded_word?="]
        for _ in 0..<150 {
            subjects.append((0..<(1 + random.below(90))).map { _ in random.pick(alphabet) }.joined())
        }
        var fields: [String] = []
        for subject in subjects {
            for encoding in [MIMEEncoding.WordEncoding.q, .b] {
                let words = MIMEEncoding.encodedWords(subject, firstLineRoom: 76 - "Subject: ".count, encoding: encoding)
                fields.append(OutgoingMessage.fold(name: "Subject", words))
            }
            fields.append(OutgoingMessage.subjectField(subject))
        }
        for field in fields {
            for line in field.split(separator: "\n") {
                #expect(line.utf8.count <= MIMEEncoding.lineLimit, "\(line)")
                #expect(line.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(line)")
            }
            for word in field.split(whereSeparator: { $0 == " " || $0 == "\n" }) where word.hasPrefix("=?") {
                #expect(word.utf8.count <= MIMEEncoding.encodedWordLimit, "\(word)")
            }
        }
        let script = """
            import json, sys
            from email.header import decode_header, make_header
            out = []
            for field in json.load(sys.stdin):
                value = field.split(':', 1)[1].replace('\\n', '')
                out.append(str(make_header(decode_header(value))))
            print(json.dumps(out))
            """
        guard let decoded = try python(script, fields) as? [String] else { return }
        var expected: [String] = []
        for subject in subjects { expected += [subject, subject, subject] }
        for (i, (field, text)) in zip(fields, decoded).enumerated() {
            // email.header drops the one space after the colon (and, for plain text, keeps the rest).
            let want = expected[i].drop(while: { $0 == " " })
            #expect(text.drop(while: { $0 == " " }) == want, "\(field)")
            // No encoded word splits a character: each one's bytes are UTF-8 on their own.
        }
        let wordScript = """
            import json, sys
            from email.header import decode_header
            ok = []
            for field in json.load(sys.stdin):
                value = field.split(':', 1)[1].replace('\\n', '')
                parts = decode_header(value)
                good = True
                for word in value.split():
                    if word.startswith('=?'):
                        (raw, charset), = decode_header(word)
                        try: raw.decode('utf-8')
                        except UnicodeDecodeError: good = False
                ok.append(good)
            print(json.dumps(ok))
            """
        guard let whole = try python(wordScript, fields) as? [Bool] else { return }
        for (field, good) in zip(fields, whole) { #expect(good, "a word splits a character: \(field)") }
    }

    // MARK: Addresses

    @Test func addressesParseAndRefuseWhatCannotBeSent() throws {
        #expect(try MailAddress.parse("crm@firma.de", source: "s") == MailAddress(address: "crm@firma.de"))
        #expect(try MailAddress.parse(" Leads CRM <crm@firma.de> ", source: "s") == MailAddress(name: "Leads CRM", address: "crm@firma.de"))
        #expect(try MailAddress.parse("\"Müller, Hans\" <h@x.de>", source: "s") == MailAddress(name: "Müller, Hans", address: "h@x.de"))
        for (bad, reason) in [("crm", "is not an e-mail address"), ("a@b@c", "is not an e-mail address"), ("Leads <crm@firma.de", "without a closing"),
                              ("jürgen@firma.de", "outside ASCII"), ("a b@c.de", "white space"), ("<a,b@c.de>", "','")] {
            #expect {
                try MailAddress.parse(bad, source: "config.json mail.from")
            } throws: { error in
                guard case let .invalidAddress(text, source, why) = error as? MailError else { return false }
                return text == bad && source == "config.json mail.from" && why.contains(reason)
            }
        }
        #expect(MailAddress(name: "Anna Schmidt", address: "a@x.de").headerTokens(firstLineRoom: 70) == ["Anna", "Schmidt", "<a@x.de>"])
        #expect(MailAddress(name: "Schmidt, Anna", address: "a@x.de").headerTokens(firstLineRoom: 70) == ["\"Schmidt, Anna\"", "<a@x.de>"])
        #expect(MailAddress(name: "Jürgen", address: "j@x.de").headerTokens(firstLineRoom: 70) == ["=?UTF-8?Q?J=C3=BCrgen?=", "<j@x.de>"])
        // A display name cannot add a header field: its line break is encoded.
        let forged = OutgoingMessage.addressList(name: "To", [MailAddress(name: "Anna\r\nBcc: all@example.com", address: "a@x.de")])
        #expect(!forged.contains("\r") && !forged.contains("\nBcc"), "\(forged)")
        #expect(forged.hasPrefix("To: =?UTF-8?Q?Anna=0D=0ABcc=3A_all=40example=2Ecom?="))
    }

    // MARK: Whole messages

    /// A rendered message as Python's `email` package (policy.default) reads it: every
    /// header decoded, the body decoded from its transfer encoding.
    @Test func wholeMessagesReadBackInPythonsEmailPackage() throws {
        let bodies = ["Hello bob,\n\nplain ASCII only.\n", "Hallo Jürgen,\n\n3 Wiedervorlagen sind fällig – bitte „heute“ erledigen.\n",
                      String(repeating: "Überfällig: Angebot senden. ", count: 12) + "\n", "trailing space \nand tab\t\n"]
        var messages: [OutgoingMessage] = []
        for (i, body) in bodies.enumerated() {
            messages.append(OutgoingMessage(
                from: MailAddress(name: i % 2 == 0 ? "Leads CRM" : "Vertrieb Müller & Söhne", address: "crm@firma.de"),
                to: [MailAddress(name: i == 0 ? nil : "Jürgen Müller-Lüdenscheidt", address: "j\(i)@example.com")],
                subject: i == 0 ? "leads: 1 follow-up due" : "leads: \(i) Wiedervorlagen fällig, Überblick für Jürgen Müller-Lüdenscheidt",
                date: Timestamp(seconds: 1_795_428_000 + Int64(i) * 86_400), messageID: "leads.test.\(i)@firma.de", body: body,
                extraHeaders: [("Auto-Submitted", "auto-generated")]))
        }
        let rendered = messages.map { String(decoding: $0.rendered(), as: UTF8.self) }
        for text in rendered {
            #expect(!text.contains("\r"), "LF line ends on the pipe")
            for line in text.split(separator: "\n") { #expect(line.utf8.count <= MIMEEncoding.lineLimit, "\(line)") }
        }
        #expect(rendered[0].contains("\nContent-Transfer-Encoding: 7bit\n"))
        #expect(rendered[1].contains("\nContent-Transfer-Encoding: quoted-printable\n"))
        let script = """
            import json, sys, email, email.policy, email.utils
            out = []
            for text in json.load(sys.stdin):
                m = email.message_from_string(text, policy=email.policy.default)
                to = m['to'].addresses[0]
                frm = m['from'].addresses[0]
                out.append({'subject': str(m['subject']), 'to_name': to.display_name, 'to': to.addr_spec,
                            'from_name': frm.display_name, 'from': frm.addr_spec, 'id': m['message-id'],
                            'date': int(email.utils.parsedate_to_datetime(m['date']).timestamp()),
                            'type': m.get_content_type(), 'charset': m.get_content_charset(),
                            'body': m.get_content(), 'defects': [str(d) for d in m.defects] + [str(d) for d in m['subject'].defects],
                            'auto': m['auto-submitted']})
            print(json.dumps(out))
            """
        guard let answers = try python(script, rendered) as? [[String: Any]] else { return }
        for (message, answer) in zip(messages, answers) {
            #expect(answer["subject"] as? String == message.subject)
            #expect(answer["to"] as? String == message.to[0].address)
            #expect(answer["to_name"] as? String == (message.to[0].name ?? ""))
            #expect(answer["from"] as? String == message.from.address)
            #expect(answer["from_name"] as? String == message.from.name)
            #expect(answer["id"] as? String == "<" + message.messageID + ">")
            #expect((answer["date"] as? Int).map(Int64.init) == message.date.seconds)
            #expect(answer["type"] as? String == "text/plain")
            #expect(answer["charset"] as? String == "utf-8")
            #expect(answer["body"] as? String == message.body)
            #expect((answer["defects"] as? [String])?.isEmpty == true, "\(answer["defects"] ?? "")")
            #expect(answer["auto"] as? String == "auto-generated")
        }
    }

    @Test func dateIsRFC5322() {
        // 2026-11-23T10:00:00Z was a Monday; the zone is the test process's, so only the
        // shape is fixed here (the value is checked by Python above and end to end).
        let date = OutgoingMessage.rfc5322Date(Timestamp(seconds: 1_795_428_000))
        let pattern = #/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/#
        #expect(date.wholeMatch(of: pattern) != nil, "\(date)")
        #expect(OutgoingMessage.messageID(time: Timestamp(seconds: 1_795_428_000), unique: "ab12", domain: "firma.de")
            == "20261123T100000Z.ab12.leads@firma.de")
    }

    /// A header that no white space can break stays whole (RFC 5322 allows 998).
    @Test func foldingBreaksOnlyBetweenTokens() {
        let folded = OutgoingMessage.fold(name: "To", ["a", String(repeating: "b", count: 90), "c"])
        #expect(folded == "To: a\n " + String(repeating: "b", count: 90) + "\n c")
        let many = OutgoingMessage.addressList(name: "To", (0..<8).map { MailAddress(name: "Person \($0)", address: "person\($0)@example.com") })
        for line in many.split(separator: "\n") { #expect(line.count <= 76, "\(line)") }
        #expect(many.replacingOccurrences(of: "\n", with: "") == "To: " + (0..<8).map { "Person \($0) <person\($0)@example.com>" }.joined(separator: ", "))
    }
}
