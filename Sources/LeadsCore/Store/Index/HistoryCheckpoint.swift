import Dispatch
import Glibc

// DIR/.index/history: the log's transitions (LeadHistory) as a replay made them, in a
// compact binary form, so that `pipeline --as-of` and `report …` read a few bytes per
// record instead of parsing each line as JSON (issue 20: the parse made them 55–85 × the
// time `cat` needs to read the log). Derived, and never trusted blindly. The calling
// sequence, whole:
//
// - The replay (`LeadStore.replayLog`, LogStream.swift; no lock, as for every log
//   reader) opens the log, takes its stat, and uses a checkpoint only when
//     1. the file is whole: its magic, its lengths, the checksum of its header words,
//        and the hash of each part of its stream, all read before one transition is
//        handed out (a report never sees half a checkpoint) — but for a checkpoint that
//        is the log's whole (2a held, nothing after `covered`) read by folds on two
//        cores, where each part's reader checks its part's hash as it decodes it and
//        drops what it made when the hash fails (`OpenCheckpoint.streamChecked`);
//     2. it describes the log's first `covered` bytes, by either test:
//        a. the stat shortcut: the same inode, size, modification and change time as
//           when made, the log's last change older than the checkpoint by more than
//           SummaryIndex.racySlackNanoseconds, and the last record covered where it
//           says, hashing to the SHA-256 recorded: LeadLogIndex's rules 2–4;
//        b. the content test: the log is at least `covered` long and its first
//           `covered` bytes hash (PrefixHash) to the state recorded. This reads them at
//           about the speed of `cat` and parses nothing; it is what makes a checkpoint
//           of a log that has grown since, or was touched, usable — and exact.
//   It then hands out the checkpoint's transitions, and replays only the records after
//   `covered`, from the lead states the checkpoint ends with and numbering lines on from
//   its count. Anything else, and it replays the whole log as without a checkpoint. A
//   reader that is a HistoryFold (`replayLog(into:)`) gets each part's transitions in a
//   fold of its own, and the records after `covered` to the fold of their lead's part;
//   when the checkpoint is the log's whole (the shortcut held, nothing after `covered`),
//   the two parts are decoded and folded on two cores at once, then merged.
//   When the shortcut held, the snapshots handed out hold only the fields the reader asks
//   for (ReplayFields, LeadHistory.swift); otherwise every field, as the states then
//   go on into the records' transitions and into a new checkpoint. A reader of stage
//   moves (ReplayTransitions) is not handed the checkpoint's transitions that keep a lead
//   in its stage, decided from string numbers; the decoder still makes their states
//   after, for `last`.
// - `LeadsAsOf` (`LeadStore.leadsAsOf`) reads a checkpoint that is the log's whole (the
//   shortcut held, nothing after `covered`) without transitions: the stream read whole
//   (some 30 bytes a record), then, for each part on a core of its own, a first pass
//   keeps each lead's state as a place in it (TransitionPlaces), and one snapshot is made
//   per lead from its place, with the string table of the whole part. Else it folds
//   `replayLog`'s transitions.
// - A replay that did not pass the stat shortcut writes a checkpoint of what it read (a
//   temporary name renamed over the old one; never fsynced; the stream spooled to an
//   unnamed file in `.index` as it is made, where the file system has them: HistoryRecorder) when the log did not change
//   during the replay — unless the old one failed the shortcut only for being racy and
//   the racy window has not passed yet, as LeadLogIndex does. A checkpoint of a grown
//   log is the old stream followed by the new records. Failures are ignored: it is
//   derived, and the next replay reads the log again.
// - Writers never touch it: an append fails the shortcut and passes the content test.
//   `fsck --repair`, the one command that rewrites the log, removes it.
// - `LEADS_INDEX=off` ignores it (the whole replay, for comparing).
//
// Layout. A header of little-endian 64-bit words: 0 magic; 1 log inode; 2 log size; 3 log
// mtime (ns); 4 log ctime (ns); 5 bytes covered; 6 lines covered; 7 offset of the last
// record covered; 8–11 its SHA-256; 12–20 the PrefixHash state of the bytes covered;
// 21 stream length; 22–30 and 31–39 the PrefixHash states of parts 0 and 1 (each over
// its frames in stream order, the 4-byte length and the bytes of each:
// `HistoryCheckpoint.hash(frame:into:)`); 40 the checksum of words 0–39
// (LeadLogIndex.checksum). Then the stream: frames, each a 32-bit little-endian
// length and that many bytes: its part's number, then whole items, so that a reader holds
// one frame at a time. A lead's transitions all go to part `id & 1`
// (HistoryCheckpoint.part(of:)), and each part is a stream of its own, interleaved with
// the other frame by frame — its own strings, time and lead differences and states
// before — so that two cores decode the two at once into a HistoryFold each
// (`OpenCheckpoint.replay(into:)`; Docs/performance.md). In each part, its leads'
// transitions are in log order. An item is a string definition (0, length, UTF-8 bytes: the next string number) or a
// transition (1, then: time and lead as zigzag differences from the transition before,
// action and user as string numbers, the state after, the state before). A state is 0
// absent, 1 unknown, 2 a snapshot, 4 the lead's state after its transition before this
// one (a note's, or a change's before), or — before only — 3 the same as after. A snapshot:
// a flag word (value, probability, close, owner, source, campaign, due day, due instant,
// labels), the stage's string, created as a zigzag difference from the transition's
// time, then each flagged field: value as zigzag units and currency string, probability
// zigzag, close as (year × 16 + month) × 32 + day, owner/source/campaign strings, due as
// such a day or as a zigzag difference of seconds, labels as a count and strings.
// Numbers are LEB128.

struct HistoryCheckpoint {
    static let fileName = "history"
    /// 3: two parts (2 had one stream in log order); 2: probabilities in hundredths of a
    /// percent (1 held whole percents).
    static let magic: UInt64 = LeadLogIndex.words(of: Array("leadshc3".utf8))[0]
    static let headerWords = 41
    static let frameTarget = 1 << 16
    /// The stream's parts: as many as the cores a report is measured on (2), as a part
    /// is decoded on one core.
    static let parts = 2

    /// The part holding a lead's transitions.
    static func part(of lead: Int) -> Int { lead & (parts - 1) }

    let header: [UInt64]
    var log: SummaryIndex.FileStat {
        SummaryIndex.FileStat(inode: header[1], size: Int64(bitPattern: header[2]),
                              mtime: Int64(bitPattern: header[3]), ctime: Int64(bitPattern: header[4]))
    }
    var covered: Int { Int(header[5]) }
    var lines: Int { Int(header[6]) }
    var lastOffset: Int { Int(header[7]) }
    var lastLink: ArraySlice<UInt64> { header[8..<12] }
    var prefixHash: PrefixHash? { PrefixHash(words: header[12..<21]) }
    var streamLength: Int { Int(header[21]) }
    /// Each part's PrefixHash over its frames (`hash(frame:into:)`).
    let partHashes: [PrefixHash]

