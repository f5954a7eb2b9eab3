import Foundation
import Testing

/// The per-lead log index (.index/log-offsets) must give exactly the answers of a full
/// scan of the activity log (LEADS_INDEX=off), whatever was done to the log or the index.
@Suite struct LeadLogIndexTests {
    static let leads = [1, 2, 5, 6, 50, 249, 250, 9999]

    func expectSameHistory(_ box: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) {
        for id in Self.leads {
            for command in [["show", "\(id)", "--json"], ["log", "\(id)"], ["log", "\(id)", "--json"]] {
                let indexed = box.run(command)
                let full = box.run(command, env: ["LEADS_INDEX": "off"])
                #expect(indexed.stdout == full.stdout, "\(command)", sourceLocation: sourceLocation)
                #expect(indexed.stderr == full.stderr, "\(command)", sourceLocation: sourceLocation)
                #expect(indexed.status == full.status, "\(command)", sourceLocation: sourceLocation)
            }
        }
    }

    /// 250 imported leads, then notes, stage changes and reminders on a few of them.
    func store() throws -> Sandbox {
        let box = Sandbox()
        var csv = "name,owner,stage,value,currency\n"
        for i in 1...250 { csv += "Lead \(i),\(["alice", "bob"][i % 2]),new,\(i * 3).50,EUR\n" }
        try csv.write(toFile: box.root + "/in.csv", atomically: true, encoding: .utf8)
        #expect(box.run("import-csv", box.root + "/in.csv").status == 0)
        for id in [5, 50, 250, 5, 6] {
            #expect(box.run("note", "\(id)", "called about lead \(id)").status == 0)
        }
        #expect(box.run("status", "5", "contacted").status == 0)
        #expect(box.run("remind", "50", "2026-12-01", "send the offer").status == 0)
        return box
    }

    var logPath: (Sandbox) -> String { { $0.dir + "/activity.log" } }
    var indexPath: (Sandbox) -> String { { $0.dir + "/.index/log-offsets" } }

    /// Builds the index (any lead's history does) and dates it after the log's last
    /// change, so that it is trusted although the log was written a moment ago.
    func trust(_ box: Sandbox) throws {
        #expect(box.run("log", "1").status == 0)
        #expect(FileManager.default.fileExists(atPath: indexPath(box)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: indexPath(box))
    }

