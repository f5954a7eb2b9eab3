import Glibc

// The kernel's mount table (/proc/mounts, or a file a test names instead): which mount
// holds the data directory, its file-system type and options. `doctor` judges the
// options; `fsck` and the batch writer only need to know whether it is a network mount.

public struct MountEntry: Sendable, Equatable {
    public var source: String
    public var mountPoint: String
    public var type: String
    public var options: [String]

    /// An option's value ("vers=4.2" → "4.2"); "" for a bare flag; nil when absent.
    public func option(_ name: String) -> String? {
        for option in options {
            if option == name { return "" }
            if option.hasPrefix(name + "=") { return String(option.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// The family the doctor's rules are written for.
    public var family: MountFamily {
        switch type {
        case "nfs", "nfs4": return .nfs
        case "ceph", "fuse.ceph-fuse", "fuse.ceph": return .ceph
        case "cifs", "smb3", "smbfs": return .smb
        case "fuse.glusterfs": return .glusterfs
        case "fuseblk": return .local  // a FUSE driver for a local block device (ntfs-3g)
        case _ where type == "fuse" || type.hasPrefix("fuse."): return .otherFUSE
        default: return .local
        }
    }
}

public enum MountFamily: String, Sendable {
    case local, nfs, ceph, smb, glusterfs
    case otherFUSE = "fuse"

    public var isNetworked: Bool { self != .local }
}

public struct MountTable: Sendable {
    public static let systemPath = "/proc/mounts"
    public var entries: [MountEntry]

    public init(entries: [MountEntry]) { self.entries = entries }

    /// Parses the fstab-like format: six fields separated by spaces, with spaces, tabs,
    /// newlines and backslashes in the first two written as octal escapes (\040).
    public init(text: String) {
        entries = text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4 else { return nil }
            return MountEntry(source: Self.unescape(fields[0]), mountPoint: Self.unescape(fields[1]), type: String(fields[2]),
                              options: fields[3].split(separator: ",").map(String.init))
        }
    }

    public static func load(path: String = systemPath) -> MountTable? {
        guard let bytes = readWholeFile(path, limit: 16 << 20) else { return nil }
        return MountTable(text: String(decoding: bytes, as: UTF8.self))
    }

    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var out: [UInt8] = []
        let bytes = Array(field.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 3 < bytes.count {
                let digits = bytes[(i + 1)...(i + 3)]
                if digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) {
                    out.append(digits.reduce(0) { $0 &* 8 &+ ($1 - 0x30) })
                    i += 4
                    continue
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The mount that holds `path` (already canonical): the longest mount point that is
    /// `path` or a parent of it; the last such line wins, as later mounts cover earlier ones.
    public func mount(containing path: String) -> MountEntry? {
        var best: MountEntry?
        for entry in entries where Self.isInside(path, entry.mountPoint) {
            if best == nil || entry.mountPoint.utf8.count >= best!.mountPoint.utf8.count { best = entry }
        }
        return best
    }

    static func isInside(_ path: String, _ mountPoint: String) -> Bool {
        if mountPoint == "/" { return path.hasPrefix("/") }
        return path == mountPoint || path.hasPrefix(mountPoint + "/")
    }

    /// Other mounts of the same remote file system (same source and type) on this
    /// machine: where a lock taken through one mount can be looked for through another.
    public func otherMounts(of entry: MountEntry) -> [MountEntry] {
        entries.filter { $0.source == entry.source && $0.type == entry.type && $0.mountPoint != entry.mountPoint }
    }
}

/// The canonical absolute path of an existing file (symlinks resolved).
public func canonicalPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

