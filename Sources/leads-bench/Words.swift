import Foundation

/// Vocabulary of the generated leads: German and English, with the umlauts, ß, accents
/// and apostrophes that real address books hold.
enum Words {
    static let firstNames = [
        "Jürgen", "Jörg", "Björn", "Sören", "Günther", "Käthe", "Bärbel", "Özlem", "Zoë", "Renée", "Chloë", "Hans",
        "Anna", "Lukas", "Sophie", "Maximilian", "Emma", "Noah", "Mia", "Paul", "Lea", "Felix", "Hannah", "Jonas",
        "Lena", "Marie", "Elias", "Emily", "Oliver", "Charlotte", "James", "Olivia", "William", "Amelia", "Jack",
        "Grace", "Thomas", "Sarah", "Michael", "Laura", "Stefan", "Katrin", "Matthias", "Ute", "Andreas", "Sabine",
        "Dirk", "Birgit", "Frank", "Petra", "Uwe", "Heike", "Ralf", "Anke", "Jürgen-Maria", "Anne-Kathrin", "Gülşen",
        "Çağla", "Hélène", "François", "Siobhán", "Seán", "Małgorzata", "Tomáš", "Åsa", "Mårten", "Øystein", "Joël",
    ]
    static let lastNames = [
        "Müller", "Schäfer", "Schröder", "Böhm", "Köhler", "Krämer", "Groß", "Weiß", "Fuchs", "Schmitt", "Wagner",
        "Becker", "Hoffmann", "Schulz", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Neumann", "Schwarz",
        "Zimmermann", "Braun", "Hartmann", "Lange", "Krüger", "Meier", "Lehmann", "Köster", "Jäger", "Günther",
        "Brückner", "Dähne", "Hübner", "Blümel", "Löffler", "Möller", "Süß", "Strauß", "Rößler", "Smith", "Johnson",
        "Brown", "Taylor", "Wilson", "Davies", "Evans", "O'Brien", "Walker", "Wright", "Robinson", "Thompson",
        "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Yılmaz", "Nowak", "Dvořák", "Lefèvre", "García",
        "von Düring", "de la Cruz", "MacLeod", "Ó Súilleabháin", "Nørgaard", "Åberg",
    ]
    static let brandWords = [
        "Nordlicht", "Alpenblick", "Rheingold", "Sonnenhof", "Eichenwald", "Bergkristall", "Weitblick", "Löwenzahn",
        "Greenfield", "Blue Harbour", "Northstar", "Silverline", "Brightwater", "Oakridge", "Redwood", "Kite & Key",
        "Mühlenbach", "Seeblick", "Fünfseen", "Grünwerk", "Straßenbahn-Zubehör", "Bäckerhaus", "Zürichsee",
    ]
    static let industries: [(name: String, german: Bool)] = [
        ("Maschinenbau", true), ("Logistik", true), ("Software", true), ("Beratung", true), ("Bau", true),
        ("Elektrotechnik", true), ("Metallverarbeitung", true), ("Gebäudetechnik", true), ("Lebensmittel", true),
        ("Medizintechnik", true), ("Druckerei", true), ("Fördertechnik", true), ("Consulting", false),
        ("Software", false), ("Logistics", false), ("Hospitality", false), ("Engineering", false), ("Media", false),
    ]
    static let germanForms = ["GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "OHG", "UG (haftungsbeschränkt)", "GmbH", "SE"]
    static let englishForms = ["Ltd", "Ltd.", "Inc.", "LLC", "PLC", "LLP", "Group"]
    static let streets = [
        "Hauptstraße", "Bahnhofstraße", "Schloßallee", "Gartenweg", "Am Mühlbach", "Königsallee", "Lindenstraße",
        "Große Bleichen", "Äußere Sulzbacher Straße", "Öhringer Weg", "Über der Klause", "Rue du Rhône",
        "High Street", "King's Road", "Mühlenkamp", "Jägerstraße", "Fürstenrieder Straße", "Schönhauser Allee",
    ]
    static let cities: [(name: String, zip: Int)] = [
        ("München", 80331), ("Köln", 50667), ("Düsseldorf", 40213), ("Nürnberg", 90402), ("Würzburg", 97070),
        ("Berlin", 10115), ("Hamburg", 20095), ("Lübeck", 23552), ("Göttingen", 37073), ("Saarbrücken", 66111),
        ("Frankfurt am Main", 60311), ("Tübingen", 72070), ("Zürich", 8001), ("Genève", 1201), ("Wien", 1010),
        ("Graz", 8010), ("Bozen", 39100), ("Dresden", 1067), ("Mönchengladbach", 41061), ("Osnabrück", 49074),
    ]
    static let sources = ["web", "referral", "trade fair", "cold call", "linkedin", "partner", "newsletter", "Empfehlung", "Messe"]
    static let campaigns = ["Frühjahr 2026", "Messe Hannover 2026", "Q3 outreach", "Webinar Fördermittel", "Newsletter Mai",
                            "Partnerprogramm", "Black Friday", "Händlertage Süd"]
    static let labels = ["hot", "b2b", "b2c", "partner", "enterprise", "smb", "renewal", "öffentlich", "förderfähig", "vip"]
    static let lostReasons = ["zu teuer", "Wettbewerber gewählt", "kein Budget", "no response", "timing – nächstes Jahr",
                              "Projekt gestoppt", "went with an in-house solution"]
    static let openers = ["Anruf mit", "Telefonat mit", "E-Mail von", "Termin vor Ort bei", "Call with", "Meeting with",
                          "Video-Call mit", "Rückruf von", "Messegespräch mit", "Lunch with"]
    static let noteBodies = [
        "Angebot über das Jahresvolumen besprochen, Rückmeldung bis Freitag zugesagt.",
        "Interesse an der Premium-Lizenz, Budget wird im nächsten Quartal freigegeben.",
        "Ansprechpartnerin ist jetzt Frau Schäfer aus dem Einkauf; Größe des Teams klären.",
        "Discussed pricing for 25 seats; they need a quote in CHF before the board meeting.",
        "Wünscht eine Demo für die Geschäftsführung – Termin über die Assistenz vereinbaren.",
        "Not the decision maker, forwarded to the CTO. Follow up in two weeks.",
        "Messe-Kontakt: sehr interessiert an Schnittstellen zu DATEV und Lexware.",
        "Vertragsentwurf geschickt, die Rechtsabteilung prüft die Haftungsklausel (§ 7).",
        "Mitbewerber ist 12 % günstiger, wir müssen beim Service und der Einführung punkten.",
        "Requested references from customers in Österreich and der Schweiz.",
        "Kein Bedarf vor März; höflich nachfassen, nicht drängen.",
        "Rückfrage zur DSGVO: Auftragsverarbeitungsvertrag und Serverstandort Frankfurt.",
        "Budget approved — waiting for the purchase order number from procurement.",
        "Möchte „erst intern abstimmen“, schätzt Entscheidung auf Ende des Monats.",
        "Sent the case study and the ROI calculator; they liked the Übersicht per Standort.",
        "Zuständigkeit gewechselt, neuer Kontakt im Vertriebsinnendienst, Durchwahl notiert.",
    ]
    static let postscripts = ["PS: Ansprechpartner ist ab 1.12. im Urlaub.", "Bitte nicht vor 10 Uhr anrufen.",
                              "Prefers e-mail over phone calls."]

    /// For e-mail addresses and domains: ä → ae, ß → ss, accents dropped, the rest lower case.
    static func ascii(_ text: String) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            switch scalar {
            case "ä", "æ": out += "ae"
            case "ö", "ø", "œ": out += "oe"
            case "ü": out += "ue"
            case "ß": out += "ss"
            case "a"..."z", "0"..."9", ".", "-": out.unicodeScalars.append(scalar)
            case " ": out += " "
            default:
                // Accented letters: keep the base letter of the canonical decomposition.
                if let base = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.first,
                   ("a"..."z").contains(base) {
                    out.unicodeScalars.append(base)
                }
            }
        }
        return out
    }
}
