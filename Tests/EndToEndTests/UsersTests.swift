import Foundation
import Testing

/// `leads users` and the owners that resolve through the table.
@Suite struct UsersTests {
    func team() -> Sandbox {
        let box = Sandbox()
        let add = box.run("users", "add", "anna", "--email", "anna@firma.de", "--full-name", "Anna Schmidt", "--alias", "aschmidt", "--language", "de")
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout == "")
        #expect(add.stderr == "leads: user anna added (anna@firma.de)\n")
        #expect(box.run("users", "add", "bob", "--email", "bob@example.com").status == 0)
        return box
    }

    @Test func addListAndRemove() throws {
        let box = team()
        let json = try #require(try box.run("users", "--json").json() as? [[String: Any]])
        #expect(json.count == 2)
        #expect(json[0]["name"] as? String == "anna")
        #expect(json[0]["email"] as? String == "anna@firma.de")
        #expect(json[0]["full_name"] as? String == "Anna Schmidt")
        #expect(json[0]["aliases"] as? [String] == ["aschmidt"])
        #expect(json[0]["language"] as? String == "de")
        #expect(json[1]["name"] as? String == "bob")
        #expect(json[1]["full_name"] == nil)
        let table = box.run("users")
        #expect(table.lines.first?.hasPrefix("NAME") == true)
        #expect(table.lines.count == 3)
        #expect(table.lines[1].contains("anna@firma.de") && table.lines[1].contains("Anna Schmidt"))
        // The table lives in config.json, beside the stages.
        let config = try #require(try JSONSerialization.jsonObject(with: Data(box.file("config.json")!.utf8)) as? [String: Any])
        #expect((config["users"] as? [[String: Any]])?.count == 2)
        #expect(config["stages"] != nil)

        #expect(box.run("users", "remove", "anna").status == 0)
        #expect(try (box.run("users", "--json").json() as? [[String: Any]])?.map { $0["name"] as? String } == ["bob"])
        let gone = box.run("users", "remove", "anna")
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no user \"anna\""))
    }

    @Test func badEntriesAreRefusedAndChangeNothing() {
        let box = team()
        let before = box.snapshot()
        for (arguments, message) in [
            (["users", "add", "carol", "--email", "anna@FIRMA.de"], "\"anna@FIRMA.de\" already names user anna"),
            (["users", "add", "ANNA", "--email", "x@y.de"], "user \"ANNA\" exists already"),
            (["users", "add", "carol", "--email", "carol"], "is not an e-mail address"),
            (["users", "add", "carol lee", "--email", "c@y.de"], "must be a login"),
        ] {
            let result = box.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        // A language is one of the table's choices, checked before anything is read.
        let french = box.run("users", "add", "carol", "--email", "c@y.de", "--language", "fr")
        #expect(french.status == 2 && french.stderr.hasPrefix("leads: invalid --language 'fr': use de or en\n"), "\(french.stderr)")
        #expect(box.run("users", "add", "carol").status == 2)
        #expect(box.run("users", "--email", "x@y.de").status == 2)
        #expect(box.run("users", "rename", "x").status == 2)
        #expect(box.snapshot() == before)
    }

    @Test func ownersAndMineResolveThroughTheTable() throws {
        let box = team()
        let a = box.add("Lead A", "--owner", "Anna Schmidt")
        let b = box.add("Lead B", "--owner", "ANNA@firma.de")
        let c = box.add("Lead C", "--owner", "carol")
        #expect(box.leadJSON(a)?["owner"] as? String == "anna")
        #expect(box.leadJSON(b)?["owner"] as? String == "anna")
        #expect(box.leadJSON(c)?["owner"] as? String == "carol")
        #expect(box.run("assign", String(c), "aschmidt").status == 0)
        #expect(box.leadJSON(c)?["owner"] as? String == "anna")
        #expect(box.run("remind", String(a), "+1d", "--owner", "bob@example.com").status == 0)
        let reminders = try #require(box.leadJSON(a)?["reminders"] as? [[String: Any]])
        #expect(reminders.last?["owner"] as? String == "bob")
        // A lead written before the table existed may carry a full name as owner.
        let d = box.add("Lead D", "--owner", "x")
        var raw = box.file("leads/\(d).json")!
        raw = raw.replacingOccurrences(of: "\"owner\" : \"x\"", with: "\"owner\" : \"Anna Schmidt\"")
            .replacingOccurrences(of: "\"owner\": \"x\"", with: "\"owner\": \"Anna Schmidt\"")
        box.write("leads/\(d).json", raw)
        #expect(box.leadJSON(d)?["owner"] as? String == "Anna Schmidt")
        let mine = box.run(["list", "--mine", "--ids"], env: ["LEADS_USER": "anna@firma.de"])
        #expect(mine.lines == [String(a), String(b), String(c), String(d)].sorted())
        #expect(box.run("list", "--owner", "aschmidt", "--ids").lines == mine.lines)
        #expect(box.run("list", "--owner", "nobody", "--ids").lines == [])
        // --user naming a user by e-mail owns new leads as that user's login.
        let e = box.run(["add", "Lead E"], env: ["LEADS_USER": "anna@firma.de"])
        #expect(box.leadJSON(Int(e.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!)?["owner"] as? String == "anna")
    }
}
