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

    /// Runs `work` for every ID on every core and hands the results to `deliver` in ID
    /// order. The IDs go in rounds of `chunk` × workers; while one core delivers a round,
    /// the others (and then it too) work on the next, in parts of a quarter chunk taken as
    /// cores come free: delivering on its own, between rounds, left a core idle for a
    /// third of `pipeline`'s time on 100,000 leads. At most two rounds of results are held.
    /// `deliver` runs on one thread at a time, each round after the one before, but not
    /// always on the calling thread. Fewer than `minimum` IDs are done on this thread alone.
    static func forEachInOrder<Item: Sendable, Failure: Error>(_ ids: [Int], chunk: Int, minimum: Int,
                                                               _ work: @escaping @Sendable (Int) -> Item,
                                                               _ deliver: (Item) throws(Failure) -> Void) throws(Failure) {
        let workers = ids.count < minimum ? 1 : scanWorkers
        guard workers > 1 else {
            for id in ids { try deliver(work(id)) }
            return
        }
        let piece = max(16, chunk / 4)
        let round = chunk * workers
        let slotsPerRound = (round + piece - 1) / piece
        // Two rounds' results: one filled while the other is delivered. A part's old
        // results (delivered two rounds ago) are released by the worker that refills it.
        let results = RoundResults<Item>(count: 2 * slotsPerRound)
        var filled = [0, 0]  // parts filled in each half
        var failure: Failure?
        var start = 0
        var half = 0
        withoutActuallyEscaping(deliver) { deliver in
            let handOver = UncheckedSendable(deliver)
            while true {
                let end = min(ids.count, start + round)
                let parts = (end - start + piece - 1) / piece
                let pending = filled[1 - half]
                let first = start, fillBase = half * slotsPerRound, deliverBase = (1 - half) * slotsPerRound
                let box = FailureBox<Failure>()
                DispatchQueue.concurrentPerform(iterations: parts + (pending > 0 ? 1 : 0)) { i in
                    if pending > 0 && i == 0 {
                        // Handed over borrowed, not copied out: an item holds a whole lead,
                        // and copying it retained every string a worker had just made.
                        for slot in deliverBase..<(deliverBase + pending) where box.failure == nil {
                            results.slots[slot].withUnsafeBufferPointer { part in
                                for j in part.indices where box.failure == nil {
                                    do throws(Failure) { try handOver.value(part[j]) } catch { box.failure = error }
                                }
                            }
                        }
                        return
                    }
                    let part = pending > 0 ? i - 1 : i
                    let from = first + part * piece
                    results.slots[fillBase + part] = ids[from..<min(end, from + piece)].map(work)
                }
                failure = box.failure
                filled[half] = parts
                filled[1 - half] = 0
                if failure != nil || parts == 0 { break }
                start = end
                half = 1 - half
            }
        }
        if let failure { throw failure }
    }
}

/// The result slots of `forEachInOrder`: each part of a round writes only its own, and
/// the delivering core reads only the other round's.
private final class RoundResults<Item>: @unchecked Sendable {
    /// Written and read through the pointer, element by element: no access to the whole.
    let slots: UnsafeMutablePointer<[Item]>
    let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: [], count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}

/// The error `deliver` threw, set by the one thread that delivers.
private final class FailureBox<Failure: Error>: @unchecked Sendable {
    var failure: Failure?
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
