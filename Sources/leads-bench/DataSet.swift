import Foundation

/// One generated lead, as the CSV row and the taskwarrior task are made from it.
struct GeneratedLead {
    struct Note { let at: Int; let by: String; let text: String; let contacted: Bool }

    var name = "", organization = false, company = ""
    var email = "", phone = "", address = ""
    var owner = "", stage = "", probability: Int?
    var value = "", currency = "", expectedClose: Int?
    var source = "", campaign = ""
    var labels: [String] = []
    var lostReason = ""
    /// Imported through the `next_reminder` column.
    var reminder: (due: Int, dateOnly: Bool)?
    /// Added after the import with `leads remind` (the importer takes one reminder per row).
    var secondReminder: Int?
    var created = 0
    var updated = 0
    var fields: [(key: String, value: String)] = []
    var notes: [Note] = []
}

/// The seeded data set. Lead i is the same in every size (the 10,000 set is the first
/// 10,000 rows of the 100,000 set), so results of different sizes describe the same kind
/// of data.
struct DataSet {
    static let now = UTC.days(year: 2026, month: 11, day: 23) * 86_400 + 10 * 3600
    static let nowText = UTC.instant(now)
    /// The default stages of `config.json`; the peers use the same numbers.
    static let openStages = [("new", 10), ("contacted", 20), ("qualified", 40), ("proposal", 60), ("negotiation", 80)]
    static let stages = ["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dnc"]
    static let stageWeights = [25, 20, 15, 10, 7, 10, 10, 3]
    static let owners = ["alice", "bob", "carla", "dieter", "emre", "frida", "gustav"]
    static let csvHeader = ["name", "organization", "company", "email", "phone", "address", "owner", "stage",
                            "probability", "value", "currency", "expected_close", "source", "campaign", "labels",
                            "lost_reason", "next_reminder", "last_contact", "created", "updated",
                            "field:branche", "field:mitarbeiter", "field:website", "field:ust_id", "notes"]

