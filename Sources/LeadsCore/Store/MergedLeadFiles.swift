import Glibc

// DIR/merged/<OTHER>.json (MergedLead): the leads `leads merge` folded into others. Only
// this file and the commit protocol touch the directory. Calling sequence, under the
// exclusive lock (StoreWriter):
//
//   let plan = LeadMerge(keep: keep, other: other, …)              // pure
//   try writer.merge(MergedLead(other:keepBefore:keepAfter:…), log: entries)
//   …
//   let record = try writer.mergedLeads(into: keep).last          // unmerge
//   try writer.unmerge(record, current: keep, log: entries)
//
// A merge is one commit (StoreCommit.swift): merged/OTHER.json written, leads/KEEP.json
// replaced, leads/OTHER.json removed, then the records of both leads appended — the
// commit point. An unmerge is the same three files the other way round. `delete KEEP`
// removes KEEP's merged records in its own commit, so erasure leaves nothing behind.
//
// OTHER's files (LeadFiles.swift) move in the same commit: LeadMerge appends OTHER's
// records to KEEP's list in order (renaming a taken name), so OTHER's i-th file is the
// i-th of the last ones in `keepAfter.files`; its bytes are written to files/KEEP/ and
// removed from files/OTHER/ before the records. Unmerge moves them back the same way.

extension LeadStore {
    static let mergedDirectory = "merged"

    /// Where a lead that is not in leads/ went, if it was merged.
    func mergedAwayTarget(_ id: Int) throws(StoreError) -> Int? {
        guard let dir = try subdirectory(Self.mergedDirectory) else { return nil }
        return try Self.readMerged(id, in: dir)?.into
    }

    static func readMerged(_ id: Int, in dir: Directory) throws(StoreError) -> MergedLead? {
        let name = "\(id).json"
        guard let bytes = try dir.read(name) else { return nil }
        do { return try MergedLead(bytes: bytes, expectedID: id) } catch { throw .corrupt(path: mergedDirectory + "/" + name, error) }
    }

    static func readAllMerged(in dir: Directory) throws(StoreError) -> [MergedLead] {
        let names: [String]
        do { names = try dir.entries() } catch { throw .system(error) }
        var records: [MergedLead] = []
        for name in names where name.hasSuffix(".json") {
            guard let id = Int(name.dropLast(5)), String(id) + ".json" == name, let record = try readMerged(id, in: dir) else { continue }
            records.append(record)
        }
        return records.sorted { ($0.at, $0.other.id) < ($1.at, $1.other.id) }
    }

    /// Every merged-away lead, oldest merge first (subject-access).
    public func mergedLeads() throws(StoreError) -> [MergedLead] {
        guard let dir = try subdirectory(Self.mergedDirectory) else { return [] }
        return try Self.readAllMerged(in: dir)
    }
}

extension StoreWriter {
    func mergedDir(create: Bool) throws(StoreError) -> Directory? {
        do throws(SystemError) {
            if create { try root.makeDirectory(LeadStore.mergedDirectory, mode: config.sharedGroup ? 0o2770 : 0o700) }
            return try Directory.open(LeadStore.mergedDirectory, relativeTo: root, label: LeadStore.mergedDirectory, followLinks: false)
        } catch {
            if error.code == ELOOP || error.code == ENOTDIR { throw .notADirectory(LeadStore.mergedDirectory) }
            throw .system(error)
        }
    }

    /// The leads merged into `keep`, oldest first.
    public func mergedLeads(into keep: Int) throws(StoreError) -> [MergedLead] {
        guard let dir = try mergedDir(create: false) else { return [] }
        return try LeadStore.readAllMerged(in: dir).filter { $0.into == keep }
    }

    func mergedRemovals(into keep: Int) throws(StoreError) -> [FileChange] {
        guard let dir = try mergedDir(create: false) else { return [] }
        return try LeadStore.readAllMerged(in: dir).filter { $0.into == keep }.map { FileChange(dir, "\($0.other.id).json", nil) }
    }