    // The index's words, as LeadLogIndex.swift lays them out, to tamper with consistently.
    func words(_ path: String) throws -> [UInt64] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { raw in (0..<(data.count / 8)).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) } }
    }

    /// Writes `words` back with the checksums LeadLogIndex.swift expects (computed here
    /// independently): each body block's, then the header's over it and the directory.
    func write(_ words: [UInt64], to path: String) throws {
        func checksum(_ words: ArraySlice<UInt64>) -> UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for word in words {
                h = (h ^ word) &* 0x0000_0100_0000_01b3
                h ^= h >> 29
            }
            return h
        }
        var words = words
        let pairBlocks = Int(words[12]), blocks = Int(words[13]), blockWords = Int(words[14])
        let sums = 16 + 2 * pairBlocks, body = sums + blocks
        for block in 0..<blocks {
            let start = body + block * blockWords
            words[sums + block] = checksum(words[start..<min(start + blockWords, words.count)])
        }
        words[15] = checksum(words[0..<15] + words[16..<body])
        let data = words.map(\.littleEndian).withUnsafeBytes { Data($0) }
        try data.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: path)
    }

    @Test func answersEqualAFullScanWithTheIndexMissingOrStale() throws {
        let box = try store()
        #expect(!FileManager.default.fileExists(atPath: indexPath(box)))
        expectSameHistory(box)                                   // missing, then racy
        try trust(box)
        expectSameHistory(box)                                   // trusted
        #expect(box.run("note", "5", "one more").status == 0)   // stale: the log grew
        expectSameHistory(box)
        #expect(box.run("show", "5").stdout.contains("one more"))
        try FileManager.default.removeItem(atPath: indexPath(box))
        expectSameHistory(box)
    }

    @Test func theIndexIsReallyUsed() throws {
        let box = try store()
        try trust(box)
        // Lead 5's last offset handed to lead 6 in the table: `log 5` through the index
        // now misses a record (the file is otherwise consistent, checksum included),
        // which shows the index is what answered; `log 6` finds a record that does not
        // name lead 6 and falls back to the full scan.
        var w = try words(indexPath(box))
        let leads = Int(w[10])
        let body = 16 + 2 * Int(w[12]) + Int(w[13])
        let five = try #require((0..<leads).first { w[body + 2 * $0] == 5 })
        #expect(w[body + 2 * five + 2] == 6)
        w[body + 2 * five + 1] -= 1
        try write(w, to: indexPath(box))
        let indexed = box.run("log", "5", "--json")
        let full = box.run(["log", "5", "--json"], env: ["LEADS_INDEX": "off"])
        #expect(indexed.status == 0)
        #expect(indexed.stdout != full.stdout)
        #expect(box.run("log", "6", "--json").stdout == box.run(["log", "6", "--json"], env: ["LEADS_INDEX": "off"]).stdout)
    }

    @Test func aCorruptIndexIsNotUsed() throws {
        let box = try store()
        try trust(box)
        var data = try Data(contentsOf: URL(fileURLWithPath: indexPath(box)))
        // A flipped bit in an offset: its block's checksum no longer fits.
        data[data.count - 16] ^= 0x04
        try data.write(to: URL(fileURLWithPath: indexPath(box)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: indexPath(box))
        expectSameHistory(box)
        // Torn: the file cut in the middle.
        try trust(box)
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: indexPath(box)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: indexPath(box))
        expectSameHistory(box)
        // Garbage of the right length.
        try Data(repeating: 0x41, count: data.count).write(to: URL(fileURLWithPath: indexPath(box)))
        expectSameHistory(box)
        // A consistent index of another log (another store's) is not this log's.
        let other = try store()
        #expect(other.run("note", "6", "elsewhere").status == 0)
        try trust(other)
        try FileManager.default.removeItem(atPath: indexPath(box))
        try FileManager.default.copyItem(atPath: indexPath(other), toPath: indexPath(box))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: indexPath(box))
        expectSameHistory(box)
    }

    @Test func handEditsOfTheLog() throws {
        let box = try store()
        try trust(box)
        let stamp = try FileManager.default.attributesOfItem(atPath: logPath(box))[.modificationDate] as! Date
        var log = try String(contentsOfFile: logPath(box), encoding: .utf8)
        var lines = log.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        // A record before the end changed in place, to the same size: lead 5's first
        // note now names lead 6. The modification time is put back; the change time is not.
        let noteOf5 = try #require(lines.firstIndex { $0.contains("\"lead\":5,") && $0.contains("\"note\"") })
        #expect(noteOf5 < lines.count - 3)
        lines[noteOf5] = lines[noteOf5].replacingOccurrences(of: "\"lead\":5,", with: "\"lead\":6,")
        try lines.joined(separator: "\n").write(toFile: logPath(box), atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: logPath(box))
        expectSameHistory(box)
        #expect(box.run("log", "6", "--json").stdout.components(separatedBy: "\"note\"").count == 3)

        // Truncated by hand at a record's end, and in the middle of one.
        try trust(box)
        log = try String(contentsOfFile: logPath(box), encoding: .utf8)
        lines = log.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try (lines.dropLast(3).joined(separator: "\n") + "\n").write(toFile: logPath(box), atomically: false, encoding: .utf8)
        expectSameHistory(box)
        try trust(box)
        let torn = lines.dropLast(5).joined(separator: "\n") + "\n" + lines[lines.count - 5].prefix(40)
        try torn.write(toFile: logPath(box), atomically: false, encoding: .utf8)
        expectSameHistory(box)

        // A record inserted before the end, and the log replaced by an editor (new inode).
        try trust(box)
        log = try String(contentsOfFile: logPath(box), encoding: .utf8)
        lines = log.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert(#"{"action":"note","lead":250,"time":"2026-11-23T09:00:00Z","user":"mallory"}"#, at: 4)
        try lines.joined(separator: "\n").write(toFile: logPath(box), atomically: true, encoding: .utf8)
        expectSameHistory(box)
        #expect(box.run("log", "250").stdout.contains("mallory"))

        // A line that does not parse, naming a lead: both say so, with its line number.
        try trust(box)
        log = try String(contentsOfFile: logPath(box), encoding: .utf8)
        lines = log.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = String(lines[2].dropLast())  // its closing brace
        try lines.joined(separator: "\n").write(toFile: logPath(box), atomically: false, encoding: .utf8)
        expectSameHistory(box)
    }

    /// An edit inside the racy window: the log changed in the same moment the index was
    /// made, same size, times put back as far as they can be. The index is not trusted.
    @Test func aRacyIndexIsNotTrusted() throws {
        let box = try store()
        #expect(box.run("log", "1").status == 0)
        #expect(FileManager.default.fileExists(atPath: indexPath(box)))
        let stamp = try FileManager.default.attributesOfItem(atPath: logPath(box))[.modificationDate] as! Date
        let log = try String(contentsOfFile: logPath(box), encoding: .utf8)
        try log.replacingOccurrences(of: "\"lead\":50,", with: "\"lead\":60,").write(toFile: logPath(box), atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: logPath(box))
        expectSameHistory(box)
    }

    /// An index made inside the racy window of the log's last change is not trusted; the
    /// first reader after the window rewrites it, and from then on it is used as it is.
    @Test func anIndexIsRebuiltOnceTheRacyWindowHasPassed() throws {
        let box = try store()
        func madeAt() throws -> Date { try FileManager.default.attributesOfItem(atPath: indexPath(box))[.modificationDate] as! Date }
        #expect(box.run("log", "1").status == 0)
        let first = try madeAt()
        #expect(box.run("log", "1").status == 0)
        #expect(try madeAt() == first)  // racy, and the window still open: left as it is
        Thread.sleep(forTimeInterval: 2.5)
        #expect(box.run("log", "5").status == 0)
        let second = try madeAt()
        #expect(second > first)
        expectSameHistory(box)
        #expect(try madeAt() == second)  // trusted now: nobody rewrites it
    }

    @Test func concurrentWritersAndReaders() throws {
        let box = try store()
        try trust(box)
        let group = DispatchGroup()
        let failures = Failures()
        for worker in 0..<4 {
            DispatchQueue.global().async(group: group) {
                for round in 0..<5 {
                    let id = [5, 6, 50, 250][worker]
                    if box.run("note", "\(id)", "worker \(worker) round \(round)").status != 0 { failures.add("note \(id)") }
                    let read = box.run("log", "\(id)", "--json")
                    if read.status != 0 { failures.add("log \(id): \(read.stderr)") }
                    // Every note this worker made so far is in what it reads back (the
                    // log holds no note texts: counted by their records).
                    let records = (try? read.json()) as? [[String: Any]] ?? []
                    let notes = records.filter { $0["action"] as? String == "note" }.count
                    if notes != [2, 1, 1, 1][worker] + round + 1 { failures.add("log \(id): \(notes) notes in round \(round)") }
                }
            }
        }
        group.wait()
        #expect(failures.all.isEmpty, "\(failures.all)")
        expectSameHistory(box)
        try trust(box)
        expectSameHistory(box)
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ failure: String) { lock.lock(); list.append(failure); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    }
}
