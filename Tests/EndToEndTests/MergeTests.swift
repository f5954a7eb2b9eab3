import Foundation
import Testing

/// `leads merge` and `leads unmerge` as a user meets them: the plan, the merged lead,
/// the retired ID, the exact round trip, and erasure of what was merged.
@Suite struct MergeTests {
    func pair() -> (Sandbox, keep: Int, other: Int) {
        let box = Sandbox()
        let keep = box.add("Thomas Müller", "--company", "Müller GmbH", "--email", "info@mueller-gmbh.de", "--label", "messe",
                           "--field", "branche=Maschinenbau", "--value", "12500")
        #expect(box.run("note", String(keep), "Erstgespräch auf der Messe").status == 0)
        #expect(box.run("remind", String(keep), "2026-12-01", "Angebot schicken").status == 0)
        let other = box.add("Mueller, Thomas", "--company", "Mueller GmbH & Co. KG", "--email", "Info@Mueller-GmbH.de",
                            "--phone", "030 1234567", "--label", "vip", "--label", "messe", "--field", "branche=Anlagenbau",
                            "--field", "region=Ost", "--allow-duplicate", "--source", "website")
        #expect(box.run(["note", String(other), "rief zurück", "--contacted"], env: ["LEADS_NOW": "2026-11-24T08:00:00Z"]).status == 0)
        #expect(box.run("remind", String(other), "2026-12-05", "Rückruf").status == 0)
        return (box, keep, other)
    }

    func file(_ box: Sandbox, _ path: String) -> String? { try? String(contentsOfFile: box.dir + "/" + path, encoding: .utf8) }

    @Test func theDryRunShowsThePlanAndChangesNothing() throws {
        let (box, keep, other) = pair()
        let before = (file(box, "leads/\(keep).json"), file(box, "leads/\(other).json"), file(box, "activity.log"))
        let result = box.run("merge", String(keep), String(other), "--dry-run", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try result.json() as? [String: Any])
        let steps = try #require(json["steps"] as? [[String: String]])
        func step(_ field: String) -> [String: String]? { steps.first { $0["field"] == field } }
        #expect(step("name")?["outcome"] == "kept")
        #expect(step("company")?["outcome"] == "kept" && step("company")?["other"] == "Mueller GmbH & Co. KG")
        #expect(step("phone")?["outcome"] == "taken" && step("phone")?["other"] == "030 1234567")
        #expect(step("source")?["outcome"] == "taken")
        #expect(step("labels")?["outcome"] == "combined")
        #expect(step("field:branche")?["outcome"] == "kept" && step("field:region")?["outcome"] == "taken")
        #expect(step("notes")?["outcome"] == "combined" && step("reminders")?["outcome"] == "combined")
        #expect(step("email") == nil || step("email")?["outcome"] == "kept")
        #expect((json["reminders"] as? [[String: String]])?.first == ["from": "\(other).1", "to": "\(keep).2"])
        #expect((file(box, "leads/\(keep).json"), file(box, "leads/\(other).json"), file(box, "activity.log")) == before)
        let text = box.run("merge", String(keep), String(other), "--dry-run")
        #expect(text.stdout.contains("reminder \(other).1 becomes \(keep).2"))
    }

    @Test func mergeFoldsRetiresAndUnmergeRestoresBothExactly() throws {
        let (box, keep, other) = pair()
        let merged = box.run("merge", String(keep), String(other))
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout.isEmpty)
        #expect(merged.stderr.contains("merged #\(other) into it"))
        #expect(file(box, "leads/\(other).json") == nil)

        let show = try #require(try box.run("show", String(keep), "--json").json() as? [String: Any])
        #expect(show["phone"] as? String == "030 1234567" && show["company"] as? String == "Müller GmbH")
        #expect(show["labels"] as? [String] == ["messe", "vip"])
        #expect(show["fields"] as? [String: String] == ["branche": "Maschinenbau", "region": "Ost"])
        #expect((show["notes"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["Erstgespräch auf der Messe", "rief zurück"])
        #expect((show["reminders"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["Angebot schicken", "Rückruf"])
        #expect(box.run("remind", "--done", "\(keep).2").status == 0)

