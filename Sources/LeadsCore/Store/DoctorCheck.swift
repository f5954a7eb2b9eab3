import Glibc

// `leads doctor`: whether the data directory's file system keeps the store's promises
// when several machines share it. The store's rules (POSIX locks taken through the
// lock file, atomic renames, reads of what another client just wrote) hold on a
// network file system only when its locks reach the server and its client caches do
// not serve stale data; both are properties of the mount, not of the files. Findings
// come from the mount table (DIR's mount, its type and options), GlusterFS's own
// description of the client (the translators of MNT/.meta/graphs/active and the
// client's command line in MNT/.meta/cmdline), a lock probe through a second mount of
// the same volume on this machine when there is one, and the clock against the
// directory's newest files. Reads and probes only: the probe takes a shared lock, so it
// never waits for nor blocks a reader.

public struct DoctorFinding: Sendable, Equatable {
    public enum Severity: String, Sendable {
        case ok
        /// Worth knowing; not a reason to stop.
        case note
        /// The store's guarantees do not hold here: exit 1.
        case unsafe
    }

    public var severity: Severity
    /// A stable name for the kind of finding (for --json and scripts).
    public var topic: String
    public var message: String
    public var fix: String?

    public init(_ severity: Severity, _ topic: String, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.topic = topic
        self.message = message
        self.fix = fix
    }
}

/// What the doctor looked at, for findings and tests.
public struct DoctorCheck {
    public let directory: String
    public let mounts: MountTable
    /// The real clock (seconds since 1970); not LEADS_NOW, which is not the clock that
    /// stamps files.
    public let now: Double

    /// Two seconds: the summary index's racy-timestamp slack. A clock further off than
    /// that lets a file changed by another client look older than the index.
    public static let skewLimit = 2.0

    public init(directory: String, mounts: MountTable, now: Double) {
        self.directory = directory
        self.mounts = mounts
        self.now = now
    }

