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
        try commit([FileChange(dir, "\(record.other.id).json", JSONWriter.pretty(record.json)),
                    FileChange(leadsDir, "\(record.into).json", record.keepAfter.fileBytes),
                    FileChange(leadsDir, "\(record.other.id).json", nil)], log: entries)
        dropKeys(DuplicateKey.keys(of: record.other), of: record.other.id)
    }

    public func unmerge(_ record: MergedLead, log entries: [ActivityEntry]) throws(StoreError) {
        guard let dir = try mergedDir(create: false) else { throw .system(SystemError("open", LeadStore.mergedDirectory, ENOENT)) }
        do { try indexDir.remove(SummaryIndex.fileName) } catch { throw .system(error) }
        for key in DuplicateKey.keys(of: record.other) { try keys.insert(key, id: record.other.id) }
        do { try keys.flush() } catch { throw .system(error) }
        try commit([FileChange(leadsDir, "\(record.other.id).json", record.other.fileBytes),
                    FileChange(leadsDir, "\(record.into).json", record.keepBefore.fileBytes),
                    FileChange(dir, "\(record.other.id).json", nil)], log: entries)
        let kept = DuplicateKey.keys(of: record.keepBefore)
        dropKeys(DuplicateKey.keys(of: record.keepAfter).filter { !kept.contains($0) }, of: record.into)
    }
}
