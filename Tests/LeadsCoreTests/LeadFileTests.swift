import LeadsCore
import Testing

/// Which names a lead's file may have, how a sender's name is made safe, how a taken name
/// is numbered, the records in the lead file, and how a merge combines files.
@Suite struct LeadFileTests {
    @Test func unsafeNamesAreRefusedWithTheReason() {
        #expect(LeadFileName.problem("Angebot 2026.pdf") == nil)
        #expect(LeadFileName.problem("Grüße an Müller – Ärger.txt") == nil)
        #expect(LeadFileName.problem("a..b") == nil)
        #expect(LeadFileName.problem("") == "is empty")
        #expect(LeadFileName.problem(".") == "is not a file name")
        #expect(LeadFileName.problem("..") == "is not a file name")
        #expect(LeadFileName.problem("../leads/1.json") == "contains '/'")
        #expect(LeadFileName.problem("a/b") == "contains '/'")
        #expect(LeadFileName.problem(".1.json.tmp-1-1") == "starts with '.', which the store keeps for its own hidden files")
        #expect(LeadFileName.problem("a\u{0}b") == "contains a control character")
        #expect(LeadFileName.problem("a\nb") == "contains a control character")
        #expect(LeadFileName.problem("a\u{7F}b") == "contains a control character")
        #expect(LeadFileName.problem("a\u{85}b") == "contains a control character")
        #expect(LeadFileName.problem("Rechnung\u{202E}fdp.exe")?.hasPrefix("contains a bidirectional control character") == true)
        #expect(LeadFileName.problem("x\u{2066}y")?.hasPrefix("contains a bidirectional") == true)
        #expect(LeadFileName.problem(String(repeating: "a", count: 200)) == nil)
        #expect(LeadFileName.problem(String(repeating: "a", count: 201)) == "is longer than 200 bytes")
        #expect(LeadFileName.problem(String(repeating: "ä", count: 101)) == "is longer than 200 bytes")
    }

    @Test func aSendersNameIsMadeSafeVisibly() {
        #expect(LeadFileName.sanitised("Angebot.pdf") == "Angebot.pdf")
        #expect(LeadFileName.sanitised("../../etc/passwd") == "_.._etc_passwd")
        #expect(LeadFileName.sanitised("C:\\Users\\greta\\Vertrag.pdf") == "C:_Users_greta_Vertrag.pdf")
        #expect(LeadFileName.sanitised(".bashrc") == "bashrc")
        #expect(LeadFileName.sanitised("...") == "attachment")
        #expect(LeadFileName.sanitised("") == "attachment")
        #expect(LeadFileName.sanitised("a\tb\u{202E}c") == "a_b_c")
        let long = LeadFileName.sanitised(String(repeating: "ü", count: 150) + ".pdf")
        #expect(long.utf8.count <= LeadFileName.maxBytes && long.hasSuffix(".pdf") && long.hasPrefix("üü"))
        for raw in ["../x", ".", "a/b/.c", "\u{0}", String(repeating: "/", count: 300), "x\u{200F}y"] {
            #expect(LeadFileName.problem(LeadFileName.sanitised(raw)) == nil, "\(raw)")
        }
    }

    @Test func aTakenNameGetsTheNextNumber() {
        let taken: Set<String> = ["offer.pdf", "offer (2).pdf", "README", ".x"]
        #expect(LeadFileName.numbered("new.pdf") { taken.contains($0) } == "new.pdf")
        #expect(LeadFileName.numbered("offer.pdf") { taken.contains($0) } == "offer (3).pdf")
        #expect(LeadFileName.numbered("README") { taken.contains($0) } == "README (2)")
        #expect(LeadFileName.numbered("archive.tar.gz") { $0 == "archive.tar.gz" } == "archive.tar (2).gz")
        let long = String(repeating: "a", count: 196) + ".pdf"
        let numbered = LeadFileName.numbered(long) { $0 == long }
        #expect(numbered.utf8.count <= LeadFileName.maxBytes && numbered.hasSuffix(" (2).pdf"))
    }

    @Test func recordsRoundTripThroughTheLeadFileAndBadOnesAreRefused() throws {
        var lead = Lead(id: 7, name: "Greta Schulz", stage: "new", createdAt: Timestamp(seconds: 100), createdBy: "alice")
        lead.files = [LeadFile(name: "abc.txt", bytes: Array("abc".utf8), at: Timestamp(seconds: 200), by: "bob")]
        // The published SHA-256 of "abc" (FIPS 180-2, appendix B.1).
        #expect(lead.files[0].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(lead.files[0].size == 3)
        let read = try Lead(bytes: lead.fileBytes, expectedID: 7)
        #expect(read == lead)

        func decode(_ files: String) -> String? {
            let text = #"{"format": 1, "id": 7, "name": "G", "stage": "new", "created_at": "2026-01-01T00:00:00Z", "files": "# + files + "}"
            do throws(JSONError) { _ = try Lead(bytes: Array(text.utf8), expectedID: 7); return nil } catch {
                if case .invalidValue(let text) = error.reason { return text }
                return "\(error.reason)"
            }
        }
        let good = #"{"name": "a.txt", "size": 3, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "added_at": "2026-01-01T00:00:00Z"}"#
        #expect(decode("[" + good + "]") == nil)
        #expect(decode("[" + good + ", " + good + "]")?.contains("listed twice") == true)
        #expect(decode(#"[{"name": "../x", "size": 3, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "added_at": "2026-01-01T00:00:00Z"}]"#)?.contains("contains '/'") == true)
        #expect(decode(#"[{"name": "a", "size": 3, "sha256": "BA78", "added_at": "2026-01-01T00:00:00Z"}]"#)?.contains("64 lower-case hex") == true)
        #expect(decode(#"[{"name": "a", "size": -1, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "added_at": "2026-01-01T00:00:00Z"}]"#)?.contains("negative") == true)
        #expect(decode(#"[{"name": "a"}]"#)?.contains("needs") == true)
    }

    @Test func aMergeAppendsOthersFilesAndNumbersTakenNames() {
        let t = Timestamp(seconds: 100)
        var keep = Lead(id: 1, name: "A", stage: "new", createdAt: t, createdBy: "a")
        var other = Lead(id: 2, name: "B", stage: "new", createdAt: t, createdBy: "b")
        keep.files = [LeadFile(name: "offer.pdf", bytes: [1], at: t, by: "a")]
        other.files = [LeadFile(name: "plan.png", bytes: [2], at: t, by: "b"), LeadFile(name: "offer.pdf", bytes: [3], at: t, by: "b")]
        let merge = LeadMerge(keep: keep, other: other, at: t, by: "c")
        #expect(merge.merged.files.map(\.name) == ["offer.pdf", "plan.png", "offer (2).pdf"])
        #expect(merge.merged.files.map(\.sha256) == (keep.files + other.files).map(\.sha256))
        #expect(merge.renamedFiles.map { [$0.from, $0.to] } == [["offer.pdf", "offer (2).pdf"]])
        #expect(merge.steps.first { $0.field == "files" }?.outcome == .combined)
    }
}
