import Glibc
import Testing
@testable import LeadsCore

private func fullLead() -> Lead {
    var lead = Lead(id: 42, name: "=HYPERLINK(\"x\")", stage: "proposal",
                    createdAt: Timestamp(iso8601: "2026-11-01T08:00:00Z")!, createdBy: "alice")
    lead.organization = true
    lead.company = "Müller, Söhne & \"Partner\""
    lead.email = "info@example.com"
    lead.phone = "+49 89 1"
    lead.address = "Hauptstr. 1\n80331 München"
    lead.owner = "bob"
    lead.source = "@fair"
    lead.campaign = "-spring"
    lead.labels = ["hot", "b2b"]
    lead.probability = 35
    lead.value = Money(amount: Amount(canonical: "12500.125")!, currency: "EUR")
    lead.expectedClose = CalendarDate(iso: "2027-01-31")
    lead.lostReason = "\tprice"
    lead.fields = ["region": "north", "vat": "=1+1"]
    lead.notes = [Note(at: Timestamp(iso8601: "2026-11-02T09:30:00Z")!, by: "bob", text: "called\n\"twice\"", contacted: true),
                  Note(at: Timestamp(iso8601: "2026-11-03T10:00:00Z")!, by: "alice", text: "ok", contacted: false)]
    lead.reminders = [
        Reminder(number: 1, due: .day(CalendarDate(iso: "2026-12-01")!), text: "later", owner: "bob", createdAt: lead.createdAt),
        Reminder(number: 2, due: .instant(Timestamp(iso8601: "2026-11-25T13:30:00Z")!), text: "sooner", owner: "bob", createdAt: lead.createdAt),
    ]
    lead.reminders[1].doneAt = Timestamp(iso8601: "2026-11-20T00:00:00Z")  // done: not the next one
    lead.lastContact = Contact(at: Timestamp(iso8601: "2026-11-02T09:30:00Z")!, by: "bob")
    lead.conversion = Conversion(customer: 7, projects: [], at: lead.createdAt, by: "alice")
    lead.updatedAt = Timestamp(iso8601: "2026-11-04T11:00:00Z")!
    return lead
}

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite struct CSVExportTests {
    @Test func cellsOfEveryColumn() throws {
        let export = CSVExport(columns: CSVExport.defaultColumns(fieldKeys: ["vat", "region"], notes: true), config: .defaults)
        #expect(export.columns.map(\.name) == [
            "id", "name", "organization", "company", "email", "phone", "address", "owner", "stage", "probability",
            "value", "currency", "weighted", "expected_close", "source", "campaign", "labels", "lost_reason",
            "next_reminder", "last_contact", "converted_customer", "created", "updated", "field:region", "field:vat", "notes",
        ])
        // 12500.125 × 35 % = 4375.04375 → 4375.04.
        #expect(try export.cells(fullLead()) == [
            "42", "=HYPERLINK(\"x\")", "yes", "Müller, Söhne & \"Partner\"", "info@example.com", "+49 89 1",
            "Hauptstr. 1\n80331 München", "bob", "proposal", "35", "12500.1250", "EUR", "4375.04", "2027-01-31",
            "@fair", "-spring", "hot,b2b", "\tprice", "2026-12-01", "2026-11-02T09:30:00Z", "7",
            "2026-11-01T08:00:00Z", "2026-11-04T11:00:00Z", "north", "=1+1",
            #"[{"at":"2026-11-02T09:30:00Z","by":"bob","contacted":true,"text":"called\n\"twice\""},{"at":"2026-11-03T10:00:00Z","by":"alice","text":"ok"}]"#,
        ])
    }

    @Test func aSparseLeadHasEmptyCells() throws {
        var lead = Lead(id: 3, name: "Jane", stage: "dnc", createdAt: Timestamp(seconds: 0), createdBy: "")
        lead.value = Money(amount: Amount(canonical: "-5")!, currency: "USD")
        let export = CSVExport(columns: CSVColumn.standard + [.field("x"), .notes], config: .defaults)
        #expect(try export.cells(lead) == [
            "3", "Jane", "no", "", "", "", "", "", "dnc", "", "-5.00", "USD", "0.00", "", "", "", "", "", "", "", "",
            "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "", "",
        ])
    }

    @Test func recordsAreQuotedNeutralisedAndEndInCRLF() throws {
        let columns: [CSVColumn] = [.id, .name, .company, .phone, .value, .address, .source, .campaign, .lostReason, .field("vat")]
        var out: [UInt8] = []
        let export = CSVExport(columns: columns, config: .defaults)
        export.appendHeader(to: &out)
        try export.append(fullLead(), to: &out)
        #expect(text(out) == "id,name,company,phone,value,address,source,campaign,lost_reason,field:vat\r\n"
            + "42,\"'=HYPERLINK(\"\"x\"\")\",\"Müller, Söhne & \"\"Partner\"\"\",'+49 89 1,12500.1250,"
            + "\"Hauptstr. 1\n80331 München\",'@fair,'-spring,'\tprice,'=1+1\r\n")
    }

    @Test func numericCellsAreNeverNeutralised() throws {
        var lead = fullLead()
        lead.value = Money(amount: Amount(canonical: "-5")!, currency: "EUR")
        var out: [UInt8] = []
        try CSVExport(columns: [.value, .weighted, .probability, .id], config: .defaults).append(lead, to: &out)
        #expect(text(out) == "-5.00,-1.75,35,42\r\n")
    }

    @Test func excelFormatAndOtherOptions() throws {
        let columns: [CSVColumn] = [.name, .value, .weighted, .labels]
        var excel: [UInt8] = []
        let export = CSVExport(columns: columns, config: .defaults, format: .excel)
        export.appendHeader(to: &excel)
        try export.append(fullLead(), to: &excel)
        #expect(Array(excel.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(text(Array(excel.dropFirst(3))) == "name;value;weighted;labels\r\n\"'=HYPERLINK(\"\"x\"\")\";12500,1250;4375,04;hot,b2b\r\n")

        var plain: [UInt8] = []
        let raw = CSVExport(columns: columns, config: .defaults,
                            format: CSVExportFormat(delimiter: 0x09, decimalSeparator: UInt8(ascii: ","), formulaGuard: false))
        raw.appendHeader(to: &plain)
        try raw.append(fullLead(), to: &plain)
        #expect(text(plain) == "name\tvalue\tweighted\tlabels\r\n\"=HYPERLINK(\"\"x\"\")\"\t12500,1250\t4375,04\thot,b2b\r\n")

        var comma: [UInt8] = []
        try CSVExport(columns: [.value], config: .defaults, format: CSVExportFormat(decimalSeparator: UInt8(ascii: ",")))
            .append(fullLead(), to: &comma)
        #expect(text(comma) == "\"12500,1250\"\r\n")
    }

    @Test func everyWrittenAmountReadsBackWithoutAHint() throws {
        // The export's form must never be "ambiguous" to the importer's MoneyParser.
        for units: Int64 in [0, 1, 10, 100, 1000, 71_250, 125_001_250, -71_250, 9_999_990, 123_456_789_000] {
            var lead = Lead(id: 1, name: "x", stage: "new", createdAt: Timestamp(seconds: 0), createdBy: "")
            lead.value = Money(amount: Amount(units: units), currency: "EUR")
            for separator in [UInt8(ascii: "."), UInt8(ascii: ",")] {
                let cell = try CSVExport(columns: [.value], config: .defaults, format: CSVExportFormat(decimalSeparator: separator)).cells(lead)[0]
                #expect(try MoneyParser.parse(cell).amount == Amount(units: units), "\(cell)")
            }
        }
    }

    @Test func columnNames() {
        #expect(CSVColumn(name: "expected_close") == .expectedClose)
        #expect(CSVColumn(name: "Name") == .name)
        #expect(CSVColumn(name: "notes") == .notes)
        #expect(CSVColumn(name: "field:Region") == .field("Region"))
        #expect(CSVColumn(name: "FIELD:vat") == .field("vat"))
        #expect(CSVColumn(name: "field:") == nil)
        #expect(CSVColumn(name: "field:a b") == nil)
        #expect(CSVColumn(name: "expected close") == nil)
        #expect(CSVColumn(name: "") == nil)
        for column in CSVColumn.standard { #expect(CSVColumn(name: column.name) == column) }
        #expect(CSVColumn.names.count == 24)
    }
}
