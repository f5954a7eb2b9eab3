import Foundation

struct Options {
    var sizes = [10_000, 100_000]
    var runs = 5
    var warmup = 1
    var json: String?
    var out = ".build/bench"
    var leads: String?
    var seed: UInt64 = 20_261_123
    var quick = false
    /// `--million`: also the opt-in 1,000,000-lead set, with a reduced set of rows.
    var million = false
    static let millionSize = 1_000_000
    /// taskwarrior is timed on at most this many tasks (`task import` of 10,000 in the issue).
    var taskLimit = 10_000
    /// Update imports of the history set (HistoryPlan); 0 leaves it out.
    var historyRounds = HistoryPlan.defaultRounds

    static let usage = """
    usage: leads-bench [--quick] [--million] [--sizes N,N…] [--runs N] [--warmup N] [--json FILE]
                       [--out DIR] [--leads PATH] [--seed N] [--history-rounds N]

    Times the `leads` binary against floors (C, static Swift) and peers (jq, Python,
    taskwarrior) on generated data sets, and prints a table of medians and ratios.

      --quick        500 and 2,000 leads, 3 runs: a check that everything still runs (CI)
      --million      also 1,000,000 leads (about 10 GB of disk and 15-25 minutes more): import
                     once, then pipeline, remind --due, show, log, add, the reports and sqlite3
      --sizes LIST   data set sizes (default 10000,100000)
      --runs N       timed runs per command after the warm-up (default 5)
      --warmup N     untimed runs first (default 1)
      --json FILE    also write the results as JSON
      --out DIR      work directory (default .build/bench)
      --leads PATH   the leads binary to time; default: build it with
                     swift build -c release --static-swift-stdlib --product leads
      --seed N       data set seed (default 20261123)
      --history-rounds N
                     update imports that give each store its history, 0-9 (default \(HistoryPlan.defaultRounds));
                     9 makes about ten records per lead, issue 20's 1,000,000-record log at
                     100,000 leads, and takes three times as long as the default
    """

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var explicitSizes = false, explicitRuns = false
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let next = rest.popFirst() else { throw BenchError.usage("\(name) needs a value") }
            return next
        }
        func number(_ name: String, _ text: String, minimum: Int) throws -> Int {
            guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n >= minimum else {
                throw BenchError.usage("\(name): expected a whole number ≥ \(minimum), got '\(text)'")
            }
            return n
        }
        while let argument = rest.popFirst() {
            var name = argument, inline: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inline = String(argument[argument.index(after: eq)...])
            }
            func next() throws -> String { try inline ?? value(name) }
            switch name {
            case "--quick": options.quick = true
            case "--million": options.million = true
            case "--sizes":
                options.sizes = try next().split(separator: ",").map { try number("--sizes", String($0), minimum: 1) }
                guard !options.sizes.isEmpty else { throw BenchError.usage("--sizes: give at least one size") }
                explicitSizes = true
            case "--runs": options.runs = try number(name, try next(), minimum: 1); explicitRuns = true
            case "--warmup": options.warmup = try number(name, try next(), minimum: 0)
            case "--json": options.json = try next()
            case "--out": options.out = try next()
            case "--leads": options.leads = try next()
            case "--history-rounds":
                let rounds = try number(name, try next(), minimum: 0)
                guard rounds <= HistoryPlan.steps else { throw BenchError.usage("--history-rounds: at most \(HistoryPlan.steps), got \(rounds)") }
                options.historyRounds = rounds
            case "--seed":
                let text = try next()
                guard let seed = UInt64(text) else { throw BenchError.usage("--seed: expected a whole number, got '\(text)'") }
                options.seed = seed
            case "-h", "--help":
                print(usage)
                exit(0)
            default: throw BenchError.usage("unknown option '\(argument)'\n\n\(usage)")
            }
        }
        if options.quick {
            if !explicitSizes { options.sizes = [500, 2000] }
            if !explicitRuns { options.runs = 3 }
        }
        if options.million && !options.sizes.contains(millionSize) { options.sizes.append(millionSize) }
        return options
    }
}