    private var rng: SplitMix64
    private var index = 0
    /// The importer refuses a second lead with the same e-mail, or the same name and
    /// company: redraw instead (deterministically, so the set stays reproducible).
    private var nameKeys = Set<String>()

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func next() -> GeneratedLead {
        index += 1
        var lead = GeneratedLead()
        var first = "", last = ""
        repeat {
            first = rng.pick(Words.firstNames)
            last = rng.pick(Words.lastNames)
            lead.organization = rng.chance(20)
            let companyCore = rng.chance(60) ? rng.pick(Words.lastNames) : rng.pick(Words.brandWords)
            let industry = rng.pick(Words.industries)
            lead.company = "\(companyCore) \(industry.name) \(rng.pick(industry.german ? Words.germanForms : Words.englishForms))"
            if lead.organization {
                lead.name = lead.company
                lead.company = ""
            } else {
                lead.name = "\(first) \(last)"
            }
            lead.fields = [("branche", industry.name)]
        } while !nameKeys.insert(lead.name + "\u{1}" + lead.company).inserted

        let domainBase = Words.ascii(lead.organization ? lead.name : lead.company).split(separator: " ").prefix(2).joined(separator: "-")
        let tld = rng.pick(["de", "de", "de", "com", "ch", "at", "co.uk"])
        // The index makes the address unique; real CRMs are full of near-duplicates.
        let local = lead.organization ? rng.pick(["info", "vertrieb", "kontakt", "sales"]) : (Words.ascii(first) + "." + Words.ascii(last)).filter { $0 != " " }
        lead.email = "\(local).\(index)@\(domainBase).\(tld)"
        lead.phone = rng.pick(["+49 89 ", "+49 30 ", "+49 221 ", "0711 ", "+41 44 ", "+43 1 ", "+44 20 ", "+1 415 555 "]) + "\(rng.range(100_000...9_999_999))"
        let city = rng.pick(Words.cities)
        lead.address = "\(rng.pick(Words.streets)) \(rng.range(1...180))\(rng.chance(10) ? "a" : "")\n\(city.zip + rng.below(90)) \(city.name)"
        lead.owner = rng.pick(Self.owners)
        lead.stage = Self.stages[rng.weighted(Self.stageWeights)]
        if rng.chance(10) { lead.probability = rng.range(1...19) * 5 }
        if rng.chance(85) {
            // Log-uniform between 500 and 250,000, with cents: a few big deals, many small.
            let units = Int(500.0 * pow(500.0, Double(rng.below(1_000_000)) / 1_000_000.0))
            lead.value = "\(units).\(UTC.two(rng.below(100)))"
            lead.currency = ["EUR", "USD", "CHF"][rng.weighted([70, 20, 10])]
        }
        if rng.chance(80) { lead.expectedClose = Self.now + rng.range(-60...240) * 86_400 }
        lead.source = rng.pick(Words.sources)
        if rng.chance(70) { lead.campaign = rng.pick(Words.campaigns) }
        for _ in 0..<rng.weighted([30, 35, 25, 10]) {
            let label = rng.pick(Words.labels)
            if !lead.labels.contains(label) { lead.labels.append(label) }
        }
        if lead.stage == "lost" { lead.lostReason = rng.pick(Words.lostReasons) }
        lead.created = Self.now - rng.range(86_400...720 * 86_400)
        lead.updated = lead.created + rng.below(Self.now - lead.created)

        // 0-2 reminders: 35 % none, 50 % one, 15 % two; due from a month ago to two months ahead.
        let reminders = rng.weighted([35, 50, 15])
        if reminders >= 1 {
            let dateOnly = rng.chance(50)
            let due = Self.now + rng.range(-30 * 24...60 * 24) * 3600
            lead.reminder = (dateOnly ? due - due % 86_400 : due - due % 900, dateOnly)
        }
        if reminders == 2 { lead.secondReminder = Self.now + rng.range(-20...90) * 86_400 }

        if rng.chance(70) { lead.fields.append(("mitarbeiter", "\(rng.pick([5, 12, 25, 50, 120, 250, 800, 2500]))")) }
        if rng.chance(60) { lead.fields.append(("website", "https://www.\(domainBase).\(tld)/")) }
        if rng.chance(40) { lead.fields.append(("ust_id", "DE\(rng.range(100_000_000...999_999_999))")) }

        // 0-5 notes, oldest first, between creation and now.
        let noteCount = rng.weighted([10, 15, 20, 20, 20, 15])
        var times = (0..<noteCount).map { _ in lead.created + rng.below(Self.now - lead.created) }
        times.sort()
        for at in times {
            let author = rng.chance(70) ? lead.owner : rng.pick(Self.owners)
            let body = rng.below(Words.noteBodies.count)
            var text = "\(rng.pick(Words.openers)) \(lead.organization ? rng.pick(Words.firstNames) : first): \(Words.noteBodies[body])"
            if rng.chance(50) {
                // Another sentence, never the same one twice.
                text += " " + Words.noteBodies[(body + 1 + rng.below(Words.noteBodies.count - 1)) % Words.noteBodies.count]
            }
            if rng.chance(10) { text += "\n" + rng.pick(Words.postscripts) }
            lead.notes.append(.init(at: at - at % 60, by: author, text: text, contacted: rng.chance(30)))
        }
        return lead
    }

    // MARK: CSV

