import Foundation

/// One thing that is timed: a `leads` command, a floor or a peer, on one data set size.
final class Job {
    enum Role: String { case leads, floor, peer }

    /// As shown in the table: `leads list`, `C read-all floor`, `jq pipeline sums`.
    let command: String
    let role: Role
    let size: Int
    /// The invocation for a round (0 ..< warm-up + runs): writing commands need a fresh
    /// directory or a new name each time.
    let invocation: (Int) throws -> Invocation
    var samples: [Sample] = []
    /// Why there are no numbers (a missing tool), or what went wrong.
    var note: String?
    var failed = false

    init(_ command: String, _ role: Role, size: Int, invocation: @escaping (Int) throws -> Invocation) {
        self.command = command
        self.role = role
        self.size = size
        self.invocation = invocation
    }

    /// A row without numbers, for a tool that is not installed.
    static func skipped(_ command: String, _ role: Role, size: Int, note: String) -> Job {
        let job = Job(command, role, size: size) { _ in throw BenchError.failed(note) }
        job.note = note
        return job
    }

    var runnable: Bool { note == nil && !failed }

    var median: Double? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.map(\.seconds).sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    var minimum: Double? { samples.map(\.seconds).min() }
    var maximum: Double? { samples.map(\.seconds).max() }
    var peakRSS: Int? { samples.map(\.peakRSS).max() }

    /// Times the jobs round by round (each job once per round, in order) rather than job
    /// by job, so that a machine that is slower for a while slows every job of a round
    /// alike and the ratios stay fair. The first `warmup` rounds are not kept.
    static func measure(_ jobs: [Job], warmup: Int, runs: Int, scratch: String, launcher: String?, label: String) throws {
        let rounds = warmup + runs
        for round in 0..<rounds {
            progress("\r  \(label): round \(round + 1)/\(rounds)\(round < warmup ? " (warm-up)" : "")   ")
            for job in jobs where job.runnable {
                let stderr = scratch + "/last.err"
                let sample: Sample
                do {
                    sample = try Runner.time(try job.invocation(round), stderr: stderr, launcher: launcher)
                } catch {
                    job.failed = true
                    job.note = "\(error)"
                    continue
                }
                if sample.status != 0 {
                    job.failed = true
                    let message = ((try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "")
                        .split(separator: "\n").prefix(3).joined(separator: " / ")
                    job.note = "failed: exit \(sample.status): \(message.prefix(300))"
                    continue
                }
                if round >= warmup { job.samples.append(sample) }
            }
        }
        progress("\r  \(label): done\(String(repeating: " ", count: 24))\n")
    }
}

/// Progress goes to standard error; the table to standard output.
func progress(_ text: String) {
    FileHandle.standardError.write(text.data(using: .utf8)!)
}
