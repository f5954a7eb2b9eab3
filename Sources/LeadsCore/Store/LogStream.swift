import Dispatch
import Glibc

// DIR/activity.log read front to back in fixed blocks, for the history reports
// (`pipeline --as-of`, `report …`): memory stays that of one block however long the
// log is. No lock: records are appended whole with one write each, the size read at
// the start bounds the read (a record appended meanwhile is not half-seen), and a
// torn last line is not a record.

/// The log's complete lines, one block at a time: `next` reads the next block and hands
/// each line finished in it to the visitor, with its 1-based number. A line longer than
/// a block grows the buffer; a torn last line is never handed out.
struct LogBlockReader {
    let fd: Int32
    /// The log's stat when opened: its size bounds the reading.
    let log: SummaryIndex.FileStat
    private var remaining: Int
    private var buffer: [UInt8]
    private var kept = 0       // bytes of an unfinished line carried over to the front
    private(set) var number = 0
    /// The end of the last whole line handed out.
    private(set) var consumed = 0
    /// The offset of the last whole line handed out.
    private(set) var lastLine = 0
    /// When set, carried on over every whole line handed out, newline included.
    var hash: PrefixHash?

    /// nil: there is no log (yet).
    init?(_ root: Directory) throws(StoreError) {
        let fd = openat(root.fd, ActivityLog.fileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw StoreError.notARegularFile(ActivityLog.fileName) }
            throw StoreError.system(SystemError("open", ActivityLog.fileName))
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            Glibc.close(fd)
            throw StoreError.system(SystemError("stat", ActivityLog.fileName))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw StoreError.notARegularFile(ActivityLog.fileName)
        }
        self.fd = fd
        log = SummaryIndex.FileStat(st)
        remaining = Int(st.st_size)
        buffer = [UInt8](repeating: 0, count: LeadStore.logBlockSize)
    }

    /// Goes on from `offset`, the end of line `line` starting at `lastLine` (a
    /// checkpoint's), before any reading.
    mutating func skip(to offset: Int, line: Int, lastLine: Int) throws(StoreError) {
        guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw .system(SystemError("seek", ActivityLog.fileName))
        }
        remaining = max(0, Int(log.size) - offset)
        consumed = offset
        number = line
        self.lastLine = lastLine
    }

    func close() { Glibc.close(fd) }

    /// Reads one block and visits the lines it completes; false once the log is read.
    mutating func next(_ visit: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int) throws(StoreError) -> Void) throws(StoreError) -> Bool {
        guard remaining > 0 else { return false }
        if kept == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }  // a line longer than a block
        let want = min(buffer.count - kept, remaining)
        let kept = self.kept
        let n = buffer.withUnsafeMutableBytes { readRetrying(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[kept..<(kept + want)])) }
        if n < 0 { throw .system(SystemError("read", ActivityLog.fileName)) }
        if n == 0 {
            remaining = 0
            return false
        }
        remaining -= n
        let filled = kept + n
        var start = 0
        var number = self.number
        var lineStart = lastLine
        defer {
            self.number = number
            lastLine = lineStart
        }
        let blockOffset = consumed
        try buffer.withUnsafeBufferPointer { (all) throws(StoreError) in
            guard let base = all.baseAddress else { return }
            var position = 0
            while position < filled {
                guard let p = memchr(base + position, 10, filled - position) else { break }
                let end = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                number += 1
                lineStart = blockOffset + start
                try visit(UnsafeBufferPointer(start: base + start, count: end - start), number)
                position = end + 1
                start = position
            }
            if hash != nil { hash!.update(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: all[0..<start]))) }
        }
        consumed += start
        self.kept = filled - start
        if self.kept > 0 && start > 0 {
            let left = self.kept
            buffer.withUnsafeMutableBytes { raw in
                _ = memmove(raw.baseAddress!, raw.baseAddress! + start, left)
            }
        }
        return true
    }
}

extension LeadStore {
    static let logBlockSize = 1 << 20

    /// The line starting at `offset` (which must follow a newline, or be 0), without its
    /// newline; nil when there is no whole line there before `end`.
    static func line(at offset: Int, fd: Int32, end: Int) -> [UInt8]? {
        let start = max(0, offset - 1)
        var want = 1024
        while true {
            let count = min(want, end - start)
            guard count > 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: count)
            guard buffer.withUnsafeMutableBytes({ readFully(fd, into: $0, at: start) }) == count else { return nil }
            if offset > 0 && buffer[0] != 10 { return nil }
            let from = offset - start
            if let newline = buffer[from...].firstIndex(of: 10) { return Array(buffer[from..<newline]) }
            if start + count == end { return nil }
            want *= 4
        }
    }
}

