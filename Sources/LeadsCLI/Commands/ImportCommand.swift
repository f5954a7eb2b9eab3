import Glibc
import LeadsCore

/// `import-csv`: options in, the engine (LeadsCore/Import/CSVImportEngine.swift) runs the
/// two passes under one lock, the report out in words.
enum ImportCommand {
    typealias Policy = CSVImportEngine.Policy

    struct Options {
        var engine = CSVImportEngine.Options()
        var json = false
    }

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let options = try parseOptions(invocation)
        if invocation.flag("show-profile") {
            // A built-in profile as the JSON a team copies into its own --profile FILE.
            guard let system = invocation.value("from"), let text = BuiltinProfiles.text(system) else {
                throw UsageError.optionRequires(option: "--show-profile", modes: ["--from"])
            }
            try context.output.line(text)
            return ExitStatus.success
        }
        guard let path = invocation.positionals.first else { throw UsageError.missingArgument(command: "import-csv", name: "FILE") }
        let store = try context.store()
        let config = try store.config()
        let now = try context.now()
        let user = context.user
        for (field, value) in options.engine.settings.defaults {
            // A bad default would fail every row: refuse it once, up front.
            let header = field == .name ? ["name"] : ["name", field.name]
            let probe = try ColumnPlan(file: "--default", header: header)
            var probeSettings = options.engine.settings
            probeSettings.defaults = [:]
            if case .failure(let problems) = probeSettings.converter(probe, config: config, now: now, user: user)
                .lead(from: field == .name ? [value] : ["x", value], line: 0) {
                throw ImportError.invalidDefault(field: field.name, reason: ErrorReport.problem(problems.problems[0].problem, value: value))
            }
        }

        let input = try CSVImportEngine.Input.open(path, store: store)
        defer { input.close() }
        let progress = ProgressLine(enabled: context.environment.stderrIsTerminal, label: "importing \(input.display)")
        defer { progress.finish() }
        var engine = CSVImportEngine(options: options.engine, config: config, now: now, user: user)
        engine.progress = progress.update(rows:)
        let report = try engine.run(input, store: store)
        progress.finish()
        return try finish(report, options: options, context: context)
    }

    // MARK: Options

    /// `--delimiter`: auto, or a `CSVDelimiter`.
    static let delimiterParser = ValueParser(suggestions: ["auto", ",", ";", "tab", "|"]) { raw throws(UsageError) in
        guard raw != "auto", CSVDelimiter.parse(raw) == nil else { return }
        throw .invalidArgument(argument: "--delimiter", value: raw, reason: "one ASCII character other than a quote or line break, 'tab', or 'auto'")
    }

    /// `--century`: a year that starts a century (2000, 1900).
    static let centuryParser = ValueParser(suggestions: ["2000", "1900"]) { raw throws(UsageError) in
        guard let year = Int(raw), year >= 0, year <= 9900, year % 100 == 0 else {
            throw .invalidArgument(argument: "--century", value: raw, reason: "a year that starts a century, such as 2000")
        }
    }

    static func parseOptions(_ invocation: Invocation) throws -> Options {
        var options = Options()
        // Phase one checked --delimiter, --encoding, --decimal and --on-duplicate against the table.
        if let raw = invocation.value("delimiter"), raw != "auto" { options.engine.delimiter = CSVDelimiter.parse(raw) }
        switch invocation.value("encoding") ?? "utf8" {
        case "utf8": options.engine.encoding = .utf8
        case "cp1252": options.engine.encoding = .cp1252
        case let other:
            throw UsageError.invalidArgument(argument: "--encoding", value: other, reason: "use utf8 or cp1252")
        }
        var typed = ImportSettings.Options()
        switch invocation.value("decimal") {
        case nil: break
        case ".": typed.decimal = .point
        case ",": typed.decimal = .comma
        case let other?: throw UsageError.invalidArgument(argument: "--decimal", value: other, reason: "use --decimal . or --decimal ,")
        }
        typed.maps = invocation.values("map")
        typed.mapValues = invocation.values("map-value")
        typed.defaults = invocation.values("default")
        if invocation.flag("keep-unknown") { typed.unknown = .keep }
        if invocation.flag("drop-unknown") { typed.unknown = .drop }
        typed.dateOrder = invocation.value("date-format").flatMap { DateOrder(rawValue: $0.uppercased()) }
        if let raw = invocation.value("century") { typed.century = Int(raw) }
        typed.probabilityScale = invocation.value("probability-scale").flatMap(ProbabilityScale.init(rawValue:))
        var profile: ImportProfile?
        if let system = invocation.value("from") {
            guard let builtin = BuiltinProfiles.profile(system) else {
                throw ImportError.unknownProfile(system, known: BuiltinProfiles.names)
            }
            profile = builtin
        }
        if let file = invocation.value("profile") { profile = try ImportProfile.parse(try readProfile(file), file: file) }
        options.engine.settings = try ImportSettings(profile: profile, options: typed)
        if let raw = invocation.value("on-duplicate") {
            guard let policy = Policy(rawValue: raw) else {
                throw UsageError.invalidArgument(argument: "--on-duplicate", value: raw, reason: "use error, skip, update or create")
            }
            options.engine.policy = policy
        }
        options.engine.skipInvalid = invocation.flag("skip-invalid")
        options.engine.dryRun = invocation.flag("dry-run")
        options.json = invocation.flag("json")
        return options
    }

    /// `--profile FILE`: a profile is small; a megabyte is far more than any needs.
    static func readProfile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open", path) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        let n = bytes.withUnsafeMutableBytes { readFully(fd, into: $0) }
        guard n >= 0 else { throw SystemError("read", path) }
        guard n < bytes.count else { throw ImportError.badProfile(file: path, reason: "larger than 1 MiB; this is not a profile") }
        return Array(bytes[0..<n])
    }

    // MARK: Report

    static func finish(_ report: ImportReport, options: Options, context: CommandContext) throws -> Int32 {
        let out = context.output
        let failed = report.rejected > 0 && !options.engine.skipInvalid
        let dryRun = options.engine.dryRun
        let view = ImportReportView(report: report)
        if dryRun && !options.json {
            try out.line("\(report.file): would create \(report.created), update \(report.updated), skip \(report.skipped), reject \(report.rejected)")
            for line in view.plan() { try out.line(line) }
            for problem in report.problems { try out.line("\(report.file):\(problem.line): " + ImportReportView.message(problem.reason)) }
            for line in view.unmapped() { try out.line(line) }
        } else {
            for problem in report.problems { Output.standardError("leads: \(report.file):\(problem.line): " + ImportReportView.message(problem.reason)) }
            for line in view.unmapped() { Output.standardError("leads: " + line) }
        }
        if options.json {
            try out.write(bytes: JSONWriter.pretty(report.json(written: !failed && !dryRun, message: ImportReportView.message,
                                                               what: ImportReportView.describe)))
        }
        if failed {
            throw ImportFailure.rejected(file: report.file, rows: report.rejected, dryRun: dryRun)
        }
        if !dryRun {
            for line in view.notImported() { Output.standardError("leads: " + line) }
            Output.standardError("leads: \(report.file): \(report.created) created, \(report.updated) updated, \(report.skipped) skipped, \(report.rejected) rejected")
        }
        return ExitStatus.success
    }
}

enum ImportFailure: Error, Equatable {
    case rejected(file: String, rows: Int, dryRun: Bool)
}
