import Dispatch
import Glibc
import Synchronization

// The one commit protocol: every change of the store's files — one lead, a conversion
// (lead and customer), a deletion, an import batch of 2,048 leads — goes through
// `StoreWriter.commit`. Under the exclusive lock:
//
//   1. Each file about to be replaced or removed is hard-linked to a hidden backup name
//      (TemporaryName.backup); where the file system has no hard links, its bytes are
//      kept in memory instead. A file known to be new needs no backup; in a change of
//      several files, one that does not exist yet gets an empty creation mark. Both
//      names carry the commit's token (with the log's size now): what a killed command
//      leaves, `fsck --repair` undoes when no record since names its files
//      (UnfinishedChanges.swift).
//   2. The files are written atomically (Directory.writeAtomically, createAtomically)
//      or removed. `.eachFile`: each is fsynced with its directory as it goes (one
//      change). `.together`: none is, and one syncfs plus a directory fsync follow (a
//      batch: fsyncing 100,000 files one by one takes ten times longer); a batch's new
//      files are made on two threads (`createNewFiles`).
//   3. All the change's log records are appended in one write and fsynced, after the
//      `recover` records of leads a killed command left unlogged, if this writer found
//      any (StoreWriter.recoveries). THIS IS THE COMMIT POINT. A failure up to here undoes everything: the backups are renamed
//      back (no new space needed), new files removed, and the log cut back to where it
//      was (ActivityLog.append), so the command exits 1 and the store is as before.
//   4. The backups are dropped. From here on nothing can make the command fail: what
//      goes wrong (a backup not removed, derived files not written) is a warning.
//
// So a log record exists only for files that are durable, and a failed command leaves
// no record for a lead that does not exist.

extension StoreWriter {
    struct FileChange {
        var directory: Directory
        var name: String
        /// nil deletes the file.
        var bytes: [UInt8]?
        /// Known not to exist (an import's new leads, after one listing): no backup.
        var isNew = false

        init(_ directory: Directory, _ name: String, _ bytes: [UInt8]?, isNew: Bool = false) {
            self.directory = directory
            self.name = name
            self.bytes = bytes
            self.isNew = isNew
        }
    }

    enum Durability {
        /// Each file and its directory fsynced as it is written.
        case eachFile
        /// One syncfs and one fsync per directory after all the files.
        case together
    }

    func commit(_ changes: [FileChange], log entries: [ActivityEntry], durability: Durability = .eachFile) throws(StoreError) {
        let durable = durability == .eachFile
        var done: [(change: FileChange, backup: Directory.Backup)] = []
        var marks: [(directory: Directory, name: String)] = []
        do throws(SystemError) {
            let token = TemporaryName.commitToken(logSize: try log.size())
            let created = durable ? 0 : try createNewFiles(changes, done: &done)
            for change in changes[created...] {
                let backup: Directory.Backup = change.isNew ? .absent : try change.directory.backup(change.name, token: token)
                if let bytes = change.bytes, case .absent = backup {
                    if changes.count > 1 && !change.isNew {
                        marks.append((change.directory, try change.directory.markCreation(change.name, token: token)))
                    }
                    // Recorded once it exists: undoing must never remove a file it did not
                    // make (createAtomically takes back a file whose linking failed).
                    try change.directory.createAtomically(change.name, bytes, durable: durable, groupShared: config.sharedGroup)
                    done.append((change, backup))
                    continue
                }
                done.append((change, backup))
                if let bytes = change.bytes {
                    try change.directory.writeAtomically(change.name, bytes, durable: durable, groupShared: config.sharedGroup, isStoreFile: true)
                } else {
                    try change.directory.remove(change.name)
                    if durable { try change.directory.sync() }
                }
            }
            if !durable, let first = changes.first {
                // One syncfs where the file system honours it, else an fsync per written
                // file (GlusterFS, NFS: FileSystemKind.swift).
                try first.directory.syncBatch(changes.filter { $0.bytes != nil && $0.directory === first.directory }.map(\.name))
                var synced: Set<Int32> = []
                for change in changes where synced.insert(change.directory.fd).inserted { try change.directory.sync() }
            }
            CrashPoint.hit(.afterLeadWrite)
            try log.append(contentsOf: recoveries.isEmpty ? entries : recoveries + entries)
        } catch {
            for (change, backup) in done.reversed() where !change.directory.restore(change.name, from: backup) {
                store.warn(.system(SystemError("restore", change.directory.path(change.name), ENOSPC)))
            }
            for mark in marks { _ = unlinkat(mark.directory.fd, mark.name, 0) }
            throw .system(error)
        }
        recoveries = []
        CrashPoint.hit(.afterLogAppend)
        for (change, backup) in done {
            do { try change.directory.discard(backup) } catch { store.warn(.system(error)) }
        }
        for mark in marks {
            do { try mark.directory.remove(mark.name) } catch { store.warn(.system(error)) }
        }
    }

    /// Makes the batch's leading run of new files on two cores at once, when there are
    /// enough of them: creating a file is the kernel's work, and two threads creating
    /// files in one directory took 40 % less time than one (ext4: 4.9 → 3.0 s for
    /// 100,000). Each thread takes the next file in order, so a kill leaves every file
    /// of the run up to the last one made, but for at most the one the other thread was
    /// making: `loadState` looks one ID past such a hole. Every file made is in `done`
    /// when this returns or throws, for the commit to undo. Returns how many it made.
    private func createNewFiles(_ changes: [FileChange], done: inout [(change: FileChange, backup: Directory.Backup)]) throws(SystemError) -> Int {
        let run = changes.prefix { $0.isNew && $0.bytes != nil }.count
        guard run >= Self.filesMadeTogether, LeadStore.scanWorkers > 1 else { return 0 }
        let next = Atomic<Int>(0)
        let failed = Atomic<Bool>(false)
        var made = [Bool](repeating: false, count: run)
        var errors: [SystemError?] = [nil, nil]
        let groupShared = config.sharedGroup
        made.withUnsafeMutableBufferPointer { made in
            errors.withUnsafeMutableBufferPointer { errors in
                let slots = UncheckedSendable((made, errors))
                let work = UncheckedSendable(changes)
                DispatchQueue.concurrentPerform(iterations: 2) { worker in
                    while !failed.load(ordering: .relaxed) {
                        let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                        guard i < run else { return }
                        let change = work.value[i]
                        do throws(SystemError) {
                            try change.directory.createAtomically(change.name, change.bytes!, durable: false, groupShared: groupShared)
                            slots.value.0[i] = true
                        } catch {
                            slots.value.1[worker] = error
                            failed.store(true, ordering: .relaxed)
                        }
                    }
                }
            }
        }
        for (change, isMade) in zip(changes, made) where isMade { done.append((change, .absent)) }
        if let error = errors.compactMap({ $0 }).first { throw error }
        return run
    }

    /// Fewer new files than this are made one after the other (one change, a small batch).
    static var filesMadeTogether: Int { 64 }
}