extension LeadStore {
    /// Every transition of the log, oldest record first (`LeadHistory`), each line read
    /// straight from the block it sits in: no copy of the line and no JSON tree for a
    /// plain record. A line that is not a record stops the replay, named by number, after
    /// every record before it was visited.
    ///
    /// With two cores or more, one reads and parses the next block while another folds
    /// the block before it and hands its transitions to `visit`, in order: parsing was
    /// 40 % of a report's time on 100,000 leads.
    ///
    /// The transitions of the log's first bytes come from the history checkpoint when it
    /// holds them (Index/HistoryCheckpoint.swift: its calling sequence), and a replay that
    /// read the log writes one. `fields`: what `visit` reads of the snapshots
    /// (ReplayFields); those of the checkpoint may hold no more when it is the log's.
    /// `transitions`: which the checkpoint hands out (ReplayTransitions); the records read
    /// from the log are all handed out, as a reader of stage moves is right on the others
    /// too and a test per record would cost the fold more than it saves the reader.
    ///
    /// Handed out in log order for each lead; the checkpoint's, of two leads in different
    /// parts, in no set order between them.
    public func replayLog(reading fields: ReplayFields = .all, transitions: ReplayTransitions = .all,
                          _ visit: (LeadTransition) throws -> Void) throws {
        try replayLog(reading: fields, transitions: transitions, wholeCheckpoint: { _ in false }, visit)
    }

    /// `replayLog` into two folds made by `make`, one per part of the checkpoint
    /// (HistoryCheckpoint.part(of:)), each fed its leads' transitions in log order, then
    /// merged (HistoryFold). When the checkpoint is the log's whole (the stat shortcut
    /// held, nothing after it: a report run again), the two parts are decoded and folded
    /// on two cores at once.
    public func replayLog<Fold: HistoryFold>(reading fields: ReplayFields, transitions: ReplayTransitions = .all,
                                             into make: () -> Fold) throws -> Fold {
        precondition(HistoryCheckpoint.parts == 2, "a fold per part")
        var parts = (make(), make())
        var whole: Fold?
        try replayLog(reading: fields, transitions: transitions,
                      wholeCheckpoint: { whole = try $0.replay(fields: fields, transitions: transitions, into: make); return whole != nil }) { t in
            if HistoryCheckpoint.part(of: t.lead) == 0 { try parts.0.add(t) } else { try parts.1.add(t) }
        }
        if let whole { return whole }
        try parts.0.absorb(parts.1)
        return parts.0
    }

    /// The leads as they stood at `moment`: a `LeadsAsOf` fed every transition, or, when
    /// the history checkpoint is the whole log's, its states from the checkpoint with one
    /// snapshot made per lead (`OpenCheckpoint.statesAsOf`). `fields` as for `replayLog`.
    public func leadsAsOf(_ moment: Timestamp, reading fields: ReplayFields) throws -> LeadsAsOf {
        var then = LeadsAsOf(moment: moment)
        var fromCheckpoint: LeadTable<LeadState>?
        try replayLog(reading: fields, transitions: .all,
                      wholeCheckpoint: { fromCheckpoint = try $0.statesAsOf(moment, fields: fields); return fromCheckpoint != nil }) { then.add($0) }
        if let fromCheckpoint { then = LeadsAsOf(moment: moment, states: fromCheckpoint) }
        return then
    }