    /// Whether the header read is whole and consistent (the first half of rule 1).
    init?(header: [UInt64], fileSize: Int) {
        guard header.count == Self.headerWords, header[0] == Self.magic,
              LeadLogIndex.checksum(header[0..<40]) == header[40],
              header[5] > 0, header[5] <= header[2], header[7] < header[5],
              header[21] == UInt64(fileSize - 8 * Self.headerWords) else { return nil }
        let parts = [PrefixHash(words: header[22..<31]), PrefixHash(words: header[31..<40])].compactMap { $0 }
        guard PrefixHash(words: header[12..<21]) != nil, parts.count == Self.parts else { return nil }
        self.header = header
        partHashes = parts
    }

    static func makeHeader(log: SummaryIndex.FileStat, covered: Int, lines: Int, lastOffset: Int, lastLink: [UInt8],
                           prefix: PrefixHash, streamLength: Int, parts: [PrefixHash]) -> [UInt64] {
        precondition(parts.count == Self.parts)
        var words: [UInt64] = [magic, log.inode, UInt64(bitPattern: log.size), UInt64(bitPattern: log.mtime),
                               UInt64(bitPattern: log.ctime), UInt64(covered), UInt64(lines), UInt64(lastOffset)]
        words += LeadLogIndex.words(of: lastLink)
        words += prefix.words
        words.append(UInt64(streamLength))
        for part in parts { words += part.words }
        words.append(LeadLogIndex.checksum(words[...]))
        return words
    }

    /// A frame (its part's number first) into its part's hash: its 4-byte length, then its
    /// bytes. Each part's hash is over its frames in stream order.
    static func hash(frame: UnsafeRawBufferPointer, into hash: inout PrefixHash) {
        var length = UInt32(frame.count).littleEndian
        withUnsafeBytes(of: &length) { hash.update($0) }
        hash.update(frame)
    }
}

/// How a checkpoint compares with the log (rule 2 of the header).
enum CheckpointFit: Equatable {
    /// The stat shortcut held: it describes this very log.
    case sameLog
    /// The content test held: the log's first `covered` bytes are the ones it replayed.
    case samePrefix
    /// Neither; `racyOnly` when the shortcut failed only for the racy window.
    case none(racyOnly: Bool)
}

/// An open checkpoint file, checked whole (rule 1) unless `streamChecked` is false, with
/// what rule 2 found.
struct OpenCheckpoint {
    let fd: Int32
    let checkpoint: HistoryCheckpoint
    let fit: CheckpointFit
    /// false: the stream's hashes are not checked yet. Only for a checkpoint that is the
    /// log's whole (`fit == .sameLog`, nothing after `covered`): the readers of such a one
    /// that decode its parts on two cores check each part's hash as they read it, and
    /// drop what they made when it fails (`replay(fields:transitions:into:)`,
    /// `statesAsOf`), so that rule 1's read of the whole stream is not a step of its own
    /// before them (a tenth of a report's time); any other reader calls `checkStream`
    /// first.
    let streamChecked: Bool

    init(fd: Int32, checkpoint: HistoryCheckpoint, fit: CheckpointFit, streamChecked: Bool = true) {
        self.fd = fd
        self.checkpoint = checkpoint
        self.fit = fit
        self.streamChecked = streamChecked
    }

    func close() { Glibc.close(fd) }

    /// Rule 1's test of the stream: each part's frames hash to the header's.
    func checkStream() -> Bool {
        var hashes = [PrefixHash](repeating: PrefixHash(), count: HistoryCheckpoint.parts)
        let whole: ()? = try? forEachFrame(of: nil) { part, _, frame in
            frame.withUnsafeBytes { HistoryCheckpoint.hash(frame: $0, into: &hashes[part]) }
        }
        return whole != nil && hashes == checkpoint.partHashes
    }

