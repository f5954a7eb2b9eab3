import Foundation
import LeadsTestSupport
import Testing
@testable import LeadsCore

@Suite struct ContactKeysTests {
    @Test(arguments: [
        ("info@mueller-gmbh.de", "Info@Mueller-GmbH.de"),            // case
        ("  jane@example.com ", "jane@example.com"),                  // surrounding space
        ("j.doe+news@gmail.com", "jdoe@gmail.com"),                   // gmail ignores dots and +tags
        ("J.Doe@googlemail.com", "jdoe@gmail.com"),                   // googlemail.com is gmail.com
        ("jane+crm@outlook.com", "jane@outlook.com"),                 // sub-addressing domains ignore +tags
        ("jane@example.com.", "jane@example.com"),                    // a trailing dot of the domain
    ])
    func sameEmail(a: String, b: String) {
        #expect(ContactKeys.email(a) != nil)
        #expect(ContactKeys.email(a) == ContactKeys.email(b))
    }

    @Test(arguments: [
        ("j.doe@example.com", "jdoe@example.com"),                    // dots count elsewhere
        ("jane+crm@example.com", "jane@example.com"),                 // so do +tags
        ("j.ane@outlook.com", "jane@outlook.com"),                    // outlook keeps dots
    ])
    func differentEmail(a: String, b: String) {
        #expect(ContactKeys.email(a) != ContactKeys.email(b))
    }

    @Test func notAnEmail() {
        #expect(ContactKeys.email("jane") == nil)
        #expect(ContactKeys.email("@example.com") == nil)
        #expect(ContactKeys.email("jane@") == nil)
    }

    @Test(arguments: [
        ("+49 30 1234567", "+49301234567"),
        ("030 1234567", "+49301234567"),              // national trunk 0, at home in DE
        ("0049 30 1234567", "+49301234567"),          // international prefix 00
        ("+49 (0)30 123 45 67", "+49301234567"),      // the bracketed trunk zero
        ("+49 030 1234567", "+49301234567"),          // a trunk zero written after +49 anyway
        ("(030) 123-4567", "+49301234567"),           // brackets and dashes
        ("+43 1 5123456", "+4315123456"),             // AT
        ("0043 (0)1 5123456", "+4315123456"),
        ("+41 44 668 18 00", "+41446681800"),         // CH
        ("0041 044 668 18 00", "+41446681800"),
        ("1234567", "local:1234567"),                 // no area code: only itself
    ])
    func phone(input: String, key: String) {
        #expect(ContactKeys.phone(input) == key)
    }

    @Test func phoneHomeCountry() {
        #expect(ContactKeys.phone("01 5123456", home: "AT") == "+4315123456")
        #expect(ContactKeys.phone("044 668 18 00", home: "ch") == "+41446681800")
        #expect(ContactKeys.phone("030 1234567", home: "FR") == "national:0301234567")  // no trunk rule known: kept as written
        #expect(ContactKeys.phone("030 1234567", home: "AT") != ContactKeys.phone("030 1234567", home: "DE"))
        #expect(ContactKeys.phone("12 34") == nil)
    }

    @Test(arguments: [
        ("Müller GmbH", "Mueller GmbH & Co. KG"),
        ("Müller GmbH", "MÜLLER"),
        ("Mueller-GmbH", "Müller G.m.b.H."),
        ("Bäcker e.K.", "Baecker eK"),
        ("Acme Ltd", "ACME Limited"),
        ("Acme, Inc.", "Acme Inc"),
        ("Acme Corp.", "acme"),
        ("Schulz AG", "Schulz KGaA"),
        ("Weiß & Söhne OHG", "Weiss & Soehne"),
        ("Müller und Co. KG", "Mueller"),
        ("Café Noir SARL", "Cafe Noir"),
    ])
    func sameCompany(a: String, b: String) {
        #expect(ContactKeys.company(a) != nil)
        #expect(ContactKeys.company(a) == ContactKeys.company(b))
    }

    @Test func companyKeepsWhatIsNotALegalForm() {
        #expect(ContactKeys.company("AG Software GmbH") == "ag software")   // only trailing forms go
        #expect(ContactKeys.company("Müller GmbH") == "mueller")
        #expect(ContactKeys.company("Weiß & Söhne") == "weiss soehne")
        #expect(ContactKeys.company("GmbH") == nil)
        #expect(ContactKeys.company("Müller Bau") != ContactKeys.company("Müller"))
    }

    @Test(arguments: [
        ("Thomas Müller", "Müller, Thomas"),                // order
        ("Thomas Müller", "thomas mueller"),                // umlauts and case
        ("Dr. Thomas Müller", "Thomas Mueller"),            // titles
        ("Herr Thomas Müller", "Thomas Müller"),
        ("Jürgen Weiß", "Juergen Weiss"),                   // ß = ss
        ("Thomas Mu\u{0308}ller", "Thomas Müller"),         // decomposed ü
        ("René Lévy", "Rene Levy"),                         // other accents dropped
    ])
    func sameName(a: String, b: String) {
        #expect(ContactKeys.name(a) != nil)
        #expect(ContactKeys.name(a) == ContactKeys.name(b))
    }

