import Foundation
import Testing

/// `leads doctor` against mount tables given by LEADS_TEST_MOUNTS: each finding, its fix
/// and the exit status, without the mounts themselves (the GlusterFS suite of
/// Tests/Team/run checks the real ones).
@Suite struct DoctorTests {
    /// A sandbox whose data directory exists, and its canonical path.
    func store() -> (Sandbox, String) {
        let box = Sandbox()
        #expect(box.run("init").status == 0)
        return (box, URL(fileURLWithPath: box.dir).resolvingSymlinksInPath().path)
    }

    /// Runs doctor with a mount table that puts the sandbox on `type` with `options`.
    func doctor(_ box: Sandbox, _ lines: [String], _ arguments: [String] = [], dir: String? = nil) throws -> RunResult {
        let table = box.root + "/mounts"
        try (["/dev/vda1 / ext4 rw,relatime 0 0"] + lines).joined(separator: "\n").appending("\n")
            .write(toFile: table, atomically: true, encoding: .utf8)
        var env: [String: String?] = ["LEADS_TEST_MOUNTS": table]
        if let dir { env["LEADS_DIR"] = dir }
        return box.run(["doctor"] + arguments, env: env)
    }

    func mountPoint(_ path: String) -> String { URL(fileURLWithPath: path).deletingLastPathComponent().path }

