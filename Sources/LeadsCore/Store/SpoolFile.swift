import Glibc

// A copy of standard input for an import, which reads its input twice. It lives in the
// data directory (temporary files never go anywhere else) but has no name: it is made
// with O_TMPFILE, or, where the file system lacks it, under `TemporaryName.spool()` and
// unlinked at once. The copy holds the imported personal data, so it must not outlive
// the command however it ends — SIGINT, SIGTERM, SIGHUP or even SIGKILL: a file without
// a name is freed by the kernel when its last descriptor closes. (Only a kill in the
// microseconds between a fallback's open and unlink leaves one for `fsck --repair`.)

extension LeadStore {
    public func makeSpoolFile() throws(StoreError) -> SpoolFile {
        try createLayout(sharedGroup: try config().sharedGroup)
        let unnamed = openat(root!.fd, ".", Directory.O_TMPFILE | O_RDWR | O_CLOEXEC, 0o600)
        if unnamed >= 0 { return SpoolFile(fd: unnamed) }
        let name = TemporaryName.spool()
        let fd = openat(root!.fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system(SystemError("create", name)) }
        if unlinkat(root!.fd, name, 0) != 0 {
            let error = SystemError("unlink", name)
            close(fd)
            throw .system(error)
        }
        return SpoolFile(fd: fd)
    }
}

/// A temporary file without a name, gone when closed.
public final class SpoolFile {
    /// For messages.
    public let name = "the copy of standard input"
    public let fd: Int32

    init(fd: Int32) { self.fd = fd }

    deinit { close(fd) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        let failure = writeFully(fd, bytes)
        if failure != 0 { throw SystemError("write", name, failure) }
    }
}