    /// The checkpoint in `dir` and how it fits the log open on `logFD` with stat `log`;
    /// nil when there is none, or none that is whole (but see `streamChecked`).
    static func open(in dir: Directory, logFD: Int32, log: SummaryIndex.FileStat) -> OpenCheckpoint? {
        let fd = openat(dir.fd, HistoryCheckpoint.fileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
              st.st_size >= 8 * HistoryCheckpoint.headerWords, st.st_size < 1 << 40 else {
            Glibc.close(fd)
            return nil
        }
        guard let header = readWords(fd, at: 0, count: HistoryCheckpoint.headerWords),
              let checkpoint = HistoryCheckpoint(header: header, fileSize: Int(st.st_size)) else {
            Glibc.close(fd)
            return nil
        }
        let writtenAt = SummaryIndex.FileStat(st).mtime
        let sameStat = checkpoint.log == log
        let notRacy = log.changed < writtenAt - SummaryIndex.racySlackNanoseconds
        let shortcut = sameStat && notRacy && lastRecordMatches(checkpoint, logFD: logFD)
        if shortcut && Int(log.size) == checkpoint.covered {
            return OpenCheckpoint(fd: fd, checkpoint: checkpoint, fit: .sameLog, streamChecked: false)
        }
        // Rule 1's stream hash and, without the shortcut, rule 2b's prefix hash: two reads
        // of different files, one on each core.
        final class Found: @unchecked Sendable { var streamWhole = false, prefixSame = false }  // each part sets its own
        let found = Found()
        let needPrefix = !shortcut && Int(log.size) >= checkpoint.covered
        let unchecked = OpenCheckpoint(fd: fd, checkpoint: checkpoint, fit: .none(racyOnly: false), streamChecked: false)
        DispatchQueue.concurrentPerform(iterations: needPrefix ? 2 : 1) { part in
            if part == 0 {
                found.streamWhole = unchecked.checkStream()
            } else {
                found.prefixSame = hash(fd: logFD, from: 0, count: checkpoint.covered) == checkpoint.prefixHash
            }
        }
        let prefixSame = found.prefixSame
        guard found.streamWhole else {
            Glibc.close(fd)
            return nil
        }
        let fit: CheckpointFit = shortcut ? .sameLog : prefixSame ? .samePrefix : .none(racyOnly: sameStat && !notRacy)
        return OpenCheckpoint(fd: fd, checkpoint: checkpoint, fit: fit)
    }

    private static func lastRecordMatches(_ checkpoint: HistoryCheckpoint, logFD: Int32) -> Bool {
        guard let last = LeadStore.line(at: checkpoint.lastOffset, fd: logFD, end: checkpoint.covered),
              checkpoint.lastOffset + last.count + 1 == checkpoint.covered else { return false }
        return LeadLogIndex.words(of: SHA256.hash(last)) == Array(checkpoint.lastLink)
    }

    /// The PrefixHash of `count` bytes of `fd` from `from`; nil when they cannot be read.
    static func hash(fd: Int32, from: Int, count: Int) -> PrefixHash? {
        var hash = PrefixHash()
        var buffer = [UInt8](repeating: 0, count: LeadStore.logBlockSize)
        var done = 0
        while done < count {
            let want = min(buffer.count, count - done)
            let n = buffer.withUnsafeMutableBytes { readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: from + done) }
            guard n == want else { return nil }
            buffer.withUnsafeBytes { hash.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            done += n
        }
        return hash
    }

    /// Hands out the checkpoint's transitions, frame by frame in file order: each lead's
    /// in log order, the two parts' interleaved a frame at a time. Returns each lead's
    /// state after its last transition (for replaying the records after `covered`).
    /// `keep`, when not nil, gets the stream's bytes and decoding state (for writing a
    /// longer checkpoint). The snapshots hold `fields` (ReplayFields); with `keep`, all of
    /// them, as the states it gets are written on.
    func replay(keep: HistoryRecorder?, fields: ReplayFields = .all, transitions: ReplayTransitions = .all,
                _ visit: (LeadTransition) throws -> Void) throws -> LeadStateTable {
        var decoder = StreamDecoder(fields: keep == nil ? fields : .all, transitions: transitions)
        try forEachFrame(of: nil) { _, _, frame in
            keep?.append(frame: frame)
            guard try decoder.decode(frame: frame, visit) else { throw Self.broken }
        }
        keep?.resume(after: decoder.parts)
        return decoder.last
    }

    /// The checkpoint's transitions folded into one `make()` per part, the parts on two
    /// cores at once (`together`), then merged: for a checkpoint that is the log's whole
    /// (nothing to replay after it, so the states it ends with are not needed). nil when a
    /// part's frames do not hash to the header's (`streamChecked`): what was made is
    /// dropped, errors of the folds included.
    func replay<Fold: HistoryFold>(fields: ReplayFields, transitions: ReplayTransitions, into make: () -> Fold) throws -> Fold? {
        let made = (make(), make())
        return try Self.eachPartTogether { part in
            try self.fold(part: part, fields: fields, transitions: transitions, into: part == 0 ? made.0 : made.1)
        } merging: { fold, other in try fold.absorb(other) }
    }

    /// `job` for each part, the two on two cores at once (`together`), the second's result
    /// merged into the first's; nil when either is nil (its part's hash failed).
    static func eachPartTogether<Made>(_ job: (Int) throws -> Made?, merging merge: (inout Made, Made) throws -> Void) throws -> Made? {
        precondition(HistoryCheckpoint.parts == 2, "together runs two jobs")
        let (first, second) = try together({ try job(0) }, { try job(1) })
        // Consumed and changed in place: a copy that shared the tables with `first` would
        // copy them whole at the first change (28 M instructions for accuracy's).
        var merged = consume first
        guard merged != nil, let other = second else { return nil }
        try merge(&merged!, other)
        ProcessLifetime.keep(other)
        return merged
    }

    /// One part folded, its frames hashed as they are read; nil when they do not hash to
    /// the header's. A frame that does not decode, or a fold's error, counts only once the
    /// hash holds.
    private func fold<Fold: HistoryFold>(part: Int, fields: ReplayFields, transitions: ReplayTransitions, into start: Fold) throws -> Fold? {
        var decoder = TransitionDecoder(fields: fields, transitions: transitions)
        var folding = FoldTransitions(fold: start)
        var hash = PrefixHash()
        var failure: Error?
        do {
            try forEachFrame(of: part) { _, items, frame in
                frame.withUnsafeBytes { HistoryCheckpoint.hash(frame: $0, into: &hash) }
                guard failure == nil else { return }
                do {
                    if try !decoder.decode(items, into: &folding) { failure = Self.broken }
                } catch {
                    failure = error
                }
            }
        } catch {
            if streamChecked { throw error }
            return nil
        }
        guard hash == checkpoint.partHashes[part] else { return nil }
        if let failure { throw failure }
        // Its states, a box per lead: freeing them would cost more than the decoding.
        ProcessLifetime.keep(decoder.last)
        return folding.fold
    }

    /// Each frame of part `only` (of every part when nil) in file order, read whole: its
    /// part, its items, and the frame's bytes (part number first). Frames of other parts
    /// are read past by their lengths.
    private func forEachFrame(of only: Int?, _ body: (_ part: Int, _ items: UnsafeBufferPointer<UInt8>, _ frame: ArraySlice<UInt8>) throws -> Void) throws {
        var frame = [UInt8]()
        var head = [UInt8](repeating: 0, count: 5)  // the length and the part's number
        var position = 8 * HistoryCheckpoint.headerWords
        let end = position + checkpoint.streamLength
        while position < end {
            guard end - position >= head.count,
                  head.withUnsafeMutableBytes({ readFully(fd, into: $0, at: position) }) == head.count else { throw Self.broken }
            let count = (0..<4).reduce(0) { $0 | Int(head[$1]) << (8 * $1) }, part = Int(head[4])
            guard count >= 1, count <= end - position - 4, part < HistoryCheckpoint.parts else { throw Self.broken }
            defer { position += 4 + count }
            if let only, part != only { continue }
            if frame.count < count { frame = [UInt8](repeating: 0, count: count) }
            let n = frame.withUnsafeMutableBytes { readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count]), at: position + 4) }
            guard n == count else { throw Self.broken }
            try frame.withUnsafeBufferPointer { all in
                try body(part, UnsafeBufferPointer(rebasing: all[1..<count]), frame[0..<count])
            }
        }
    }

    /// A checkpoint whose checksums hold but whose items do not decode: only a fault of
    /// the code that wrote it, as the stream hash rules out a damaged file.
    static let broken = StoreError.corrupt(path: LeadStore.indexDirectory + "/" + HistoryCheckpoint.fileName,
                                           JSONError(offset: 0, line: 0, column: 0, reason: .invalidValue("not a history checkpoint this version wrote")))
}

// MARK: - One snapshot per lead

extension OpenCheckpoint {
    /// `LeadsAsOf`'s states at `moment` from the checkpoint alone (it must be the log's
    /// whole: `fit == .sameLog`, nothing after `covered`), each snapshot holding `fields`
    /// as `replay` would make it. For each part, on a core of its own, a first pass over
    /// the stream, held whole, reads times, leads and the states' kinds and remembers where
    /// each lead's state that counts begins; then one snapshot is made per lead: `replay`
    /// made one, with its box, for every record (Docs/performance.md). String numbers are
    /// defined before use, so a snapshot read after the pass finds its strings in the
    /// table of its whole part.
    /// nil when a part's frames do not hash to the header's (`streamChecked`).
    func statesAsOf(_ moment: Timestamp, fields: ReplayFields) throws -> LeadTable<LeadState>? {
        // Neither the stream nor the places hold references: freed at once, not kept to the
        // process's end (ProcessLifetime), as accuracy's out-of-order path reads the stream
        // once per moment.
        let stream = try wholeStream()
        let hashes = checkpoint.partHashes
        return try stream.withUnsafeBufferPointer { all throws -> LeadTable<LeadState>? in
            // Each part's on a core of its own, its frames hashed as the first pass reads them.
            try Self.eachPartTogether { part in
                try Self.statesAsOf(moment, fields: fields, part: part, of: all, hash: hashes[part], checked: self.streamChecked)
            } merging: { states, other in states.absorb(other) }
        }
    }

