import Glibc

// Bringing the derived files (`.index/state`, `.index/keys/`) up to date when a writer
// starts: they are caches of the lead files and the log, written after the commit point
// and never fsynced, so they may lag behind — after a kill, a full disk, a power loss —
// or be missing. The log and the files are the truth; this catches up from them.

extension StoreWriter {
    func loadState() throws(StoreError) -> DerivedState {
        let logSize: Int
        do { logSize = try log.size() } catch { throw .system(error) }
        var state: DerivedState
        if let bytes = try indexDir.read(DerivedState.fileName), var saved = DerivedState(bytes: bytes),
           saved.logSize <= logSize {
            if saved.logSize < logSize { try replayLog(into: &saved, to: logSize) }
            state = saved
        } else {
            // Without a saved mark the files set it, so the walk below starts past a
            // killed command's files: they are the files past the log's own mark.
            var unlogged: [(Int, Lead?)] = []
            state = try rebuildDerivedState(logSize: logSize) { unlogged.append(($0, $1)) }
            for (id, lead) in unlogged.sorted(by: { $0.0 < $1.0 }) { recoveries.append(recovery(of: id, lead)) }
        }
        // Files just past the mark were written by a command killed before it logged them
        // (a batch of an import, an `add`): count them and give them their keys, so that
        // resuming the import finds them, and have the first commit log them as
        // recovered, as `fsck --repair` would.
        state.nextLead = try Self.walkPastMark(from: state.nextLead) { (id: Int) throws(StoreError) in try exists("\(id).json", in: leadsDir) } visit: { (id: Int) throws(StoreError) in
            switch try addKeys(ofFile: id) {
            case .read(let lead): recoveries.append(recovery(of: id, lead))
            case .unreadable: recoveries.append(recovery(of: id, nil))
            case .missing: break
            }
        }
        return state
    }

    /// Visits the IDs from `start` on while a file is there, stepping over one missing ID:
    /// an import makes a batch's files on two threads (StoreCommit.swift), so a kill may
    /// leave one of them without its file and later ones with theirs. Returns the first ID
    /// past the walk. Two stats when there are none. `fsck` asks it too (StoreCheck.swift).
    static func walkPastMark(from start: Int, exists: (Int) throws(StoreError) -> Bool,
                             visit: (Int) throws(StoreError) -> Void) throws(StoreError) -> Int {
        var id = start
        while true {
            if try !exists(id), try !exists(id + 1) { return id }
            try visit(id)
            id += 1
        }
    }

    /// The `recover` record of a lead file no record mentions, with its state if it reads.
    private func recovery(of id: Int, _ lead: Lead?) -> ActivityEntry {
        let entry = ActivityEntry(time: actor.now, user: actor.user, action: .recover, lead: id)
        return lead.map(entry.recordingFound) ?? entry
    }

    private enum FileKeys { case read(Lead), unreadable, missing }

    /// Gives lead `id` its keys; a file that cannot be read is listed under
    /// `DuplicateKey.unreadable`, so the duplicate check refuses rather than misses it.
    @discardableResult
    private func addKeys(ofFile id: Int) throws(StoreError) -> FileKeys {
        do {
            let lead = try LeadStore.readLead(id, in: leadsDir)
            for key in DuplicateKey.keys(of: lead) { try keys.insert(key, id: id) }
            return .read(lead)
        } catch {
            if case .leadNotFound = error { return .missing }
            try keys.insert(.unreadable, id: id)
            return .unreadable
        }
    }

    /// Catches the state up with log records written after its stamp (a writer that
    /// died before saving state), re-adding the keys of the leads they touched.
    private func replayLog(into state: inout DerivedState, to size: Int) throws(StoreError) {
        let bytes = try store.activityLogBytes()
        for line in ActivityLogLines(bytes: bytes, startOffset: state.logSize) {
            guard let entry = try? ActivityEntry(line: Array(line.bytes)) else { continue }
            state.observe(entry)
            if let id = entry.lead { try addKeys(ofFile: id) }
        }
        state.logSize = size
    }

    /// Rebuilds ID marks and keys from the files and the whole log (first use, or lost state).
    /// `pastTheLog` is told each lead file whose ID is past every ID the log names (a
    /// command killed before it logged it), with the lead if it reads.
    @discardableResult
    func rebuildDerivedState(logSize: Int, pastTheLog: ((Int, Lead?) -> Void)? = nil) throws(StoreError) -> DerivedState {
        var rebuilt = DerivedState(logSize: 0)
        try replayLogIDs(into: &rebuilt)
        let logMark = rebuilt.nextLead
        var pairs: [(DuplicateKey, Int)] = []
        for id in try LeadStore.fileIDs(in: leadsDir) {
            // A file beyond the ID space cannot be in the way of an ID handed out.
            if id < Self.leadIDLimit { rebuilt.nextLead = max(rebuilt.nextLead, id + 1) }
            do {
                let lead = try LeadStore.readLead(id, in: leadsDir)
                for key in DuplicateKey.keys(of: lead) { pairs.append((key, id)) }
                if id >= logMark, id < Self.leadIDLimit { pastTheLog?(id, lead) }
            } catch {
                if case .leadNotFound = error { continue }
                pairs.append((.unreadable, id))
                if id >= logMark, id < Self.leadIDLimit { pastTheLog?(id, nil) }
            }
        }
        for id in try LeadStore.fileIDs(in: customersDir) { rebuilt.nextCustomer = max(rebuilt.nextCustomer, id + 1) }
        keys.replaceAll(with: pairs)
        rebuilt.logSize = logSize
        return rebuilt
    }

    private func replayLogIDs(into state: inout DerivedState) throws(StoreError) {
        let bytes = try store.activityLogBytes()
        for line in ActivityLogLines(bytes: bytes) {
            if let entry = try? ActivityEntry(line: Array(line.bytes)) { state.observe(entry) }
        }
    }
}
