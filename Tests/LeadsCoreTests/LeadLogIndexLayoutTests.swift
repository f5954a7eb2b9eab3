import Testing
@testable import LeadsCore

/// The per-lead log index read block by block (Index/LeadLogIndex.swift): every lead's
/// offsets come back as made, across pair blocks and offset blocks, and a block that no
/// longer matches its checksum is refused where it is read, not elsewhere.
@Suite struct LeadLogIndexLayoutTests {
    static let log = SummaryIndex.FileStat(inode: 7, size: 1 << 30, mtime: 1, ctime: 2)

    /// Leads 3, 6, 9, … 3,000: lead i has i % 5 records (801 have some), lead 1,500 has
    /// 1,200 (its offsets span three blocks).
    static func pairs() -> [(lead: Int, offset: Int)] {
        var pairs: [(lead: Int, offset: Int)] = []
        var offset = 0
        for round in 0..<1_200 {
            for lead in stride(from: 3, through: 3_000, by: 3) {
                let records = lead == 1_500 ? 1_200 : lead % 5
                guard round < records else { continue }
                pairs.append((lead, offset))
                offset += 100 + lead % 7
            }
        }
        return pairs
    }

    /// Splits a made file into what a reader reads: header and directory, and the body.
    static func open(_ file: [UInt64]) -> (LeadLogIndex, [UInt64])? {
        guard let more = LeadLogIndex.directoryWords(header: file.prefix(LeadLogIndex.headerWords), fileWords: file.count),
              let index = LeadLogIndex(words: Array(file.prefix(LeadLogIndex.headerWords + more)), fileWords: file.count) else { return nil }
        return (index, Array(file[index.bodyStart...]))
    }

    @Test func everyLeadsOffsetsComeBack() throws {
        let pairs = Self.pairs()
        let file = LeadLogIndex.make(log: Self.log, lastOffset: 99, lastLink: [UInt8](repeating: 5, count: 32), pairs: pairs.shuffled())
        let (index, body) = try #require(Self.open(file))
        #expect(index.leadCount == 801)
        #expect(index.pairBlocks == 4)  // 1,602 words of pairs
        #expect(index.bodyBlocks > 6)
        var reads = 0
        let read: (Int, Int) -> [UInt64]? = { start, count in
            reads += 1
            return start + count <= body.count ? Array(body[start..<start + count]) : nil
        }
        var expected: [Int: [UInt64]] = [:]
        for pair in pairs { expected[pair.lead, default: []].append(UInt64(pair.offset)) }
        for lead in -1...3_003 {
            reads = 0
            let offsets = try #require(index.offsets(of: lead, read: read), "lead \(lead)")
            #expect(Array(offsets) == (expected[lead] ?? []), "lead \(lead)")
            #expect(reads <= 2, "lead \(lead)")  // its pair block, and one span of offset blocks
        }
        #expect(index.log == Self.log)
        #expect(index.lastOffset == 99)
    }

    @Test func aChangedBlockIsRefusedWhereItIsRead() throws {
        let pairs = Self.pairs()
        var file = LeadLogIndex.make(log: Self.log, lastOffset: 99, lastLink: [UInt8](repeating: 5, count: 32), pairs: pairs)
        let (index, _) = try #require(Self.open(file))
        // Lead 1,500's 600th offset changed in the body (offsets are unique here).
        let bodyStart = index.bodyStart
        let offsetsStart = bodyStart + 2 * index.leadCount
        let wanted = UInt64(pairs.filter { $0.lead == 1_500 }[599].offset)
        let changed = try #require(file[offsetsStart...].firstIndex(of: wanted))
        file[changed] += 1
        let body = Array(file[bodyStart...])
        let read: (Int, Int) -> [UInt64]? = { start, count in Array(body[start..<min(start + count, body.count)]) }
        #expect(index.offsets(of: 1_500, read: read) == nil)
        // A lead whose pair and offsets sit in other blocks still reads.
        let blockOfChange = (changed - bodyStart) / LeadLogIndex.blockWords
        let other = try #require(stride(from: 3, through: 3_000, by: 3).first { lead in
            guard lead % 5 > 0, let offsets = index.offsets(of: lead, read: { start, count in
                (start / LeadLogIndex.blockWords...(start + count - 1) / LeadLogIndex.blockWords).contains(blockOfChange) ? nil : Array(body[start..<min(start + count, body.count)])
            }) else { return false }
            return !offsets.isEmpty
        })
        #expect(index.offsets(of: other, read: read) != nil)
        // The header or the directory changed: the whole file is refused.
        var header = file
        header[LeadLogIndex.headerWords] += 1  // the first pair block's first lead
        #expect(Self.open(header) == nil)
        var count = file
        count[10] += 1
        #expect(Self.open(count) == nil)
        #expect(Self.open(Array(file.dropLast())) == nil)  // torn
    }

    @Test func anEmptyIndex() throws {
        let file = LeadLogIndex.make(log: Self.log, lastOffset: 0, lastLink: [UInt8](repeating: 0, count: 32), pairs: [])
        #expect(file.count == LeadLogIndex.headerWords)
        let (index, _) = try #require(Self.open(file))
        #expect(index.offsets(of: 1, read: { _, _ in nil }) == [])
    }
}