    /// One part's states; nil when its frames do not hash to `expected`. A stream not
    /// `checked` that does not decode is one whose hash cannot hold: nil too. No snapshot
    /// is made before the hash held.
    private static func statesAsOf(_ moment: Timestamp, fields: ReplayFields, part: Int, of all: UnsafeBufferPointer<UInt8>,
                                   hash expected: PrefixHash, checked: Bool) throws -> LeadTable<LeadState>? {
        var pass = TransitionPlaces(all, part: part)
        var counted = LeadTable<AsOfPlace>()
        do {
            while let t = try pass.next() {
                // LeadsAsOf.add, on places.
                if t.time <= moment.seconds {
                    counted[t.lead] = .after(t.after)
                } else if counted[t.lead] == nil {
                    counted[t.lead] = .firstLater(t.before)
                }
            }
        } catch {
            if checked { throw error }
            return nil
        }
        guard pass.hash == expected else { return nil }
        var made = SnapshotMaker(all: all, strings: pass.strings, fields: fields)
        var states = LeadTable<LeadState>()
        for (id, place) in counted.entries {
            switch place {
            case .after(let after): states[id] = try made.state(after)
            case .firstLater(let before):
                switch try made.state(before) {
                case .absent: states[id] = .absent
                case .known(let snapshot): states[id] = snapshot.createdAt > moment ? .absent : .unknown
                case .unknown: states[id] = .unknown
                }
            }
        }
        return states
    }

    /// The stream, read whole: some 30 bytes a record. Not zeroed first (a tenth of
    /// `pipeline --as-of`'s own thread was memset).
    private func wholeStream() throws -> [UInt8] {
        let count = checkpoint.streamLength
        var n = 0
        let stream = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            n = readFully(fd, into: UnsafeMutableRawBufferPointer(buffer), at: 8 * HistoryCheckpoint.headerWords)
            initialized = max(0, n)
        }
        guard n == count else { throw Self.broken }
        return stream
    }
}

/// The first pass over a part of a stream held whole: each transition's time, lead, and the places
/// of its states after and before, with its lead's place before it (`was`, nil for its
/// first). `strings` holds the part's strings defined so far, `hash` the part's frames
/// entered so far (HistoryCheckpoint.hash(frame:into:)), `last` each lead's place after its
/// last transition so far. An iterator, not a visitor: a fold's state captured by a
/// closure cost an exclusivity check at each access (a quarter of a first version's
/// instructions).
private struct TransitionPlaces {
    let all: UnsafeBufferPointer<UInt8>
    private(set) var strings: [String] = []
    private(set) var hash = PrefixHash()
    private(set) var last = LeadTable<StatePlace>()
    private var time: Int64 = 0, lead: Int64 = 0
    private var cursor: ItemCursor
    private var frameStart = 0

    let part: Int

    init(_ all: UnsafeBufferPointer<UInt8>, part: Int) {
        self.all = all
        self.part = part
        cursor = ItemCursor(bytes: UnsafeBufferPointer(rebasing: all[0..<0]))
    }

    mutating func next() throws -> (time: Int64, lead: Int, after: StatePlace, before: StatePlace, was: StatePlace?)? {
        while true {
            if cursor.atEnd {
                let position = frameStart
                guard position < all.count else { return nil }
                guard all.count - position >= 4 else { throw OpenCheckpoint.broken }
                let count = (0..<4).reduce(0) { $0 | Int(all[position + $1]) << (8 * $1) }
                guard count >= 1, count <= all.count - position - 4, all[position + 4] < HistoryCheckpoint.parts
                else { throw OpenCheckpoint.broken }
                frameStart = position + 4 + count
                guard all[position + 4] == part else { continue }
                HistoryCheckpoint.hash(frame: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: all[(position + 4)..<frameStart])), into: &hash)
                cursor = ItemCursor(bytes: UnsafeBufferPointer(rebasing: all[0..<frameStart]), position: position + 5)
                continue
            }
            switch cursor.byte() {
            case 0:
                guard let count = cursor.number(), let text = cursor.text(count) else { throw OpenCheckpoint.broken }
                strings.append(text)
            case 1:
                guard let t = cursor.signed(), let l = cursor.signed(), cursor.stringNumber(strings) != nil,
                      cursor.stringNumber(strings) != nil else { throw OpenCheckpoint.broken }
                time &+= t
                lead &+= l
                let id = Int(lead)
                let was = last[id]
                guard let after = cursor.place(time: time, after: nil, previous: was),
                      let before = cursor.place(time: time, after: after, previous: was) else { throw OpenCheckpoint.broken }
                last[id] = after
                return (time, id, after, before, was)
            default:
                throw OpenCheckpoint.broken
            }
        }
    }
}

/// Where a state of the stream is: a snapshot by the offset of its flag word and the time
/// of its transition (its created and due times are differences from that).
private enum StatePlace: Equatable {
    case absent, unknown
    case snapshot(offset: Int, time: Int64)
}

/// The state that counts for a lead at a moment (LeadsAsOf): the one after its last
/// transition by then, or, for a lead first met later, the one before that transition.
private enum AsOfPlace {
    case after(StatePlace)
    case firstLater(StatePlace)
}

/// Makes the states at places of a stream held whole, as `TransitionDecoder` makes them.
private struct SnapshotMaker {
    let all: UnsafeBufferPointer<UInt8>
    let strings: [String]
    let fields: ReplayFields
    private var shared: SharedSnapshots?

    init(all: UnsafeBufferPointer<UInt8>, strings: [String], fields: ReplayFields) {
        self.all = all
        self.strings = strings
        self.fields = fields
        if TransitionDecoder.sharesSnapshots(fields) { shared = SharedSnapshots() }
    }

    mutating func state(_ place: StatePlace) throws -> LeadState {
        switch place {
        case .absent: return .absent
        case .unknown: return .unknown
        case .snapshot(let offset, let time):
            var cursor = ItemCursor(bytes: all, position: offset)
            let moment = Timestamp(seconds: time)
            let made = fields == .all ? cursor.knownState(strings, time: moment) : cursor.partialState(strings, time: moment, fields, &shared)
            guard let made else { throw OpenCheckpoint.broken }
            return made.state
        }
    }
}

extension ItemCursor {
    /// The place of the state at the cursor, the cursor past it: `state` without making it.
    mutating func place(time: Int64, after: StatePlace?, previous: StatePlace?) -> StatePlace? {
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case 0: position += 1; return .absent
        case 1: position += 1; return .unknown
        case 2:
            let offset = position + 1
            guard skipState() else { return nil }
            return .snapshot(offset: offset, time: time)
        case 3: position += 1; return after
        case 4: position += 1; return previous
        default: return nil
        }
    }
}

