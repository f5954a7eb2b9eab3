import Glibc

// DIR/.index/log-offsets: where each lead's records are in DIR/activity.log, so that
// `show ID` and `log ID` read a lead's few records instead of the whole log (issue 21:
// on 100,000 leads the scan was 27 × the start-up time). Derived, and never trusted
// blindly. The calling sequence, whole:
//
// - A reader (`LeadStore.activity(lead:)`; no lock on a local disk, as records are
//   appended whole) opens the log and takes its stat, then uses the index only when
//     1. the file parses: its magic, its length from its counts, and the checksum over
//        all its words (a torn or corrupt file is not used);
//     2. it was made from this very log: the same inode, size, modification and change
//        time. Any append, truncation or hand edit changes the size or a time, and the
//        change time cannot be set back. (Why not trust a prefix and scan only the
//        records appended since: an edit of the same size before that point cannot be
//        told from an append without reading the prefix, which is the cost saved.)
//     3. the log's last change is older than the index file by more than
//        SummaryIndex.racySlackNanoseconds (git's racy-timestamp rule): an edit in the
//        same clock tick as the index was made would not show in the times;
//     4. the last record it covers is where it says, whole, and hashes to the chain link
//        it recorded (LogChain.link): the content check behind the stat check.
//   Every record it then reads by offset must start a line and name the lead as a full
//   scan matches it; a line that does not parse is left to the full scan, which names it.
//   Anything else, and the reader scans the whole log exactly as without an index.
// - A reader that scanned the whole log writes a new index from that scan (a temporary
//   name renamed over the old one; never fsynced), when the log did not change during
//   the scan and the index on disk does not already describe this log. One that failed
//   only rule 3 is rewritten once the racy window has passed, so it is then trusted.
//   Failures are ignored: the index is derived, and the next reader scans again.
// - Writers never touch it: their append invalidates it by rule 2, and the first reader
//   after the racy window rebuilds it. Readers racing each other each write a whole
//   index of the log they read; one of an older log is simply invalid.
// - `LEADS_INDEX=off` ignores it (the full scan of StoreReading.swift, for comparing).
//
// Layout, in little-endian 64-bit words, so that a reader reads a few kilobytes of it,
// not all of it (on 100,000 leads the file is 2.4 MB; reading and summing it whole was
// most of what `show ID` spent beyond starting up):
// - a header of 16 words: 0 magic; 1 log inode; 2 log size; 3 log mtime (ns); 4 log ctime
//   (ns); 5 offset of the last record covered; 6–9 that record's link (its SHA-256);
//   10 lead count L; 11 offset count R; 12 pair-block count P; 13 body-block count B;
//   14 words per block (512); 15 the checksum of words 0–14 and of the directory;
// - the directory: per pair block, the first lead ID in it and where the offsets of its
//   first lead start (2P words); then the checksum of each body block (B words);
// - the body: L pairs (lead ID, end of its offsets), ascending by ID, then the R
//   offsets, each lead's ascending; cut into blocks of 512 words (the last one shorter),
//   so pair block k is body block k. A reader checks the header and directory whole,
//   then each body block it reads against its checksum.

struct LeadLogIndex {
    static let magic: UInt64 = words(of: Array("leadslx2".utf8))[0]
    static let headerWords = 16
    static let blockWords = 512

    /// Header and directory, as read and checked.
    let words: [UInt64]
    var log: SummaryIndex.FileStat {
        SummaryIndex.FileStat(inode: words[1], size: Int64(bitPattern: words[2]),
                              mtime: Int64(bitPattern: words[3]), ctime: Int64(bitPattern: words[4]))
    }
    var lastOffset: Int { Int(words[5]) }
    var lastLink: ArraySlice<UInt64> { words[6..<10] }
    var leadCount: Int { Int(words[10]) }
    var offsetCount: Int { Int(words[11]) }
    var pairBlocks: Int { Int(words[12]) }
    var bodyBlocks: Int { Int(words[13]) }
    var bodyWords: Int { 2 * leadCount + offsetCount }
    /// Where the body starts, in words from the start of the file.
    var bodyStart: Int { Self.headerWords + 2 * pairBlocks + bodyBlocks }

