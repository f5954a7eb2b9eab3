import Glibc

// Reads that must show what another machine just acknowledged. On a local disk a
// reader without the lock sees a whole old or a whole new file, and the new one as soon
// as the writer's rename returned. On a file system other machines share, this client
// may still hold the old file's handle or attributes; taking the lock (shared, so
// readers never wait for each other) makes NFS revalidate its cache and orders the read
// after the writer's release. Only the single-lead reads (`show`, `log`) need this:
// scans take the shared lock anyway.

extension LeadStore {
    /// The shared lock when the data directory is on a network or FUSE file system;
    /// nil (no lock, no wait) on a local one. Never call it while holding the exclusive
    /// lock: a second lock description of the same process would wait for the first.
    /// On a local disk it first looks whether a writer died holding the lock, and then
    /// settles its commit as a scan's shared lock does (`acquireLock`).
    func lockForCurrentRead() throws(StoreError) -> StoreLock? {
        guard let root else { return nil }
        guard root.fileSystemKind.isNetworked else {
            if readersSettleKilledCommits && StoreLock.holderDied(in: root, name: Self.lockFile) {
                try settleKilledCommitBeforeReading()
            }
            return nil
        }
        return try acquireLock(.shared)
    }
}