// MARK: - Items

/// Reads items of the stream, a frame at a time; the strings defined and the last time
/// and lead carry over from frame to frame.
struct TransitionDecoder {
    var strings: [String] = []
    var time: Int64 = 0
    var lead: Int64 = 0
    /// Each lead's state after its last transition so far.
    var last = LeadStateTable()
    /// What the snapshots hold (ReplayFields).
    let fields: ReplayFields
    /// With `fields` the stage and at most one group text: the one state of each stage
    /// and text met.
    private var shared: SharedSnapshots?
    /// Which transitions `decode` hands out (ReplayTransitions).
    let transitions: ReplayTransitions

    init(fields: ReplayFields = .all, transitions: ReplayTransitions = .all) {
        self.fields = fields
        self.transitions = transitions
        if Self.sharesSnapshots(fields) { shared = SharedSnapshots() }
    }

    /// Whether snapshots of `fields` are shared (SharedSnapshots).
    static func sharesSnapshots(_ fields: ReplayFields) -> Bool {
        fields.isSubset(of: ReplayFields.shareable) && fields.rawValue.nonzeroBitCount <= 1
    }

    /// The items of a frame (after its part's number) to `visit`; false when they do not
    /// decode.
    mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ visit: (LeadTransition) throws -> Void) throws -> Bool {
        try withoutActuallyEscaping(visit) { visit in
            var each = EachTransition(visit: visit)
            return try decode(bytes, into: &each)
        }
    }

    /// Generic, not a closure: the fold's `add` is made part of the loop (no call through
    /// a closure context per transition).
    mutating func decode<Visitor: TransitionVisitor>(_ bytes: UnsafeBufferPointer<UInt8>, into visitor: inout Visitor) throws -> Bool {
        var cursor = ItemCursor(bytes: bytes)
        while !cursor.atEnd {
            switch cursor.byte() {
            case 0:
                guard let count = cursor.number(), let text = cursor.text(count) else { return false }
                strings.append(text)
            case 1:
                guard let t = cursor.signed(), let l = cursor.signed(),
                      let action = cursor.string(strings), let user = cursor.string(strings) else { return false }
                time &+= t
                lead &+= l
                let moment = Timestamp(seconds: time), id = Int(lead)
                let previous = last[id]
                guard let (after, changed, afterStage) = cursor.state(strings, time: moment, after: nil, previous: previous, fields, &shared)
                else { return false }
                if changed { last[id] = after }
                // The before state read past and no transition made.
                if transitions == .stageMoves,
                   cursor.keepsStage(after: after, afterStage: afterStage, afterIsPrevious: !changed, previous: previous, strings) {
                    guard cursor.skipState() else { return false }
                    continue
                }
                guard let (before, _, _) = cursor.state(strings, time: moment, after: after, previous: previous, fields, &shared)
                else { return false }
                try visitor.add(LeadTransition(time: moment, lead: id, action: action, user: user, before: before, after: after))
            default:
                return false
            }
        }
        return true
    }
}

/// Decodes a whole stream, frame by frame in file order, each frame with its part's
/// decoder.
struct StreamDecoder {
    private(set) var parts: [TransitionDecoder]

    init(fields: ReplayFields = .all, transitions: ReplayTransitions = .all) {
        parts = (0..<HistoryCheckpoint.parts).map { _ in TransitionDecoder(fields: fields, transitions: transitions) }
    }

    /// A frame, its part's number first, to `visit`; false when it does not decode.
    mutating func decode(frame: ArraySlice<UInt8>, _ visit: (LeadTransition) throws -> Void) throws -> Bool {
        guard let part = frame.first, part < parts.count else { return false }
        return try frame.withUnsafeBufferPointer { try parts[Int(part)].decode(UnsafeBufferPointer(rebasing: $0.dropFirst()), visit) }
    }

    /// Each lead's state after its last transition so far.
    var last: LeadStateTable {
        var last = parts[0].last
        for part in parts.dropFirst() { last.absorb(part.last) }
        return last
    }
}

/// What a decoder hands its transitions to.
protocol TransitionVisitor {
    mutating func add(_ transition: LeadTransition) throws
}

/// A closure as a visitor.
struct EachTransition: TransitionVisitor {
    let visit: (LeadTransition) throws -> Void
    func add(_ transition: LeadTransition) throws { try visit(transition) }
}

/// A fold as a visitor.
struct FoldTransitions<Fold: HistoryFold>: TransitionVisitor {
    var fold: Fold
    mutating func add(_ transition: LeadTransition) throws { try fold.add(transition) }
}