    public func merge(_ record: MergedLead, log entries: [ActivityEntry]) throws(StoreError) {
        guard let dir = try mergedDir(create: true) else { throw .system(SystemError("open", LeadStore.mergedDirectory, ENOENT)) }
        // The merged-away lead's summary must not outlive it in the report index.
        do { try indexDir.remove(SummaryIndex.fileName) } catch { throw .system(error) }
        let before = DuplicateKey.keys(of: record.keepBefore)
        for key in DuplicateKey.keys(of: record.keepAfter) where !before.contains(key) { try keys.insert(key, id: record.into) }
        do { try keys.flush() } catch { throw .system(error) }
        let moves = try fileMoves(record.other.files, of: record.other.id, to: Array(record.keepAfter.files.suffix(record.other.files.count)), of: record.into)
        do throws(StoreError) {
            try commit(moves.changes + [FileChange(dir, "\(record.other.id).json", JSONWriter.pretty(record.json)),
                                        FileChange(leadsDir, "\(record.into).json", record.keepAfter.fileBytes),
                                        FileChange(leadsDir, "\(record.other.id).json", nil)], log: entries)
        } catch {
            moves.made.undo()
            throw error
        }
        if !record.other.files.isEmpty, let files = try? filesRoot(create: false) { removeEmptyDirectory(String(record.other.id), in: files.dir, warn: true) }
        dropKeys(DuplicateKey.keys(of: record.other), of: record.other.id)
    }

    /// The changes that move `sources` (files of lead `from`) to `targets` (the same files,
    /// perhaps renamed, on lead `to`): each target written, each source removed.
    func fileMoves(_ sources: [LeadFile], of from: Int, to targets: [LeadFile], of to: Int) throws(StoreError) -> (changes: [FileChange], made: MadeDirectories) {
        var made = MadeDirectories()
        guard !sources.isEmpty else { return ([], made) }
        precondition(sources.count == targets.count && zip(sources, targets).allSatisfy { $0.sha256 == $1.sha256 }, "merged files do not line up")
        let label = LeadStore.filesDirectory + "/\(from)/"
        do throws(StoreError) {
            guard let files = try filesRoot(create: true), let source = try leadFilesDirectory(from, in: files.dir, create: false) else {
                throw .system(SystemError("open", label + sources[0].name, ENOENT))
            }
            if files.created { made.made.append((root, LeadStore.filesDirectory)) }
            guard let target = try leadFilesDirectory(to, in: files.dir, create: true) else { throw .system(SystemError("open", LeadStore.filesDirectory + "/\(to)", ENOENT)) }
            if target.created { made.made.append((files.dir, String(to))) }
            var changes: [FileChange] = []
            for (file, moved) in zip(sources, targets) {
                guard let bytes = try source.dir.read(file.name, limit: Int.max) else { throw .system(SystemError("open", label + file.name, ENOENT)) }
                changes.append(FileChange(target.dir, moved.name, bytes))
                changes.append(FileChange(source.dir, file.name, nil))
            }
            return (changes, made)
        } catch {
            made.undo()
            throw error
        }
    }

    public func unmerge(_ record: MergedLead, log entries: [ActivityEntry]) throws(StoreError) {
        guard let dir = try mergedDir(create: false) else { throw .system(SystemError("open", LeadStore.mergedDirectory, ENOENT)) }
        do { try indexDir.remove(SummaryIndex.fileName) } catch { throw .system(error) }
        for key in DuplicateKey.keys(of: record.other) { try keys.insert(key, id: record.other.id) }
        do { try keys.flush() } catch { throw .system(error) }
        let moves = try fileMoves(Array(record.keepAfter.files.suffix(record.other.files.count)), of: record.into, to: record.other.files, of: record.other.id)
        do throws(StoreError) {
            try commit(moves.changes + [FileChange(leadsDir, "\(record.other.id).json", record.other.fileBytes),
                                        FileChange(leadsDir, "\(record.into).json", record.keepBefore.fileBytes),
                                        FileChange(dir, "\(record.other.id).json", nil)], log: entries)
        } catch {
            moves.made.undo()
            throw error
        }
        if record.keepBefore.files.isEmpty, !record.other.files.isEmpty, let files = try? filesRoot(create: false) {
            removeEmptyDirectory(String(record.into), in: files.dir)
        }
        let kept = DuplicateKey.keys(of: record.keepBefore)
        dropKeys(DuplicateKey.keys(of: record.keepAfter).filter { !kept.contains($0) }, of: record.into)
    }
}
