import Dispatch
import Glibc
import Synchronization
import Testing
@testable import LeadsCore

/// `LeadStore.forEachInOrder`: every full and summary scan hands its leads over through
/// it, delivering one round while the cores work on the next.
@Suite(.serialized) struct ForEachInOrderTests {
    /// Counts around the round and part sizes (chunk 8 × workers, parts of 16), and the
    /// single-thread path below `minimum`.
    @Test(arguments: [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257, 1000, 4099])
    func everyResultArrivesOnceInIDOrder(count: Int) {
        let ids = (0..<count).map { $0 * 3 + 1 }
        var seen: [Int] = []
        LeadStore.forEachInOrder(ids, chunk: 8, minimum: 32, { id in id * 10 }) { (value: Int) in seen.append(value) }
        #expect(seen == ids.map { $0 * 10 })
    }

    @Test func workIsDoneWhileARoundIsDelivered() {
        // The delivery of the first round waits until a worker has begun the second: if
        // delivering and working took turns, it would wait in vain.
        guard LeadStore.scanWorkers > 1 else { return }
        let ids = Array(0..<200)
        let round = 8 * LeadStore.scanWorkers
        let begun = DispatchSemaphore(value: 0)
        var waitedInVain = false
        var delivered = 0
        LeadStore.forEachInOrder(ids, chunk: 8, minimum: 1, { id in
            if id == round { begun.signal() }
            return id
        }) { (_: Int) in
            if delivered == 0 { waitedInVain = begun.wait(timeout: .now() + 30) == .timedOut }
            delivered += 1
        }
        #expect(!waitedInVain)
        #expect(delivered == ids.count)
    }

    @Test func aDeliveryErrorStopsTheDeliveriesAndIsThrown() {
        let ids = Array(0..<1000)
        var seen: [Int] = []
        #expect(throws: StoreError.leadNotFound(300)) {
            try LeadStore.forEachInOrder(ids, chunk: 8, minimum: 1, { $0 }) { (id: Int) throws(StoreError) in
                if id == 300 { throw .leadNotFound(id) }
                seen.append(id)
            }
        }
        #expect(seen == Array(0..<300))
    }

    @Test func onlyAFewRoundsOfResultsAreHeld() {
        // A scan of 100,000 leads must not hold them all: a round's results are released
        // once delivered (when their part is refilled two rounds later).
        let ids = Array(0..<2000)
        let round = 8 * LeadStore.scanWorkers
        var most = 0
        var delivered = 0
        LeadStore.forEachInOrder(ids, chunk: 8, minimum: 1, { _ in Tracked() }) { (_: Tracked) in
            most = max(most, Tracked.live.load(ordering: .relaxed))
            delivered += 1
        }
        #expect(delivered == ids.count)
        // Round r - 1 being delivered, round r being made, round r - 2 not yet replaced.
        #expect(most <= 3 * round + 16, "\(most) results alive at once")
        #expect(Tracked.live.load(ordering: .relaxed) == 0)
    }
}

private final class Tracked: Sendable {
    static let live = Atomic<Int>(0)
    init() { Self.live.add(1, ordering: .relaxed) }
    deinit { Self.live.subtract(1, ordering: .relaxed) }
}