private struct ItemCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    var atEnd: Bool { position >= bytes.count }

    mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    @inline(__always)
    mutating func number() -> UInt64? {
        // Most numbers in the stream (string numbers, flags, small differences) are one byte.
        if position < bytes.count, bytes[position] < 0x80 {
            defer { position += 1 }
            return UInt64(bytes[position])
        }
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count, shift < 64 {
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    @inline(__always)
    mutating func signed() -> Int64? {
        guard let n = number() else { return nil }
        return Int64(bitPattern: (n >> 1) ^ (0 &- (n & 1)))
    }

    mutating func string(_ strings: [String]) -> String? {
        guard let n = number(), n < UInt64(strings.count) else { return nil }
        return strings[Int(n)]
    }

    mutating func text(_ count: UInt64) -> String? {
        guard count <= UInt64(bytes.count - position) else { return nil }
        let slice = UnsafeBufferPointer(rebasing: bytes[position..<(position + Int(count))])
        position += Int(count)
        return String(validating: slice, as: UTF8.self)
    }

    mutating func day() -> CalendarDate? {
        guard let n = number() else { return nil }
        return CalendarDate(year: Int(n >> 9), month: Int((n >> 5) & 15), day: Int(n & 31))
    }

    /// The state, whether it is another than `previous`, and the string number of its
    /// stage when it is a snapshot read here (-1 otherwise).
    mutating func state(_ strings: [String], time: Timestamp, after: LeadState?, previous: LeadState?, _ fields: ReplayFields,
                        _ shared: inout SharedSnapshots?) -> (LeadState, changed: Bool, stage: Int)? {
        switch byte() {
        case 0: return (.absent, true, -1)
        case 1: return (.unknown, true, -1)
        case 2:
            let state = fields == .all ? knownState(strings, time: time) : partialState(strings, time: time, fields, &shared)
            return state.map { ($0.state, true, $0.stage) }
        case 3: return after.map { ($0, true, -1) }
        case 4: return previous.map { ($0, false, -1) }
        default: return nil
        }
    }

    /// `LeadTransition.keepsStage(previous:)` for the transition whose state after is
    /// `after` and whose state before is at the cursor, which stays where it is: decided
    /// by the before state's kind and stage number, and a comparison of stage strings only
    /// when the state after is a new snapshot and the one before a known one.
    /// `afterStage`: the stage number of `after` when it was read as a snapshot (-1 when
    /// not); `afterIsPrevious`: it is `previous` (kind 4).
    func keepsStage(after: LeadState, afterStage: Int, afterIsPrevious: Bool, previous: LeadState?, _ strings: [String]) -> Bool {
        guard position < bytes.count else { return false }
        let kind = bytes[position]
        if afterIsPrevious {
            // The stage after is the previous one: only the one before can differ.
            guard let stage = after.stage else { return false }
            switch kind {
            case 3, 4: return true
            case 2: return snapshotStage(strings).map { strings[$0] == stage } ?? false
            default: return false
            }
        }
        guard afterStage >= 0 else { return false }
        switch kind {
        case 3: break
        case 4: guard previous?.stage != nil else { return false }
        case 2: guard snapshotStage(strings) == afterStage else { return false }
        default: return false
        }
        guard let was = previous?.stage else { return true }
        return was == strings[afterStage]
    }

    /// The stage number of the snapshot at the cursor (at its kind byte); nil when it does
    /// not decode.
    private func snapshotStage(_ strings: [String]) -> Int? {
        var ahead = self
        ahead.position += 1
        guard ahead.skipNumber() else { return nil }
        return ahead.stringNumber(strings)
    }

    /// Past the state at the cursor, making nothing; false when it does not decode.
    mutating func skipState() -> Bool {
        guard let kind = byte() else { return false }
        guard kind == 2 else { return kind <= 4 }
        guard let flags = number(), skipNumber(), skipNumber() else { return false }
        // One number for each field flagged but the value (two) and the labels (a list).
        let numbers = (flags & SnapshotFlag.oneNumber).nonzeroBitCount + (flags & SnapshotFlag.value != 0 ? 2 : 0)
        for _ in 0..<numbers where !skipNumber() { return false }
        if flags & SnapshotFlag.labels != 0 {
            guard let count = number(), count <= UInt64(bytes.count - position) else { return false }
            for _ in 0..<Int(count) where !skipNumber() { return false }
        }
        return true
    }

    /// The fields are read into locals and the snapshot made by one init: filling in an
    /// empty one field by field cost `report lost` 240 M → 226 M instructions more. The
    /// compiler still copies the snapshot into its box (Docs/performance.md).
    mutating func knownState(_ strings: [String], time: Timestamp) -> (state: LeadState, stage: Int)? {
        guard let flags = number(), let stageNumber = stringNumber(strings), let created = signed() else { return nil }
        let stage = strings[stageNumber]
        var value: Money?, probability: Percent?, close: CalendarDate?, owner: String?, source: String?, campaign: String?
        var due: When?
        var labels: [String] = []
        if flags & SnapshotFlag.value != 0 {
            guard let units = signed(), let currency = string(strings) else { return nil }
            value = Money(amount: Amount(units: units), currency: currency)
        }
        if flags & SnapshotFlag.probability != 0 {
            guard let p = signed(), let hundredths = Int(exactly: p), let percent = Percent(hundredths: hundredths) else { return nil }
            probability = percent
        }
        if flags & SnapshotFlag.close != 0 {
            guard let day = day() else { return nil }
            close = day
        }
        if flags & SnapshotFlag.owner != 0 { guard let v = string(strings) else { return nil }; owner = v }
        if flags & SnapshotFlag.source != 0 { guard let v = string(strings) else { return nil }; source = v }
        if flags & SnapshotFlag.campaign != 0 { guard let v = string(strings) else { return nil }; campaign = v }
        if flags & SnapshotFlag.dueDay != 0 {
            guard let day = day() else { return nil }
            due = .day(day)
        }
        if flags & SnapshotFlag.dueInstant != 0 {
            guard let d = signed() else { return nil }
            due = .instant(Timestamp(seconds: time.seconds &+ d))
        }
        if flags & SnapshotFlag.labels != 0 {
            guard let count = number(), count <= UInt64(bytes.count - position) else { return nil }
            labels.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                guard let label = string(strings) else { return nil }
                labels.append(label)
            }
        }
        return (.known(LeadSnapshot(stage: stage, value: value, probability: probability, expectedClose: close, owner: owner,
                                    labels: labels, source: source, campaign: campaign, nextDue: due,
                                    createdAt: Timestamp(seconds: time.seconds &+ created))), stageNumber)
    }
}

extension ItemCursor {
    /// `knownState` holding only `fields`: the others are read past, not made. A snapshot
    /// of the stage and at most one group text is shared.
    mutating func partialState(_ strings: [String], time: Timestamp, _ fields: ReplayFields,
                               _ shared: inout SharedSnapshots?) -> (state: LeadState, stage: Int)? {
        guard let flags = number(), let stageNumber = stringNumber(strings) else { return nil }
        var created: Int64 = 0
        if fields.contains(.created) {
            guard let c = signed() else { return nil }
            created = c
        } else if !skipNumber() { return nil }
        var value: Money?, probability: Percent?, close: CalendarDate?, owner: Int?, source: Int?, campaign: Int?
        var due: When?
        var labels: [String] = []
        if flags & SnapshotFlag.value != 0 {
            if fields.contains(.value) {
                guard let units = signed(), let currency = stringNumber(strings) else { return nil }
                value = Money(amount: Amount(units: units), currency: strings[currency])
            } else if !skipNumber() || !skipNumber() { return nil }
        }
        if flags & SnapshotFlag.probability != 0 {
            if fields.contains(.probability) {
                guard let p = signed(), let hundredths = Int(exactly: p), let percent = Percent(hundredths: hundredths) else { return nil }
                probability = percent
            } else if !skipNumber() { return nil }
        }
        if flags & SnapshotFlag.close != 0 {
            if fields.contains(.close) {
                guard let day = day() else { return nil }
                close = day
            } else if !skipNumber() { return nil }
        }
        if flags & SnapshotFlag.owner != 0 {
            guard let v = stringNumber(strings) else { return nil }
            if fields.contains(.owner) { owner = v }
        }
        if flags & SnapshotFlag.source != 0 {
            guard let v = stringNumber(strings) else { return nil }
            if fields.contains(.source) { source = v }
        }
        if flags & SnapshotFlag.campaign != 0 {
            guard let v = stringNumber(strings) else { return nil }
            if fields.contains(.campaign) { campaign = v }
        }
        if flags & SnapshotFlag.dueDay != 0 {
            if fields.contains(.due) {
                guard let day = day() else { return nil }
                due = .day(day)
            } else if !skipNumber() { return nil }
        }
        if flags & SnapshotFlag.dueInstant != 0 {
            if fields.contains(.due) {
                guard let d = signed() else { return nil }
                due = .instant(Timestamp(seconds: time.seconds &+ d))
            } else if !skipNumber() { return nil }
        }
        if flags & SnapshotFlag.labels != 0 {
            guard let count = number(), count <= UInt64(bytes.count - position) else { return nil }
            if fields.contains(.labels) {
                labels.reserveCapacity(Int(count))
                for _ in 0..<Int(count) {
                    guard let label = stringNumber(strings) else { return nil }
                    labels.append(strings[label])
                }
            } else {
                for _ in 0..<Int(count) where !skipNumber() { return nil }
            }
        }
        if shared != nil {
            let state = shared!.state(stage: stageNumber, text: owner ?? source ?? campaign ?? -1) {
                .known(LeadSnapshot(stage: strings[stageNumber], value: nil, probability: nil, expectedClose: nil,
                                    owner: owner.map { strings[$0] }, labels: [], source: source.map { strings[$0] },
                                    campaign: campaign.map { strings[$0] }, nextDue: nil, createdAt: Timestamp(seconds: 0)))
            }
            return (state, stageNumber)
        }
        return (.known(LeadSnapshot(stage: strings[stageNumber], value: value, probability: probability, expectedClose: close,
                                    owner: owner.map { strings[$0] }, labels: labels, source: source.map { strings[$0] },
                                    campaign: campaign.map { strings[$0] }, nextDue: due,
                                    createdAt: Timestamp(seconds: fields.contains(.created) ? time.seconds &+ created : 0))), stageNumber)
    }

