import Testing
@testable import LeadsCore

/// The mount table's format and the choice of the mount that holds a path.
@Suite struct MountTableTests {
    let table = MountTable(text: """
        /dev/vda1 / ext4 rw,relatime 0 0
        srv:/export /mnt/team nfs4 rw,vers=4.2,local_lock=none 0 0
        //srv/Sales\\040Team /mnt/sales\\040team cifs rw,vers=3.1.1,nobrl 0 0
        127.0.0.1:leadsteam /mnt/team fuse.glusterfs rw,relatime 0 0
        127.0.0.1:leadsteam /mnt/other fuse.glusterfs rw,relatime 0 0
        short line

        """)

    @Test func octalEscapesInSourceAndMountPointAreDecoded() {
        let smb = table.entries.first { $0.type == "cifs" }
        #expect(smb?.source == "//srv/Sales Team")
        #expect(smb?.mountPoint == "/mnt/sales team")
        #expect(table.mount(containing: "/mnt/sales team/leads")?.type == "cifs")
        #expect(MountTable.unescape("a\\134b\\011c\\0") == "a\\b\tc\\0")
    }

    @Test func theLongestAndLatestMountPointWins() {
        #expect(table.mount(containing: "/home/alice")?.type == "ext4")
        #expect(table.mount(containing: "/mnt/teamwork")?.type == "ext4", "a prefix of a name is not a parent")
        // Mounted over the NFS mount later: the later line covers it.
        #expect(table.mount(containing: "/mnt/team/leads")?.type == "fuse.glusterfs")
        #expect(table.mount(containing: "/mnt/team")?.family == .glusterfs)
    }

    @Test func optionsAndFamilies() throws {
        let nfs = try #require(table.entries.first { $0.type == "nfs4" })
        #expect(nfs.option("vers") == "4.2")
        #expect(nfs.option("rw") == "")
        #expect(nfs.option("nolock") == nil)
        #expect(nfs.family == .nfs)
        #expect(MountEntry(source: "x", mountPoint: "/", type: "fuseblk", options: []).family == .local)
        #expect(MountEntry(source: "x", mountPoint: "/", type: "fuse.sshfs", options: []).family == .otherFUSE)
        #expect(table.entries.count == 5, "lines with fewer than four fields are not mounts")
    }

    @Test func otherMountsOfTheSameVolume() throws {
        let gluster = try #require(table.mount(containing: "/mnt/team/x"))
        #expect(table.otherMounts(of: gluster).map(\.mountPoint) == ["/mnt/other"])
    }

    @Test func fileSystemMagicNumbers() {
        #expect(FileSystemKind.from(magic: 0x6573_5546) == .fuse)
        #expect(FileSystemKind.from(magic: 0x6969) == .nfs)
        #expect(FileSystemKind.from(magic: 0xFF53_4D42) == .smb)
        #expect(FileSystemKind.from(magic: 0x00C3_6400) == .ceph)
        #expect(FileSystemKind.from(magic: 0xEF53) == .local)
        #expect(FileSystemKind.of(path: "/proc")?.honoursSyncfs == true)
    }
}
