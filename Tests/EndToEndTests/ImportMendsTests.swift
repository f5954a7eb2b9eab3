import Foundation
import Testing

/// import-csv cases an outside probe found (Docs/import.md): repeated headers, amounts
/// against their currency's convention, and the messages of dates, the minus sign, a
/// space after a closing quote and a byte order mark in front of cp1252.
@Suite struct ImportMendsTests {
    @Test func repeatedHeaderIsRefusedNamingBothByPlaceAndMapsByPlace() throws {
        let box = Sandbox()
        box.add("Existing")
        let path = box.input("dup.csv", "Name,Email,Phone,Email\r\nAnn,a@x.example,1,b@x.example\r\n")
        #expect(box.refusedImport(path) == """
            leads: \(path): columns 'Email' (column 2) and 'Email' (column 4) both hold email, and their header does not say which is which; name the column by its place: --map 'column 4=field:Email_2' keeps it as a custom field, --map 'column 4=-' drops it (--keep-unknown or --drop-unknown does that for every repeated header)

            """)

        // Dropping by name drops both: that is what the name says; the plan shows each by place.
        let byName = box.run("import-csv", path, "--dry-run", "--map", "Email=-")
        #expect(byName.status == 0)
        #expect(byName.stdout.contains("  Email (column 2)  dropped (--map)\n  Phone             → phone\n  Email (column 4)  dropped (--map)\n"))

        let mapped = box.run("import-csv", path, "--map", "Column 4=field:email_2")
        #expect(mapped.status == 0)
        #expect(mapped.stderr == "leads: \(path): 1 created, 0 updated, 0 skipped, 0 rejected\n")
        let lead = try #require(box.leadJSON(2))
        #expect(lead["email"] as? String == "a@x.example")
        #expect((lead["fields"] as? [String: String])?["email_2"] == "b@x.example")
    }

    @Test func repeatedHeaderFollowsTheUnknownColumnRules() throws {
        let box = Sandbox()
        let path = box.input("dup.csv", "Name,Email,Email\r\nAnn,a@x.example,b@x.example\r\n")
        let kept = box.run("import-csv", path, "--keep-unknown", "--dry-run")
        #expect(kept.status == 0)
        #expect(kept.stdout.contains("  Email (column 3)  → field:Email_2 (--keep-unknown)\n"))
        let dropped = box.run("import-csv", path, "--drop-unknown")
        #expect(dropped.status == 0)
        #expect(dropped.stderr == """
            leads: \(path): column 'Email' (column 3) not imported: dropped (--drop-unknown)
            leads: \(path): 1 created, 0 updated, 0 skipped, 0 rejected

            """)
        #expect(box.leadJSON(1)?["email"] as? String == "a@x.example")
    }
}

@Suite struct ImportAmountConventionTests {
    @Test func aLoneSeparatorAgainstTheCellsCurrencyIsRefusedUnlessTheFileSaysItsDecimal() throws {
        let box = Sandbox()
        box.add("Existing")
        let path = box.input("m.csv", "Name,Value\r\nAnn,\"$1,23\"\r\nBob,\"$1,200\"\r\nCy,1.5 DKK\r\n")
        #expect(box.refusedImport(path) == """
            leads: \(path):2: Value: '$1,23' is ambiguous: USD amounts use ',' only between thousands, and this one groups none; 1.23 USD if it is the decimal separator: write 1.23, or use --decimal , if the file writes decimal commas
            leads: \(path):4: Value: '1.5 DKK' is ambiguous: DKK amounts use '.' only between thousands, and this one groups none; 1.50 DKK if it is the decimal separator: write 1,50, or use --decimal . if the file writes decimal points
            leads: \(path): 2 rows rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)

        // The file's decimal comma settles the USD cell; `$1,200` stays 1200 USD (the sign wins
        // where it can), and the DKK cell, against both, is still refused.
        let comma = box.run("import-csv", path, "--decimal", ",", "--skip-invalid")
        #expect(comma.status == 0)
        #expect(box.leadJSON(2)?["value"] as? String == "1.23")
        #expect(box.leadJSON(2)?["currency"] as? String == "USD")
        #expect(box.leadJSON(3)?["value"] as? String == "1200.00")
        #expect(box.leadJSON(4) == nil)
    }
}

