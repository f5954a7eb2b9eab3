import Glibc

// What kind of file system a data directory is on, from statfs. It decides how a batch
// is made durable: on a local disk one syncfs flushes every file of the batch; network
// and FUSE file systems do not implement syncfs (GlusterFS's FUSE client returns 0 at
// once, having flushed nothing), so there each file of the batch is fsynced by name.
// `leads doctor` reads the same answer to decide which mount options to check.

@_silgen_name("fstatfs") private func c_fstatfs(_ fd: Int32, _ buffer: UnsafeMutableRawPointer) -> Int32
@_silgen_name("statfs") private func c_statfs(_ path: UnsafePointer<CChar>, _ buffer: UnsafeMutableRawPointer) -> Int32

public enum FileSystemKind: Sendable, Equatable {
    case local
    /// Any FUSE file system (GlusterFS, CephFS's ceph-fuse, sshfs…): the mount table tells which.
    case fuse
    case nfs
    case ceph
    case smb

    /// The magic numbers of linux/magic.h that name a file system whose syncfs is not a
    /// durability point or whose files other machines share.
    static func from(magic: Int) -> FileSystemKind {
        switch UInt32(truncatingIfNeeded: magic) {
        case 0x6573_5546: return .fuse
        case 0x6969: return .nfs
        case 0x00C3_6400: return .ceph
        case 0x517B, 0xFF53_4D42, 0xFE53_4D42: return .smb
        default: return .local
        }
    }

    /// The file system the descriptor `fd` lives on; `.local` when statfs fails (the
    /// safe side for correctness is the other one, but a failing statfs on an open
    /// directory does not happen on the file systems we know).
    static func of(fd: Int32) -> FileSystemKind {
        withStatfsBuffer { c_fstatfs(fd, $0) } ?? .local
    }

    public static func of(path: String) -> FileSystemKind? {
        withStatfsBuffer { c_statfs(path, $0) }
    }

    /// Swift's Glibc module leaves out sys/statfs.h, so the call is declared here and
    /// only `f_type`, the struct's first field (a long on every Linux ABI), is read.
    private static func withStatfsBuffer(_ call: (UnsafeMutableRawPointer) -> Int32) -> FileSystemKind? {
        withUnsafeTemporaryAllocation(byteCount: 512, alignment: 16) { buffer -> FileSystemKind? in
            guard call(buffer.baseAddress!) == 0 else { return nil }
            return from(magic: buffer.baseAddress!.load(as: Int.self))
        }
    }

    /// Whether one syncfs makes every file written before it durable.
    var honoursSyncfs: Bool { self == .local }

    /// Whether other machines may share the directory (what `fsck` points to `doctor` for).
    public var isNetworked: Bool { self != .local }
}

extension Directory {
    /// The kind of file system this directory is on, asked once per directory.
    var fileSystemKind: FileSystemKind {
        if let known = kind { return known }
        let found = FileSystemKind.of(fd: fd)
        kind = found
        return found
    }

    /// Makes the files `names` of this directory, written without fsync, durable: one
    /// syncfs where the file system implements it, else an fsync of each file by name.
    /// On GlusterFS that costs about one round trip per file (Docs/reliability.md).
    func syncBatch(_ names: [String]) throws(SystemError) {
        if fileSystemKind.honoursSyncfs {
            try syncFileSystem()
            return
        }
        for name in names {
            let fd = try StaleHandle.retrying { () throws(SystemError) -> Int32 in
                let fd = openat(self.fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                guard fd >= 0 else { throw SystemError("open", path(name)) }
                return fd
            }
            defer { close(fd) }
            if fsync(fd) != 0 { throw SystemError("fsync", path(name)) }
        }
    }
}
