import Glibc

// DIR/activity.log read front to back in fixed blocks, for the history reports
// (`pipeline --as-of`, `report …`): memory stays that of one block however long the
// log is. No lock: records are appended whole with one write each, the size read at
// the start bounds the read (a record appended meanwhile is not half-seen), and a
// torn last line is not a record.

extension LeadStore {
    static let logBlockSize = 1 << 20

    /// Visits every complete line of the log with its 1-based number, oldest first.
    public func forEachLogLine(_ visit: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int) throws -> Void) throws {
        guard let root else { return }
        let fd = openat(root.fd, ActivityLog.fileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            if errno == ELOOP { throw StoreError.notARegularFile(ActivityLog.fileName) }
            throw StoreError.system(SystemError("open", ActivityLog.fileName))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError.system(SystemError("stat", ActivityLog.fileName)) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw StoreError.notARegularFile(ActivityLog.fileName) }
        var remaining = Int(st.st_size)
        var buffer = [UInt8](repeating: 0, count: Self.logBlockSize)
        var kept = 0       // bytes of an unfinished line carried over to the front
        var number = 0
        while remaining > 0 {
            if kept == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }  // a line longer than a block
            let want = min(buffer.count - kept, remaining)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + kept, want) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError.system(SystemError("read", ActivityLog.fileName))
            }
            if n == 0 { break }
            remaining -= n
            let filled = kept + n
            var start = 0
            try buffer.withUnsafeBufferPointer { all in
                guard let base = all.baseAddress else { return }
                var position = 0
                while position < filled {
                    guard let p = memchr(base + position, 10, filled - position) else { break }
                    let end = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    number += 1
                    try visit(UnsafeBufferPointer(start: base + start, count: end - start), number)
                    position = end + 1
                    start = position
                }
            }
            kept = filled - start
            if kept > 0 && start > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + start, kept)
                }
            }
        }
    }

    /// Visits every record of the log, oldest first; a line that is not a record is
    /// reported by number and stops the reading (a report built around it would be wrong).
    public func forEachLogRecord(_ visit: (ActivityEntry) throws -> Void) throws {
        try forEachLogLine { line, number in
            let entry: ActivityEntry
            do throws(JSONError) { entry = try ActivityEntry(line: Array(line)) } catch {
                var positioned = error
                positioned.line = number
                throw StoreError.corrupt(path: ActivityLog.fileName, positioned)
            }
            try visit(entry)
        }
    }
}

extension LeadStore {
    /// Every transition of the log, oldest record first (`LeadHistory`), each line read
    /// straight from the block it sits in: no copy of the line and no JSON tree for a
    /// plain record. A line that is not a record stops the replay, named by number.
    public func replayLog(_ visit: (LeadTransition) throws -> Void) throws {
        var history = LeadHistory()
        try forEachLogLine { line, number in
            let transition: LeadTransition?
            do throws(JSONError) { transition = try history.transition(line: line) } catch {
                var positioned = error
                positioned.line = number
                throw StoreError.corrupt(path: ActivityLog.fileName, positioned)
            }
            if let transition { try visit(transition) }
        }
    }
}
