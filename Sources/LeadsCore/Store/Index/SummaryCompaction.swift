import Glibc

// The end of an import: DIR/.index/summaries rewritten without the lines that later lines
// of the same IDs replace (SummaryIndex.swift). An update import of 100,000 leads appends
// 100,000 lines that replace old ones: after three of them the index was 159 MB instead of
// 41, and the first reader loaded it whole (237 MB peak RSS for `report lost`, over the
// 100 MB bound) before it dropped them. The importer holds the exclusive lock, so no
// reader writes the file meanwhile, and it does the work in two streaming passes, so its
// memory stays bounded by a block and a table of one offset an ID: the first records
// where each ID's last line starts, the second copies those lines, byte for byte and in
// file order, to a temporary file renamed over the index (the commit point: a kill leaves
// the old file or the new one). Like every write of the index it is derived and never
// synced, and any failure leaves the old file, which is as valid as before.

extension StoreWriter {
    /// Rewrites the summary index without its replaced lines when there are as many as a
    /// reader would drop (the readers' rule: more than max(32, IDs / 64)). Whether it did.
    ///
    /// The racy-timestamp rule: the index file's own modification time is what vouches for
    /// its lines, and the rewritten file gets a later one. A line whose file changed within
    /// the slack before the OLD time stamp is not trusted by any reader now (the file could
    /// have changed again in the same tick after the line was made); the new, later time
    /// stamp would make it trusted. So, as a reader's refresh of part of the store does, a
    /// line is copied only if its recorded change is older than the old time stamp less the
    /// slack; otherwise its ID gets no line at all (never an earlier one of the same ID,
    /// which is out of date), and the next reader reads that file. Waiting out the window
    /// instead would not do: `settleSummaries` records the racy leads again only when 64
    /// or more are racy, so up to 63 lines inside the window stay in the file, and waiting
    /// makes no line safe — only reading its file again after the window does. After a
    /// settled import no line is inside the window and every last line is copied.
    @discardableResult
    func compactSummaries() -> Bool {
        guard SummaryIndexSwitch.enabled else { return false }
        let fd = openat(indexDir.fd, SummaryIndex.fileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        let size = Int(st.st_size)
        var head = [UInt8](repeating: 0, count: SummaryIndex.header.count)
        guard head.withUnsafeMutableBytes({ readFully(fd, into: $0, at: 0) }) == head.count, head == SummaryIndex.header else {
            return false
        }
        let writtenAt = SummaryIndex.FileStat(st).mtime
        let trustedBefore = writtenAt - SummaryIndex.racySlack(in: indexDir, writtenAt: writtenAt)

        // Pass 1: where each ID's last line starts, or `dropped` when it is not to be copied.
        let dropped = -1
        var last = LeadTable<Int>()
        var lines = 0, ids = 0
        guard SummaryIndex.forEachLine(fd, size: size, { offset, line in
            guard let (id, stat, _) = SummaryIndex.head(line, from: 0, to: line.count) else { return }
            lines += 1
            if last[id] == nil { ids += 1 }
            last[id] = stat.changed < trustedBefore ? offset : dropped
        }) else { return false }
        guard lines - ids > max(32, ids / 64) else { return false }

        // Pass 2: those lines, in file order, to the new file.
        do throws(SystemError) {
            try indexDir.writeAtomically(SummaryIndex.fileName, durable: false, groupShared: config.sharedGroup) { out, path throws(SystemError) in
                var buffer = SummaryIndex.header
                buffer.reserveCapacity(SummaryIndex.blockSize + 4096)
                var failure: SystemError?
                let complete = SummaryIndex.forEachLine(fd, size: size) { offset, line in
                    guard failure == nil, let (id, _, _) = SummaryIndex.head(line, from: 0, to: line.count), last[id] == offset else { return }
                    buffer.append(contentsOf: line)
                    buffer.append(10)
                    if buffer.count >= SummaryIndex.blockSize {
                        do throws(SystemError) { try writeAll(out, buffer, path: path) } catch { failure = error }
                        buffer.removeAll(keepingCapacity: true)
                    }
                }
                if let failure { throw failure }
                guard complete else { throw SystemError("read", indexDir.path(SummaryIndex.fileName), EIO) }
                try writeAll(out, buffer, path: path)
            }
        } catch {
            return false
        }
        return true
    }
}

extension SummaryIndex {
    /// What a compaction reads and writes at a time.
    static let blockSize = 1 << 20

    /// Calls `body` with the file offset and the bytes (without the newline) of each
    /// complete line of the index open as `fd` after its header, up to `size`, read a block
    /// at a time (a line longer than the block grows it). A last line without its newline
    /// is left out, as `load` leaves it. False on a read error or a file shorter than `size`.
    static func forEachLine(_ fd: Int32, size: Int, _ body: (_ offset: Int, _ line: UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        var buffer = [UInt8](repeating: 0, count: blockSize)
        var start = header.count  // the file offset of buffer[0]
        var filled = 0
        while start + filled < size {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let want = min(buffer.count - filled, size - start - filled)
            let got = buffer.withUnsafeMutableBytes { readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[filled..<(filled + want)]), at: start + filled) }
            guard got == want else { return false }
            filled += got
            let consumed = buffer.withUnsafeBufferPointer { all -> Int in
                let base = all.baseAddress!
                var position = 0
                while position < filled, let p = memchr(base + position, 10, filled - position) {
                    let end = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
                    body(start + position, UnsafeBufferPointer(rebasing: all[position..<end]))
                    position = end + 1
                }
                return position
            }
            guard consumed > 0 else { continue }
            buffer.withUnsafeMutableBytes { _ = memmove($0.baseAddress!, $0.baseAddress! + consumed, filled - consumed) }
            filled -= consumed
            start += consumed
        }
        return true
    }
}
