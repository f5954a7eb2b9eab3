import Glibc

// The one read loop and the one write loop over a file descriptor. A signal (EINTR)
// and a short transfer are retried here, so no caller writes its own loop and none can
// forget one of the two cases.

/// Writes every byte of `bytes`; 0, or the errno of the write that failed.
public func writeFully(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        done += n
    }
    return 0
}

/// Writes every byte of `bytes`; 0, or the errno of the write that failed.
public func writeFully(_ fd: Int32, _ bytes: [UInt8]) -> Int32 {
    bytes.withUnsafeBytes { writeFully(fd, $0) }
}

/// Writes every byte, naming `path` if that fails.
func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(SystemError) {
    let failure = writeFully(fd, bytes)
    if failure != 0 { throw SystemError("write", path, failure) }
}

/// One read of at most `buffer.count` bytes, retried after a signal: the count read
/// (0 at the end of the input), or -1 with errno set.
public func readRetrying(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    while true {
        let n = read(fd, buffer.baseAddress, buffer.count)
        if n < 0 && errno == EINTR { continue }
        return n
    }
}

/// Reads until `buffer` is full or the input ends: the count read, or -1 with errno set.
public func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    var done = 0
    while done < buffer.count {
        let n = readRetrying(fd, into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
        if n < 0 { return -1 }
        if n == 0 { break }
        done += n
    }
    return done
}

/// `readFully` at a position (pread: the file offset is left alone): the count read, short
/// only at the end of the file, or -1 with errno set.
func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
    var done = 0
    while done < buffer.count {
        let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
        if n < 0 && errno == EINTR { continue }
        if n < 0 { return -1 }
        if n == 0 { break }
        done += n
    }
    return done
}

/// `count` little-endian 64-bit words from word `at` (pread), for the binary index files;
/// fewer at the end of the file, nil on a read error or a torn word.
func readWords(_ fd: Int32, at: Int, count: Int) -> [UInt64]? {
    var words = [UInt64](repeating: 0, count: count)
    let n = words.withUnsafeMutableBytes { readFully(fd, into: $0, at: 8 * at) }
    guard n >= 0, n % 8 == 0 else { return nil }
    words.removeLast(count - n / 8)
    for i in words.indices { words[i] = UInt64(littleEndian: words[i]) }
    return words
}

/// A whole small file by absolute path, read to its end (proc files report size 0), at
/// most `limit` bytes; nil when it cannot be opened or read.
func readWholeFile(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while out.count < limit {
        let n = chunk.withUnsafeMutableBytes { readRetrying(fd, into: $0) }
        if n < 0 { return nil }
        if n == 0 { break }
        out += chunk[0..<n]
    }
    return out
}
