import Dispatch
import Glibc

// DIR/.index/summaries: what the reports and `export-csv` need of every lead (not the
// notes, closed reminders, the conversion beyond its customer, or unknown keys), one line per lead, with the
// stat data of the file it was read from. A report reads this one file instead of
// parsing every lead file, and trusts a line only when the lead file's inode, size and
// modification time are still those recorded, and that modification time is older
// than the index file itself by more than the file system's timestamp granularity —
// git's racy-timestamp rule: a file changed in the same tick as the index was written
// could otherwise look unchanged. Anything else is read from the file, so answers are
// always exactly those of a full scan.
//
// Readers refresh the file, under the shared lock (no writer can change a lead then;
// two readers writing it at once write the same content), when a noticeable part of it
// was out of date or replaced by later lines of the same IDs (a part-of-the-store scan
// only drops the replaced ones); a file that changed within the slack before the scan began is read but
// not recorded, since the index's time stamp, taken at the end, cannot vouch for it. Writers never rewrite it on the hot path; `delete` removes it, so a
// deleted lead's data does not outlive the lead in a cache. An import batch appends its
// leads' lines (`recordSummaries`): the first report after an import would otherwise
// parse every file it wrote. A later line of an ID wins over an earlier one. At its end
// the import waits out the racy window of the files it wrote last and records them again
// (`settleSummaries`), so that no reader has to re-read them, and then, still under its
// lock, compacts the index (`compactSummaries`, SummaryCompaction.swift): an update
// import's lines replace the old ones of its leads, and the file is rewritten, streaming,
// with each ID's last line alone when as many are replaced as would make a reader drop
// them — so the first reader after update imports loads one line a lead, not one an
// import (three of 100,000 leads had made it 159 MB and `report lost` 237 MB of RSS).

struct SummaryIndex {
    static let fileName = "summaries"
    static let header: [UInt8] = Array("leads-summaries 3\n".utf8)
    /// Covers file systems that keep whole seconds and NFS servers' rounding.
    static let racySlackNanoseconds: Int64 = 2_000_000_000
    /// On a local file system that keeps nanoseconds (ext4, xfs, btrfs, tmpfs) a time
    /// stamp is the kernel's clock tick, at most 10 ms (HZ=100): the two seconds made
    /// every lead an import had just written untrusted for two seconds, and the first
    /// readers after a 10,000-lead import, which takes under 2 s, re-read every file.
    static let localRacySlackNanoseconds: Int64 = 100_000_000

    /// The slack for an index file written at `writtenAt` in `dir`: the short one only
    /// where the file system is local and the index's own time stamp shows nanoseconds (a
    /// file system keeping seconds, or FAT's two seconds, leaves them zero).
    static func racySlack(in dir: Directory, writtenAt: Int64) -> Int64 {
        racySlack(local: dir.fileSystemKind == .local, writtenAt: writtenAt)
    }

    /// As `racySlack(in:writtenAt:)`, for a directory whose kind is known: `local`.
    static func racySlack(local: Bool, writtenAt: Int64) -> Int64 {
        local && writtenAt % 1_000_000_000 != 0 ? localRacySlackNanoseconds : racySlackNanoseconds
    }

    /// The clock that file time stamps are compared with to tell whether a racy window
    /// has passed (nanoseconds since the epoch).
    static func realTime() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// What identifies a version of a file, as git's index does. The change time is in
    /// it because nobody can set it: an inode reused for a same-sized file whose
    /// modification time was put back by hand still gets a new ctime.
    struct FileStat: Equatable {
        var inode: UInt64
        var size: Int64
        var mtime: Int64  // nanoseconds since the epoch
        var ctime: Int64

        init(_ st: stat) {
            inode = UInt64(st.st_ino)
            size = Int64(st.st_size)
            mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            ctime = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        }

        init(inode: UInt64, size: Int64, mtime: Int64, ctime: Int64) {
            self.inode = inode
            self.size = size
            self.mtime = mtime
            self.ctime = ctime
        }

        /// The latest change of any kind: what the racy-timestamp rule compares.
        var changed: Int64 { max(mtime, ctime) }
    }

    /// A recorded line: the stat it was made from and where its fields are.
    struct Entry {
        var id: Int
        var stat: FileStat
        var fields: Range<Int>
        /// The whole line with its newline, to copy into a refreshed index unchanged.
        var line: Range<Int>
    }

