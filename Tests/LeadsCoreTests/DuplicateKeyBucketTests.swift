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