    /// How many words of directory follow `header` in a file of `fileWords` words; nil
    /// when the header is not one of this layout or does not fit the file's size.
    static func directoryWords(header: ArraySlice<UInt64>, fileWords: Int) -> Int? {
        guard header.count == headerWords, header[header.startIndex] == magic else { return nil }
        let h = Array(header)
        guard h[10] < 1 << 40, h[11] < 1 << 40, h[14] == UInt64(blockWords) else { return nil }
        let leads = Int(h[10]), offsets = Int(h[11])
        let pairs = (2 * leads + blockWords - 1) / blockWords
        let blocks = (2 * leads + offsets + blockWords - 1) / blockWords
        guard h[12] == UInt64(pairs), h[13] == UInt64(blocks),
              fileWords == headerWords + 2 * pairs + blocks + 2 * leads + offsets else { return nil }
        return 2 * pairs + blocks
    }

    /// Whether the header and directory read are whole and consistent (rule 1).
    init?(words: [UInt64], fileWords: Int) {
        guard let count = Self.directoryWords(header: words.prefix(Self.headerWords), fileWords: fileWords),
              words.count == Self.headerWords + count,
              Self.checksum(words[0..<15] + words[Self.headerWords...]) == words[15] else { return nil }
        self.words = words
    }

    /// The offsets of the records that name `lead`, in log order, reading the body blocks
    /// needed with `read` (body word, count; nil when the read fails); nil when the index
    /// contradicts itself there or a block does not match its checksum.
    func offsets(of lead: Int, read: (Int, Int) -> [UInt64]?) -> ArraySlice<UInt64>? {
        let wanted = Int64(lead)
        let directory = Self.headerWords
        let above = firstPositionNotBelow(count: pairBlocks) { Int64(bitPattern: words[directory + 2 * $0]) <= wanted }
        guard above > 0 else { return [] }
        let block = above - 1
        guard let pairs = blocks(block..<block + 1, read: read) else { return nil }
        let pairCount = min(Self.blockWords, 2 * leadCount - block * Self.blockWords) / 2
        let low = firstPositionNotBelow(count: pairCount) { Int64(bitPattern: pairs[2 * $0]) < wanted }
        guard low < pairCount, Int64(bitPattern: pairs[2 * low]) == wanted else { return [] }
        let start = low == 0 ? Int(words[directory + 2 * block + 1]) : Int(pairs[2 * low - 1])
        let end = Int(pairs[2 * low + 1])
        guard start <= end, end <= offsetCount else { return nil }
        guard start < end else { return [] }
        let first = 2 * leadCount + start, last = 2 * leadCount + end - 1
        guard let span = blocks(first / Self.blockWords..<last / Self.blockWords + 1, read: read) else { return nil }
        let base = first / Self.blockWords * Self.blockWords
        return span[(first - base)...(last - base)]
    }

    /// Body blocks `range`, each checked against its checksum.
    private func blocks(_ range: Range<Int>, read: (Int, Int) -> [UInt64]?) -> [UInt64]? {
        let start = range.lowerBound * Self.blockWords
        let count = min(range.count * Self.blockWords, bodyWords - start)
        guard count > 0, let body = read(start, count), body.count == count else { return nil }
        let sums = Self.headerWords + 2 * pairBlocks
        for block in range {
            let from = (block - range.lowerBound) * Self.blockWords
            guard Self.checksum(body[from..<min(from + Self.blockWords, count)]) == words[sums + block] else { return nil }
        }
        return body
    }

    /// The index of a scanned log: `pairs` (lead, offset) in log order.
    static func make(log: SummaryIndex.FileStat, lastOffset: Int, lastLink: [UInt8], pairs: [(lead: Int, offset: Int)]) -> [UInt64] {
        let sorted = pairs.sorted { $0.lead != $1.lead ? $0.lead < $1.lead : $0.offset < $1.offset }
        var body: [UInt64] = []
        var offsets: [UInt64] = []
        offsets.reserveCapacity(sorted.count)
        var directory: [UInt64] = []
        for (i, pair) in sorted.enumerated() {
            if i == 0 || sorted[i - 1].lead != pair.lead {
                if body.count % blockWords == 0 { directory += [UInt64(bitPattern: Int64(pair.lead)), UInt64(offsets.count)] }
                body.append(UInt64(bitPattern: Int64(pair.lead)))
                body.append(0)
            }
            offsets.append(UInt64(pair.offset))
            body[body.count - 1] = UInt64(offsets.count)
        }
        let leads = body.count / 2
        body += offsets
        var sums: [UInt64] = []
        for start in stride(from: 0, to: body.count, by: blockWords) {
            sums.append(checksum(body[start..<min(start + blockWords, body.count)]))
        }
        var out: [UInt64] = [magic, log.inode, UInt64(bitPattern: log.size), UInt64(bitPattern: log.mtime),
                             UInt64(bitPattern: log.ctime), UInt64(lastOffset)]
        out += words(of: lastLink)
        out += [UInt64(leads), UInt64(offsets.count), UInt64(directory.count / 2), UInt64(sums.count), UInt64(blockWords)]
        out.append(checksum(out[...] + directory + sums))
        out += directory
        out += sums
        out += body
        return out
    }