    let bytes: [UInt8]
    /// By ID, one per ID: an array searched by halves, not a dictionary, as building a
    /// dictionary of 100,000 entries was a tenth of `pipeline`'s time.
    let entries: [Entry]
    /// Lines an ID's later line replaces (an update import appends a lead's new line):
    /// dead weight every reader loads until a refresh drops them, or the import's own
    /// compaction at its end (`compactSummaries`) does.
    var superseded = 0
    /// A file whose last change is before this (nanoseconds) cannot have changed again
    /// within the same time stamp: the index file's own modification time less the slack.
    let trustedBefore: Int64

    static func load(from dir: Directory) -> SummaryIndex? {
        guard let (bytes, st) = try? dir.readWithStatus(fileName, limit: 1 << 30),
              bytes.starts(with: header) else { return nil }
        var entries: [Entry] = []
        entries.reserveCapacity(bytes.count / 160)
        var ordered = true
        bytes.withUnsafeBufferPointer { all in
            let base = all.baseAddress!
            var position = header.count
            while position < all.count {
                guard let p = memchr(base + position, 10, all.count - position) else { break }
                let end = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                if let (id, stat, fields) = head(all, from: position, to: end) {
                    if let last = entries.last, last.id >= id { ordered = false }
                    entries.append(Entry(id: id, stat: stat, fields: fields..<end, line: position..<(end + 1)))
                }
                position = end + 1
            }
        }
        var superseded = 0
        if !ordered {
            // Appended lines (an import's) may repeat or precede an ID: the later line wins.
            entries.sort { ($0.id, $0.line.lowerBound) < ($1.id, $1.line.lowerBound) }
            var kept: [Entry] = []
            kept.reserveCapacity(entries.count)
            for entry in entries {
                if let last = kept.last, last.id == entry.id { kept[kept.count - 1] = entry } else { kept.append(entry) }
            }
            superseded = entries.count - kept.count
            entries = kept
        }
        let writtenAt = FileStat(st).mtime
        return SummaryIndex(bytes: bytes, entries: entries, superseded: superseded,
                            trustedBefore: writtenAt - racySlack(in: dir, writtenAt: writtenAt))
    }

    /// The start of the line `start..<end` of `all` (without its newline): id, inode, size,
    /// mtime and ctime, and where the summary's fields begin; nil when it does not parse
    /// (such a line is never used, nor kept by a compaction).
    @inline(__always)
    static func head(_ all: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> (id: Int, stat: FileStat, fields: Int)? {
        var cursor = start
        func number() -> Int64? {
            var value: Int64 = 0
            var digits = 0
            while cursor < end, all[cursor] >= 0x30, all[cursor] <= 0x39 {
                value = value &* 10 &+ Int64(all[cursor] - 0x30)
                cursor += 1
                digits += 1
            }
            guard digits > 0, digits <= 19, value >= 0, cursor < end, all[cursor] == 9 else { return nil }
            cursor += 1
            return value
        }
        guard let id = number(), let inode = number(), let size = number(), let mtime = number(), let ctime = number() else { return nil }
        return (Int(id), FileStat(inode: UInt64(inode), size: size, mtime: mtime, ctime: ctime), cursor)
    }

    /// The entry recorded for `id`.
    func entry(_ id: Int) -> Entry? {
        let low = firstPositionNotBelow(count: entries.count) { entries[$0].id < id }
        return low < entries.count && entries[low].id == id ? entries[low] : nil
    }

    /// The entry for `id` if the file's current stat says it is still valid.
    func validEntry(_ id: Int, current: FileStat) -> Entry? {
        guard let entry = entry(id), entry.stat == current,
              current.changed < trustedBefore else { return nil }
        return entry
    }

    /// The lead recorded for `id`, and its line, if the file's current stat says it is still valid.
    func lead(_ id: Int, current: FileStat, fields: SummaryFields = .all) -> (lead: Lead, line: Range<Int>)? {
        guard let entry = validEntry(id, current: current),
              let lead = bytes.withUnsafeBufferPointer({ all in Self.decode(id: id, UnsafeBufferPointer(rebasing: all[entry.fields]), fields: fields) })
        else { return nil }
        return (lead, entry.line)
    }

    /// Whether a valid entry's line says the lead has no open reminder, read without
    /// decoding it: a line of exactly the format's field count whose last field (the open
    /// reminders) is empty.
    func hasNoOpenReminder(_ entry: Entry) -> Bool {
        bytes.withUnsafeBufferPointer { all in
            let line = UnsafeBufferPointer(rebasing: all[entry.fields])
            guard let last = line.last, last == 9 else { return false }
            var tabs = 0
            Self.forEach(9, in: line, from: 0) { _ in tabs += 1 }
            return tabs == Self.fieldCount - 1
        }
    }

    /// Calls `body` with the position of each `byte` in `line` at or after `start`, found
    /// with memchr: a loop over every byte of every line was a twentieth of `pipeline`.
    @inline(__always)
    static func forEach(_ byte: UInt8, in line: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Int) -> Void) {
        guard let base = line.baseAddress else { return }
        var position = start
        while position < line.count, let found = memchr(base + position, Int32(byte), line.count - position) {
            let at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            body(at)
            position = at + 1
        }
    }

