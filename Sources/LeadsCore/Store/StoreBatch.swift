import Glibc

// Many leads written with one sync per batch instead of one fsync per file (an import).
// A batch is one commit of the common protocol (StoreCommit.swift) with `.together`
// durability: duplicate keys, the files (atomic, not yet synced), one syncfs and a
// directory fsync, then all its log records in one write and one fsync — the batch's
// commit point — then the dropped keys. A kill leaves only complete files, every
// logged lead is on disk, and every written lead is found by the duplicate check, so
// re-running an import with `--on-duplicate skip` completes it. A failed batch is
// undone: its files put back and its records cut, so no record names a lead that was
// never written.

extension StoreWriter {
    public final class Batch {
        private let writer: StoreWriter
        private let limit: Int
        private var pending: [(lead: Lead, bytes: [UInt8]?, previous: Lead?, entry: ActivityEntry)] = []
        /// The leads written so far whose summary lines are still racy.
        private var racy: [RecordedSummary] = []
        /// How many of the changes handed to `add` are committed: the rest are not.
        public private(set) var committed = 0

        init(writer: StoreWriter, limit: Int) {
            self.writer = writer
            self.limit = limit
        }

        public func contains(_ id: Int) -> Bool { pending.contains { $0.lead.id == id } }

        /// `bytes`: the lead's file, if already encoded (imports encode on every core).
        public func add(_ lead: Lead, bytes: [UInt8]? = nil, previous: Lead?, log entry: ActivityEntry) throws(StoreError) {
            pending.append((lead, bytes, previous, entry))
            if pending.count >= limit { try flush() }
        }

        public func flush() throws(StoreError) {
            guard !pending.isEmpty else { return }
            let items = pending
            pending = []
            racy = try writer.commitBatch(items, racy: racy)
            committed += items.count
        }

        /// The last flush, then the wait that leaves the summary index trusted for what
        /// the batches wrote (`settleSummaries`), then the index rewritten without the lines
        /// the batches' lines replaced (`compactSummaries`: an update import's), still under
        /// the lock, so that no reader loads them. Both come after the last commit point and
        /// cannot fail: only the flush can.
        public func finish() throws(StoreError) {
            try flush()
            writer.settleSummaries(racy)
            racy = []
            if committed > 0 { writer.compactSummaries() }
        }
    }

    public func batch(limit: Int = 4096) -> Batch { Batch(writer: self, limit: limit) }

    fileprivate func commitBatch(_ items: [(lead: Lead, bytes: [UInt8]?, previous: Lead?, entry: ActivityEntry)],
                                 racy: [RecordedSummary]) throws(StoreError) -> [RecordedSummary] {
        for item in items {
            for key in DuplicateKey.keys(of: item.lead) { try keys.insert(key, id: item.lead.id) }
        }
        // New leads' keys are written once, when the whole import ends: after a kill,
        // the next writer finds logged leads by replaying the log and unlogged ones
        // just past the ID mark (loadState). A changed lead's new keys cannot be found
        // that way, so a batch with updates writes them ahead as single changes do.
        if items.contains(where: { $0.previous != nil }) {
            do { try keys.flush() } catch { throw .system(error) }
        }
        let files = items.map { $0.bytes ?? $0.lead.fileBytes }
        try commit(zip(items, files).map { FileChange(leadsDir, "\($0.lead.id).json", $1, isNew: $0.previous == nil) },
                   log: items.map { $0.entry.recording(from: $0.previous, to: $0.lead) }, durability: .together)
        // After the commit point, derived: the batch's lines of the summary index, so the
        // first report after an import need not parse every file (SummaryIndex.swift).
        let racy = recordSummaries(zip(items, files).map { ($0.lead, $1) }, racy: racy)
        for item in items {
            if let previous = item.previous {
                let newKeys = DuplicateKey.keys(of: item.lead)
                dropKeys(DuplicateKey.keys(of: previous).filter { !newKeys.contains($0) }, of: item.lead.id)
            }
        }
        return racy
    }
}