@Suite struct ImportMinusSignTests {
    @Test func theUnicodeMinusSignIsAMinusAndAnotherDashIsNamed() throws {
        let box = Sandbox()
        let path = box.input("minus.csv", "Name;Wert\r\nAnn;\u{2212}100\r\nBob;\u{2212}€ 1.234,50\r\nCy;€ \u{2212}5\r\nDi;\u{2013}100\r\n")
        #expect(box.refusedImport(path) == """
            leads: \(path):5: Wert: '\u{2013}' (U+2013 EN DASH) is not a minus sign; a negative amount starts with - or U+2212 MINUS SIGN
            leads: \(path): 1 row rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        #expect(box.leadJSON(1) == nil)
        let imported = box.run("import-csv", path, "--skip-invalid")
        #expect(imported.status == 0)
        #expect(box.leadJSON(1)?["value"] as? String == "-100.00")
        #expect(box.leadJSON(2)?["value"] as? String == "-1234.50")
        #expect(box.leadJSON(2)?["currency"] as? String == "EUR")
        #expect(box.leadJSON(3)?["value"] as? String == "-5.00")
    }
}

@Suite struct ImportDateOrderTests {
    @Test func aDateWithOneReadingStillAsksForTheOrderAndSaysWhy() throws {
        let box = Sandbox()
        let path = box.input("dates.csv", "Name,Close Date\r\nAnn,13/5/2024\r\nBob,5/13/2024\r\nCy,13/13/2024\r\n")
        #expect(box.refusedImport(path) == """
            leads: \(path):2: Close Date: '13/5/2024': the order of day and month is not known: day first it is 13 May 2024, month first there is no month 13; use --date-format DMY if the file writes the day first
            leads: \(path):3: Close Date: '5/13/2024': the order of day and month is not known: month first it is May 13 2024, day first there is no month 13; use --date-format MDY if the file writes the month first
            leads: \(path):4: Close Date: '13/13/2024': neither 13 nor 13 is a month (1 to 12), so this is no date
            leads: \(path): 3 rows rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        #expect(box.leadJSON(1) == nil)
        let mdy = box.run("import-csv", path, "--date-format", "MDY", "--dry-run")
        #expect(mdy.status == 1)
        #expect(mdy.stdout.contains("""
            \(path):2: Close Date: '13/5/2024': read as month/day/year, there is no month 13; use --date-format DMY if the file writes the day first
            """))
        #expect(mdy.stdout.contains("\(path):4: Close Date: '13/13/2024': read as month/day/year, there is no month 13\n"))
        let dmy = box.run("import-csv", path, "--date-format", "DMY", "--skip-invalid")
        #expect(dmy.status == 0)
        #expect(dmy.stderr.contains("\(path):3: Close Date: '5/13/2024': read as day/month/year, there is no month 13; use --date-format MDY if the file writes the month first\n"))
        #expect(box.leadJSON(1)?["expected_close"] as? String == "2024-05-13")
        #expect(box.leadJSON(2) == nil)
    }
}

@Suite struct ImportCellMessageTests {
    @Test func aSpaceAfterAClosingQuoteIsNamedWithItsColumn() {
        let box = Sandbox()
        box.add("Existing")
        let space = box.input("space.csv", Array("Name,Company\r\n\"abc\" ,x\r\n".utf8))
        #expect(box.refusedImport(space) == """
            leads: \(space):2: Name: a space follows the closing quote of '"abc"': a quoted cell ends at its closing quote, so nothing may stand between it and the next delimiter; take the space out

            """)
        let letter = box.input("letter.csv", Array("Name,Company\r\nabc,\"x\"y\r\n".utf8))
        #expect(box.refusedImport(letter) == """
            leads: \(letter):2: Company: 'y' follows the closing quote of '"x"': a quoted cell ends at its closing quote, so a quote inside a quoted cell is written twice ("")

            """)
        let header = box.input("header.csv", Array("\"Name\" ,Company\r\nabc,x\r\n".utf8))
        #expect(box.refusedImport(header).hasPrefix("leads: \(header):1: column 1 of the header: a space follows the closing quote of '\"Name\"'"))
    }

    @Test func aByteOrderMarkBeforeCP1252BytesOrUnderEncodingCP1252() throws {
        let box = Sandbox()
        box.add("Existing")
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        // A UTF-8 mark in front of cp1252 bytes ("Jürgen Bäcker"): named with its column, and
        // --encoding cp1252 reads it, as asked.
        let marked = box.input("marked.csv", bom + Array("Name;Adresse\r\nJ".utf8) + [0xFC] + Array("rgen;K".utf8) + [0xF6] + Array("ln\r\n".utf8))
        #expect(box.refusedImport(marked) == """
            leads: \(marked):2: Name: not valid UTF-8, although the file starts with a UTF-8 byte order mark; if the file comes from Excel on Windows, it is cp1252 behind a wrong mark: use --encoding cp1252

            """)

        // A UTF-8 file with its mark under --encoding cp1252 would become "JÃ¼rgen": refused.
        let utf8 = box.input("utf8.csv", bom + Array("Name;Adresse\r\nJürgen;Köln\r\n".utf8))
        #expect(box.refusedImport(utf8, "--encoding", "cp1252") == """
            leads: \(utf8):2: Name: UTF-8 text, as the file's UTF-8 byte order mark says, but --encoding cp1252 would read it as other characters (ü as Ã¼, for example); leave out --encoding cp1252

            """)

        #expect(box.run("import-csv", marked, "--encoding", "cp1252").status == 0)
        #expect(box.leadJSON(2)?["name"] as? String == "Jürgen")
        #expect(box.leadJSON(2)?["address"] as? String == "Köln")
        #expect(box.run("import-csv", utf8, "--on-duplicate", "skip").status == 0)
        #expect(box.leadJSON(3) == nil)  // the same Jürgen, read right: a duplicate of lead 2
    }

    /// Without a byte order mark, too, a UTF-8 file read with `--encoding cp1252` would
    /// turn every ü into Ã¼ without a word: refused, naming the column, nothing imported.
    @Test func aUTF8FileReadAsCP1252IsRefusedWithoutAMarkToo() {
        let box = Sandbox()
        box.add("Existing")
        let path = box.input("utf8.csv", "Name;Adresse\r\nAnn;Bonn\r\nJürgen;Köln\r\n")
        #expect(box.refusedImport(path, "--encoding", "cp1252") == "leads: \(path):3: Name: UTF-8 text, which --encoding cp1252 would read as other characters (ü as Ã¼, for example); the file is UTF-8: leave out --encoding cp1252\n")
        #expect(box.run("import-csv", path).status == 0)
        #expect(box.leadJSON(3)?["address"] as? String == "Köln")
    }

    /// `100-` (SAP), `(100)` (accounting) and `100 €−` put the sign where it is not read:
    /// refused, each message saying where a minus goes, nothing imported or added.
    @Test func aMinusAfterTheAmountOrParenthesesAreRefusedSayingWhereTheMinusGoes() {
        let box = Sandbox()
        box.add("Existing")
        let path = box.input("neg.csv", "Name;Wert\r\nAnn;100 €\u{2212}\r\nBob;100-\r\nCy;(100)\r\n")
        let amount = "is not an amount: a negative amount starts with - (-100, -100 EUR); a minus after the number or parentheses around it are not read"
        #expect(box.refusedImport(path) == """
            leads: \(path):2: Wert: '€\u{2212}' is not a currency: a negative amount starts with - (-100 €); a minus after the amount is not read
            leads: \(path):3: Wert: '100-' \(amount)
            leads: \(path):4: Wert: '(100)' \(amount)
            leads: \(path): 3 rows rejected; nothing imported (fix them, or use --skip-invalid to import the other rows)

            """)
        let before = box.snapshot()
        let typed = box.run("add", "Dora", "--value", "100-")
        #expect(typed.status == 1)
        #expect(typed.stderr == "leads: --value: '100-' \(amount)\n")
        #expect(box.snapshot() == before)
        // A word ending in a dash is no amount of the wrong sign.
        #expect(box.run("add", "Dora", "--value", "abc-").stderr.contains("is not an amount (examples:"))
    }
}