    /// A string's number, checked against the strings defined.
    @inline(__always)
    mutating func stringNumber(_ strings: [String]) -> Int? {
        guard let n = number(), n < UInt64(strings.count) else { return nil }
        return Int(n)
    }

    /// Past a number not read; false when it does not end in the frame. Its value is not
    /// checked: the stream hash holds, so it is one this version wrote, and no reader
    /// looks at it.
    @inline(__always)
    mutating func skipNumber() -> Bool {
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            if b < 0x80 { return true }
        }
        return false
    }
}

/// The shared states of a decoder whose snapshots hold the stage and at most one group
/// text, by the string numbers of stage and text: arrays, as hashing a key per
/// transition was a fifth of `report lost`.
struct SharedSnapshots {
    private var states: [[LeadState?]] = []

    /// `text`: -1 for none.
    mutating func state(stage: Int, text: Int, _ make: () -> LeadState) -> LeadState {
        let slot = text + 1
        if stage < states.count, slot < states[stage].count, let state = states[stage][slot] { return state }
        if stage >= states.count { states.append(contentsOf: repeatElement([], count: stage + 1 - states.count)) }
        if slot >= states[stage].count { states[stage].append(contentsOf: repeatElement(nil, count: slot + 1 - states[stage].count)) }
        let state = make()
        states[stage][slot] = state
        return state
    }
}

private enum SnapshotFlag {
    static let value: UInt64 = 1, probability: UInt64 = 2, close: UInt64 = 4, owner: UInt64 = 8
    static let source: UInt64 = 16, campaign: UInt64 = 32, dueDay: UInt64 = 64, dueInstant: UInt64 = 128
    static let labels: UInt64 = 256
    static let oneNumber = probability | close | owner | source | campaign | dueDay | dueInstant
}

/// Collects a replay's transitions as a checkpoint's stream: the old stream's frames as
/// read (`append(frame:)`, then `resume(after:)`), then each new transition, to the
/// encoder of its lead's part. A class, as the replay's fold stage adds to it from its own
/// thread.
final class HistoryRecorder: @unchecked Sendable {
    /// The stream where there is no spool.
    private var stream: [UInt8] = []
    private(set) var streamLength = 0
    /// Each part's hash over its frames (HistoryCheckpoint.hash(frame:into:)).
    private(set) var partHashes = [PrefixHash](repeating: PrefixHash(), count: HistoryCheckpoint.parts)
    /// Where closed frames go when the directory allows: an unnamed file in `.index`
    /// (`Directory.unnamedFile`), its first bytes left for the header, so that memory
    /// holds a frame, not the stream beside the states (28 MB at 1,000,000 records:
    /// `pipeline --as-of` rebuilding the checkpoint on 100,000 leads peaked at 103 MB),
    /// and a killed report leaves nothing. Opened with the first frame.
    private let spoolDirectory: Directory?
    private let groupShared: () -> Bool
    private var spool: Int32?
    private var spoolFailed = false
    private var parts = (0..<HistoryCheckpoint.parts).map(PartEncoder.init(part:))

    /// `spoolIn`: the directory of the checkpoint, for the spool; nil keeps the stream in
    /// memory. `groupShared`: asked when the checkpoint's file is made (the spool, or the
    /// file `write` makes), not at every replay that makes none.
    init(spoolIn directory: Directory? = nil, groupShared: @escaping () -> Bool = { false }) {
        spoolDirectory = directory
        self.groupShared = groupShared
    }

    deinit { if let spool { close(spool) } }

    /// A whole frame, its part's number first.
    func append(frame bytes: ArraySlice<UInt8>) {
        var length = UInt32(bytes.count).littleEndian
        let part = Int(bytes[bytes.startIndex])  // a frame read from a checked stream, or made by a PartEncoder
        bytes.withUnsafeBytes { HistoryCheckpoint.hash(frame: $0, into: &partHashes[part]) }
        if streamLength == 0, let directory = spoolDirectory, let fd = directory.unnamedFile(groupShared: groupShared()) {
            spool = fd
            spoolFailed = lseek(fd, off_t(8 * HistoryCheckpoint.headerWords), SEEK_SET) < 0
        }
        if let spool {
            if !spoolFailed {
                spoolFailed = withUnsafeBytes(of: &length, { writeFully(spool, $0) }) != 0
                    || bytes.withUnsafeBytes({ writeFully(spool, $0) }) != 0
            }
        } else {
            withUnsafeBytes(of: &length) { stream += $0 }
            stream += bytes
        }
        streamLength += 4 + bytes.count
    }

    /// Goes on from the decoders that read the old stream, one per part.
    func resume(after decoders: [TransitionDecoder]) {
        for (part, decoder) in decoders.enumerated() { parts[part].resume(after: decoder) }
    }

    func add(_ t: LeadTransition) {
        let part = HistoryCheckpoint.part(of: t.lead)
        parts[part].add(t)
        if parts[part].frame.count >= HistoryCheckpoint.frameTarget { closeFrame(part) }
    }