    /// `wholeCheckpoint` is offered a checkpoint that is the whole log's (the stat
    /// shortcut held, nothing after `covered`), its stream not checked yet
    /// (`OpenCheckpoint.streamChecked`); true: it read it, each part's hash held, and its
    /// transitions do not go to `visit`; false: it did not, or a hash failed.
    private func replayLog(reading fields: ReplayFields, transitions: ReplayTransitions,
                           wholeCheckpoint: (OpenCheckpoint) throws -> Bool, _ visit: (LeadTransition) throws -> Void) throws {
        guard let root, var reader = try LogBlockReader(root) else { return }
        defer { reader.close() }
        let indexDir = SummaryIndexSwitch.enabled ? try? subdirectory(Self.indexDirectory) : nil
        let recorder = indexDir.map { dir in HistoryRecorder(spoolIn: dir, groupShared: { (try? self.config())?.sharedGroup ?? false }) }
        var history = LeadHistory()
        var racyOnly = false
        if let indexDir, let open = OpenCheckpoint.open(in: indexDir, logFD: reader.fd, log: reader.log) {
            defer { open.close() }
            var fit = open.fit
            if !open.streamChecked {
                if try wholeCheckpoint(open) { return }
                if !open.checkStream() { fit = .none(racyOnly: false) }
            }
            switch fit {
            case .sameLog, .samePrefix:
                let grown = Int(reader.log.size) > open.checkpoint.covered
                let sameLog = fit == .sameLog
                // A checkpoint of a grown log goes on into a new one, and the states it ends
                // with into the new records' transitions: whole.
                let last = try open.replay(keep: sameLog ? nil : recorder, fields: sameLog ? fields : .all,
                                           transitions: transitions, visit)
                if sameLog && !grown {
                    ProcessLifetime.keep(last)
                    return
                }
                try reader.skip(to: open.checkpoint.covered, line: open.checkpoint.lines, lastLine: open.checkpoint.lastOffset)
                reader.hash = open.checkpoint.prefixHash
                history = LeadHistory(last: last)
                if sameLog {
                    // Only a torn last line can follow; there is nothing to write.
                    try replayRecords(&reader, history, visit)
                    return
                }
            case .none(let racy):
                racyOnly = racy
            }
        }
        if reader.hash == nil && recorder != nil { reader.hash = PrefixHash() }
        if let recorder {
            try replayRecords(&reader, history) { transition in
                recorder.add(transition)
                try visit(transition)
            }
        } else {
            try replayRecords(&reader, history, visit)
        }
        guard let indexDir, let recorder, let hash = reader.hash, reader.consumed > 0 else { return }
        if racyOnly && SummaryIndex.realTime() - reader.log.changed <= SummaryIndex.racySlackNanoseconds { return }
        var after = stat()
        guard fstat(reader.fd, &after) == 0, SummaryIndex.FileStat(after) == reader.log,
              let last = Self.line(at: reader.lastLine, fd: reader.fd, end: reader.consumed) else { return }
        ProcessLifetime.keep(recorder)
        recorder.finish()
        let header = HistoryCheckpoint.makeHeader(log: reader.log, covered: reader.consumed, lines: reader.number,
                                                  lastOffset: reader.lastLine, lastLink: SHA256.hash(last), prefix: hash,
                                                  streamLength: recorder.streamLength, parts: recorder.partHashes)
        try? recorder.write(header: header, to: indexDir)
    }

    /// The records `reader` has left, folded from `history` (the two-stage replay).
    private func replayRecords(_ reader: inout LogBlockReader, _ history: LeadHistory,
                               _ visit: (LeadTransition) throws -> Void) throws {
        let stages = ReplayStages(reader, history)
        defer {
            reader = stages.reader
            ProcessLifetime.keep(stages)  // its history: a state per lead
        }
        var block = stages.parse()
        while block.more && block.failure == nil {
            stages.current = block.records
            // Disjoint state: the reader and the texts are the parse's; the history and
            // `current` the fold's.
            block = try together({ stages.parse() }, { try stages.foldCurrent(visit) }).0
        }
        stages.current = block.records
        try stages.foldCurrent(visit)
        if let failure = block.failure { throw failure }
    }
}

/// The two halves of `replayLog`: parsing a block's lines into records, and folding
/// records into transitions. A class so the two can run on two threads at once, each
/// touching only its own members (see `replayLog`).
private final class ReplayStages: @unchecked Sendable {
    struct Block {
        var records: [ReplayRecord] = []
        /// false: the log is read to its end, or `failure` stopped the reading.
        var more = false
        var failure: Error?
    }

    // The parse's.
    var reader: LogBlockReader
    private var texts = ReplayTexts()
    // The fold's.
    private var history: LeadHistory
    var current: [ReplayRecord] = []

    init(_ reader: LogBlockReader, _ history: LeadHistory) {
        self.reader = reader
        self.history = history
    }

    /// The records of the next block, with the error of its first bad line, if any.
    func parse() -> Block {
        var block = Block()
        block.records.reserveCapacity(4096)
        do {
            block.more = try reader.next { (line, number) throws(StoreError) in
                do throws(JSONError) { block.records.append(try ReplayRecord.parse(line, &texts)) } catch {
                    var positioned = error
                    positioned.line = number
                    throw .corrupt(path: ActivityLog.fileName, positioned)
                }
            }
        } catch {
            block.more = false
            block.failure = error
        }
        return block
    }

    func foldCurrent(_ visit: (LeadTransition) throws -> Void) throws {
        for record in current {
            if let transition = history.transition(for: record) { try visit(transition) }
        }
        current = []
    }
}
