import Glibc

/// Writing to stdout failed. A reader that went away (EPIPE) is not an error worth a
/// message: `leads list | head -1` ends quietly.
public enum OutputError: Error, Sendable, Equatable {
    case writeFailed(code: Int32)
    case readerGone
}

/// Buffered, checked stdout. `print()` to a full device exits 0; this does not: every
/// write's result is checked and a failure becomes exit 1 with a message.
public final class Output {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    public init(fd: Int32 = 1) {
        self.fd = fd
        buffer.reserveCapacity(limit)
    }

    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= limit { try flush() }
    }

    public func line(_ text: String = "") throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(10)
        if buffer.count >= limit { try flush() }
    }

    public func line(bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        buffer.append(10)
        if buffer.count >= limit { try flush() }
    }

    public func write(bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { try flush() }
    }

    public func flush() throws(OutputError) {
        guard !buffer.isEmpty else { return }
        var done = 0
        let failure: Int32 = buffer.withUnsafeBytes { raw in
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return 0
        }
        buffer.removeAll(keepingCapacity: true)
        if failure == EPIPE { throw .readerGone }
        if failure != 0 { throw .writeFailed(code: failure) }
    }

    /// A message on stderr, written at once. Failures to write to stderr are ignored:
    /// there is nowhere left to report them.
    public static func standardError(_ text: String) {
        let bytes = Array((neutralised(text) + "\n").utf8)
        var done = 0
        bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = Glibc.write(2, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }
}