    /// The CSV row, as a spreadsheet export would hold it. The notes go in the JSON-array
    /// form that `export-csv --with-notes` writes, so several notes keep their authors
    /// and times.
    static func csvRow(_ lead: GeneratedLead) -> [String] {
        var fields: [String: String] = [:]
        for (key, value) in lead.fields { fields[key] = value }
        let contact = lead.notes.last(where: \.contacted).map { "\(UTC.instant($0.at)) \($0.by)" } ?? ""
        let reminder = lead.reminder.map { $0.dateOnly ? UTC.day($0.due) : UTC.instant($0.due) } ?? ""
        return [
            lead.name, lead.organization ? "yes" : "no", lead.company, lead.email, lead.phone, lead.address, lead.owner,
            lead.stage, lead.probability.map(String.init) ?? "", lead.value, lead.currency,
            lead.expectedClose.map(UTC.day) ?? "", lead.source, lead.campaign, lead.labels.joined(separator: ","),
            lead.lostReason, reminder, contact, UTC.instant(lead.created), UTC.instant(lead.updated),
            fields["branche"] ?? "", fields["mitarbeiter"] ?? "", fields["website"] ?? "", fields["ust_id"] ?? "",
            lead.notes.isEmpty ? "" : "[" + lead.notes.map(noteJSON).joined(separator: ",") + "]",
        ]
    }

    static func noteJSON(_ note: GeneratedLead.Note) -> String {
        "{\"at\":\"\(UTC.instant(note.at))\",\"by\":\"\(note.by)\"\(note.contacted ? ",\"contacted\":true" : ""),\"text\":\(jsonString(note.text))}"
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func csvLine(_ cells: [String]) -> String {
        cells.map { cell in
            cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
        }.joined(separator: ",") + "\r\n"
    }

    // MARK: taskwarrior

    /// The same lead as a follow-up task: a taskwarrior user would keep one task per lead.
    static func taskJSON(_ lead: GeneratedLead) -> String {
        let closed = lead.stage == "won" || lead.stage == "lost" || lead.stage == "dnc"
        var task = "{\"description\":\(jsonString("Follow up \(lead.name)" + (lead.company.isEmpty ? "" : " (\(lead.company))")))"
        task += ",\"status\":\"\(closed ? "completed" : "pending")\",\"entry\":\"\(UTC.compact(lead.created))\""
        if closed { task += ",\"end\":\"\(UTC.compact(lead.updated))\"" }
        task += ",\"project\":\"\(lead.owner)\""
        if !lead.labels.isEmpty { task += ",\"tags\":[" + lead.labels.map { jsonString($0) }.joined(separator: ",") + "]" }
        if let reminder = lead.reminder { task += ",\"due\":\"\(UTC.compact(reminder.due))\"" }
        if !lead.notes.isEmpty {
            task += ",\"annotations\":[" + lead.notes.map {
                "{\"entry\":\"\(UTC.compact($0.at))\",\"description\":\(jsonString($0.text))}"
            }.joined(separator: ",") + "]"
        }
        return task + "}"
    }

    /// Writes `count` leads as CSV (and, when asked, as a taskwarrior import file).
    /// Returns the leads that get a second reminder after the import: (row number = lead ID, due).
    static func write(count: Int, seed: UInt64, csv: String, tasks: String?) throws -> [(id: Int, due: Int)] {
        var set = DataSet(seed: seed)
        let csvFile = try OutputFile(csv)
        let taskFile = try tasks.map(OutputFile.init)
        var second: [(Int, Int)] = []
        csvFile.write(csvLine(csvHeader))
        for id in 1...count {
            let lead = set.next()
            csvFile.write(csvLine(csvRow(lead)))
            taskFile?.write(taskJSON(lead) + "\n")
            if let due = lead.secondReminder { second.append((id, due)) }
        }
        try csvFile.close()
        try taskFile?.close()
        return second
    }
}

/// A buffered file writer (the CSV for 100,000 leads is about 100 MB).
final class OutputFile {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String

    init(_ path: String) throws {
        guard let file = fopen(path, "w") else { throw BenchError.io("cannot create \(path): \(String(cString: strerror(errno)))") }
        self.file = file
        self.path = path
    }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { _ = fwrite($0.baseAddress, 1, $0.count, file) }
    }

    func close() throws {
        let failed = ferror(file) != 0
        guard fclose(file) == 0, !failed else { throw BenchError.io("cannot write \(path)") }
    }
}
