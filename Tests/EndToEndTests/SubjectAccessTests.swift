import Foundation
import Testing

/// `leads subject-access`: the person's leads, customers and log records, checked
/// against the files of the store itself, and nobody else's.
@Suite struct SubjectAccessTests {
    /// Two leads of one person (the address in another case), one converted; a stranger
    /// who shares the phone number and the name.
    func store() -> (Sandbox, person: [Int], stranger: Int) {
        let box = Sandbox()
        let first = box.add("Thomas Müller", "--email", "Info@Mueller-GmbH.de", "--phone", "+49 30 1234567", "--value", "12500")
        #expect(box.run("note", String(first), "Rückruf: will ein Angebot bis Freitag").status == 0)
        #expect(box.run("remind", String(first), "2027-01-15", "Angebot nachfassen").status == 0)
        #expect(box.run("status", String(first), "won").status == 0)
        #expect(box.run("convert", String(first)).status == 0)
        let second = box.add("Thomas Müller", "--email", "info@mueller-gmbh.de", "--company", "Müller GmbH", "--allow-duplicate")
        let stranger = box.add("Thomas Müller", "--email", "thomas@example.org", "--phone", "+49 30 1234567", "--allow-duplicate")
        #expect(box.run("note", String(stranger), "nicht verwechseln").status == 0)
        return (box, [first, second], stranger)
    }

