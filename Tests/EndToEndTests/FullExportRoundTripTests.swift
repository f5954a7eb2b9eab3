import Foundation
import LeadsCore
import LeadsTestSupport
import Testing

/// `export-csv --all --full` → `import-csv` into an empty directory reproduces every
/// field of every lead (IDs aside), for random stores written as lead files directly, so
/// that every state a lead can hold occurs (done and announced reminders, conversions,
/// unknown keys), not only what a short command sequence reaches.
@Suite struct FullExportRoundTripTests {
    static let users = ["alice", "bob", "Jörg Weiß", "o'brien", "=admin", "", "carol smith"]
    static let pieces = ["a", "Z", "9", " ", ";", ",", "\"", "ä", "Ö", "ß", "Ω", "€", "😀", "👩‍💻", "'", "x y", "\t", "=", "+", "-", "@", "\u{1E}", "|"]
    static let lineBreaks = ["\r\n", "\n", "\r"]
    static let leaders = ["=", "+", "-", "@", "\t", "'=", "''+", "'", "+49 89 ", "-5", "@x", ""]

    /// Text with the awkward characters; never all blank (blank means "no value").
    static func text(_ random: inout SplitMix64, multiLine: Bool = true) -> String {
        var out = random.below(3) == 0 ? random.pick(leaders) : ""
        for _ in 0..<(1 + random.below(7)) {
            out += multiLine && random.below(6) == 0 ? random.pick(lineBreaks) : random.pick(pieces)
        }
        return out + random.pick(["a", "ü", "🙂", ".", "x "])
    }

    static func time(_ random: inout SplitMix64) -> Timestamp {
        Timestamp(seconds: 1_600_000_000 + Int64(random.below(300_000_000)))
    }

    static func lead(_ random: inout SplitMix64, id: Int) -> Lead {
        func maybe<T>(_ make: (inout SplitMix64) -> T) -> T? { random.below(2) == 0 ? nil : make(&random) }
        let created = time(&random)
        var lead = Lead(id: id, name: text(&random, multiLine: false) + " \(id)", stage: random.pick(["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dnc"]),
                        createdAt: created, createdBy: random.pick(users))
        lead.updatedAt = Timestamp(seconds: created.seconds + Int64(random.below(1_000_000)))
        lead.updatedBy = random.pick(users)
        lead.organization = random.below(3) == 0
        lead.company = maybe { text(&$0) }
        lead.email = maybe { "p\(id).\($0.below(1000))@example.com" }
        lead.phone = maybe { $0.pick(["+49 89 1234-5", "-5", "0049 (89) 1", "=1+1"]) }
        lead.address = maybe { text(&$0) }
        lead.owner = maybe { $0.pick(users.filter { !$0.isEmpty }) }
        lead.source = maybe { text(&$0) }
        lead.campaign = maybe { text(&$0) }
        lead.lostReason = maybe { text(&$0) }
        lead.probability = maybe { Percent(hundredths: $0.below(10_001))! }
        if random.below(4) != 0 {
            let units = Int64(random.below(2_000_000_000)) * Int64(random.pick([1, 1, 10, 100, 10_000])) / Int64(random.pick([1, 7]))
            lead.value = Money(amount: Amount(units: random.below(5) == 0 ? -units : units),
                               currency: random.pick(["EUR", "USD", "CHF", "JPY", "KWD", "GBP"]))
        }
        lead.expectedClose = maybe { CalendarDate(daysSinceEpoch: 19_000 + $0.below(4000)) }
        var labels: [String] = []
        for _ in 0..<random.below(4) {
            let label = random.pick(["hot", "b2b", "Messe;VIP", "ä ö", "x=y", "'quoted'", "@home", "Ω"])
            if !labels.contains(label) { labels.append(label) }
        }
        lead.labels = labels
        for _ in 0..<random.below(4) {
            lead.fields[random.pick(["region", "size", "Größe", "k.1", "web-site", "x_y"])] = text(&random)
        }
        for _ in 0..<random.below(5) {
            var note = Note(at: time(&random), by: random.pick(users), text: text(&random), contacted: random.below(3) == 0)
            if random.below(8) == 0 { note.extra = ["mood": .string("ok"), "score": .number("1.50")] }
            lead.notes.append(note)
        }
        var number = 0
        for _ in 0..<random.below(4) {
            number += 1 + (random.below(4) == 0 ? random.below(3) : 0)
            let due: When = random.below(2) == 0 ? .day(CalendarDate(daysSinceEpoch: 19_000 + random.below(4000))) : .instant(time(&random))
            var reminder = Reminder(number: number, due: due, text: random.below(3) == 0 ? "" : text(&random),
                                    owner: random.pick(users), createdAt: time(&random))
            if random.below(2) == 0 { reminder.doneAt = time(&random) }
            if random.below(3) == 0 { reminder.announcedAt = time(&random) }
            if random.below(10) == 0 { reminder.extra = ["snoozed": .integer(2)] }
            lead.reminders.append(reminder)
        }
        if random.below(4) == 0 {
            let projects = (0..<random.below(3)).map { _ in text(&random, multiLine: false) }
            lead.conversion = Conversion(customer: 1 + random.below(50), projects: projects, at: time(&random), by: random.pick(users),
                                         extra: random.below(6) == 0 ? ["invoice": .string("R-1")] : [:])
        }
        if random.below(2) == 0 { lead.lastContact = Contact(at: time(&random), by: random.pick(users)) }
        if random.below(8) == 0 { lead.extra = ["x_legacy": .object(["a": .array([.number("1"), .null, .bool(true)])])] }
        return lead
    }