    public func run() -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        guard let path = canonicalPath(directory) else {
            return [DoctorFinding(.unsafe, "directory", "the data directory \(directory) does not exist",
                                  fix: "create it with 'leads init \(directory)'")]
        }
        guard let mount = mounts.mount(containing: path) else {
            return [DoctorFinding(.note, "file-system", "\(path) is on no mount listed in the mount table; nothing to judge")]
        }
        let options = mount.options.joined(separator: ",")
        findings.append(DoctorFinding(mount.family.isNetworked ? .note : .ok, "file-system",
                                      "\(path) is on \(mount.type) (\(mount.source) at \(mount.mountPoint); \(options))"))
        switch mount.family {
        case .local:
            findings.append(DoctorFinding(.ok, "file-system", "a local file system: locks, renames and syncs behave as on one machine"))
        case .nfs: findings += nfs(mount)
        case .smb: findings += smb(mount)
        case .glusterfs: findings += gluster(mount)
        case .ceph:
            findings.append(DoctorFinding(.ok, "ceph", "CephFS: the MDS grants capabilities and shares POSIX locks between clients"))
        case .otherFUSE:
            findings.append(DoctorFinding(.unsafe, "fuse-locks",
                                          "\(mount.type) is a FUSE file system whose locks are not known to span clients (sshfs, s3fs and rclone keep them local)",
                                          fix: "use GlusterFS, CephFS or NFS for a directory several machines share, or keep it on one machine"))
        }
        if mount.family.isNetworked { findings += lockProbe(path: path, mount: mount) }
        findings += clock(path: path)
        return findings
    }

    public static func isUnsafe(_ findings: [DoctorFinding]) -> Bool { findings.contains { $0.severity == .unsafe } }

    // MARK: NFS

    private func nfs(_ mount: MountEntry) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let version = mount.option("vers") ?? mount.option("nfsvers") ?? (mount.type == "nfs4" ? "4" : nil)
        if mount.option("nolock") != nil {
            findings.append(DoctorFinding(.unsafe, "nfs-nolock",
                                          "mounted with nolock: locks are local to each client, so two machines can write at once",
                                          fix: "remount without nolock (NFSv4, or NFSv3 with rpc.statd/lockd running on both sides)"))
        }
        if let local = mount.option("local_lock"), local != "none" {
            // The store's lock is a POSIX record lock: posix and all keep it on this client.
            let breaks = local == "posix" || local == "all"
            findings.append(DoctorFinding(breaks ? .unsafe : .note, "nfs-local-lock",
                                          breaks ? "local_lock=\(local): POSIX locks stay on this client, so the store's lock does not reach the server"
                                                 : "local_lock=\(local): flock() locks stay on this client; the store's lock (fcntl) still reaches the server, but flock-based scripts do not",
                                          fix: "remount with local_lock=none (the default)"))
        }
        if mount.option("nolock") == nil && (mount.option("local_lock") ?? "none") == "none" {
            let note = version.map { $0.hasPrefix("3") || $0.hasPrefix("2") } == true
                ? "NFSv\(version!) with network locks: the lock needs rpc.statd and lockd running on client and server"
                : "NFS\(version.map { "v" + $0 } ?? "") with network locks: the lock reaches the server, and taking it revalidates the client's cache"
            findings.append(DoctorFinding(.ok, "nfs-locks", note))
        }
        if mount.option("soft") != nil {
            findings.append(DoctorFinding(.note, "nfs-soft",
                                          "mounted soft: a server that does not answer in time makes writes fail with EIO (the store then undoes the change and reports it)",
                                          fix: "mount hard (the default) so writes wait for the server"))
        }
        return findings
    }

    // MARK: SMB

    private func smb(_ mount: MountEntry) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        if mount.option("nobrl") != nil {
            findings.append(DoctorFinding(.unsafe, "smb-nobrl",
                                          "mounted with nobrl: byte-range locks are not sent to the server, so the store's lock is local to this client",
                                          fix: "remount without nobrl"))
        } else {
            findings.append(DoctorFinding(.ok, "smb-locks", "byte-range locks are sent to the server"))
        }
        if mount.option("cache") == "loose" {
            findings.append(DoctorFinding(.unsafe, "smb-cache",
                                          "cache=loose: this client may read cached data another client has already replaced",
                                          fix: "remount with cache=strict (the default)"))
        }
        return findings
    }

    // MARK: GlusterFS

    /// Client translators that may serve another client's replaced or appended data, and
    /// the volume option that turns each off (md-cache is the stat-prefetch option).
    static let glusterCaches: [(translator: String, option: String)] = [
        ("quick-read", "performance.quick-read"), ("io-cache", "performance.io-cache"),
        ("md-cache", "performance.stat-prefetch"), ("open-behind", "performance.open-behind"),
        ("write-behind", "performance.write-behind"), ("read-ahead", "performance.read-ahead"),
        ("readdir-ahead", "performance.readdir-ahead"), ("nl-cache", "performance.nl-cache"),
    ]

    /// The kernel's own caches of the FUSE mount; 0 makes every lookup and stat go to the client.
    static let glusterTimeouts = ["attribute-timeout", "entry-timeout", "negative-timeout"]

    private func gluster(_ mount: MountEntry) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let volume = mount.source.split(separator: ":", maxSplits: 1).last.map { String($0.drop { $0 == "/" }) } ?? mount.source
        let graph = mount.mountPoint + "/.meta/graphs/active"
        guard let translators = try? Directory.openOnce(graph, label: graph, followLinks: true)?.entriesOnce() else {
            findings.append(DoctorFinding(.unsafe, "gluster-cache",
                                          "cannot read the client's translator graph (\(graph)), so its caches are unknown",
                                          fix: "check with 'gluster volume get \(volume) all' that the options of Docs/team.md are off"))
            return findings
        }
        var on: [(String, String)] = []
        for (translator, option) in Self.glusterCaches where translators.contains(where: { $0.hasSuffix("-" + translator) }) {
            on.append((translator, option))
        }
        if on.isEmpty {
            findings.append(DoctorFinding(.ok, "gluster-cache", "no client cache translator is loaded (\(Self.glusterCaches.map(\.translator).joined(separator: ", ")) are off)"))
        } else {
            for (translator, option) in on {
                findings.append(DoctorFinding(.unsafe, "gluster-cache",
                                              "client translator \(translator) is loaded: it can serve a file or its attributes as they were before another client replaced it",
                                              fix: "gluster volume set \(volume) \(option) off"))
            }
        }
        let cmdline = readWholeFile(mount.mountPoint + "/.meta/cmdline", limit: 1 << 16).map { String(decoding: $0, as: UTF8.self) }
        if let cmdline {
            let missing = Self.glusterTimeouts.filter { !cmdline.contains("--\($0)=0") }
            if missing.isEmpty {
                findings.append(DoctorFinding(.ok, "gluster-timeouts", "the kernel caches of the mount are off (\(Self.glusterTimeouts.map { $0 + "=0" }.joined(separator: ", ")))"))
            } else {
                findings.append(DoctorFinding(.unsafe, "gluster-timeouts",
                                              "the kernel caches names and attributes of this mount for a while (\(missing.joined(separator: ", ")) not 0): a file another client replaced can be looked up as the old one",
                                              fix: "mount with -o " + Self.glusterTimeouts.map { $0 + "=0" }.joined(separator: ",")))
            }
        } else {
            findings.append(DoctorFinding(.note, "gluster-timeouts", "cannot read the client's command line (\(mount.mountPoint)/.meta/cmdline) to check its kernel cache time-outs",
                                          fix: "mount with -o " + Self.glusterTimeouts.map { $0 + "=0" }.joined(separator: ",")))
        }
        return findings
    }

    // MARK: Lock probe

    /// Takes a shared lock on DIR/.lock and asks, through another mount of the same
    /// volume, whether an exclusive lock would conflict: that is what two machines do.
    private func lockProbe(path: String, mount: MountEntry) -> [DoctorFinding] {
        let others = mounts.otherMounts(of: mount)
        let relative = String(path.dropFirst(mount.mountPoint == "/" ? 0 : mount.mountPoint.utf8.count))
        let here = path + "/" + LeadStore.lockFile
        guard let other = others.first(where: { access($0.mountPoint + relative + "/" + LeadStore.lockFile, F_OK) == 0 }) else {
            return [DoctorFinding(.note, "lock-probe",
                                  "no second mount of \(mount.source) on this machine, so whether a lock taken here is seen by other clients cannot be probed from here",
                                  fix: "run 'leads lock -- sleep 30' on one client and 'leads add probe' on another: the second must wait")]
        }
        let there = other.mountPoint + relative + "/" + LeadStore.lockFile
        switch Self.probeLock(here: here, there: there) {
        case .seen:
            return [DoctorFinding(.ok, "lock-probe", "a lock taken through \(mount.mountPoint) is seen through \(other.mountPoint)")]
        case .notSeen:
            return [DoctorFinding(.unsafe, "lock-probe", "a lock taken through \(mount.mountPoint) is not seen through \(other.mountPoint): clients do not share locks",
                                  fix: "mount so that locks reach the server (see Docs/team.md for this file system)")]
        case .failed(let why):
            return [DoctorFinding(.note, "lock-probe", "could not probe the lock through \(other.mountPoint): \(why)")]
        }
    }

    enum ProbeResult: Equatable { case seen, notSeen, failed(String) }

    static func probeLock(here: String, there: String) -> ProbeResult {
        let a = open(here, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard a >= 0 else { return .failed("open \(here): \(String(cString: strerror(errno)))") }
        defer { close(a) }
        let b = open(there, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard b >= 0 else { return .failed("open \(there): \(String(cString: strerror(errno)))") }
        defer { close(b) }
        var shared = wholeFile(F_RDLCK)
        // An exclusive holder (a writer at work) already answers the question.
        if fcntl(a, probeSetLock, &shared) != 0 && errno != EAGAIN { return .failed("lock: \(String(cString: strerror(errno)))") }
        var want = wholeFile(F_WRLCK)
        guard fcntl(b, probeGetLock, &want) == 0 else { return .failed("F_OFD_GETLK: \(String(cString: strerror(errno)))") }
        return want.l_type == Int16(F_UNLCK) ? .notSeen : .seen
    }

    private static let probeGetLock: Int32 = 36  // F_OFD_GETLK
    private static let probeSetLock: Int32 = 37  // F_OFD_SETLK

    private static func wholeFile(_ type: Int32) -> flock {
        var request = flock()
        request.l_type = Int16(type)
        request.l_whence = Int16(SEEK_SET)
        return request
    }

    // MARK: Clock

    /// The newest of the files every writer touches, against this machine's clock. A
    /// file dated in the future was stamped by a clock ahead of ours (GlusterFS clients
    /// stamp files themselves; NFS servers do).
    private func clock(path: String) -> [DoctorFinding] {
        var newest: (name: String, time: Double)?
        for name in [ActivityLog.fileName, LeadStore.leadsDirectory, LeadStore.customersDirectory, LeadStore.lockFile, StoreConfig.fileName] {
            var st = stat()
            guard lstat(path + "/" + name, &st) == 0 else { continue }
            let time = Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9
            if newest == nil || time > newest!.time { newest = (name, time) }
        }
        guard let newest else { return [DoctorFinding(.note, "clock", "no store file yet to compare this machine's clock with")] }
        let ahead = newest.time - now
        if ahead > Self.skewLimit {
            return [DoctorFinding(.unsafe, "clock",
                                  "\(newest.name) was changed \(Self.duration(ahead)) in the future of this machine's clock: the clocks of the machines sharing the directory differ",
                                  fix: "synchronise every client's and the server's clock (NTP: chrony or systemd-timesyncd)")]
        }
        return [DoctorFinding(.ok, "clock", "no store file is dated in the future (newest: \(newest.name), \(Self.duration(max(0, -ahead))) ago)")]
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        return "\(s / 3600) h"
    }
}
