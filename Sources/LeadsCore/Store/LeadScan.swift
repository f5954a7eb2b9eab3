import Dispatch
import Glibc

// Full scans read every lead file: the read and the decode are spread over the CPU's
// cores in chunks, and the leads are handed over in ID order, chunk by chunk, so a
// report never holds more than a few hundred parsed leads at a time.

extension LeadStore {
    /// Visits every lead in ID order under a shared lock (an import is seen whole or not
    /// at all). Files that cannot be read are returned, never silently skipped. Without
    /// `notes` the notes are validated but not kept: for reports that do not show them.
    public func scan(notes: Bool = true, _ visit: (Lead) throws -> Void) throws -> [StoreError] {
        try scanFiles(notes: notes, preparing: { _ in () }) { lead, _ in try visit(lead) }
    }

    /// As `scan(notes:_:)`, with `prepare` run for each lead on the core that read it
    /// (see `scan(for:prepare:_:)`).
    public func scan<Prepared: Sendable>(notes: Bool = true, prepare: @escaping @Sendable (Lead) -> Prepared,
                                         _ visit: (Lead, Prepared) throws -> Void) throws -> [StoreError] {
        // Not generic below: see `scanSummaries(withOpenReminders:prepare:_:)`.
        try scanFiles(notes: notes, preparing: { prepare($0) }) { lead, prepared in try visit(lead, prepared as! Prepared) }
    }

    private func scanFiles(notes: Bool, preparing prepare: @escaping @Sendable (Lead) -> any Sendable,
                           _ visit: (Lead, any Sendable) throws -> Void) throws -> [StoreError] {
        try withLock(.shared) { () throws -> [StoreError] in
            guard let dir = try subdirectory(Self.leadsDirectory) else { return [] }
            return try Self.scan(dir, ids: try Self.fileIDs(in: dir), notes: notes, prepare: prepare, visit)
        }
    }

    /// As `scan`, collecting the leads (small stores, or commands that need them all).
    public func allLeads(notes: Bool = true) throws -> (leads: [Lead], problems: [StoreError]) {
        var leads: [Lead] = []
        let problems = try scan(notes: notes) { leads.append($0) }
        return (leads, problems)
    }

    static let scanWorkers: Int = max(1, min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

    /// Not generic: see `scanSummaries(withOpenReminders:prepare:_:)`.
    static func scan(_ dir: Directory, ids: [Int], notes: Bool, prepare: @escaping @Sendable (Lead) -> any Sendable,
                     _ visit: (Lead, any Sendable) throws -> Void) throws -> [StoreError] {
        var problems: [StoreError] = []
        try forEachInOrder(ids, chunk: 128, minimum: 256, { id -> Result<(Lead, any Sendable), StoreError> in
            do throws(StoreError) {
                let lead = try readLead(id, in: dir, notes: notes)
                return .success((lead, prepare(lead)))
            } catch { return .failure(error) }
        }) { result in
            switch result {
            case .success(let (lead, prepared)): try visit(lead, prepared)
            case .failure(.leadNotFound): break  // deleted while listing
            case .failure(let error): problems.append(error)
            }
        }
        return problems
    }

    /// Runs `work` for every ID on every core, `chunk` IDs per worker at a time, and hands
    /// the results to `deliver` in ID order: at most `chunk` × workers results are held.
    /// Fewer than `minimum` IDs are done on this thread alone.
    static func forEachInOrder<Item: Sendable>(_ ids: [Int], chunk: Int, minimum: Int, _ work: @escaping @Sendable (Int) -> Item,
                                               _ deliver: (Item) throws -> Void) rethrows {
        let workers = ids.count < minimum ? 1 : scanWorkers
        guard workers > 1 else {
            for id in ids { try deliver(work(id)) }
            return
        }
        var start = 0
        var results = [[Item]](repeating: [], count: workers)
        while start < ids.count {
            let end = min(ids.count, start + chunk * workers)
            results.withUnsafeMutableBufferPointer { slots in
                // Each worker writes only its own slot.
                let base = UncheckedSendable(slots.baseAddress!)
                let first = start
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let from = first + worker * chunk
                    base.value[worker] = from < end ? ids[from..<min(end, from + chunk)].map(work) : []
                }
            }
            // Handed over borrowed, not copied out: an item holds a whole lead, and copying
            // it here retained every string a worker had just made, on the other core's
            // cache lines (a third of this thread's time in `pipeline`). The worker
            // releases them when it refills its slot.
            for slot in results.indices {
                try results[slot].withUnsafeBufferPointer { part in for i in part.indices { try deliver(part[i]) } }
            }
            start = end
        }
    }
}

/// Runs two independent jobs at once, one per core, and returns both results; an error
/// is thrown once both have ended (the first's, if both failed). On a single core they
/// run one after the other, and an error of the first is thrown before the second
/// starts. The first starts at once on this thread, so it should be the longer:
/// listing the lead directory beside loading the summary index, parsing a block of the
/// log beside folding the one before (a fold first made `report funnel` ~20 ms slower).
func together<A, B, Failure: Error>(_ first: () throws(Failure) -> A, _ second: () throws(Failure) -> B) throws(Failure) -> (A, B) {
    guard LeadStore.scanWorkers > 1 else { return (try first(), try second()) }
    let slots = TwoResults<A, B, Failure>()
    withoutActuallyEscaping(first) { first in
        withoutActuallyEscaping(second) { second in
            let jobs = UncheckedSendable((first, second))
            DispatchQueue.concurrentPerform(iterations: 2) { job in
                if job == 0 {
                    slots.first = Result { () throws(Failure) -> A in try jobs.value.0() }
                } else {
                    slots.second = Result { () throws(Failure) -> B in try jobs.value.1() }
                }
            }
        }
    }
    return (try slots.first!.get(), try slots.second!.get())
}

/// The results of `together`: each job writes only its own.
private final class TwoResults<A, B, Failure: Error>: @unchecked Sendable {
    var first: Result<A, Failure>?
    var second: Result<B, Failure>?
}

/// A value handed to concurrent workers that the code guarantees they use without races.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Maps on every core, keeping the order: for CPU-bound work on independent items
/// (converting and encoding the rows of an import).
public func parallelMap<T: Sendable, U: Sendable>(_ items: [T], minimum: Int = 256, _ transform: @Sendable (T) -> U) -> [U] {
    let workers = items.count < minimum ? 1 : LeadStore.scanWorkers
    guard workers > 1 else { return items.map(transform) }
    var parts = [[U]](repeating: [], count: workers)
    let size = (items.count + workers - 1) / workers
    parts.withUnsafeMutableBufferPointer { slots in
        let base = UncheckedSendable(slots.baseAddress!)
        withoutActuallyEscaping(transform) { transform in
            let work = UncheckedSendable(transform)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let from = worker * size
                base.value[worker] = from < items.count ? items[from..<min(items.count, from + size)].map(work.value) : []
            }
        }
    }
    return parts.flatMap { $0 }
}