    @Test(arguments: [false, true])
    func randomStoresComeBackExactly(excel: Bool) throws {
        for seed in UInt64(1)...30 {
            var random = SplitMix64(seed: seed &* 7919 &+ (excel ? 1 : 0))
            let source = Sandbox()
            #expect(source.run("init").status == 0)
            let leads = (1...(1 + random.below(12))).map { Self.lead(&random, id: $0 * 3) }
            for lead in leads { source.write("leads/\(lead.id).json", String(decoding: lead.fileBytes, as: UTF8.self)) }

            let export = source.run(["export-csv", "--all", "--full"] + (excel ? ["--excel"] : []))
            try #require(export.status == 0, "seed \(seed): \(export.stderr)")
            let target = Sandbox()
            let path = target.root + "/full.csv"
            _ = FileManager.default.createFile(atPath: path, contents: Data(export.stdoutBytes))
            let imported = target.run("import-csv", path)
            try #require(imported.status == 0, "seed \(seed) excel \(excel): \(imported.stderr.prefix(3000))")

            for (index, original) in leads.enumerated() {
                let bytes = try #require(target.fileBytes("leads/\(index + 1).json"), "seed \(seed): lead \(index + 1) missing")
                var back = try Lead(bytes: bytes, expectedID: index + 1)
                back.id = original.id
                if back != original {
                    let differences: String = Self.differences(original, back)
                    Issue.record(Comment(rawValue: "seed \(seed) excel \(excel), lead \(original.id): " + differences))
                }
            }
            #expect(target.fileBytes("leads/\(leads.count + 1).json") == nil)
        }
    }

    /// The differing top-level keys of two leads' files, for a readable failure.
    static func differences(_ a: Lead, _ b: Lead) -> String {
        guard case .object(let x) = a.json, case .object(let y) = b.json else { return "" }
        return Set(x.keys).union(y.keys).sorted().filter { x[$0] != y[$0] }.map {
            "\($0): \(x[$0].map { String(decoding: JSONWriter.compact($0), as: UTF8.self) } ?? "-") ≠ \(y[$0].map { String(decoding: JSONWriter.compact($0), as: UTF8.self) } ?? "-")"
        }.joined(separator: "; ")
    }