    /// Writes the checkpoint with `header` (made from `streamLength` and `partHashes`,
    /// after `finish`) over the one in `directory`: the spool given its header and linked
    /// in, or the stream in memory written after the header. Not synced: it is derived.
    /// Either way the recorder, kept to the process's end with the states it holds, lets
    /// go of the stream.
    func write(header: [UInt64], to directory: Directory) throws(SystemError) {
        let head = header.map(\.littleEndian).withUnsafeBytes { Array($0) }
        if let spool {
            defer {
                close(spool)
                self.spool = nil
            }
            guard !spoolFailed else { throw SystemError("write", directory.path(HistoryCheckpoint.fileName), EIO) }
            let n = head.withUnsafeBytes { pwrite(spool, $0.baseAddress, $0.count, 0) }
            guard n == head.count else { throw SystemError("write", directory.path(HistoryCheckpoint.fileName)) }
            do { try directory.publish(spool, as: HistoryCheckpoint.fileName) } catch {
                // A file system that makes unnamed files but cannot link them in (a FUSE
                // one): the spool copied to a named temporary file instead.
                let total = head.count + streamLength
                try directory.writeAtomically(HistoryCheckpoint.fileName, durable: false, groupShared: groupShared()) { fd, path throws(SystemError) in
                    var block = [UInt8](repeating: 0, count: LeadStore.logBlockSize)
                    var done = 0
                    while done < total {
                        let want = min(block.count, total - done)
                        let got = block.withUnsafeMutableBytes { readFully(spool, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]), at: done) }
                        guard got == want else { throw SystemError("read", path, EIO) }
                        try writeAll(fd, Array(block[0..<want]), path: path)
                        done += want
                    }
                }
            }
            return
        }
        let stream = self.stream
        self.stream = []
        try directory.writeAtomically(HistoryCheckpoint.fileName, durable: false, groupShared: groupShared()) { fd, path throws(SystemError) in
            try writeAll(fd, head, path: path)
            try writeAll(fd, stream, path: path)
        }
    }

    /// Closes the last frames: `streamLength` and `partHashes` are the whole stream's.
    /// Returns the stream held in memory (by a recorder without a spool; empty else).
    @discardableResult
    func finish() -> [UInt8] {
        for part in parts.indices { closeFrame(part) }
        return stream
    }

    private func closeFrame(_ part: Int) {
        guard parts[part].frame.count > 1 else { return }
        append(frame: parts[part].frame[...])
        parts[part].startFrame()
    }
}

/// One part of a stream being written (HistoryRecorder): its frame so far, and the strings,
/// time, lead and states its items go on from.
private struct PartEncoder {
    let part: Int
    /// The part's number, then the items.
    private(set) var frame: [UInt8] = []
    private var strings: [String: UInt64] = [:]
    private var time: Int64 = 0
    private var lead: Int64 = 0
    private var last = LeadStateTable()
    // The last action and user written, with their numbers: most records repeat them.
    private var lastAction = ("", UInt64.max), lastUser = ("", UInt64.max)

    init(part: Int) {
        self.part = part
        frame.reserveCapacity(HistoryCheckpoint.frameTarget + 4096)
        startFrame()
    }

    mutating func startFrame() {
        frame.removeAll(keepingCapacity: true)
        frame.append(UInt8(part))
    }

    mutating func resume(after decoder: TransitionDecoder) {
        for (i, string) in decoder.strings.enumerated() { strings[string] = UInt64(i) }
        time = decoder.time
        lead = decoder.lead
        last = decoder.last
    }

    mutating func add(_ t: LeadTransition) {
        let previous = last[t.lead]
        let afterIsPrevious = previous == t.after
        let beforeIsAfter = t.before == t.after
        let beforeIsPrevious = !beforeIsAfter && previous == t.before
        // Strings first: a definition may not sit inside the item that uses it.
        if t.action != lastAction.0 || lastAction.1 == .max { lastAction = (t.action, string(t.action)) }
        if t.user != lastUser.0 || lastUser.1 == .max { lastUser = (t.user, string(t.user)) }
        if !afterIsPrevious { define(t.after) }
        if !beforeIsAfter && !beforeIsPrevious { define(t.before) }
        frame.append(1)
        signed(t.time.seconds &- time)
        signed(Int64(t.lead) &- lead)
        time = t.time.seconds
        lead = Int64(t.lead)
        number(lastAction.1)
        number(lastUser.1)
        if afterIsPrevious { frame.append(4) } else { state(t.after, time: t.time) }
        if beforeIsAfter { frame.append(3) } else if beforeIsPrevious { frame.append(4) } else { state(t.before, time: t.time) }
        if !afterIsPrevious { last[t.lead] = t.after }
    }

    private mutating func number(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            frame.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        frame.append(UInt8(v))
    }

    private mutating func signed(_ value: Int64) {
        number(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// The string's number, defining it (in the frame, before the item using it) when new.
    private mutating func string(_ text: String) -> UInt64 {
        if let known = strings[text] { return known }
        let n = UInt64(strings.count)
        strings[text] = n
        frame.append(0)
        var copy = text
        copy.withUTF8 { utf8 in
            number(UInt64(utf8.count))
            frame.append(contentsOf: utf8)
        }
        return n
    }

    private mutating func day(_ date: CalendarDate) {
        number(UInt64(date.year) << 9 | UInt64(date.month) << 5 | UInt64(date.day))
    }

    private mutating func state(_ state: LeadState, time: Timestamp) {
        switch state {
        case .absent: frame.append(0)
        case .unknown: frame.append(1)
        case .known(let s): snapshot(s, time: time)
        }
    }

    private mutating func define(_ state: LeadState) {
        guard case .known(let s) = state else { return }
        _ = string(s.stage)
        if let value = s.value { _ = string(value.currency) }
        for text in [s.owner, s.source, s.campaign] { if let text { _ = string(text) } }
        for label in s.labels { _ = string(label) }
    }

    /// Its strings are defined already (`define`).
    private mutating func snapshot(_ s: LeadSnapshot, time: Timestamp) {
        let stage = string(s.stage)
        let currency = s.value.map { string($0.currency) }
        let owner = s.owner.map { string($0) }, source = s.source.map { string($0) }, campaign = s.campaign.map { string($0) }
        let labels = s.labels.map { string($0) }
        frame.append(2)
        var flags: UInt64 = 0
        if s.value != nil { flags |= SnapshotFlag.value }
        if s.probability != nil { flags |= SnapshotFlag.probability }
        if s.expectedClose != nil { flags |= SnapshotFlag.close }
        if owner != nil { flags |= SnapshotFlag.owner }
        if source != nil { flags |= SnapshotFlag.source }
        if campaign != nil { flags |= SnapshotFlag.campaign }
        switch s.nextDue {
        case .day?: flags |= SnapshotFlag.dueDay
        case .instant?: flags |= SnapshotFlag.dueInstant
        case nil: break
        }
        if !labels.isEmpty { flags |= SnapshotFlag.labels }
        number(flags)
        number(stage)
        signed(s.createdAt.seconds &- time.seconds)
        if let value = s.value, let currency {
            signed(value.amount.units)
            number(currency)
        }
        if let p = s.probability { signed(Int64(p.hundredths)) }
        if let close = s.expectedClose { day(close) }
        if let owner { number(owner) }
        if let source { number(source) }
        if let campaign { number(campaign) }
        switch s.nextDue {
        case .day(let d)?: day(d)
        case .instant(let t)?: signed(t.seconds &- time.seconds)
        case nil: break
        }
        if !labels.isEmpty {
            number(UInt64(labels.count))
            for label in labels { number(label) }
        }
    }
}
