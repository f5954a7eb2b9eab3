import Dispatch
import Glibc
import Testing
@testable import LeadsCore

/// `together`: the directory listing and the index load of every summary scan.
/// Serialized: two of these tests at once take both of Dispatch's threads on two cores,
/// and the second job of one then waits seconds for a thread.
@Suite(.serialized) struct TogetherTests {
    @Test func bothResultsComeBack() throws {
        let (ids, name) = try together({ () throws(StoreError) in [3, 1, 2].sorted() }, { () throws(StoreError) in "summaries" })
        #expect(ids == [1, 2, 3])
        #expect(name == "summaries")
    }

    @Test func theJobsRunAtOnceWhenThereAreTwoCores() throws {
        // On one core they run one after the other, which is what `together` promises there.
        guard LeadStore.scanWorkers > 1 else { return }
        // The first waits for the second to begin: run one after the other, it times out.
        let begun = DispatchSemaphore(value: 0)
        let (met, _) = try together({ () throws(StoreError) in begun.wait(timeout: .now() + 60) == .success },
                                    { () throws(StoreError) in begun.signal() })
        #expect(met)
    }

    @Test func anErrorOfTheFirstIsThrownOnlyOnceTheSecondHasEnded() {
        let second = Finished()
        #expect(throws: StoreError.leadNotFound(7)) {
            _ = try together({ () throws(StoreError) -> Int in throw .leadNotFound(7) }, { () throws(StoreError) -> Int in
                usleep(50_000)
                second.done = true
                return 1
            })
        }
        #expect(second.done)
    }
}

private final class Finished: @unchecked Sendable {  // written by one job, read after both ended
    var done = false
}
