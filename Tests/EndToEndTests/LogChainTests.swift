import Foundation
import LeadsCore
import Testing

/// The hash-chained log (SPEC section 9): tampering is found by fsck and the record named.
@Suite struct LogChainTests {
    private func logLines(_ box: Sandbox) -> [String] {
        (box.file("activity.log") ?? "").split(separator: "\n").map(String.init)
    }

    private func writeLog(_ box: Sandbox, _ lines: [String]) {
        box.write("activity.log", lines.map { $0 + "\n" }.joined())
    }

    /// A store with ten records.
    private func filled() -> Sandbox {
        let box = Sandbox()
        for i in 1...5 { _ = box.add("Lead \(i)") }
        for i in 1...5 { #expect(box.run("note", String(i), "called").status == 0) }
        #expect(logLines(box).count == 10)
        return box
    }

    @Test func everyRecordLinksTheOneBefore() throws {
        let box = filled()
        let lines = logLines(box)
        var previous: [UInt8] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["prev"] as? String == hexString(SHA256.hash(previous)))
            previous = Array(line.utf8)
        }
        let check = box.run("fsck")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func oneChangedByteIsFoundAtTheNextRecord() {
        let box = filled()
        var lines = logLines(box)
        // Line 4: alice becomes alicf. Still valid JSON; only the chain shows it.
        lines[3] = lines[3].replacingOccurrences(of: "\"alice\"", with: "\"alicf\"")
        writeLog(box, lines)
        let check = box.run("fsck")
        #expect(check.status == 1)
        #expect(check.stdout.contains("activity.log:5: the hash chain breaks at this record: its \"prev\" hash does not match line 4"), "\(check.stdout)")
    }

    @Test func aRemovedLineIsFound() {
        let box = filled()
        var lines = logLines(box)
        lines.remove(at: 6)  // line 7
        writeLog(box, lines)
        let check = box.run("fsck", "--json")
        #expect(check.status == 1)
        let problems = ((try? check.json() as? [String: Any])?["problems"] as? [[String: Any]]) ?? []
        let chain = problems.filter { $0["kind"] as? String == "chain-broken" }
        #expect(chain.count == 1)
        #expect(chain.first?["line"] as? Int == 7, "\(check.stdout)")
    }

    @Test func anInsertedLineIsFound() {
        let box = filled()
        var lines = logLines(box)
        lines.insert(#"{"action":"delete","lead":3,"time":"2026-11-23T10:00:00Z","user":"mallory"}"#, at: 2)
        writeLog(box, lines)
        let check = box.run("fsck")
        #expect(check.status == 1)
        #expect(check.stdout.contains("activity.log:3: the hash chain breaks at this record: no \"prev\" hash"), "\(check.stdout)")
        // A forged link does not help: it must be the hash of the line before.
        lines[2] = #"{"action":"delete","lead":3,"prev":"\#(String(repeating: "0", count: 64))","time":"2026-11-23T10:00:00Z","user":"mallory"}"#
        writeLog(box, lines)
        #expect(box.run("fsck").stdout.contains("activity.log:3: the hash chain breaks at this record: its \"prev\" hash does not match line 2"))
    }

    /// A log from before the chain is not rewritten: a chain-start record covers it.
    @Test func anOldLogIsChainedFromAMarkedStart() throws {
        let box = Sandbox()
        _ = box.add("Seed")
        let legacy = [
            #"{"action":"add","lead":1,"time":"2026-11-01T10:00:00Z","user":"bob"}"#,
            #"{"action":"note","lead":1,"time":"2026-11-02T10:00:00Z","user":"bob"}"#,
        ]
        writeLog(box, legacy)
        #expect(box.run("note", "1", "again").status == 0)
        let lines = logLines(box)
        #expect(Array(lines.prefix(2)) == legacy)
        let start = try #require(try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        #expect(start["action"] as? String == "chain-start")
        #expect(start["legacy-lines"] as? Int == 2)
        #expect(start["legacy-sha256"] as? String == hexString(SHA256.hash(Array(legacy.map { $0 + "\n" }.joined().utf8))))
        #expect(box.run("fsck").status == 0)
        // The old records are covered now: changing one is found at the chain-start.
        var changed = lines
        changed[0] = changed[0].replacingOccurrences(of: "bob", with: "eve")
        writeLog(box, changed)
        let check = box.run("fsck")
        #expect(check.stdout.contains("activity.log:3: the hash chain breaks at this record: the chain-start's legacy-sha256 does not match lines 1 to 2"), "\(check.stdout)")
    }

    /// Concurrent writers each link to the record before theirs; a torn last line cut by
    /// the next writer is never linked.
    @Test func concurrentAppendersAndATornLineKeepTheChain() {
        let box = Sandbox()
        _ = box.add("Seed")
        let results = concurrently(8) { i in box.run("note", "1", "writer \(i)").status }
        #expect(results.allSatisfy { $0 == 0 })
        let log = box.file("activity.log") ?? ""
        box.write("activity.log", log + #"{"action":"note","lead":1,"ti"#)
        #expect(box.run("note", "1", "after the crash").status == 0)
        #expect(box.run("fsck").status == 0)
        #expect(logLines(box).count == 10)
        box.write("activity.log", (box.file("activity.log") ?? "") + #"{"action":"no"#)
        #expect(box.run("fsck", "--repair").status == 0)
        #expect(box.run("note", "1", "after the repair").status == 0)
        let check = box.run("fsck")
        #expect(check.status == 0, "\(check.stdout)")
    }
}
