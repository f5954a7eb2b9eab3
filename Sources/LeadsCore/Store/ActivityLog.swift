import Glibc

/// The append-only activity log. Appends happen under the store's exclusive lock, each
/// as a single O_APPEND write followed by fsync: one record can never interleave with
/// another, and a command reports success only once its record is on disk.
final class ActivityLog {
    static let fileName = "activity.log"
    private let directory: Directory
    var fd: Int32 = -1
    private let groupShared: Bool

    init(directory: Directory, groupShared: Bool) {
        self.directory = directory
        self.groupShared = groupShared
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Opens for appending and cuts a torn last line (a writer killed mid-record) so the
    /// next record starts on a line of its own. Caller holds the exclusive lock.
    private func openForAppend() throws(SystemError) {
        guard fd < 0 else { return }
        // Read access too: the torn-tail check reads the last bytes.
        let fd = StaleHandle.retrying { openat(directory.fd, Self.fileName, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666) }
        guard fd >= 0 else { throw SystemError("open", Self.fileName) }
        self.fd = fd
        if groupShared { fchmod(fd, 0o660) }
        try Self.cutTornTail(fd: fd, path: Self.fileName)
    }

    /// Truncates the file after its last newline if the final line is incomplete.
    /// Returns the number of bytes cut.
    @discardableResult
    static func cutTornTail(fd: Int32, path: String) throws(SystemError) -> Int {
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0 else { return 0 }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, off_t(size - 1)) == 1 else { throw SystemError("read", path) }
        if last == 10 { return 0 }
        // Scan backwards in blocks for the previous newline.
        var end = size
        var keep = 0
        var block = [UInt8](repeating: 0, count: 65536)
        search: while end > 0 {
            let start = max(0, end - block.count)
            let count = end - start
            let n = block.withUnsafeMutableBytes { readFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count]), at: start) }
            guard n == count else { throw SystemError("read", path) }
            var i = count - 1
            while i >= 0 {
                if block[i] == 10 {
                    keep = start + i + 1
                    break search
                }
                i -= 1
            }
            end = start
        }
        guard ftruncate(fd, off_t(keep)) == 0 else { throw SystemError("truncate", path) }
        return size - keep
    }

    func append(_ entry: ActivityEntry) throws(SystemError) {
        try append(contentsOf: [entry])
    }

    /// Appends records in one write and one fsync (one change, or a batch such as an
    /// import): the commit point of every write. If the write or the fsync fails (a full
    /// disk, a file-size limit, an I/O error), what this call wrote is cut off again, so
    /// a failed command leaves no record, whole or torn. Nobody else can have appended
    /// meanwhile: the caller holds the exclusive lock.
    func append(contentsOf entries: [ActivityEntry]) throws(SystemError) {
        guard !entries.isEmpty else { return }
        try openForAppend()
        // Chained after whatever the log ends with now (LogChain.swift).
        let bytes = try chainedLines(entries, fd: fd)
        let start = lseek(fd, 0, SEEK_END)
        guard start >= 0 else { throw SystemError("seek", Self.fileName) }
        #if DEBUG
        if let wanted = getenv("LEADS_TEST_CRASH"), String(cString: wanted) == CrashPoint.midLogWrite.rawValue {
            try writeAll(fd, Array(bytes.prefix(bytes.count / 2)), path: Self.fileName)
            kill(getpid(), SIGKILL)
        }
        #endif
        do throws(SystemError) {
            try writeAll(fd, bytes, path: Self.fileName)
            guard fsync(fd) == 0 else { throw SystemError("fsync", Self.fileName) }
        } catch {
            if ftruncate(fd, start) == 0 { _ = fsync(fd) }
            throw error
        }
    }

    /// Current size in bytes (0 when missing): the stamp derived files are checked against.
    func size() throws(SystemError) -> Int {
        if fd >= 0 { return Int(lseek(fd, 0, SEEK_END)) }
        return Int(try directory.fileStatus(Self.fileName)?.st_size ?? 0)
    }
}

/// Reads log records from a byte buffer, line by line. A final line without a newline
/// is a torn record from an interrupted writer and is not a record.
public struct ActivityLogLines: Sequence {
    let bytes: [UInt8]
    let startOffset: Int

    public init(bytes: [UInt8], startOffset: Int = 0) {
        self.bytes = bytes
        self.startOffset = startOffset
    }

    public struct Line {
        public var number: Int        // 1-based, counted from startOffset
        public var offset: Int
        public var bytes: ArraySlice<UInt8>
    }

    public func makeIterator() -> AnyIterator<Line> {
        var position = startOffset
        var number = 0
        return AnyIterator {
            guard position < bytes.count,
                  let newline = bytes[position...].firstIndex(of: 10) else { return nil }
            number += 1
            defer { position = newline + 1 }
            return Line(number: number, offset: position, bytes: bytes[position..<newline])
        }
    }
}