    func logLines(_ box: Sandbox) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: box.dir + "/activity.log", encoding: .utf8)
        return try text.split(separator: "\n").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func byAddressEverythingOfThePersonAndNothingElse() throws {
        let (box, person, stranger) = store()
        let result = box.run("subject-access", "INFO@mueller-gmbh.de", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        let leads = try #require(json["leads"] as? [[String: Any]])
        #expect(leads.compactMap { $0["id"] as? Int } == person)
        // Each lead is the file on disk, field for field (plus show's derived keys).
        for lead in leads {
            let id = try #require(lead["id"] as? Int)
            let file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: box.dir + "/leads/\(id).json"))) as? [String: Any])
            func canonical(_ value: Any?) throws -> String {
                String(decoding: try JSONSerialization.data(withJSONObject: [value ?? "missing"], options: [.sortedKeys]), as: UTF8.self)
            }
            for (key, value) in file {
                #expect(try canonical(lead[key]) == canonical(value), "lead \(id) \(key)")
            }
        }
        #expect((leads[0]["notes"] as? [[String: Any]])?.first?["text"] as? String == "Rückruf: will ein Angebot bis Freitag")
        #expect((leads[0]["reminders"] as? [[String: Any]])?.first?["text"] as? String == "Angebot nachfassen")

        let customers = try #require(json["customers"] as? [[String: Any]])
        #expect(customers.count == 1)
        #expect(customers.first?["email"] as? String == "Info@Mueller-GmbH.de")
        let customerID = try #require(customers.first?["id"] as? Int)
        #expect(FileManager.default.fileExists(atPath: box.dir + "/customers/\(customerID).json"))

        // Exactly the log records about the person's leads and customer.
        let expected = try logLines(box).filter { line in
            (line["lead"] as? Int).map(person.contains) ?? false || (line["customer"] as? Int == customerID && line["lead"] == nil)
        }
        let activity = try #require(json["activity"] as? [[String: Any]])
        #expect(activity.count == expected.count && !activity.isEmpty)
        #expect(activity.map { "\($0["time"]!) \($0["action"]!)" } == expected.map { "\($0["time"]!) \($0["action"]!)" })
        #expect(!activity.contains { $0["lead"] as? Int == stranger })
        #expect(!result.stdout.contains("thomas@example.org") && !result.stdout.contains("nicht verwechseln"))
    }

    /// Mail kept unmatched names the person by an address header (in another spelling) or
    /// by the address written in the text; a message from the stranger who shares the
    /// name and the phone is not theirs.
    @Test func mailKeptUnmatchedThatNamesThePersonIsListedWithItsFile() throws {
        let box = Sandbox()
        let messages = [
            "From: Thomas Müller <INFO@mueller-gmbh.de>\nTo: a@x.example, b@x.example\nSubject: Zwei Fragen\nMessage-ID: <sa1@example.de>\nDate: Tue, 1 Dec 2026 09:30:00 +0100\n\nWer ist zuständig?\n",
            "From: Kollege <k@firma.example>\nSubject: Weiterleitung\nMessage-ID: <sa2@example.de>\n\nBitte melden bei Info@Mueller-GmbH.de\n",
            "From: Thomas Müller <thomas@example.org>\nSubject: Telefon +49 30 1234567\nMessage-ID: <sa3@example.de>\n\nnicht verwechseln\n",
        ]
        for message in messages { #expect(box.run(["mail"], stdin: message).status == 0) }
        let person = box.add("Thomas Müller", "--email", "info@mueller-gmbh.de", "--phone", "+49 30 1234567")
        let result = box.run("subject-access", String(person), "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        let mail = try #require(json["mail"] as? [[String: Any]])
        #expect(Set(mail.compactMap { $0["message_id"] as? String }) == ["<sa1@example.de>", "<sa2@example.de>"])
        for message in mail {
            let path = try #require(message["file"] as? String)
            let bytes = try #require(FileManager.default.contents(atPath: box.dir + "/" + path))
            #expect(message["bytes"] as? Int == bytes.count, "\(path)")
            #expect(String(decoding: bytes, as: UTF8.self).contains(try #require(message["message_id"] as? String)))
        }
        let first = try #require(mail.first { $0["message_id"] as? String == "<sa1@example.de>" })
        #expect(first["from"] as? [String] == ["INFO@mueller-gmbh.de"] && first["to"] as? [String] == ["a@x.example", "b@x.example"])
        #expect(first["subject"] as? String == "Zwei Fragen" && first["text"] as? String == "Wer ist zuständig?\n")
        #expect(first["date"] as? String == "2026-12-01T08:30:00Z")

        let text = box.run("subject-access", "info@mueller-gmbh.de")
        #expect(text.stdout.contains("1 lead, 0 customers, 1 log record, 2 unmatched messages"), "\(text.stdout)")
        #expect(text.stdout.contains("    Subject: Zwei Fragen") && text.stdout.contains("    Subject: Weiterleitung"), "\(text.stdout)")
        #expect(!text.stdout.contains("nicht verwechseln") && !text.stdout.contains("thomas@example.org"))
    }

    @Test func byIDTheLeadBringsTheOtherLeadsWithItsAddress() throws {
        let (box, person, _) = store()
        let result = box.run("subject-access", "#\(person[1])", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        #expect((json["leads"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == person)
        #expect((json["subject"] as? [String: Any])?["lead"] as? Int == person[1])
    }

    @Test func theReadableReportShowsNotesRemindersAndTheCustomer() throws {
        let (box, person, _) = store()
        let json = try #require(try box.run("subject-access", "info@mueller-gmbh.de", "--json").json() as? [String: Any])
        let records = try #require((json["activity"] as? [Any])?.count)
        let result = box.run("subject-access", "info@mueller-gmbh.de")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines.first?.hasPrefix("Subject access for info@mueller-gmbh.de, as of ") == true)
        #expect(result.lines.first?.hasSuffix(": 2 leads, 1 customer, \(records) log records") == true, "\(result.lines.first ?? "")")
        #expect(result.stdout.contains("#\(person[0]) Thomas Müller"))
        #expect(result.stdout.contains("Rückruf: will ein Angebot bis Freitag"))
        #expect(result.stdout.contains("Angebot nachfassen"))
        #expect(result.stdout.contains("Customer 1 Thomas Müller"))
        #expect(!result.stdout.contains("nicht verwechseln"))
    }

    @Test func aPersonNotInTheStoreGetsAnEmptyAnswer() throws {
        let (box, _, _) = store()
        let result = box.run("subject-access", "nobody@example.com", "--json")
        #expect(result.status == 0)
        let json = try #require(try result.json() as? [String: Any])
        #expect((json["leads"] as? [Any])?.isEmpty == true && (json["customers"] as? [Any])?.isEmpty == true
                && (json["activity"] as? [Any])?.isEmpty == true)
        let text = box.run("subject-access", "nobody@example.com")
        #expect(text.lines == [text.lines[0], "The store holds nothing on this person."])
        #expect(text.lines[0].hasSuffix(": 0 leads, 0 customers, 0 log records"))
    }

    @Test func whatIsNeitherAnAddressNorAnIDIsAUsageError() {
        let (box, _, _) = store()
        for bad in ["@", "x1", "not an address@"] {
            let result = box.run("subject-access", bad)
            #expect(result.status == 2, "\(bad): \(result.status)")
            #expect(result.stderr.hasPrefix("leads: invalid "), "\(bad): \(result.stderr)")
        }
        let missing = box.run("subject-access", "999")
        #expect(missing.status == 1 && missing.stderr == "leads: no lead 999\n", "\(missing.stderr)")
    }
}
