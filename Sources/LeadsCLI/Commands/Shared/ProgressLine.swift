import Glibc

/// "leads: importing x.csv: 12,345 rows" on a terminal's stderr, for runs over a second.
final class ProgressLine {
    private let enabled: Bool
    private let label: String
    private let start = monotonicNow()
    private var lastDraw = 0.0
    private var drawn = false

    init(enabled: Bool, label: String) {
        self.enabled = enabled
        self.label = label
    }

    func update(rows: Int) {
        guard enabled, rows & 255 == 0 else { return }
        let now = monotonicNow()
        guard now - start > 1, now - lastDraw > 0.2 else { return }
        lastDraw = now
        drawn = true
        let text = "\rleads: \(label): \(rows) rows"
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    func finish() {
        guard drawn else { return }
        drawn = false
        let clear = "\r" + String(repeating: " ", count: label.count + 32) + "\r"
        _ = Array(clear.utf8).withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