    @Test func aLocalDiskIsSafe() throws {
        let (box, _) = store()
        let result = try doctor(box, [])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.lines.first?.hasPrefix("ok     ") == true)
        #expect(result.stdout.contains("is on ext4 (/dev/vda1 at /;"))
        #expect(!result.stdout.contains("unsafe"))
    }

    @Test func nfsWithNolockIsUnsafe() throws {
        let (box, path) = store()
        let result = try doctor(box, ["srv:/export \(mountPoint(path)) nfs rw,vers=3,nolock,proto=tcp 0 0"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("unsafe mounted with nolock: locks are local to each client"))
        #expect(result.stdout.contains("fix: remount without nolock (NFSv4, or NFSv3 with rpc.statd/lockd running on both sides)"))
        #expect(result.stderr == "leads: 1 finding is unsafe for a shared data directory; each says its fix\n")
    }

    @Test func nfsLocalLocksOfPosixKindAreUnsafeFlockOnlyANote() throws {
        let (box, path) = store()
        let posix = try doctor(box, ["srv:/export \(mountPoint(path)) nfs4 rw,vers=4.2,local_lock=posix 0 0"])
        #expect(posix.status == 1)
        #expect(posix.stdout.contains("unsafe local_lock=posix: POSIX locks stay on this client"))
        #expect(posix.stdout.contains("fix: remount with local_lock=none (the default)"))
        let all = try doctor(box, ["srv:/export \(mountPoint(path)) nfs4 rw,vers=4.2,local_lock=all 0 0"])
        #expect(all.status == 1)
        let flock = try doctor(box, ["srv:/export \(mountPoint(path)) nfs4 rw,vers=4.2,local_lock=flock 0 0"])
        #expect(flock.status == 0, "\(flock.stdout)")
        #expect(flock.stdout.contains("note   local_lock=flock: flock() locks stay on this client"))
    }

    @Test func nfsV4WithNetworkLocksIsSafeAndSaysSoftIsANote() throws {
        let (box, path) = store()
        let result = try doctor(box, ["srv:/export \(mountPoint(path)) nfs4 rw,relatime,vers=4.2,soft,local_lock=none,addr=10.0.0.2 0 0"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("ok     NFSv4.2 with network locks"))
        #expect(result.stdout.contains("note   mounted soft"))
        #expect(result.stdout.contains("note   no second mount of srv:/export on this machine"))
        let v3 = try doctor(box, ["srv:/export \(mountPoint(path)) nfs rw,vers=3,local_lock=none 0 0"])
        #expect(v3.status == 0)
        #expect(v3.stdout.contains("NFSv3 with network locks: the lock needs rpc.statd and lockd running"))
    }

    @Test func smbWithoutByteRangeLocksOrWithLooseCachingIsUnsafe() throws {
        let (box, path) = store()
        let nobrl = try doctor(box, ["//srv/team \(mountPoint(path)) cifs rw,vers=3.1.1,cache=strict,nobrl 0 0"])
        #expect(nobrl.status == 1)
        #expect(nobrl.stdout.contains("unsafe mounted with nobrl"))
        #expect(nobrl.stdout.contains("fix: remount without nobrl"))
        let loose = try doctor(box, ["//srv/team \(mountPoint(path)) cifs rw,vers=3.1.1,cache=loose 0 0"])
        #expect(loose.status == 1)
        #expect(loose.stdout.contains("unsafe cache=loose"))
        #expect(loose.stdout.contains("fix: remount with cache=strict (the default)"))
        let fine = try doctor(box, ["//srv/team \(mountPoint(path)) smb3 rw,vers=3.1.1,cache=strict 0 0"])
        #expect(fine.status == 0, "\(fine.stdout)")
        #expect(fine.stdout.contains("ok     byte-range locks are sent to the server"))
    }

    @Test func aFuseFileSystemWithoutSharedLocksIsUnsafe() throws {
        let (box, path) = store()
        let result = try doctor(box, ["alice@host:/srv \(mountPoint(path)) fuse.sshfs rw,nosuid,nodev,user_id=0,group_id=0 0 0"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("unsafe fuse.sshfs is a FUSE file system whose locks are not known to span clients"))
        #expect(result.stdout.contains("fix: use GlusterFS, CephFS or NFS"))
    }

    @Test func cephIsSafe() throws {
        let (box, path) = store()
        let result = try doctor(box, ["10.0.0.5:6789:/ \(mountPoint(path)) ceph rw,name=team 0 0"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("ok     CephFS"))
    }

    /// The client's translator graph as GlusterFS's .meta directory shows it.
    func fakeGlusterClient(at mount: String, translators: [String], cmdline: String?) throws {
        let graph = mount + "/.meta/graphs/active"
        try FileManager.default.createDirectory(atPath: graph, withIntermediateDirectories: true)
        for name in ["leadsteam", "leadsteam-client-0", "leadsteam-dht", "leadsteam-utime", "meta-autoload"] + translators.map({ "leadsteam-" + $0 }) {
            try FileManager.default.createDirectory(atPath: graph + "/" + name, withIntermediateDirectories: true)
        }
        if let cmdline {
            try "{ \n  \"Cmdlinestr\": \"\(cmdline)\"\n}".write(toFile: mount + "/.meta/cmdline", atomically: true, encoding: .utf8)
        }
    }

    @Test func glusterClientCachesAndKernelTimeoutsAreUnsafe() throws {
        let (box, path) = store()
        let mount = mountPoint(path)
        try fakeGlusterClient(at: mount, translators: ["md-cache", "open-behind", "quick-read", "write-behind", "io-threads"],
                              cmdline: "glusterfs --volfile-server=127.0.0.1 --volfile-id=leadsteam \(mount)")
        let result = try doctor(box, ["127.0.0.1:leadsteam \(mount) fuse.glusterfs rw,relatime,user_id=0,group_id=0,default_permissions,allow_other,max_read=131072 0 0"])
        #expect(result.status == 1)
        for (translator, option) in [("quick-read", "quick-read"), ("md-cache", "stat-prefetch"), ("open-behind", "open-behind"), ("write-behind", "write-behind")] {
            #expect(result.stdout.contains("unsafe client translator \(translator) is loaded"), "\(translator)")
            #expect(result.stdout.contains("fix: gluster volume set leadsteam performance.\(option) off"), "\(option)")
        }
        #expect(!result.stdout.contains("io-threads"), "io-threads caches nothing")
        #expect(result.stdout.contains("unsafe the kernel caches names and attributes of this mount"))
        #expect(result.stdout.contains("fix: mount with -o attribute-timeout=0,entry-timeout=0,negative-timeout=0"))
        #expect(result.stderr.contains("leads: 5 findings are unsafe"))
    }

    @Test func glusterWithCoherentOptionsIsSafeAndTheLockIsSeenThroughTheSecondMount() throws {
        // Two mounts of one volume: here the second is a symlink to the first, so a lock
        // taken through one is the same inode's lock through the other, as on GlusterFS.
        let box = Sandbox()
        let m1 = box.root + "/m1", m2 = box.root + "/m2"
        try FileManager.default.createDirectory(atPath: m1, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: m2, withDestinationPath: m1)
        let dir = m1 + "/team"
        #expect(box.run(["init"], env: ["LEADS_DIR": dir]).status == 0)
        let canonical = URL(fileURLWithPath: m1).resolvingSymlinksInPath().path
        try fakeGlusterClient(at: canonical, translators: ["io-threads"],
                              cmdline: "glusterfs --attribute-timeout=0 --entry-timeout=0 --negative-timeout=0 --volfile-server=127.0.0.1 --volfile-id=leadsteam \(canonical)")
        let source = "127.0.0.1:leadsteam"
        let result = try doctor(box, ["\(source) \(canonical) fuse.glusterfs rw,relatime 0 0", "\(source) \(m2) fuse.glusterfs rw,relatime 0 0"], dir: dir)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("ok     no client cache translator is loaded"))
        #expect(result.stdout.contains("ok     the kernel caches of the mount are off"))
        #expect(result.stdout.contains("ok     a lock taken through \(canonical) is seen through \(m2)"))
    }

    @Test func aLockNotSeenThroughTheOtherMountIsUnsafe() throws {
        // The "second mount" holds a different file: what a client with local locks shows.
        let box = Sandbox()
        let m1 = box.root + "/m1", m2 = box.root + "/m2"
        let dir = m1 + "/team"
        #expect(box.run(["init"], env: ["LEADS_DIR": dir]).status == 0)
        #expect(box.run(["init"], env: ["LEADS_DIR": m2 + "/team"]).status == 0)
        let canonical = URL(fileURLWithPath: m1).resolvingSymlinksInPath().path
        let other = URL(fileURLWithPath: m2).resolvingSymlinksInPath().path
        let result = try doctor(box, ["srv:/export \(canonical) nfs4 rw,vers=4.2 0 0", "srv:/export \(other) nfs4 rw,vers=4.2 0 0"], dir: dir)
        #expect(result.status == 1)
        #expect(result.stdout.contains("unsafe a lock taken through \(canonical) is not seen through \(other): clients do not share locks"))
    }

    @Test func glusterWithoutItsMetaDirectoryIsUnsafe() throws {
        let (box, path) = store()
        let result = try doctor(box, ["127.0.0.1:/leadsteam \(mountPoint(path)) fuse.glusterfs rw 0 0"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("unsafe cannot read the client's translator graph"))
        #expect(result.stdout.contains("fix: check with 'gluster volume get leadsteam all'"))
    }

    @Test func aStoreFileDatedInTheFutureIsClockSkew() throws {
        let (box, _) = store()
        #expect(box.add("A") == 1)
        let future = Date().addingTimeInterval(3600)
        try FileManager.default.setAttributes([.modificationDate: future], ofItemAtPath: box.dir + "/activity.log")
        let result = try doctor(box, [])
        #expect(result.status == 1)
        #expect(result.stdout.contains("unsafe activity.log was changed 60 min in the future of this machine's clock"))
        #expect(result.stdout.contains("fix: synchronise every client's and the server's clock (NTP"))
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: box.dir + "/activity.log")
        let fixed = try doctor(box, [])
        #expect(fixed.status == 0, "\(fixed.stdout)")
        #expect(fixed.stdout.contains("ok     no store file is dated in the future"))
    }

    @Test func jsonGivesEachFindingWithItsFix() throws {
        let (box, path) = store()
        let result = try doctor(box, ["srv:/export \(mountPoint(path)) nfs rw,vers=3,nolock 0 0"], ["--json"])
        #expect(result.status == 1)
        let object = try #require(try result.json() as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        let findings = try #require(object["findings"] as? [[String: Any]])
        let nolock = try #require(findings.first { $0["topic"] as? String == "nfs-nolock" })
        #expect(nolock["severity"] as? String == "unsafe")
        #expect((nolock["fix"] as? String)?.hasPrefix("remount without nolock") == true)
    }

    @Test func fsckPointsToDoctorOnANetworkFileSystemOnly() throws {
        let (box, path) = store()
        let table = box.root + "/mounts"
        try "srv:/export \(mountPoint(path)) nfs4 rw,vers=4.2 0 0\n".write(toFile: table, atomically: true, encoding: .utf8)
        let network = box.run(["fsck"], env: ["LEADS_TEST_MOUNTS": table])
        #expect(network.status == 0)
        #expect(network.stderr.contains("leads: the data directory is on nfs4, a file system other machines may share: 'leads doctor' checks its mount options"))
        try "/dev/vda1 / ext4 rw 0 0\n".write(toFile: table, atomically: true, encoding: .utf8)
        let local = box.run(["fsck"], env: ["LEADS_TEST_MOUNTS": table])
        #expect(local.status == 0)
        #expect(!local.stderr.contains("doctor"))
    }
}
