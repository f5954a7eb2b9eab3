import Foundation
import Testing

@Suite struct DupesTests {
    @Test func pairsFromTheIssueAreFoundWithTheirReasons() throws {
        let box = Sandbox()
        let a = box.add("Thomas Müller", "--company", "Müller GmbH", "--email", "info@mueller-gmbh.de", "--phone", "+49 30 1234567")
        let b = box.add("Mueller, Thomas", "--company", "Mueller GmbH & Co. KG", "--email", "Info@Mueller-GmbH.de", "--phone", "030 1234567",
                        "--allow-duplicate")
        let c = box.add("Jane Roe", "--email", "j.roe+fair@gmail.com")
        let d = box.add("Jane R.", "--email", "JRoe@googlemail.com")
        _ = box.add("Someone Else", "--company", "Müller GmbH")
        let result = box.run("dupes", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        let pairs = try #require(json["pairs"] as? [[String: Any]])
        #expect(pairs.count == 2)
        #expect(pairs[0]["ids"] as? [Int] == [a, b])
        #expect(pairs[0]["reasons"] as? [String] == ["email", "phone", "name", "company"])
        #expect(pairs[0]["score"] as? Int == 130)
        #expect(pairs[1]["ids"] as? [Int] == [c, d])
        #expect(pairs[1]["reasons"] as? [String] == ["email"])

        let text = box.run("dupes")
        #expect(text.status == 0)
        #expect(text.lines.count == 3)
        #expect(text.lines[1].contains("Thomas Müller (Müller GmbH)") && text.lines[1].contains("email,phone,name,company"))
    }

    @Test func nothingToReportPrintsNothing() {
        let box = Sandbox()
        _ = box.add("One", "--email", "one@example.com")
        _ = box.add("Two", "--email", "two@example.com")
        let result = box.run("dupes")
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    @Test func theHomeCountryComesFromConfig() throws {
        let box = Sandbox()
        _ = box.add("A", "--phone", "01 5123456")
        _ = box.add("B", "--phone", "+43 1 5123456")
        #expect(((try box.run("dupes", "--json").json() as? [String: Any])?["pairs"] as? [Any])?.count == 0)
        box.write("config.json", #"{"format": 1, "country": "AT"}"# + "\n")
        #expect(((try box.run("dupes", "--json").json() as? [String: Any])?["pairs"] as? [Any])?.count == 1)
        box.write("config.json", #"{"format": 1, "country": "Austria"}"# + "\n")
        let bad = box.run("dupes")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("config.json: \"country\" must be a two-letter ISO 3166 code"))
    }
}