    /// The formula guard's `'` comes off exactly the cells the export guarded.
    /// `--on-duplicate update` with a full export adds the notes and reminders the lead
    /// lacks, once: the same file imported again changes nothing.
    @Test func updateFromAFullExportAddsTheMissingNotesAndRemindersOnce() throws {
        let source = Sandbox()
        let id = source.add("Jane Roe", "--email", "jane@example.com")
        #expect(source.run("note", String(id), "first call").status == 0)
        #expect(source.run("note", String(id), "sent the offer,\nwith prices").status == 0)
        #expect(source.run("remind", String(id), "2027-01-10", "follow up").status == 0)
        #expect(source.run("remind", String(id), "2027-02-01", "second try").status == 0)
        #expect(source.run("remind", "--done", "\(id).1").status == 0)
        let export = source.run("export-csv", "--all", "--full")
        #expect(export.status == 0)

        let target = Sandbox()
        let other = target.add("Someone Else")
        let jane = target.add("Jane Roe", "--email", "Jane@Example.com")
        #expect(target.run("note", String(jane), "first call").status == 0)
        #expect(target.run("remind", String(jane), "2027-03-01", "own reminder").status == 0)
        let path = target.root + "/full.csv"
        _ = FileManager.default.createFile(atPath: path, contents: Data(export.stdoutBytes))
        let first = target.run("import-csv", path, "--on-duplicate", "update")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("0 created, 1 updated"), "\(first.stderr)")
        let lead = try #require(target.leadJSON(jane))
        let notes = try #require(lead["notes"] as? [[String: Any]]).compactMap { $0["text"] as? String }
        #expect(notes == ["first call", "sent the offer,\nwith prices"])
        let reminders = try #require(lead["reminders"] as? [[String: Any]])
        #expect(reminders.map { "\($0["n"] ?? "-") \($0["due"] ?? "-") \($0["text"] ?? "-") \($0["done_at"] != nil)" }
                == ["1 2027-03-01 own reminder false", "2 2027-01-10 follow up true", "3 2027-02-01 second try false"], "\(reminders)")
        #expect(try #require(target.leadJSON(other))["notes"] == nil)

        let before = try String(contentsOfFile: target.dir + "/leads/\(jane).json", encoding: .utf8)
        let again = target.run("import-csv", path, "--on-duplicate", "update")
        #expect(again.status == 0 && again.stderr.contains("0 created, 0 updated, 1 skipped"), "\(again.stderr)")
        #expect(try String(contentsOfFile: target.dir + "/leads/\(jane).json", encoding: .utf8) == before)
    }

    @Test func guardedCellsComeBackAsStored() throws {
        let source = Sandbox()
        let id = source.add("=SUM(A1)", "--phone", "+49 89 1", "--field", "delta=-5", "--field", "at=@x", "--field", "quoted='=x",
                            "--field", "plain='hello", "--company", "''+1")
        let export = source.run("export-csv", "--all", "--full")
        #expect(export.stdout.contains("'=SUM(A1)"))
        #expect(export.stdout.contains("'+49 89 1"))
        #expect(export.stdout.contains(",'-5,") || export.stdout.contains("'-5"))
        let target = Sandbox()
        let path = target.root + "/full.csv"
        _ = FileManager.default.createFile(atPath: path, contents: Data(export.stdoutBytes))
        #expect(target.run("import-csv", path).status == 0)
        let lead = try #require(target.leadJSON(1))
        #expect(lead["name"] as? String == "=SUM(A1)")
        #expect(lead["phone"] as? String == "+49 89 1")
        #expect(lead["company"] as? String == "''+1")
        let fields = try #require(lead["fields"] as? [String: String])
        #expect(fields == ["delta": "-5", "at": "@x", "quoted": "'=x", "plain": "'hello"])
        #expect(id == 1)
    }

    @Test func fullIsRefusedWithColumnChoicesAndUnguardedCells() {
        let box = Sandbox()
        for other in [["--fields", "id,name"], ["--with-notes"], ["--no-formula-escape"]] {
            let result = box.run(["export-csv", "--full"] + other)
            #expect(result.status == 2, "\(other): \(result.stderr)")
        }
    }
}
