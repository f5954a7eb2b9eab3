import Foundation
import Testing

/// `leads attach`, `leads files`, `leads detach` (SPEC 6) as a user meets them: the bytes
/// kept in DIR/files/<id>/, the lead's records checked against sha256sum, every refusal
/// with its exact message and an unchanged store, fsck, merge and unmerge, erasure, and
/// export/import leaving files alone.
@Suite struct LeadFilesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/files").path
    static let pdf = fixtures + "/Angebot.pdf"
    static let png = fixtures + "/Grundriss.png"

    /// SHA-256 as coreutils computes it: an implementation independent of ours.
    func sha256sum(_ path: String) -> String {
        String(Sandbox.execute("/usr/bin/sha256sum", [path], stdin: nil, environment: [:]).stdout.prefix(64))
    }

    func bytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path) ?? Data()) }

    /// The names in DIR/files/<id>/, sorted; nil when the directory does not exist.
    func entries(_ box: Sandbox, _ id: Int) -> [String]? {
        (try? FileManager.default.contentsOfDirectory(atPath: box.dir + "/files/\(id)"))?.sorted()
    }

    @Test func attachKeepsTheBytesAndRecordsNameSizeAndHash() throws {
        let box = Sandbox()
        let id = box.add("Greta Schulz", "--email", "greta@example.de")
        let result = box.run("attach", String(id), Self.pdf, Self.png)
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "leads: #1 Greta Schulz: attached 2 files (116 bytes): Angebot.pdf, Grundriss.png\n")
        #expect(entries(box, id) == ["Angebot.pdf", "Grundriss.png"])
        #expect(bytes(box.dir + "/files/1/Angebot.pdf") == bytes(Self.pdf))
        #expect(bytes(box.dir + "/files/1/Grundriss.png") == bytes(Self.png))

        let records = try #require(box.leadJSON(id)?["files"] as? [[String: Any]])
        #expect(records.map { $0["name"] as? String } == ["Angebot.pdf", "Grundriss.png"])
        #expect(records.map { $0["size"] as? Int } == [83, 33])
        #expect(records.map { $0["sha256"] as? String } == [sha256sum(Self.pdf), sha256sum(Self.png)])
        #expect(records.allSatisfy { $0["added_at"] as? String == "2026-11-23T10:00:00Z" && $0["added_by"] as? String == "alice" })

        // One record, with a count and a size: never a name.
        let log = box.logEntries().filter { $0["action"] as? String == "attach" }
        #expect(log.count == 1)
        #expect(log.first?["files"] as? Int == 2 && log.first?["bytes"] as? Int == 116)
        let text = try String(contentsOfFile: box.dir + "/activity.log", encoding: .utf8)
        #expect(!text.contains("Angebot") && !text.contains("Grundriss") && !text.contains(sha256sum(Self.pdf)))
        #expect(box.run("fsck").status == 0)
    }

    @Test func filesListsThemAndJSONGivesHashAndPath() throws {
        let box = Sandbox()
        let id = box.add("Greta Schulz")
        #expect(box.run("attach", String(id), Self.pdf, Self.png).status == 0)
        let listed = box.run("files", String(id))
        #expect(listed.status == 0 && listed.stderr == "")
        #expect(listed.lines == [
            "NAME           SIZE  ADDED             BY",
            "Angebot.pdf      83  2026-11-23 10:00  alice",
            "Grundriss.png    33  2026-11-23 10:00  alice",
        ])
        let json = try #require(try box.run("files", String(id), "--json").json() as? [[String: Any]])
        #expect(json.count == 2)
        #expect(json[0]["name"] as? String == "Angebot.pdf" && json[0]["size"] as? Int == 83)
        #expect(json[0]["sha256"] as? String == sha256sum(Self.pdf))
        #expect(json[0]["path"] as? String == box.dir + "/files/1/Angebot.pdf")
        #expect(Set(json[0].keys) == ["name", "size", "sha256", "added_at", "added_by", "path"])
        #expect(bytes(try #require(json[1]["path"] as? String)) == bytes(Self.png))

        let none = box.add("Ohne Dateien")
        let empty = box.run("files", String(none))
        #expect(empty.status == 0 && empty.stdout == "" && empty.stderr == "")
        #expect(box.run("files", String(none), "--json").stdout == "[]\n")
        #expect(box.run("files", "9").stderr == "leads: no lead 9\n")
    }

    @Test func showListsTheFilesAndShowJSONHasTheRecords() throws {
        let box = Sandbox()
        let id = box.add("Greta Schulz")
        #expect(box.run("attach", String(id), Self.pdf).status == 0)
        let big = box.input("Grundriss gross.png", String(repeating: "x", count: 12_700))
        #expect(box.run("attach", String(id), big).status == 0)
        let shown = box.run("show", String(id))
        #expect(shown.status == 0)
        let lines = shown.lines
        let start = try #require(lines.firstIndex(of: "Files"))
        #expect(Array(lines[(start + 1)...(start + 2)]) == [
            "  Angebot.pdf          83 bytes  2026-11-23 10:00  alice",
            "  Grundriss gross.png  12.4 KiB  2026-11-23 10:00  alice",
        ])
        #expect(lines.contains("  2026-11-23 10:00  alice  attach 1 file, 12.4 KiB"))
        let json = try #require(try box.run("show", String(id), "--json").json() as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.map { $0["name"] as? String } == ["Angebot.pdf", "Grundriss gross.png"])
        #expect(files[1]["size"] as? Int == 12_700)
    }

    @Test func standardInputNeedsANameAndIsReadOnce() throws {
        let box = Sandbox()
        let id = box.add("Greta Schulz")
        let before = box.snapshot()
        let nameless = box.run(["attach", String(id), "-"], stdin: "Vertrag\n")
        #expect(nameless.status == 2)
        #expect(nameless.stderr == "leads: invalid FILE '-': standard input has no file name; give one with --name\n")
        let twice = box.run(["attach", String(id), "-", "-", "--name", "a.txt"], stdin: "x")
        #expect(twice.status == 2)
        #expect(twice.stderr == "leads: invalid --name 'a.txt': names one FILE, and 2 are given; attach the others separately\n")
        let twoFiles = box.run("attach", String(id), Self.pdf, Self.png, "--name", "x.pdf")
        #expect(twoFiles.status == 2)
        #expect(twoFiles.stderr == "leads: invalid --name 'x.pdf': names one FILE, and 2 are given; attach the others separately\n")
        #expect(box.snapshot() == before)

        let piped = box.run(["attach", String(id), "-", "--name", "Vertrag.txt"], stdin: "Vertrag zwischen Greta Schulz und uns\n")
        #expect(piped.status == 0)
        #expect(piped.stderr == "leads: #1 Greta Schulz: attached Vertrag.txt (38 bytes)\n")
        #expect(box.file("files/1/Vertrag.txt") == "Vertrag zwischen Greta Schulz und uns\n")
        let renamed = box.run("attach", String(id), Self.pdf, "--name", "Angebot 2026.pdf")
        #expect(renamed.status == 0 && entries(box, id) == ["Angebot 2026.pdf", "Vertrag.txt"])
    }

    /// Every refusal: exit 1 (2 for usage), its exact message, and nothing changed.
    @Test func refusalsNameTheProblemAndChangeNothing() throws {
        let box = Sandbox()
        let id = String(box.add("Greta Schulz"))
        #expect(box.run("attach", id, Self.pdf).status == 0)
        let empty = box.input("leer.txt", "")
        let sameName = box.input("b/Angebot.pdf", "other offer")
        let first = box.input("x/notiz.txt", "one"), second = box.input("y/notiz.txt", "two")
        let hidden = box.input(".env", "SECRET=1")
        let cases: [([String], Int32, String)] = [
            (["attach", id, Self.pdf], 1,
             "leads: lead 1 already has a file named 'Angebot.pdf'; detach it first or give this one another name with --name; nothing attached\n"),
            (["attach", id, sameName], 1,
             "leads: lead 1 already has a file named 'Angebot.pdf'; detach it first or give this one another name with --name; nothing attached\n"),
            (["attach", id, first, second], 1,
             "leads: two of the files would both be named 'notiz.txt'; attach one of them with --name; nothing attached\n"),
            (["attach", id, hidden], 1,
             "leads: '\(hidden)': the file name '.env' starts with '.', which the store keeps for its own hidden files; give it another with --name; nothing attached\n"),
            (["attach", id, Self.png, "--name", "plan/b.png"], 1,
             "leads: '\(Self.png)': the file name 'plan/b.png' contains '/'; give it another with --name; nothing attached\n"),
            (["attach", id, Self.png, "--name", ".."], 1,
             "leads: '\(Self.png)': the file name '..' is not a file name; give it another with --name; nothing attached\n"),
            (["attach", id, Self.png, "--name", "plan\tb.png"], 1,
             "leads: '\(Self.png)': the file name 'plan\\x09b.png' contains a control character; give it another with --name; nothing attached\n"),
            (["attach", id, Self.png, "--name", "Rechnung\u{202E}fdp.exe"], 1,
             "leads: '\(Self.png)': the file name 'Rechnung<U+202E>fdp.exe' contains a bidirectional control character, which makes a name read differently than it is; give it another with --name; nothing attached\n"),
            (["attach", id, Self.png, "--name", String(repeating: "ä", count: 101)], 1,
             "leads: '\(Self.png)': the file name '\(String(repeating: "ä", count: 80))…' (202 bytes, cut to 80 characters) is longer than 200 bytes; give it another with --name; nothing attached\n"),
            (["attach", id, empty], 1, "leads: '\(empty)' is empty; nothing attached\n"),
            (["attach", id, box.root], 1, "leads: '\(box.root)' is a directory; nothing attached\n"),
            (["attach", id, box.root + "/missing.pdf"], 1, "leads: cannot read '\(box.root)/missing.pdf': no such file or directory; nothing attached\n"),
            // All or none: the good file is not kept either.
            (["attach", id, Self.png, box.root + "/missing.pdf"], 1, "leads: cannot read '\(box.root)/missing.pdf': no such file or directory; nothing attached\n"),
            (["attach", "9", Self.png], 1, "leads: no lead 9\n"),
            (["attach", id], 2, "leads: attach: missing FILE\nleads: run 'leads attach --help' for its usage\n"),
            (["detach", id, "Grundriss.png"], 1, "leads: lead 1 has no file named 'Grundriss.png'; its files: 'Angebot.pdf'\n"),
        ]
        for (arguments, status, message) in cases {
            let before = box.snapshot()
            let result = box.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr == message, "\(arguments)")
            #expect(box.snapshot() == before, "\(arguments) changed the store")
        }
        #expect(entries(box, 1) == ["Angebot.pdf"])
        let other = String(box.add("Ohne Dateien"))
        #expect(box.run("detach", other, "x.pdf").stderr == "leads: lead 2 has no file named 'x.pdf'; it has no files\n")
    }

    @Test func theSizeLimitComesFromConfigAndBoundsStandardInput() throws {
        let box = Sandbox()
        let id = String(box.add("Greta Schulz"))
        box.write("config.json", #"{"format": 1, "file_limit": 50}"#)
        let before = box.snapshot()
        let big = box.run("attach", id, Self.pdf)
        #expect(big.status == 1)
        #expect(big.stderr == "leads: '\(Self.pdf)' is 83 bytes, over the file limit of 50 (config.json \"file_limit\"); nothing attached\n")
        let piped = box.run(["attach", id, "-", "--name", "x.txt"], stdin: String(repeating: "y", count: 51))
        #expect(piped.status == 1)
        #expect(piped.stderr == "leads: '-' is over the file limit of 50 bytes (config.json \"file_limit\"); nothing attached\n")
        #expect(box.snapshot() == before)
        #expect(box.run("attach", id, Self.png).status == 0)

        // Endless input stops at the limit instead of filling memory.
        box.write("config.json", #"{"format": 1, "file_limit": 1048576}"#)
        let endless = Sandbox.execute("/bin/sh", ["-c", "yes | '\(Sandbox.binary)' attach 1 - --name yes.txt"], stdin: nil, environment: box.environment)
        #expect(endless.status == 1)
        #expect(endless.stderr == "leads: '-' is over the file limit of 1048576 bytes (config.json \"file_limit\"); nothing attached\n")

        box.write("config.json", #"{"format": 1, "file_limit": 0}"#)
        #expect(box.run("attach", id, Self.pdf).stderr.hasPrefix("leads: config.json:1:29: \"file_limit\" must be a positive number of bytes"))
    }

    @Test func detachRemovesTheFileAndAnEmptiedDirectory() throws {
        let box = Sandbox()
        let id = String(box.add("Greta Schulz"))
        #expect(box.run("attach", id, Self.pdf, Self.png).status == 0)
        let one = box.run("detach", id, "Angebot.pdf")
        #expect(one.status == 0 && one.stdout == "")
        #expect(one.stderr == "leads: #1 Greta Schulz: detached Angebot.pdf (83 bytes)\n")
        #expect(entries(box, 1) == ["Grundriss.png"])
        #expect((box.leadJSON(1)?["files"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Grundriss.png"])
        let record = try #require(box.logEntries().last)
        #expect(record["action"] as? String == "detach" && record["files"] as? Int == 1 && record["bytes"] as? Int == 83)
        #expect(box.run("detach", id, "Grundriss.png").status == 0)
        #expect(entries(box, 1) == nil, "the emptied directory is gone")
        #expect(box.leadJSON(1)?["files"] == nil)
        #expect(box.run("log", id).lines.suffix(2) == ["2026-11-23 10:00  alice  #1 Greta Schulz  detach 1 file, 83 bytes",
                                                       "2026-11-23 10:00  alice  #1 Greta Schulz  detach 1 file, 33 bytes"])
        #expect(box.run("fsck").status == 0)
    }

    @Test func fsckFindsMissingChangedAndUnlistedFiles() throws {
        let box = Sandbox()
        let id = String(box.add("Greta Schulz"))
        #expect(box.run("attach", id, Self.pdf, Self.png).status == 0)
        #expect(box.run("fsck").status == 0)
        try FileManager.default.removeItem(atPath: box.dir + "/files/1/Grundriss.png")
        box.write("files/1/Angebot.pdf", "changed by hand")
        box.write("files/1/Notiz.txt", "dropped in by hand")
        box.write("files/1/.Angebot.pdf.tmp-1-1", "left by a killed writer")
        box.write("files/7/Alt.pdf", "of a lead that is gone")
        let sha = sha256sum(Self.pdf)
        let check = box.run("fsck")
        #expect(check.status == 1)
        #expect(check.lines == [
            "files/1/.Angebot.pdf.tmp-1-1: temporary file left by an interrupted command",
            "files/1/Notiz.txt: lead 1 does not list this file; left alone ('leads attach 1' a copy, or remove it)",
            "files/1/Angebot.pdf: its bytes are not those the lead records (83 bytes, SHA-256 \(sha.prefix(12))…); restore it from a backup, or 'leads detach' it",
            "files/1/Grundriss.png: the lead lists this file, but it is missing; restore it from a backup, or 'leads detach' it",
            "files/7/: files of a lead that no longer exists (erased or merged away)",
        ])
        let json = try #require(try box.run("fsck", "--json").json() as? [String: Any])
        let kinds = (json["problems"] as? [[String: Any]])?.map { $0["kind"] as? String }
        #expect(kinds == ["stale-temporary-file", "file-not-recorded", "file-changed", "file-missing", "files-without-lead"])

        let repair = box.run("fsck", "--repair")
        #expect(repair.status == 1, "what is the user's to mend stays")
        #expect(repair.lines.filter { $0.hasSuffix("(repaired)") } == [
            "files/1/.Angebot.pdf.tmp-1-1: temporary file left by an interrupted command (repaired)",
            "files/7/: files of a lead that no longer exists (erased or merged away) (repaired)",
        ])
        #expect(!FileManager.default.fileExists(atPath: box.dir + "/files/7"))
        #expect(box.file("files/1/Notiz.txt") == "dropped in by hand")
        #expect(box.run("detach", id, "Grundriss.png").status == 0)
        #expect(box.run("detach", id, "Angebot.pdf").status == 0)
        try FileManager.default.removeItem(atPath: box.dir + "/files/1/Notiz.txt")
        #expect(box.run("fsck").status == 0)
    }

    @Test func mergeMovesTheFilesAndUnmergePutsThemBack() throws {
        let box = Sandbox()
        let keep = String(box.add("Thomas Müller", "--email", "info@mueller-gmbh.de"))
        let other = String(box.add("Mueller, Thomas", "--email", "t@mueller-gmbh.de"))
        #expect(box.run("attach", keep, Self.pdf).status == 0)
        let otherOffer = box.input("other/Angebot.pdf", "the other lead's offer")
        #expect(box.run("attach", other, otherOffer, Self.png).status == 0)
        let before = box.snapshot()

        let plan = box.run("merge", keep, other, "--dry-run")
        #expect(plan.lines.contains("file Angebot.pdf of #2 becomes Angebot (2).pdf on #1"))
        #expect(plan.lines.contains { $0.hasPrefix("files ") && $0.hasSuffix("both") })
        let json = try #require(try box.run("merge", keep, other, "--dry-run", "--json").json() as? [String: Any])
        #expect(json["files"] as? [[String: String]] == [["from": "Angebot.pdf", "to": "Angebot (2).pdf"]])
        #expect(box.snapshot() == before)

        #expect(box.run("merge", keep, other).status == 0)
        #expect(entries(box, 1) == ["Angebot (2).pdf", "Angebot.pdf", "Grundriss.png"])
        #expect(entries(box, 2) == nil)
        #expect(box.file("files/1/Angebot (2).pdf") == "the other lead's offer")
        #expect(box.run("files", keep).lines.map { String($0.prefix(16)) } == ["NAME            ", "Angebot.pdf     ", "Angebot (2).pdf ", "Grundriss.png   "])
        let record = try #require(box.logEntries().first { $0["action"] as? String == "merge" })
        #expect(record["files"] as? Int == 2)
        #expect(box.run("fsck").status == 0)

        #expect(box.run("unmerge", keep).status == 0)
        #expect(box.snapshot().filter { !$0.key.hasPrefix("activity.log") && !$0.key.hasPrefix(".index/") && !$0.key.hasPrefix("merged/") }
                == before.filter { !$0.key.hasPrefix("activity.log") && !$0.key.hasPrefix(".index/") })
        #expect(box.file("files/2/Angebot.pdf") == "the other lead's offer")
        #expect(box.run("fsck").status == 0)
    }

    @Test func deleteErasesTheFilesAndThoseMergedIn() throws {
        let box = Sandbox()
        let keep = String(box.add("Greta Schulz", "--email", "greta@example.de"))
        let other = String(box.add("G. Schulz", "--email", "g.schulz@example.de"))
        let contract = box.input("Greta_Schulz_Vertrag.txt", "Vertrag mit Greta Schulz\n")
        #expect(box.run("attach", keep, contract).status == 0)
        #expect(box.run("attach", other, Self.pdf).status == 0)
        #expect(box.run("merge", keep, other).status == 0)
        box.write("files/1/Notiz.txt", "dropped in by hand about Greta")
        box.write("files/1/.Notiz.txt.tmp-1-1", "left by a killed writer about Greta")
        #expect(box.run("delete", keep, "--yes").status == 0)
        #expect(!FileManager.default.fileExists(atPath: box.dir + "/files/1"))
        let found = Sandbox.execute("/bin/grep", ["-rlF", "-e", "Greta", "-e", "Vertrag", "-e", "Angebot", box.dir], stdin: nil, environment: [:])
        #expect(found.stdout == "", "personal data left in: \(found.stdout)")
        #expect(box.run("fsck").status == 0)
    }

    @Test func subjectAccessListsThePersonsFiles() throws {
        let box = Sandbox()
        let id = String(box.add("Greta Schulz", "--email", "greta@example.de"))
        #expect(box.run("attach", id, Self.pdf).status == 0)
        let report = box.run("subject-access", "greta@example.de")
        #expect(report.status == 0)
        #expect(report.lines.first == "Subject access for greta@example.de, as of 2026-11-23 10:00: 1 lead, 1 file, 0 customers, 2 log records")
        #expect(report.lines.contains("  Angebot.pdf  83 bytes  2026-11-23 10:00  alice"))
        let json = try #require(try box.run("subject-access", "greta@example.de", "--json").json() as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.count == 1)
        #expect(files[0]["lead"] as? Int == 1 && files[0]["name"] as? String == "Angebot.pdf")
        #expect(files[0]["path"] as? String == box.dir + "/files/1/Angebot.pdf" && files[0]["sha256"] as? String == sha256sum(Self.pdf))
    }

    /// Eight reps attach to one lead at once, with notes in between: read-modify-write
    /// under the lock keeps every file and every note.
    @Test func concurrentAttachesAllGetIn() throws {
        let box = Sandbox()
        let id = String(box.add("Greta Schulz"))
        let paths = (0..<8).map { box.input("in/Datei \($0).txt", "Inhalt \($0)\n") }
        let results = concurrently(8) { i in
            (box.run("attach", id, paths[i]).status, box.run("note", id, "Notiz \(i)").status)
        }
        #expect(results.allSatisfy { $0.0 == 0 && $0.1 == 0 })
        let lead = try #require(box.leadJSON(1))
        #expect(Set((lead["files"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }) == Set((0..<8).map { "Datei \($0).txt" }))
        #expect((lead["notes"] as? [Any])?.count == 8)
        #expect(entries(box, 1)?.count == 8)
        #expect(box.file("files/1/Datei 5.txt") == "Inhalt 5\n")
        #expect(box.run("fsck").status == 0)
    }

    @Test func exportAndImportLeaveFilesAlone() throws {
        let box = Sandbox()
        let id = String(box.add("Greta Schulz", "--email", "greta@example.de"))
        #expect(box.run("attach", id, Self.pdf).status == 0)
        let export = box.run("export-csv", "--all")
        #expect(export.status == 0 && !export.stdout.contains("Angebot") && !export.stdout.contains("files"))
        let csv = box.input("in.csv", "name,email,phone\nGreta Schulz,greta@example.de,030 1234\n")
        let update = box.run("import-csv", csv, "--on-duplicate", "update")
        #expect(update.status == 0, "\(update.stderr)")
        #expect(box.leadJSON(1)?["phone"] as? String == "030 1234")
        #expect((box.leadJSON(1)?["files"] as? [[String: Any]])?.map { $0["name"] as? String } == ["Angebot.pdf"])
        #expect(entries(box, 1) == ["Angebot.pdf"])
        #expect(box.run("fsck").status == 0)
    }
}
