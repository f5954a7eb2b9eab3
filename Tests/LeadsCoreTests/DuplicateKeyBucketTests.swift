import Foundation
import LeadsTestSupport
import Testing
@testable import LeadsCore

/// A key bucket's text (Index/DuplicateKeys.swift), written and read from bytes: the
/// same text the `String` formatting wrote, every pair back, foreign lines skipped.
@Suite struct DuplicateKeyBucketTests {
    static func entries() -> [UInt64: KeyIDs] {
        var generator = SystemRandomNumberGenerator()
        var entries: [UInt64: KeyIDs] = [0: KeyIDs(7), UInt64.max: KeyIDs(1), 0x00ab: KeyIDs(999_999_999_999)]
        entries[0x00ab]!.append(3)
        for _ in 0..<2_000 {
            let hash = UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...60, using: &generator)
            entries[hash] = KeyIDs(Int.random(in: 1...10_000_000, using: &generator))
        }
        return entries
    }

    @Test func theTextIsWhatStringFormattingWrites() {
        let entries = Self.entries()
        var text = ""
        for hash in entries.keys.sorted() {
            let hex = String(hash, radix: 16)
            for id in entries[hash]!.all.sorted() {
                text += String(repeating: "0", count: 16 - hex.count) + hex + " " + String(id) + "\n"
            }
        }
        #expect(DuplicateKeyIndex.bucketBytes(entries) == Array(text.utf8))
    }

    @Test func everyPairComesBack() {
        let entries = Self.entries()
        var read: [UInt64: [Int]] = [:]
        DuplicateKeyIndex.forEachLine(DuplicateKeyIndex.bucketBytes(entries)) { hash, id in read[hash, default: []].append(id) }
        #expect(read.count == entries.count)
        for (hash, ids) in entries { #expect(read[hash] == ids.all.sorted(), "\(hash)") }
    }

    @Test func linesThatAreNotPairsAreSkipped() {
        let text = "00000000000000ff 12\n" + "zz 5\n" + "\n" + "00000000000000fe\n" + "0000000000000001 1 2\n"
            + "00000000000000000 4\n" + "00000000000000FD   40\n" + "00000000000000fc 1234567890123456789\n"
            + "00000000000000fb -3\n" + "00000000000000fa 9"
        var read: [(UInt64, Int)] = []
        DuplicateKeyIndex.forEachLine(Array(text.utf8)) { read.append(($0, $1)) }
        #expect(read.map(\.0) == [0xff, 0xfd, 0xfa])
        #expect(read.map(\.1) == [12, 40, 9])  // the last line unterminated: a whole pair still
    }
}

/// The key index against a model of what it must hold, through every mix of lookups,
/// inserts, removals, flushes and rereads: a bucket kept as its bytes (the few operations
/// of an `add`) and one parsed into a dictionary (an import, `fsck`) answer alike.
@Suite struct DuplicateKeyIndexModelTests {
    /// Hashes in three buckets, a few of them shared by several IDs.
    static func hash(_ n: Int) -> UInt64 { UInt64([0x00, 0x7f, 0xff][n % 3]) << 56 | UInt64(n / 3 % 40) }

    @Test(arguments: 1...40) func operationsAgreeWithTheModel(seed: Int) throws {
        let dir = StoreTests.TemporaryDirectory()
        let directory = try #require(try Directory.open(dir.path, label: "keys", followLinks: true))
        // A bucket as an older or hand-edited file may hold it: upper-case hex, short hashes,
        // a foreign line, no newline at the end.
        #expect(FileManager.default.createFile(atPath: dir.path + "/00", contents: Data("00000000000000AB 12\n0 4\nzz 1\n0000000000000001 5".utf8)))
        var model: [UInt64: Set<Int>] = [0xab: [12], 0: [4], 1: [5]]
        var rng = SplitMix64(seed: UInt64(seed))
        var index = DuplicateKeyIndex(directory: directory, groupShared: false)
        for _ in 0..<300 {
            let hash = rng.next() % 4 == 0 ? [0xab, 0, 1][Int(rng.next() % 3)] : Self.hash(Int(rng.next() % 120))
            let key = DuplicateKey(hash: hash)
            let id = Int(rng.next() % 6) + 1
            switch rng.next() % 10 {
            case 0...3:
                #expect(Set(try index.ids(for: key)) == model[hash, default: []], "seed \(seed)")
                #expect(try index.ids(for: key).count == model[hash, default: []].count, "each ID once")
            case 4...6:
                try index.insert(key, id: id)
                model[hash, default: []].insert(id)
            case 7:
                try index.remove(key, id: id)
                model[hash]?.remove(id)
                if model[hash]?.isEmpty == true { model[hash] = nil }
            case 8:
                try index.flush()
            default:
                try index.flush()
                index = DuplicateKeyIndex(directory: directory, groupShared: false)
            }
        }
        try index.flush()
        let reread = DuplicateKeyIndex(directory: directory, groupShared: false)
        for (hash, ids) in model { #expect(Set(try reread.ids(for: DuplicateKey(hash: hash))) == ids) }
        var onDisk: [UInt64: Set<Int>] = [:]
        for name in ["00", "7f", "ff"] {
            if let bytes = FileManager.default.contents(atPath: dir.path + "/" + name) {
                DuplicateKeyIndex.forEachLine(Array(bytes)) { onDisk[$0, default: []].insert($1) }
            }
        }
        #expect(onDisk == model, "seed \(seed)")
    }

    /// What an `add` does to a bucket of a large store: two lookups and an insert append
    /// one line to the bytes read, instead of parsing and rewriting the bucket sorted.
    @Test func aFewOperationsAppendToTheBytesRead() throws {
        let dir = StoreTests.TemporaryDirectory()
        let directory = try #require(try Directory.open(dir.path, label: "keys", followLinks: true))
        let text = "7f00000000000002 9\n7f00000000000005 3\n"
        #expect(FileManager.default.createFile(atPath: dir.path + "/7f", contents: Data(text.utf8)))
        let index = DuplicateKeyIndex(directory: directory, groupShared: false)
        let key = DuplicateKey(hash: 0x7f00_0000_0000_0001)
        #expect(try index.ids(for: key).isEmpty)
        try index.insert(key, id: 11)
        #expect(try index.ids(for: key) == [11])
        try index.flush()
        #expect(String(decoding: FileManager.default.contents(atPath: dir.path + "/7f")!, as: UTF8.self)
                == text + "7f00000000000001 11\n")
        // More operations than an `add` makes: the bucket is parsed and written sorted.
        let busy = DuplicateKeyIndex(directory: directory, groupShared: false)
        for id in [1, 2, 3, 4, 5] { try busy.insert(DuplicateKey(hash: 0x7f00_0000_0000_0003), id: id) }
        try busy.flush()
        #expect(String(decoding: FileManager.default.contents(atPath: dir.path + "/7f")!, as: UTF8.self)
                == "7f00000000000001 11\n7f00000000000002 9\n" + (1...5).map { "7f00000000000003 \($0)\n" }.joined() + "7f00000000000005 3\n")
    }
}