        // Retired and resolvable.
        let gone = box.run("show", String(other))
        #expect(gone.status == 1)
        #expect(gone.stderr == "leads: lead \(other) was merged into lead \(keep) ('leads show \(keep)'; 'leads unmerge \(keep)' undoes it)\n", "\(gone.stderr)")
        #expect(box.run("note", String(other), "x").stderr.contains("was merged into lead \(keep)"))
        #expect(box.run("dupes").stdout.isEmpty)
        #expect(box.run("fsck").status == 0)
        #expect(box.run("pipeline").status == 0)

        // The reminder was marked done above: KEEP changed, so unmerge refuses.
        let refused = box.run("unmerge", String(keep))
        #expect(refused.status == 1 && refused.stderr.contains("it changed after the merge"), "\(refused.stderr)")
    }

    @Test func unmergeRightAfterAMergeRestoresTheFilesByteForByte() throws {
        let (box, keep, other) = pair()
        let keepBefore = try #require(file(box, "leads/\(keep).json"))
        let otherBefore = try #require(file(box, "leads/\(other).json"))
        #expect(box.run("merge", String(keep), String(other)).status == 0)
        let undone = box.run("unmerge", String(keep))
        #expect(undone.status == 0, "\(undone.stderr)")
        #expect(file(box, "leads/\(keep).json") == keepBefore)
        #expect(file(box, "leads/\(other).json") == otherBefore)
        #expect(!FileManager.default.fileExists(atPath: box.dir + "/merged/\(other).json"))
        #expect(box.run("show", String(other)).status == 0)
        #expect(box.run("fsck").status == 0, "\(box.run("fsck").stderr)")
        let again = box.run("unmerge", String(keep))
        #expect(again.status == 1 && again.stderr == "leads: lead \(keep) has no merge to undo\n", "\(again.stderr)")
        let log = box.run("log", "--action", "merge")
        #expect(log.status == 0 && log.lines.count == 1)
    }

    @Test func deletingKeepErasesWhatWasMergedIntoIt() throws {
        let (box, keep, other) = pair()
        #expect(box.run("merge", String(keep), String(other)).status == 0)
        #expect(FileManager.default.fileExists(atPath: box.dir + "/merged/\(other).json"))
        // Held on the person, so in their access report.
        let access = try #require(try box.run("subject-access", "info@mueller-gmbh.de", "--json").json() as? [String: Any])
        let merged = try #require(access["merged"] as? [[String: Any]])
        #expect(merged.count == 1 && merged[0]["id"] as? Int == other && merged[0]["merged_into"] as? Int == keep)
        #expect((access["activity"] as? [[String: Any]])?.contains { $0["lead"] as? Int == other } == true)
        #expect(box.run("delete", String(keep), "--yes").status == 0)
        #expect(!FileManager.default.fileExists(atPath: box.dir + "/merged/\(other).json"))
        let enumerator = FileManager.default.enumerator(atPath: box.dir)
        while let path = enumerator?.nextObject() as? String {
            guard let text = file(box, path) else { continue }
            for value in ["Müller", "Mueller", "1234567", "rief zurück", "Anlagenbau"] {
                #expect(!text.contains(value), "\(path) still holds \(value)")
            }
        }
    }

    @Test func refusalsChangeNothing() {
        let (box, keep, other) = pair()
        #expect(box.run("merge", String(keep), String(keep)).stderr == "leads: cannot merge lead \(keep) with itself\n")
        #expect(box.run("status", String(other), "won").status == 0 && box.run("convert", String(other)).status == 0)
        let converted = box.run("merge", String(keep), String(other))
        #expect(converted.status == 1 && converted.stderr.contains("lead \(other) became customer 1"), "\(converted.stderr)")
        #expect(box.run("merge", String(keep), "99").stderr == "leads: no lead 99\n")
        #expect(!FileManager.default.fileExists(atPath: box.dir + "/merged"))
    }
}
