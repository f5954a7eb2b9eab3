import Glibc

/// Input that can be read only once (a pipe, a terminal) or not as it is (UTF-16) is
/// copied into a spool file in the data directory, because the import reads it twice.
public enum ImportInput {
    /// Copies the input into the spool, refusing binary input at once (`/dev/zero` must
    /// not fill the disk before the reader gets to see it).
    ///
    /// Bounded as it copies, not after: a run of bytes with no line end and no delimiter
    /// longer than a field may be is refused at once (a 2 GB line costs 1 MiB of copy), and
    /// endless input (`yes S`) stops before the copy would leave the file system nearly full.
    public static func copy(_ fd: Int32, display: String, to spool: SpoolFile) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var line = 1
        var run = 0
        var copied = 0
        var nextSpaceCheck = 0
        // Room left for the leads the import will write, and for everyone else.
        let keep = 512 << 20
        let fieldLimit = CSVReader.defaultMaxFieldBytes
        var utf16: UTF16Input?
        var first = true
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", display)
            }
            if n == 0 {
                do { try utf16?.finish() } catch { throw ImportError.invalidUTF16(file: display, line: error.line) }
                return
            }
            var chunk = buffer[0..<n]
            if first, let order = buffer.withUnsafeBytes({ UTF16Input.byteOrder(of: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) {
                utf16 = UTF16Input(order: order)
            }
            if var decoder = utf16 {
                do { chunk = ArraySlice(try decoder.decode(chunk, first: first)) } catch {
                    throw ImportError.invalidUTF16(file: display, line: error.line)
                }
                utf16 = decoder
            }
            first = false
            for byte in chunk {
                switch byte {
                case 0: throw ImportError.csv(file: display, .nulByte(line: line))
                case 10: line += 1; run = 0
                case 13, 44, 59, 9, 124: run = 0  // CR and the delimiters import-csv knows: , ; TAB |
                default:
                    run += 1
                    // Two bytes of slack for the quotes around a field.
                    if run > fieldLimit + 2 { throw ImportError.csv(file: display, .fieldTooLong(line: line, limit: fieldLimit)) }
                }
            }
            if copied >= nextSpaceCheck {
                var fs = statvfs()
                if fstatvfs(spool.fd, &fs) == 0, Int(fs.f_bavail) * Int(fs.f_frsize) < keep + n {
                    throw ImportError.inputFillsDisk(file: display, copied: copied, keep: keep)
                }
                nextSpaceCheck = copied + (16 << 20)
            }
            try chunk.withUnsafeBytes { try spool.write($0) }
            copied += chunk.count
        }
    }
}