    @Test func differentName() {
        #expect(ContactKeys.name("Thomas Müller") != ContactKeys.name("Thomas Müller-Lüdenscheidt"))
        #expect(ContactKeys.name("Ann Lee") != ContactKeys.name("Anne Lee"))
        #expect(ContactKeys.name("Dr.") == "dr")   // a title alone is kept, not dropped to nothing
    }
}

@Suite struct DuplicateFinderTests {
    private func lead(_ id: Int, _ name: String, company: String? = nil, email: String? = nil, phone: String? = nil) -> Lead {
        var lead = Lead(id: id, name: name, stage: "new", createdAt: Timestamp(seconds: 0), createdBy: "t")
        lead.company = company
        lead.email = email
        lead.phone = phone
        return lead
    }

    @Test func pairsWithReasonsRanked() {
        var finder = DuplicateFinder()
        finder.add(MatchRecord(lead(1, "Thomas Müller", company: "Müller GmbH", email: "info@mueller-gmbh.de", phone: "+49 30 1234567")))
        finder.add(MatchRecord(lead(2, "Mueller, Thomas", company: "Mueller GmbH & Co. KG", email: "Info@Mueller-GmbH.de", phone: "030 1234567")))
        finder.add(MatchRecord(lead(3, "Jane Roe", email: "jane@example.com")))
        finder.add(MatchRecord(lead(4, "J. Roe", company: "Roe Ltd", phone: "0049 40 999999")))
        finder.add(MatchRecord(lead(5, "Jane Roe", company: "Other AG", phone: "+49 40 999999")))
        finder.add(MatchRecord(lead(6, "Someone Else", company: "Müller GmbH")))   // a company alone pairs nothing
        let report = finder.report()
        #expect(report.pairs == [
            DuplicatePair(first: 1, second: 2, reasons: [.email, .phone, .name, .company]),
            DuplicatePair(first: 4, second: 5, reasons: [.phone]),
            DuplicatePair(first: 3, second: 5, reasons: [.name]),
        ])
        #expect(report.crowded.isEmpty)
    }

    @Test func crowdedKeysAreNamedNotPaired() {
        var finder = DuplicateFinder(groupLimit: 3)
        for id in 1...5 { finder.add(MatchRecord(lead(id, "Person \(id)", phone: "+49 30 5550000"))) }
        let report = finder.report()
        #expect(report.pairs.isEmpty)
        #expect(report.crowded == [CrowdedKey(reason: .phone, ids: [1, 2, 3, 4, 5])])
    }

    /// 100,000 leads with 2,000 planted duplicates, each written the way people write
    /// them differently: every planted pair must be found, and no pair may be reported
    /// that was not planted (the generated names, addresses and numbers are unique).
    @Test func plantedDuplicatesInAHundredThousand() {
        var random = SplitMix64(seed: 19)
        let first = ["Thomas", "Jürgen", "Anna", "Lena", "Peter", "Sabine", "Michael", "Julia", "Stefan", "Monika"]
        var finder = DuplicateFinder()
        var planted = Set<[Int]>()
        var originals: [Lead] = []
        let count = 100_000
        for id in 1...(count - 2000) {
            var l = lead(id, "\(random.pick(first)) Müller\(id)", company: "Firma\(id) GmbH", email: "p\(id)@firma\(id).de",
                         phone: "+49 30 \(1_000_000 + id)")
            if id % 7 == 0 { l.company = nil }
            if id % 11 == 0 { l.phone = nil }
            originals.append(l)
            finder.add(MatchRecord(l))
        }
        var used = Set<Int>()
        for id in (count - 2000 + 1)...count {
            var pick = random.below(originals.count)
            while !used.insert(pick).inserted { pick = random.below(originals.count) }
            let original = originals[pick]
            var copy = lead(id, original.name, company: original.company, email: original.email, phone: original.phone)
            switch random.below(4) {
            case 0: copy.email = copy.email?.uppercased(); copy.name = "Unbekannt \(id)"; copy.company = nil
            case 1:
                guard let phone = original.phone else { copy.email = copy.email?.uppercased(); break }
                copy.phone = "0" + phone.dropFirst(4); copy.email = nil; copy.name = "Anderer \(id)"
            case 2:
                let words = original.name.split(separator: " ")
                copy.name = words[1].replacingOccurrences(of: "ü", with: "ue") + ", " + words[0]
                copy.email = nil; copy.phone = nil
                copy.company = original.company.map { $0.replacingOccurrences(of: " GmbH", with: " GmbH & Co. KG") }
            default:
                copy.email = nil; copy.phone = "+49 (0)30 \(1_000_000 + original.id)"
                if original.phone == nil { copy.phone = nil; copy.email = original.email }
            }
            planted.insert([original.id, id])
            finder.add(MatchRecord(copy))
        }
        let report = finder.report()
        let found = Set(report.pairs.map { [$0.first, $0.second] })
        let truePositives = found.intersection(planted).count
        #expect(truePositives == planted.count, "recall \(truePositives) of \(planted.count)")
        #expect(found.count == truePositives, "precision \(truePositives) of \(found.count)")
    }
}
