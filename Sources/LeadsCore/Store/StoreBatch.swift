import Dispatch
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
//
// With two cores, a batch commits on another thread while the importer reads, converts
// and encodes the next rows: a commit is mostly the kernel creating files, one core's
// work, and the conversion waited for it (a 100,000-row import used one core of two).
// The calling sequence, whole:
// - `add`, when the batch is full, first waits for the batch in flight (`settle`), then
//   hands the full one to a thread and returns: at most one commit runs, in order.
// - While it runs the importer touches no state a commit uses: it converts and encodes
//   rows, takes IDs (`newLeadID`: the ID mark, which commits do not touch), and adds to
//   the next batch. It reads no lead that a batch not yet committed writes: `contains`
//   covers the one in flight too, and `flush` commits both and waits before such a lead
//   is read.
// - A failed commit is thrown by the next `add`, `flush` or `finish`, and is not
//   counted in `committed`; `abandon` (and `deinit`) waits for one in flight when the
//   import stops for another reason, so the lock is never released while a commit runs.

extension StoreWriter {
    public final class Batch {
        private let writer: StoreWriter
        private let limit: Int
        private var pending: [BatchItem] = []
        /// The batch committing on another thread, if any.
        private var inFlight: InFlightCommit?
        /// The leads written so far whose summary lines are still racy.
        private var racy: [RecordedSummary] = []
        /// How many of the changes handed to `add` are committed: the rest are not.
        public private(set) var committed = 0

        init(writer: StoreWriter, limit: Int) {
            self.writer = writer
            self.limit = limit
        }

        deinit { abandon() }

        /// Whether a change of lead `id` waits in this batch or commits now.
        public func contains(_ id: Int) -> Bool {
            pending.contains { $0.lead.id == id } || inFlight?.items.contains { $0.lead.id == id } == true
        }

        /// `bytes`: the lead's file, if already encoded (imports encode on every core).
        public func add(_ lead: Lead, bytes: [UInt8]? = nil, previous: Lead?, log entry: ActivityEntry) throws(StoreError) {
            pending.append((lead, bytes, previous, entry))
            if pending.count >= limit { try startCommit() }
        }

        /// Commits everything handed over, and returns once it is committed.
        public func flush() throws(StoreError) {
            try startCommit()
            try settle()
        }

        /// Starts committing what is pending, after the batch before it has committed.
        private func startCommit() throws(StoreError) {
            try settle()
            guard !pending.isEmpty else { return }
            let items = pending
            pending = []
            guard StoreWriter.batchesCommitBeside else {
                racy = try writer.commitBatch(items, racy: racy)
                committed += items.count
                return
            }
            inFlight = InFlightCommit(writer: writer, items: items, racy: racy)
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

        /// Waits for a batch in flight when the import stops for another reason; counts
        /// it when it committed, so the message says where to go on from.
        public func abandon() {
            try? settle()
        }

        private func settle() throws(StoreError) {
            guard let running = inFlight else { return }
            inFlight = nil
            racy = try running.wait()
            committed += running.items.count
        }
    }

    typealias BatchItem = (lead: Lead, bytes: [UInt8]?, previous: Lead?, entry: ActivityEntry)

    /// One batch committing on a thread of its own (the calling sequence above).
    private final class InFlightCommit: @unchecked Sendable {
        let items: [BatchItem]
        private let done = DispatchGroup()
        private var result: Result<[RecordedSummary], StoreError>?

        init(writer: StoreWriter, items: [BatchItem], racy: [RecordedSummary]) {
            self.items = items
            let job = UncheckedSendable((writer, racy))
            done.enter()
            DispatchQueue.global().async { [self] in
                result = Result { () throws(StoreError) in try job.value.0.commitBatch(items, racy: job.value.1) }
                done.leave()
            }
        }

        func wait() throws(StoreError) -> [RecordedSummary] {
            done.wait()
            return try result!.get()
        }
    }

    /// `limit`: leads per commit. 2,048 where a batch commits beside the next one's
    /// making: two batches are then in memory at once, and at 4,096 a 100,000-row
    /// import's peak RSS went from 62 to 102 MB.
    public func batch(limit: Int? = nil) -> Batch {
        Batch(writer: self, limit: limit ?? (Self.batchesCommitBeside ? 2048 : 4096))
    }

    /// Whether a batch commits on a thread of its own beside the making of the next one.
    static var batchesCommitBeside: Bool { LeadStore.scanWorkers > 1 }

    fileprivate func commitBatch(_ items: [BatchItem],
                                 racy: [RecordedSummary]) throws(StoreError) -> [RecordedSummary] {
        for item in items {
            for key in DuplicateKey.keys(of: item.lead) { try keys.insert(key, id: item.lead.id) }
        }
        // New leads' keys are written once, when the import ends or stops after a batch
        // (a failed batch's keys among them: the keys are a superset, every hit checked
        // against the lead's file, DuplicateKeys.swift). After a kill,
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