    // MARK: Line format

    // Fields are tab-separated; text escapes `\` `\t` `\n` `\r` and the two separators
    // used inside fields (0x1E between list items, 0x1F between a reminder's parts).

    static func line(_ lead: Lead, stat: FileStat) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        func number(_ n: Int64) { out += Array(String(n).utf8); out.append(9) }
        func text(_ s: String?) {
            if let s { escape(s, into: &out) }
            out.append(9)
        }
        func list(_ items: [String]) {
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x1E) }
                escape(item, into: &out)
            }
            out.append(9)
        }
        number(Int64(lead.id))
        number(Int64(bitPattern: stat.inode))
        number(stat.size)
        number(stat.mtime)
        number(stat.ctime)
        text(lead.name)
        text(lead.organization ? "1" : "")
        text(lead.company)
        text(lead.email)
        text(lead.owner)
        text(lead.source)
        text(lead.campaign)
        list(lead.labels)
        text(lead.stage)
        text(lead.probability.map(\.description))
        text(lead.value?.amount.canonical)
        text(lead.value?.currency)
        text(lead.expectedClose?.iso)
        let fieldKeys = lead.fields.keys.sorted()
        list(fieldKeys)
        text(lead.lastContact?.at.iso8601)
        text(lead.lastContact?.by)
        text(lead.createdAt.iso8601)
        text(lead.updatedAt.iso8601)
        // What only `export-csv` reads (format 3).
        text(lead.phone)
        text(lead.address)
        text(lead.lostReason)
        text(lead.conversion.map { String($0.customer) })
        // The values in the order of the keys: as many parts as keys, even when all are empty.
        for (i, key) in fieldKeys.enumerated() {
            if i > 0 { out.append(0x1E) }
            escape(lead.fields[key]!, into: &out)
        }
        out.append(9)
        // The open reminders stay last: `hasNoOpenReminder` looks at the last field alone.
        let reminders = lead.reminders.filter(\.isOpen).map { r in
            [String(r.number), r.due.stored, r.owner, r.announcedAt?.iso8601 ?? "", r.text].joined(separator: "\u{1F}")
        }
        list(reminders)
        out[out.count - 1] = 10
        return out
    }

    static func escape(_ text: String, into out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case 0x5C: out += [0x5C, 0x5C]
            case 9: out += [0x5C, 0x74]
            case 10: out += [0x5C, 0x6E]
            case 13: out += [0x5C, 0x72]
            case 0x1E: out += [0x5C, 0x52]
            case 0x1F: out += [0x5C, 0x55]
            default: out.append(byte)
            }
        }
    }

    /// The fields after the stat data; nil when the line does not parse (then the file
    /// is read instead). Works on the raw bytes with field bounds, not slices, as this
    /// runs once per lead on every report: slices of the index cost a retain and release
    /// each, a third of the decoding time on 100,000 leads.
    static func decode(id: Int, _ line: UnsafeBufferPointer<UInt8>, fields: SummaryFields = .all) -> Lead? {
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: fieldCount) { bounds -> Lead? in
            var count = 0
            var start = 0
            forEach(9, in: line, from: 0) { i in
                if count < fieldCount - 1 { bounds[count] = start..<i }
                count += 1
                start = i + 1
            }
            guard count == fieldCount - 1 else { return nil }
            bounds[count] = start..<line.count
            return decode(id: id, line, bounds, fields: fields)
        }
    }

    private static let fieldCount = 24

    private static func decode(id: Int, _ line: UnsafeBufferPointer<UInt8>, _ bounds: UnsafeMutableBufferPointer<Range<Int>>,
                               fields: SummaryFields) -> Lead? {
        func field(_ i: Int) -> Slice<UnsafeBufferPointer<UInt8>> { line[bounds[i]] }
        func text(_ i: Int) -> String? { bounds[i].isEmpty ? nil : unescape(field(i)) }
        func list(_ i: Int) -> [String] {
            bounds[i].isEmpty ? [] : field(i).split(separator: 0x1E, omittingEmptySubsequences: false).map(unescape)
        }
        // Amounts, dates and timestamps are never escaped: parsed from the bytes, without
        // a `String` each. What their parsers refuse sends the lead to its file.
        func raw(_ i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: line[bounds[i]]) }
        func timestamp(_ i: Int) -> Timestamp? { Timestamp.parseStored(raw(i)).map(Timestamp.init(seconds:)) }
        // A field not asked for is skipped, but its line must still be one a full decode
        // accepts: the name is required, and so is it here.
        guard !bounds[0].isEmpty, let stage = text(8), let created = timestamp(16), let updated = timestamp(17) else { return nil }
        var lead = Lead(id: id, name: fields.contains(.name) ? text(0)! : "", stage: stage, createdAt: created, createdBy: "")
        lead.updatedAt = updated
        if fields.contains(.contact) {
            lead.organization = !bounds[1].isEmpty
            lead.company = text(2)
            lead.email = text(3)
        }
        if fields.contains(.owner) { lead.owner = text(4) }
        if fields.contains(.source) { lead.source = text(5) }
        if fields.contains(.campaign) { lead.campaign = text(6) }
        if fields.contains(.labels) { lead.labels = list(7) }
        if let p = text(9) {
            guard let value = Percent(exactly: p) else { return nil }
            lead.probability = value
        }
        if !bounds[10].isEmpty {
            guard let units = Amount.parseCanonical(raw(10)), let currency = text(11) else { return nil }
            lead.value = Money(amount: Amount(units: units), currency: currency)
        }
        if !bounds[12].isEmpty {
            guard let date = CalendarDate.parseStored(raw(12)) else { return nil }
            lead.expectedClose = date
        }
        if fields.contains(.fieldValues) {
            let keys = list(13)
            if !keys.isEmpty {
                let values = field(22).split(separator: 0x1E, omittingEmptySubsequences: false)
                guard values.count == keys.count else { return nil }
                for (key, value) in zip(keys, values) { lead.fields[key] = unescape(value) }
            } else if !bounds[22].isEmpty {
                return nil
            }
        } else if fields.contains(.fieldKeys) {
            for key in list(13) { lead.fields[key] = "" }
        }
        if fields.contains(.phone) { lead.phone = text(18) }
        if fields.contains(.address) { lead.address = text(19) }
        if fields.contains(.lostReason) { lead.lostReason = text(20) }
        if fields.contains(.conversion), !bounds[21].isEmpty {
            guard let customer = Int(String(decoding: field(21), as: UTF8.self)), customer > 0 else { return nil }
            lead.conversion = Conversion(customer: customer, projects: [], at: created, by: "")
        }
        if fields.contains(.lastContact), !bounds[14].isEmpty {
            guard let time = timestamp(14) else { return nil }
            lead.lastContact = Contact(at: time, by: text(15) ?? "")
        }
        if fields.contains(.reminders), !bounds[23].isEmpty {
            // Items are split on 0x1E, which occurs in the escaped bytes only as the list's
            // separator. A reminder's parts were joined with 0x1F before escaping, so they
            // are split on the first four `\U` escapes, then the texts unescaped (the last
            // part, the reminder's text, keeps any later ones as 0x1F).
            var items: [Range<Int>] = []
            var start = bounds[23].lowerBound
            let reminders = UnsafeBufferPointer(rebasing: line[..<bounds[23].upperBound])
            forEach(0x1E, in: reminders, from: start) { at in
                items.append(start..<at)
                start = at + 1
            }
            items.append(start..<bounds[23].upperBound)
            lead.reminders.reserveCapacity(items.count)
            for item in items {
                // Where each `\U` starts; a part begins two bytes after the one before it.
                var cuts: [Int] = []
                cuts.reserveCapacity(4)
                var i = item.lowerBound
                while i < item.upperBound, cuts.count < 4 {
                    if line[i] == 0x5C, i + 1 < item.upperBound, line[i + 1] == 0x55 { cuts.append(i) }
                    i += line[i] == 0x5C ? 2 : 1
                }
                guard cuts.count == 4, let number = Int(String(decoding: line[item.lowerBound..<cuts[0]], as: UTF8.self)) else { return nil }
                let dueBytes = UnsafeBufferPointer(rebasing: line[(cuts[0] + 2)..<cuts[1]])
                guard let due = CalendarDate.parseStored(dueBytes).map(When.day) ?? Timestamp.parseStored(dueBytes).map({ When.instant(Timestamp(seconds: $0)) })
                else { return nil }
                var reminder = Reminder(number: number, due: due, text: unescape(line[(cuts[3] + 2)..<item.upperBound]),
                                        owner: unescape(line[(cuts[1] + 2)..<cuts[2]]), createdAt: created)
                if cuts[2] + 2 < cuts[3] {
                    guard let announced = Timestamp.parseStored(UnsafeBufferPointer(rebasing: line[(cuts[2] + 2)..<cuts[3]])) else { return nil }
                    reminder.announcedAt = Timestamp(seconds: announced)
                }
                lead.reminders.append(reminder)
            }
        }
        return lead
    }

    static func unescape<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        guard bytes.contains(0x5C) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var escaped = false
        for byte in bytes {
            if escaped {
                switch byte {
                case 0x74: out.append(9)
                case 0x6E: out.append(10)
                case 0x72: out.append(13)
                case 0x52: out.append(0x1E)
                case 0x55: out.append(0x1F)
                default: out.append(byte)
                }
                escaped = false
            } else if byte == 0x5C {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension StoreWriter {
    /// Appends the summary lines of leads this writer has just written (an import batch,
    /// under the exclusive lock, after its commit point). A line is made only for a file
    /// whose bytes, read back with its stat as a reader reads them, are the bytes written:
    /// a hand edit between the write and the stat is then never recorded as unchanged.
    /// The line is made from the lead in memory, which is what those bytes decode to.
    /// Derived: on any failure the index is removed (a torn append must not be glued to
    /// the next one), and the next reader rebuilds it from the files.
    ///
    /// Returns the leads whose lines are racy, given those of earlier batches that were:
    /// changed within the slack before the index's new time stamp, so no reader trusts
    /// them (`settleSummaries`).
    func recordSummaries(_ written: [(lead: Lead, bytes: [UInt8])], racy earlier: [RecordedSummary] = []) -> [RecordedSummary] {
        guard SummaryIndexSwitch.enabled, !written.isEmpty else { return [] }
        var lines: [UInt8] = []
        lines.reserveCapacity(written.count * 320)
        var recorded = earlier
        recorded.reserveCapacity(earlier.count + written.count)
        // Read back on every core: one after the other it was 7 % of an import.
        let leadsDir = leadsDir
        let made = parallelMap(written) { lead, bytes -> (line: [UInt8], changed: Int64)? in
            guard let (current, st) = try? leadsDir.readWithStatus("\(lead.id).json"), current == bytes else { return nil }
            let stat = SummaryIndex.FileStat(st)
            return (SummaryIndex.line(lead, stat: stat), stat.changed)
        }
        for ((lead, bytes), made) in zip(written, made) {
            guard let made else { continue }
            lines += made.line
            recorded.append((lead, bytes, made.changed))
        }
        guard !lines.isEmpty else { return earlier }
        do throws(SystemError) {
            let fd = openat(indexDir.fd, SummaryIndex.fileName, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 {
                guard errno == ENOENT else { throw SystemError("open", indexDir.path(SummaryIndex.fileName)) }
                let st = try indexDir.writeAtomically(SummaryIndex.fileName, SummaryIndex.header + lines, durable: false,
                                                      groupShared: config.sharedGroup)
                return racy(recorded, indexWrittenAt: SummaryIndex.FileStat(st).mtime)
            }
            defer { close(fd) }
            // Only a file in this format is appended to; another is left for a reader to replace.
            var head = [UInt8](repeating: 0, count: SummaryIndex.header.count)
            let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            guard got == head.count, head == SummaryIndex.header else { return [] }
            // A file not ending in a newline was torn: appending would glue two lines.
            var last: UInt8 = 0
            var st = stat()
            guard fstat(fd, &st) == 0, pread(fd, &last, 1, off_t(st.st_size) - 1) == 1, last == 10 else {
                _ = try? indexDir.remove(SummaryIndex.fileName)
                return []
            }
            try writeAll(fd, lines, path: indexDir.path(SummaryIndex.fileName))
            guard fstat(fd, &st) == 0 else { return [] }
            return racy(recorded, indexWrittenAt: SummaryIndex.FileStat(st).mtime)
        } catch {
            _ = try? indexDir.remove(SummaryIndex.fileName)
            store.warn(.system(error))
            return []
        }
    }

    private func racy(_ recorded: [RecordedSummary], indexWrittenAt: Int64) -> [RecordedSummary] {
        let trustedBefore = indexWrittenAt - SummaryIndex.racySlack(in: indexDir, writtenAt: indexWrittenAt)
        return recorded.filter { $0.changed >= trustedBefore }
    }

    /// Leaves the lines of the last batch trusted (issue 21: no slow window after an
    /// import). The files an import wrote in its last tenth of a second (two seconds on a
    /// network file system) are inside the racy window of the lines it appended, and
    /// every reader would re-read them until one rewrote the index — on 10,000 leads the
    /// first `pipeline` re-read 570 files and rewrote the whole index. So, when that many
    /// are racy to matter, the importer waits out the window, under its lock, and records
    /// those leads again: read back after the window, a file whose stat is unchanged has
    /// not changed since (a change now would get a later time stamp), and the index's new
    /// time stamp is past the slack.
    func settleSummaries(_ racy: [RecordedSummary]) {
        guard racy.count >= Self.racyLinesWorthSettling, let latest = racy.map(\.changed).max() else { return }
        // The margin covers the kernel's coarse clock, which stamps files up to a tick
        // (10 ms) behind the real time that the wait is measured in.
        let slack = SummaryIndex.racySlack(in: indexDir, writtenAt: latest)
        let settled = latest + slack + 20_000_000
        while case let wait = settled - SummaryIndex.realTime(), wait > 0 {
            var pause = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
            nanosleep(&pause, nil)
        }
        _ = recordSummaries(racy.map { ($0.lead, $0.bytes) })
    }

    /// Fewer racy lines than this cost each reader about as much to re-read as the wait.
    static let racyLinesWorthSettling = 64
}

/// A lead whose summary line an import recorded: the bytes its file was read back as,
/// and that file's last change (nanoseconds), for the racy-timestamp rule.
typealias RecordedSummary = (lead: Lead, bytes: [UInt8], changed: Int64)

/// Whether a scan may use the summary index; `LEADS_INDEX=off` forces full scans
/// (for comparing answers, and as a way out should the index ever be suspected).
enum SummaryIndexSwitch {
    static let enabled: Bool = {
        guard let value = getenv("LEADS_INDEX") else { return true }
        return String(cString: value) != "off"
    }()
}

extension LeadStore {
    /// The scan a report with this filter needs: summaries, unless it searches the notes.
    /// `fields`: what the caller reads of a summary beyond what the filter reads.
    public func scan(for filter: LeadFilter, fields: SummaryFields = .all, _ visit: (Lead) throws -> Void) throws -> [StoreError] {
        filter.search == nil ? try scanSummaries(fields: fields.union(filter.fieldsRead), visit) : try scan(notes: true, visit)
    }

    /// As `scan(for:_:)`, with `prepare` run for each lead on the core that decoded it and
    /// its result handed to `visit` beside the lead: what a command would otherwise do
    /// per lead on one core while the others wait (the cells of a `list` row).
    public func scan<Prepared: Sendable>(for filter: LeadFilter, fields: SummaryFields = .all, prepare: @escaping @Sendable (Lead) -> Prepared,
                                         _ visit: (Lead, Prepared) throws -> Void) throws -> [StoreError] {
        filter.search == nil ? try scanSummaries(fields: fields.union(filter.fieldsRead), prepare: prepare, visit)
            : try scan(notes: true, prepare: prepare, visit)
    }

    /// Visits every lead's summary in ID order under a shared lock: the lead without its
    /// notes, address, phone, lost reason, conversion, unknown keys, closed reminders,
    /// creator and last editor, and with custom field keys but empty values. Answers are
    /// those of a full scan; lines of the index are used where the lead file is unchanged.
    ///
    /// `withOpenReminders`: only leads with an open reminder are visited (`remind --due`,
    /// `--list`); an index line that says there is none is then not even decoded.
    /// `fields`: what is decoded from an index line (SummaryFields).
    public func scanSummaries(withOpenReminders: Bool = false, fields: SummaryFields = .all,
                              _ visit: (Lead) throws -> Void) throws -> [StoreError] {
        try scanSummaries(withOpenReminders: withOpenReminders, fields: fields, preparing: { _ in () }) { lead, _ in try visit(lead) }
    }

    /// The summaries of the leads `ids` (ascending, each once) in ID order, as
    /// `scanSummaries` makes them: only their files are stat-validated (and read, where
    /// their lines do not hold). An ID without a lead file is left out. The index is not
    /// refreshed from such a part of the store. For `report lost`, whose reasons live in
    /// the lead files: reading each lost lead's file whole took 1.8 s for 30,000 of them.
    public func summaries(of ids: [Int], fields: SummaryFields, _ visit: (Lead) throws -> Void) throws -> [StoreError] {
        guard !ids.isEmpty else { return [] }
        return try scanSummaries(withOpenReminders: false, fields: fields, only: ids, preparing: { _ in () }) { lead, _ in try visit(lead) }
    }

    /// As `scanSummaries(withOpenReminders:_:)`, with `prepare` run beside the decoding
    /// (see `scan(for:prepare:_:)`), only for the leads that are visited.
    public func scanSummaries<Prepared: Sendable>(withOpenReminders: Bool = false, fields: SummaryFields = .all,
                                                  prepare: @escaping @Sendable (Lead) -> Prepared,
                                                  _ visit: (Lead, Prepared) throws -> Void) throws -> [StoreError] {
        // Not generic below this line: a generic scan called from another module runs
        // unspecialised, and looked up the metadata of its item types for every lead.
        try scanSummaries(withOpenReminders: withOpenReminders, fields: fields, preparing: { prepare($0) }) { lead, prepared in
            try visit(lead, prepared as! Prepared)
        }
    }

    private func scanSummaries(withOpenReminders: Bool, fields: SummaryFields, only subset: [Int]? = nil,
                               preparing prepare: @escaping @Sendable (Lead) -> any Sendable,
                               _ visit: (Lead, any Sendable) throws -> Void) throws -> [StoreError] {
        let fields = withOpenReminders ? fields.union(.reminders) : fields
        let wanted: @Sendable (Lead) -> Bool = { lead in !withOpenReminders || lead.reminders.contains(where: \.isOpen) }
        return try withLock(.shared) { () throws -> [StoreError] in
            guard let leadsDir = try subdirectory(Self.leadsDirectory) else { return [] }
            guard SummaryIndexSwitch.enabled else {
                let ids: [Int]
                if let subset { ids = subset } else { ids = try Self.fileIDs(in: leadsDir) }
                return try Self.scan(leadsDir, ids: ids, notes: false,
                                     prepare: { lead in wanted(lead) ? prepare(lead) : () }) { lead, prepared in
                    if wanted(lead) { try visit(lead, prepared) }
                }
            }
            let indexDir = try subdirectory(Self.indexDirectory)
            // A file read from now on may change again within its time stamp's tick; the
            // refreshed index is written long after, so its own time stamp (the racy rule)
            // would not cover such a change: a file changed within the slack before this
            // moment is read but not recorded (git's racy entries, which it smudges).
            let scanStart = SummaryIndex.realTime()
            let local = leadsDir.fileSystemKind == .local
            // Listing the directory and loading the index are independent: one after the
            // other they kept a core idle for 30-40 ms on 100,000 leads.
            let (ids, index) = try together({ () throws(StoreError) in
                                                if let subset { return subset }
                                                return try Self.fileIDs(in: leadsDir)
                                            },
                                            { () throws(StoreError) in indexDir.flatMap(SummaryIndex.load) })

            typealias Item = SummaryScanItem
            let refreshes = subset == nil
            let work: @Sendable (Int) -> Item = { id in
                let name = "\(id).json"
                var st = stat()
                guard StaleHandle.retrying({ fstatat(leadsDir.fd, name, &st, AT_SYMLINK_NOFOLLOW) }) == 0 else {
                    return Item(failure: errno == ENOENT ? .leadNotFound(id) : .system(SystemError("stat", leadsDir.path(name))))
                }
                let current = SummaryIndex.FileStat(st)
                if withOpenReminders, let index, let entry = index.validEntry(id, current: current), index.hasNoOpenReminder(entry) {
                    return Item(line: .kept(entry.line))
                }
                if let (lead, line) = index?.lead(id, current: current, fields: fields) {
                    return Item(lead: lead, prepared: wanted(lead) ? prepare(lead) : nil, line: .kept(line))
                }
                do throws(StoreError) {
                    guard let (bytes, fresh) = try leadsDir.readWithStatus(name) else { throw .leadNotFound(id) }
                    do throws(JSONError) {
                        let lead = try Lead(bytes: bytes, expectedID: id, notes: false)
                        let stamp = SummaryIndex.FileStat(fresh)
                        let settled = stamp.changed < scanStart - SummaryIndex.racySlack(local: local, writtenAt: stamp.mtime)
                        // A part of the store refreshes no index, so its lines are not made.
                        return Item(lead: lead, prepared: wanted(lead) ? prepare(lead) : nil,
                                    line: settled && refreshes ? .fresh(SummaryIndex.line(lead, stat: stamp)) : .unrecorded)
                    } catch { throw .corrupt(path: leadsDir.path(name), error) }
                } catch {
                    return Item(failure: error)
                }
            }

            var problems: [StoreError] = []
            var lines: [SummaryScanLine] = []
            lines.reserveCapacity(ids.count)
            var readFromFiles = 0
            try Self.forEachInOrder(ids, chunk: 256, minimum: 512, work) { item in
                if let failure = item.failure {
                    if case .leadNotFound = failure { return }
                    problems.append(failure)
                    return
                }
                lines.append(item.line)
                guard item.lead != nil else { return }
                if item.line.isReadFromFile { readFromFiles += 1 }
                // The lead passed as the stored property it is, borrowed: binding it to a
                // name first copied it, a retain of every string in it.
                if let prepared = item.prepared { try visit(item.lead.unsafelyUnwrapped, prepared) }
            }


            // Refresh the index when a noticeable part had to be read from the files, or is
            // lines later ones replace: three update imports of 100,000 leads left a 159 MB
            // index that every reader loaded whole (peak RSS over 200 MB), never refreshed
            // as all its last lines were valid.
            let removed = (index?.entries.count ?? 0) - (ids.count - readFromFiles)
            let stale = readFromFiles + max(0, removed) + (index?.superseded ?? 0)
            var rewritten: [UInt8]?
            if refreshes, indexDir != nil, stale > max(32, ids.count / 64) {
                // Made at its final size: growing it by doubling held up to twice its
                // size at once beside the old index (peak RSS over 100 MB on 100,000 leads).
                var size = SummaryIndex.header.count
                for line in lines {
                    switch line {
                    case .kept(let range): size += range.count
                    case .fresh(let fresh): size += fresh.count
                    case .none, .unrecorded: continue
                    }
                }
                var bytes: [UInt8] = []
                bytes.reserveCapacity(size)
                bytes += SummaryIndex.header
                for line in lines {
                    switch line {
                    case .kept(let range): bytes += index!.bytes[range]
                    case .fresh(let fresh): bytes += fresh
                    case .none, .unrecorded: continue
                    }
                }
                rewritten = bytes
            } else if !refreshes, let index, indexDir != nil, index.superseded > max(32, index.entries.count / 64) {
                // A part of the store (report lost's leads) refreshes no line, but drops the
                // replaced ones: each ID's last line, only where the old index vouched for
                // it (a file changed within its racy window would otherwise be trusted by
                // the new index's later time stamp).
                let kept = index.entries.filter { $0.stat.changed < index.trustedBefore }
                var bytes = SummaryIndex.header
                bytes.reserveCapacity(bytes.count + kept.reduce(0) { $0 + $1.line.count })
                for entry in kept { bytes += index.bytes[entry.line] }
                rewritten = bytes
            }
            if let rewritten, let indexDir {
                _ = try? indexDir.writeAtomically(SummaryIndex.fileName, rewritten, durable: false,
                                                  groupShared: (try? config())?.sharedGroup ?? false)
            }
            return problems
        }
    }
}

/// One lead of a summary scan, made on a worker core: the lead and what `prepare` made
/// of it (nil: not visited), or why it could not be read; and its index line. No lead
/// and no failure: a lead the caller does not want, known from its valid line.
struct SummaryScanItem: Sendable {
    var lead: Lead? = nil
    var prepared: (any Sendable)? = nil
    var failure: StoreError? = nil
    var line: SummaryScanLine = .none
}

/// A lead's line for the refreshed index: none, the old one still valid, or a new one.
enum SummaryScanLine: Sendable {
    case none
    case kept(Range<Int>)
    case fresh([UInt8])
    /// Read from its file, which changed too shortly before the scan to be recorded.
    case unrecorded

    var isReadFromFile: Bool {
        switch self {
        case .fresh, .unrecorded: true
        case .none, .kept: false
        }
    }
}