    /// FNV-1a over 64-bit words with a shift to carry high bits down: every step is a
    /// bijection of the running value, so any one changed word changes the result.
    static func checksum(_ words: ArraySlice<UInt64>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for word in words {
            h = (h ^ word) &* 0x0000_0100_0000_01b3
            h ^= h >> 29
        }
        return h
    }

    /// Bytes (a multiple of 8) as little-endian words.
    static func words(of bytes: [UInt8]) -> [UInt64] {
        stride(from: 0, to: bytes.count, by: 8).map { start in
            var word: UInt64 = 0
            for i in (0..<8).reversed() { word = word << 8 | UInt64(bytes[start + i]) }
            return word
        }
    }

    /// The lead IDs a line names as `"lead":ID` followed by `,` or `}`, ID written as
    /// `String(id)` writes it: exactly the lines the byte match of the full scan
    /// (LeadStore.mentions) picks for each of those leads.
    static func forEachNamedLead(_ line: UnsafeBufferPointer<UInt8>, _ body: (Int) -> Void) {
        let count = line.count
        var position = 0
        while let found = find(key, in: line, from: position) {
            var i = found + key.count
            position = i
            let negative = i < count && line[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            let digitsStart = i
            var value = 0
            var digits = 0
            while i < count, digits < 18 {
                let byte = line[i]
                guard byte >= 0x30 && byte <= 0x39 else { break }
                value = value * 10 + Int(byte - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0, i < count, line[i] == UInt8(ascii: ",") || line[i] == UInt8(ascii: "}"),
                  line[digitsStart] != 0x30 || (digits == 1 && !negative) else { continue }
            body(negative ? -value : value)
        }
    }

    /// Where `needle` (starting with a byte rare in the text, `"`) first occurs at or after `from`.
    private static func find(_ needle: [UInt8], in line: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = line.baseAddress else { return nil }
        var position = from
        while line.count - position >= needle.count {
            guard let p = memchr(base + position, Int32(needle[0]), line.count - position - needle.count + 1) else { return nil }
            let at = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at, needle, needle.count) == 0 { return at }
            position = at + 1
        }
        return nil
    }

    private static let key: [UInt8] = Array("\"lead\":".utf8)
}

extension LeadStore {
    /// A lead's records, oldest first, through the per-lead log index when it is valid,
    /// else by one scan of the whole log that also rebuilds the index. The answers are
    /// those of `activity(lead:)`'s full scan in every case.
    func indexedActivity(lead: Int) throws(StoreError) -> [ActivityEntry] {
        guard let root, var reader = try LogBlockReader(root) else { return [] }
        defer { reader.close() }
        let fd = reader.fd
        let log = reader.log
        guard log.size > 0 else { return [] }

        let indexDir = try? subdirectory(Self.indexDirectory)
        // Racy only: the index describes this log but was made too soon after its last change.
        var racyOnly = false
        if let indexDir, let open = Self.loadLogIndex(from: indexDir) {
            defer { open.close() }
            if open.index.log == log {
                if log.changed < open.writtenAt - SummaryIndex.racySlackNanoseconds {
                    if let entries = Self.read(lead: lead, fd: fd, index: open) { return entries }
                } else {
                    racyOnly = true
                }
            }
        }

        // The full scan, which also collects what a new index needs.
        var entries: [ActivityEntry] = []
        var pairs: [(lead: Int, offset: Int)] = []
        var next = 0  // where the next line starts: lines follow each other from the start
        while try reader.next({ (line, number) throws(StoreError) in
            let offset = next
            next += line.count + 1
            var names = false
            var previous: Int?
            LeadLogIndex.forEachNamedLead(line) { id in
                if id == lead { names = true }
                if id != previous { pairs.append((id, offset)) }
                previous = id
            }
            guard names else { return }
            do throws(JSONError) {
                let entry = try ActivityEntry(line: Array(line))
                if entry.lead == lead { entries.append(entry) }
            } catch {
                var positioned = error
                positioned.line = number
                throw .corrupt(path: ActivityLog.fileName, positioned)
            }
        }) {}

        // Rebuild when the scan saw the whole log as it still is, unless the index on disk
        // already describes it and is only racy while the racy window lasts.
        let covered = reader.consumed
        let lastOffset = reader.lastLine
        var after = stat()
        guard let indexDir, covered == Int(log.size), fstat(fd, &after) == 0, SummaryIndex.FileStat(after) == log else { return entries }
        if racyOnly && SummaryIndex.realTime() - log.changed <= SummaryIndex.racySlackNanoseconds { return entries }
        guard let last = Self.line(at: lastOffset, fd: fd, end: covered) else { return entries }
        let words = LeadLogIndex.make(log: log, lastOffset: lastOffset, lastLink: SHA256.hash(last), pairs: pairs)
        let bytes = words.map(\.littleEndian).withUnsafeBytes { Array($0) }
        _ = try? indexDir.writeAtomically(Self.leadLogIndexFile, bytes, durable: false, groupShared: (try? config())?.sharedGroup ?? false)
        return entries
    }

    /// The records of `lead` by the index's offsets (rule 4 and the per-record checks of
    /// LeadLogIndex's header); nil when any check fails.
    private static func read(lead: Int, fd: Int32, index: OpenLogIndex) -> [ActivityEntry]? {
        let size = Int(index.index.log.size)
        let lastOffset = index.index.lastOffset
        guard lastOffset < size, let last = line(at: lastOffset, fd: fd, end: size),
              last.count + 1 == size - lastOffset,
              LeadLogIndex.words(of: SHA256.hash(last)) == Array(index.index.lastLink),
              let offsets = index.offsets(of: lead) else { return nil }
        let needle = Array("\"lead\":\(lead)".utf8)
        var entries: [ActivityEntry] = []
        for offset in offsets {
            guard offset <= UInt64(lastOffset),
                  let bytes = line(at: Int(offset), fd: fd, end: size), mentions(bytes[...], needle),
                  let entry = try? ActivityEntry(line: bytes) else { return nil }
            if entry.lead == lead { entries.append(entry) }
        }
        return entries
    }

    /// The index file, open, with its header and directory checked (rule 1), and its own
    /// modification time (ns); nil if there is none or it is not whole and consistent.
    private static func loadLogIndex(from dir: Directory) -> OpenLogIndex? {
        let fd = openat(dir.fd, leadLogIndexFile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size % 8 == 0,
              st.st_size >= 8 * LeadLogIndex.headerWords, st.st_size < 1 << 40 else {
            close(fd)
            return nil
        }
        let fileWords = Int(st.st_size) / 8
        // Header and directory are some 11 KB on 100,000 leads: one read nearly always.
        var words = readWords(fd, at: 0, count: min(fileWords, 4096)) ?? []
        if words.count >= LeadLogIndex.headerWords,
           let more = LeadLogIndex.directoryWords(header: words.prefix(LeadLogIndex.headerWords), fileWords: fileWords) {
            let wanted = LeadLogIndex.headerWords + more
            if words.count < wanted { words = readWords(fd, at: 0, count: wanted) ?? [] } else { words.removeLast(words.count - wanted) }
            if let index = LeadLogIndex(words: words, fileWords: fileWords) {
                return OpenLogIndex(fd: fd, index: index, writtenAt: SummaryIndex.FileStat(st).mtime)
            }
        }
        close(fd)
        return nil
    }
}

/// An open index file whose header and directory passed rule 1; its body is read block
/// by block as a lead's offsets need.
struct OpenLogIndex {
    let fd: Int32
    let index: LeadLogIndex
    let writtenAt: Int64

    func close() { Glibc.close(fd) }

    func offsets(of lead: Int) -> ArraySlice<UInt64>? {
        index.offsets(of: lead) { start, count in readWords(fd, at: index.bodyStart + start, count: count) }
    }
}
