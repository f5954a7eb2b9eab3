import Foundation
import Testing

/// The suppression list as a user meets it: `suppress`, `delete --suppress`, and the
/// refusal in `add`; and complete erasure, proven by searching every file of the
/// directory for every value the erased person had.
@Suite struct SuppressionTests {
    func files(_ box: Sandbox) -> [String: [UInt8]] {
        var found: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: box.dir)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: box.dir + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: box.dir + "/" + path) else { continue }
            found[path] = Array(data)
        }
        return found
    }

    @Test func aSuppressedPersonIsRefusedByAddInAnySpellingAndNothingIsWritten() throws {
        let box = Sandbox()
        _ = box.add("Someone Else", "--email", "other@example.com")
        let suppressed = box.run("suppress", "Info@Mueller-GmbH.de", "+49 30 1234567")
        #expect(suppressed.status == 0, "\(suppressed.stderr)")
        #expect(suppressed.stderr.contains("added suppression entry 1 (an e-mail address, added 2026-11-23 by alice)"), "\(suppressed.stderr)")
        #expect(suppressed.stderr.contains("added suppression entry 2 (a phone number"))
        let list = try String(contentsOfFile: box.dir + "/suppression.json", encoding: .utf8)
        #expect(!list.lowercased().contains("mueller") && !list.contains("1234567"))

        let before = files(box)
        for attempt in [["Thomas Müller", "--email", "info@mueller-gmbh.de"],
                        ["Thomas Müller", "--email", "INFO@MUELLER-GMBH.DE", "--allow-duplicate"],
                        ["Thomas Müller", "--phone", "030 1234567"]] {
            let result = box.run(["add"] + attempt)
            #expect(result.status == 1, "\(attempt): \(result.status) \(result.stderr)")
            #expect(result.stderr.hasPrefix("leads: refused by suppression entry "), "\(result.stderr)")
            #expect(!result.stderr.lowercased().contains("mueller") && !result.stderr.contains("1234567"), "names the person: \(result.stderr)")
            #expect(files(box) == before, "\(attempt) changed the directory")
        }
        #expect(box.run("add", "Thomas Müller", "--email", "thomas@example.org").status == 0)

        let again = box.run("suppress", "info@mueller-gmbh.de")
        #expect(again.status == 0 && again.stderr.contains("already listed as suppression entry 1"), "\(again.stderr)")
    }

    @Test func importCSVRefusesOrSkipsASuppressedPersonNamingTheEntryAndTheLine() throws {
        let box = Sandbox()
        _ = box.add("Someone Else", "--email", "other@example.com")
        #expect(box.run("suppress", "info@mueller-gmbh.de", "+49 30 1234567").status == 0)
        let csv = box.root + "/in.csv"
        try "name,email,phone\nKatja Neu,katja@example.com,\nThomas Müller,INFO@Mueller-GmbH.de,\nT. Mueller,,030 1234567\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let before = files(box)
        let refused = box.run("import-csv", csv)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("in.csv:3: refused by suppression entry 1"), "\(refused.stderr)")
        #expect(refused.stderr.contains("in.csv:4: refused by suppression entry 2"), "\(refused.stderr)")
        #expect(!refused.stderr.lowercased().contains("mueller-gmbh") && !refused.stderr.contains("1234567"), "\(refused.stderr)")
        #expect(files(box) == before)
        let skipped = box.run("import-csv", csv, "--on-duplicate", "skip")
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("1 created, 0 updated, 2 skipped"), "\(skipped.stderr)")
        let names = try #require(try box.run("list", "--json").json() as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(names == ["Someone Else", "Katja Neu"])
    }

    @Test func whatIsNeitherAnAddressNorANumberIsRefusedBeforeAnythingIsWritten() {
        let box = Sandbox()
        _ = box.add("One")
        let before = files(box)
        let result = box.run("suppress", "ok@example.com", "not a number")
        #expect(result.status == 2)
        #expect(result.stderr == "leads: invalid ADDRESS 'not a number': neither an e-mail address (name@domain) nor a phone number\n", "\(result.stderr)")
        #expect(files(box) == before)
        #expect(!FileManager.default.fileExists(atPath: box.dir + "/suppression.key"))
    }

    @Test func suppressNamesTheLeadsThatStillHoldTheAddress() {
        let box = Sandbox()
        let id = box.add("Jane Roe", "--email", "jane@example.com")
        let result = box.run("suppress", "Jane@Example.com")
        #expect(result.status == 0)
        #expect(result.stderr.contains("lead \(id) still holds a suppressed address; 'leads delete \(id) --suppress' erases it"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: box.dir + "/leads/\(id).json"))
    }

    /// SPEC 9: no personal data of an erased lead remains in any file of the directory.
    @Test func deleteSuppressErasesThePersonFromEveryFileAndKeepsThemOut() throws {
        let box = Sandbox()
        let values = ["Thomas Quellmalz", "Quellmalz Maschinenbau GmbH", "t.quellmalz@quellmalz-maschinenbau.de", "+49 351 4711 0815",
                      "Großenhainer Straße 99, 01127 Dresden", "rief wegen Ersatzteilen an", "Rückruf Ersatzteilliste", "Fräsen und Drehen"]
        // Mail that came before the lead existed is kept unmatched: one from the person, one
        // from a colleague naming the address in a base64 body, and one about nobody here.
        let tip = Data("Kontakt: T.Quellmalz@Quellmalz-Maschinenbau.de, rief wegen Ersatzteilen an".utf8).base64EncodedString()
        for message in ["From: \(values[0]) <\(values[2])>\nTo: vertrieb@firma.de\nSubject: Anfrage\nMessage-ID: <q1@example.de>\n\n\(values[7]), \(values[4])\n",
                        "From: Kollege <kollege@firma.example>\nTo: vertrieb@firma.de\nSubject: Tipp\nMessage-ID: <q2@example.de>\nContent-Transfer-Encoding: base64\n\n\(tip)\n",
                        "From: Jemand <jemand@anders.example>\nTo: vertrieb@firma.de\nSubject: Hallo\nMessage-ID: <q3@example.de>\n\nBitte um Katalog.\n"] {
            #expect(box.run(["mail"], stdin: message).status == 0)
        }
        #expect(files(box).keys.filter { $0.hasPrefix("mail/unmatched/") }.count == 3)
        let id = box.add(values[0], "--company", values[1], "--email", values[2], "--phone", values[3], "--address", values[4],
                         "--field", "branche=" + values[7], "--value", "48000")
        #expect(box.run("note", String(id), values[5]).status == 0)
        #expect(box.run("remind", String(id), "2027-02-01", values[6]).status == 0)
        #expect(box.run("status", String(id), "won").status == 0)
        #expect(box.run("convert", String(id)).status == 0)
        // A file kept on the lead: its name and its bytes are the person's data too.
        let contract = box.root + "/Quellmalz_Vertrag.txt"
        try "Vertrag mit Thomas Quellmalz, Großenhainer Straße 99\n".write(toFile: contract, atomically: true, encoding: .utf8)
        #expect(box.run("attach", String(id), contract).status == 0)
        #expect(files(box).keys.contains("files/\(id)/Quellmalz_Vertrag.txt"))
        _ = box.add("Another Lead", "--email", "another@example.com")
        #expect(box.run("pipeline").status == 0)  // the summary index is written
        #expect(box.run("dupes").status == 0)
        let found = files(box).filter { _, bytes in values.contains { String(decoding: bytes, as: UTF8.self).contains($0) } }
        #expect(!found.isEmpty, "the person is nowhere before the erasure: the search finds nothing")

        let result = box.run("delete", String(id), "--with-customer", "--suppress", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("#\(id): also erased 2 messages kept in mail/unmatched/ that named the person"), "\(result.stderr)")
        let kept = files(box).filter { $0.key.hasPrefix("mail/unmatched/") }
        #expect(kept.count == 1 && kept.values.contains { String(decoding: $0, as: UTF8.self).contains("Bitte um Katalog.") },
                "the message about nobody here must stay: \(kept.keys)")
        #expect(box.run("list", "--all").status == 0)
        #expect(box.run("pipeline").status == 0)
        for (path, bytes) in files(box) {
            #expect(!path.lowercased().contains("quellmalz"), "\(path) is still there")
            // Hex digests (log chain, keyed hashes) are random to the test: one may hold
            // "4711" by chance, and a digest holds no personal data. Everything else counts.
            let text = String(decoding: bytes, as: UTF8.self)
                .replacingOccurrences(of: "[0-9a-f]{32,}", with: "#", options: .regularExpression)
            for value in values + ["quellmalz", "4711"] {
                #expect(!text.lowercased().contains(value.lowercased()), "\(path) still holds '\(value)'")
            }
        }
        let log = try String(contentsOfFile: box.dir + "/activity.log", encoding: .utf8)
        let key = try String(contentsOfFile: box.dir + "/suppression.key", encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(key.count == 64 && !log.contains(key))
        #expect(log.contains("\"suppressed\":[1,2]"), "\(log)")
        #expect(log.contains("\"unmatched_mail\":2"), "\(log)")

        let back = box.run("add", "T. Quellmalz", "--email", "T.Quellmalz@Quellmalz-Maschinenbau.de")
        #expect(back.status == 1 && back.stderr.contains("refused by suppression entry 1"), "\(back.stderr)")
        #expect(box.run("fsck").status == 0)
    }

    /// The digests are HMAC-SHA-256 as Python's hmac module computes them.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is missing: .ci/run installs it"))
    func theListHoldsHMACSHA256OfTheNormalisedAddress() throws {
        let box = Sandbox()
        #expect(box.run("suppress", "Jane.Roe+news@GoogleMail.com").status == 0)
        let key = try String(contentsOfFile: box.dir + "/suppression.key", encoding: .utf8).trimmingCharacters(in: .newlines)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import hmac,hashlib,sys; print(hmac.new(bytes.fromhex(sys.argv[1]), b'email:janeroe@gmail.com', hashlib.sha256).hexdigest())", key]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .newlines)
        process.waitUntilExit()
        let list = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: box.dir + "/suppression.json"))) as? [String: Any])
        let entries = try #require(list["entries"] as? [[String: Any]])
        #expect(entries.count == 1 && entries[0]["hmac"] as? String == expected && expected.count == 64)
    }
}
