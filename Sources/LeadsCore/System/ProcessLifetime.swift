import Synchronization

/// Values left for the process's end to reclaim instead of being freed one by one, as
/// clang's -disable-free and git's UNLEAK do. A replay of the log on 100,000 leads ends
/// holding a state per lead, each a box with its label list: freeing them was a fifth of
/// the instructions of `report lost` (callgrind), work that exit does for nothing.
///
/// Off unless the executable turns it on before any command runs (`LeadsMain.main`): a
/// program or a test that replays many times in one process gets its memory back.
public enum ProcessLifetime {
    private static let state = Mutex<(on: Bool, kept: [Any])>((false, []))

    /// From now on, `keep` keeps.
    public static func keepUntilExit() {
        state.withLock { $0.on = true }
    }

    /// Holds `value` until the process ends when turned on; otherwise does nothing and
    /// the value is freed as usual when its last user lets go.
    public static func keep(_ value: some Any) {
        state.withLock { if $0.on { $0.kept.append(value) } }
    }
}
