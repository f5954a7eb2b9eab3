import Glibc
import LeadsCore

/// `import-csv`: validate the whole file in a streaming first pass, then write in a
/// second, both under one exclusive lock. Memory stays small whatever the file's size:
/// only a plan entry and two 128-bit fingerprints per row are kept between the passes.
enum ImportCommand {
    enum Policy: String { case error, skip, update, create }

    enum Plan {
        case blank, reject, skip
        case create
        case updateLead(Int)
        /// Updates the lead created from an earlier row of the same file.
        case updateRow(Int)
    }

    struct Options {
        var delimiter: UInt8?
        var encoding: CSVEncoding = .utf8
        var settings = ImportSettings()
        var policy: Policy = .error
        var skipInvalid = false
        var dryRun = false
        var json = false
    }

    /// Where the rows are read from, twice.
    struct Input {
        let display: String
        let fd: Int32
        let spool: SpoolFile?
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
        for (field, value) in options.settings.defaults {
            // A bad default would fail every row: refuse it once, up front.
            let header = field == .name ? ["name"] : ["name", field.name]
            let probe = try ColumnPlan(file: "--default", header: header)
            var probeSettings = options.settings
            probeSettings.defaults = [:]
            if case .failure(let problems) = probeSettings.converter(probe, config: config, now: now, user: user)
                .lead(from: field == .name ? [value] : ["x", value], line: 0) {
                throw ImportError.invalidDefault(field: field.name, reason: ErrorReport.problem(problems.problems[0].problem, value: value))
            }
        }

        let input = try openInput(path, store: store, context: context)
        defer { if input.spool == nil { close(input.fd) } }
        let progress = ProgressLine(enabled: context.environment.stderrIsTerminal, label: "importing \(input.display)")
        defer { progress.finish() }

        let report: ImportReport
        if options.dryRun && !store.exists {
            report = try validate(input, options: options, config: config, now: now, user: user, writer: nil, progress: progress).report
        } else {
            report = try store.write { writer in
                let (plan, validation) = try validate(input, options: options, config: config, now: now, user: user,
                                                      writer: writer, progress: progress)
                if options.dryRun || (validation.rejected > 0 && !options.skipInvalid) { return validation }
                return try write(input, plan: plan, report: validation, options: options, config: config, now: now,
                                 user: user, writer: writer, progress: progress)
            }
        }
        progress.finish()
        return try finish(report, input: input, options: options, context: context)
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
        if let raw = invocation.value("delimiter"), raw != "auto" { options.delimiter = CSVDelimiter.parse(raw) }
        switch invocation.value("encoding") ?? "utf8" {
        case "utf8": options.encoding = .utf8
        case "cp1252": options.encoding = .cp1252
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
        options.settings = try ImportSettings(profile: profile, options: typed)
        if let raw = invocation.value("on-duplicate") {
            guard let policy = Policy(rawValue: raw) else {
                throw UsageError.invalidArgument(argument: "--on-duplicate", value: raw, reason: "use error, skip, update or create")
            }
            options.policy = policy
        }
        options.skipInvalid = invocation.flag("skip-invalid")
        options.dryRun = invocation.flag("dry-run")
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

    // MARK: Input

    static func openInput(_ path: String, store: LeadStore, context: CommandContext) throws -> Input {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open", path) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("stat", path) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw SystemError("read", path, EISDIR)
        }
        var bom = [UInt8](repeating: 0, count: 2)
        let isUTF16 = (st.st_mode & S_IFMT) == S_IFREG
            && bom.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 2, 0) } == 2
            && bom.withUnsafeBytes { UTF16Input.byteOrder(of: $0) } != nil
        if (st.st_mode & S_IFMT) == S_IFREG && path != "-" && !isUTF16 { return Input(display: path, fd: fd, spool: nil) }
        // A pipe, a terminal or a device can be read only once: keep a copy to read twice.
        // UTF-16 (Excel's "Unicode Text") is copied too, as UTF-8.
        defer { if fd != 0 { close(fd) } }
        let display = path == "-" ? "stdin" : path
        let spool = try store.makeSpoolFile()
        try ImportInput.copy(fd, display: display, to: spool)
        guard lseek(spool.fd, 0, SEEK_SET) == 0 else { throw SystemError("seek", spool.name) }
        return Input(display: display, fd: spool.fd, spool: spool)
    }

    static func reader(_ input: Input, options: Options) throws -> (CSVReader, UInt8) {
        guard lseek(input.fd, 0, SEEK_SET) == 0 else { throw SystemError("seek", input.display) }
        var prefix = [UInt8](repeating: 0, count: 1 << 16)
        var filled = 0
        while filled < prefix.count {
            let n = prefix.withUnsafeMutableBytes { read(input.fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", input.display)
            }
            if n == 0 { break }
            filled += n
        }
        prefix.removeLast(prefix.count - filled)
        let delimiter = options.delimiter ?? CSVDelimiterSniffer.sniff(prefix) ?? UInt8(ascii: ",")
        return (CSVReader(fileDescriptor: input.fd, delimiter: delimiter, encoding: options.encoding, prefix: prefix), delimiter)
    }

    static func header(_ reader: inout CSVReader, input: Input, options: Options) throws -> ColumnPlan {
        var first: CSVRecord?
        repeat {
            do { first = try reader.next() } catch { throw ImportError.csv(file: input.display, error) }
        } while first.map { $0.fields == [""] } ?? false
        guard let first else { throw ImportError.noHeader(file: input.display) }
        return try options.settings.plan(file: input.display, header: first.fields)
    }

    // MARK: Pass one: validate and plan

    /// What one row is, worked out on any core.
    enum RowOutcome: Sendable {
        case blank
        /// A report footer (`Grand Totals (30 records)`): its text.
        case footer(String)
        case tooManyCells
        case invalid(RowProblems)
        case valid(ConvertedRow)
    }

    static func outcome(_ record: CSVRecord, converter: RowConverter, profile: ImportProfile?) -> RowOutcome {
        if record.fields.allSatisfy({ $0.isEmpty }) { return .blank }
        if let footer = profile?.footer(record.fields) { return .footer(footer) }
        let columns = converter.plan.header.count
        if record.fields.count > columns, !record.fields[columns...].allSatisfy({ $0.isEmpty }) { return .tooManyCells }
        switch converter.lead(from: record.fields, line: record.line) {
        case .failure(let problems): return .invalid(problems)
        case .success(let row): return .valid(row)
        }
    }

    /// Reads the file in chunks, converts each chunk's rows on every core, and hands the
    /// rows over in file order. Memory holds one chunk, whatever the file's size.
    static func forEachRow(_ input: Input, options: Options, converter: (ColumnPlan) -> RowConverter,
                           continued: (Int, Int) -> Void = { _, _ in },
                           _ body: (Int, CSVRecord, RowOutcome) throws -> Void) throws {
        var (reader, _) = try reader(input, options: options)
        let plan = try header(&reader, input: input, options: options)
        let rowConverter = converter(plan)
        let profile = options.settings.profile
        var continuations = ContinuationRows(plan: plan, profile: profile)
        var row = 0
        var chunk: [CSVRecord] = []
        chunk.reserveCapacity(2048)
        func drain() throws {
            let outcomes = parallelMap(chunk) { outcome($0, converter: rowConverter, profile: profile) }
            for (record, result) in zip(chunk, outcomes) {
                try body(row, record, result)
                row += 1
            }
            chunk.removeAll(keepingCapacity: true)
        }
        while let record = try nextRecord(&reader, input) {
            guard let complete = continuations.add(record) else { continue }
            chunk.append(complete)
            if chunk.count == 2048 { try drain() }
        }
        if let last = continuations.finish() { chunk.append(last) }
        try drain()
        for (line, parent) in continuations.joined { continued(line, parent) }
    }

    static func converter(_ options: Options, config: StoreConfig, now: Timestamp, user: String) -> (ColumnPlan) -> RowConverter {
        { plan in options.settings.converter(plan, config: config, now: now, user: user) }
    }

    static func validate(_ input: Input, options: Options, config: StoreConfig, now: Timestamp, user: String,
                         writer: StoreWriter?, progress: ProgressLine) throws -> (plan: [Plan], report: ImportReport) {
        var report = ImportReport(file: input.display, dryRun: options.dryRun)
        var plan: [Plan] = []
        var seen = RowsByFingerprint()
        var lines: [Int] = []  // by row, for "duplicate of line N"
        // By row, the folded name's hash: an update never merges two people who share an address.
        var names: [UInt64] = []
        var columns = 0
        // People who asked not to be contacted are refused like duplicates (skipped with
        // --on-duplicate skip), by the rule's entry, never by name.
        let suppression = try writer?.suppressionList()
        let home = suppression == nil ? "" : try PrivacySettings(config).country
        try forEachRow(input, options: options, converter: { plan in
            columns = plan.header.count
            report.plan = plan
            return converter(options, config: config, now: now, user: user)(plan)
        }, continued: { line, parent in
            report.passed.append(.init(line: line, what: "continues the record of line \(parent) (a child-table row)"))
        }) { row, record, outcome in
            progress.update(rows: row)
            lines.append(record.line)
            names.append(0)
            let lead: Lead
            switch outcome {
            case .blank:
                plan.append(.blank)
                return
            case .footer(let text):
                report.passed.append(.init(line: record.line, what: "a report footer, not a lead: " + ErrorReport.quoted(text)))
                plan.append(.blank)
                return
            case .tooManyCells:
                report.reject(line: record.line, messages: ["\(record.fields.count) cells but the header has \(columns) columns"])
                plan.append(.reject)
                return
            case .invalid(let problems):
                for problem in problems.problems where problem.unmapped != nil { report.unmapped(problem) }
                report.reject(line: record.line, messages: problems.problems.filter { $0.unmapped == nil }.map {
                    "\($0.column): " + ErrorReport.problem($0.problem, value: $0.value)
                })
                plan.append(.reject)
                return
            case .valid(let converted):
                lead = converted.lead
                for use in converted.mapped { report.valueUses[use, default: 0] += 1 }
                if report.samples.count < 3 { report.samples.append((record.line, lead)) }
            }
            if let suppression, let entry = suppression.entry(for: lead, home: home) {
                if options.policy == .skip {
                    plan.append(.skip)
                    report.skipped += 1
                } else {
                    report.reject(line: record.line, messages: ["refused by \(entry.rule): this person asked not to be contacted (leads suppress); --on-duplicate skip leaves such rows out"])
                    plan.append(.reject)
                }
                return
            }
            if options.policy == .update { names[row] = RowMerge.nameHash(lead.name) }

            // Duplicates: an earlier row of this file first, then the store.
            let prints = DuplicateKey.fingerprints(of: lead)
            var earlier: (row: Int, line: Int)?
            for print in prints { if earlier == nil, let hit = seen[print] { earlier = (hit, lines[hit]) } }
            var existing: (id: Int, match: DuplicateMatch)?
            if earlier == nil, let writer { existing = try writer.duplicate(of: lead) }
            if (earlier == nil && existing == nil) || options.policy == .create {
                for print in prints { seen[print] = row }
                plan.append(.create)
                report.created += 1
                return
            }
            switch options.policy {
            case .error:
                let what = earlier.map { "duplicate of line \($0.line)" } ?? "duplicate of lead \(existing!.id) (same \(existing!.match == .email ? "e-mail address" : "name and company"))"
                report.reject(line: record.line, messages: [what + "; use --on-duplicate skip, update or create"])
                plan.append(.reject)
            case .skip:
                plan.append(.skip)
                report.skipped += 1
            case .update:
                // Two people sharing an e-mail address stay two leads: a row is merged only
                // into a lead of the same name.
                if let earlier {
                    guard names[earlier.row] == names[row] else {
                        report.reject(line: record.line, messages: ["same e-mail address as line \(earlier.line) but another name; not merged (use --on-duplicate create to import it as a lead of its own)"])
                        plan.append(.reject)
                        return
                    }
                    plan.append(.updateRow(earlier.row))
                } else {
                    let target = try writer!.lead(existing!.id)
                    guard RowMerge.sameName(target.name, lead.name) else {
                        report.reject(line: record.line, messages: ["same e-mail address as lead \(existing!.id) but another name; not merged (use --on-duplicate create to import it as a lead of its own)"])
                        plan.append(.reject)
                        return
                    }
                    if options.dryRun, case .valid(let converted) = outcome {
                        var merged = target
                        report.updates.append((record.line, target.id, RowMerge.merge(converted, into: &merged)))
                    }
                    plan.append(.updateLead(existing!.id))
                }
                report.updated += 1
            case .create: break
            }
        }
        return (plan, report)
    }

    // MARK: Pass two: write

    static func write(_ input: Input, plan: [Plan], report: ImportReport, options: Options, config: StoreConfig,
                      now: Timestamp, user: String, writer: StoreWriter, progress: ProgressLine) throws -> ImportReport {
        var report = report
        if report.created > 64 { try writer.prepareForManyLeads() }
        let batch = writer.batch()
        // Only rows that a later row updates need their new ID looked up: a map of every
        // row would cost 32 MB a million rows.
        let updatedRows = Set(plan.compactMap { step -> Int? in
            if case .updateRow(let row) = step { row } else { nil }
        })
        var createdByRow: [Int: Int] = [:]
        var createdIDs: [Int] = []
        // New leads wait here until the chunk is done, so their files are encoded on
        // every core; updates go straight to the batch (they may depend on earlier rows).
        var pending: [(lead: Lead, entry: ActivityEntry)] = []
        func encodePending() throws {
            let bytes = parallelMap(pending.map(\.lead)) { $0.fileBytes }
            for (item, encoded) in zip(pending, bytes) { try batch.add(item.lead, bytes: encoded, previous: nil, log: item.entry) }
            pending.removeAll(keepingCapacity: true)
        }
        try forEachRow(input, options: options, converter: converter(options, config: config, now: now, user: user)) { row, record, outcome in
            progress.update(rows: row)
            guard row < plan.count, case .valid(let converted) = outcome else { return }
            let target: Int
            switch plan[row] {
            case .blank, .reject, .skip: return
            case .create:
                var lead = converted.lead
                lead.id = try writer.newLeadID()
                if updatedRows.contains(row) { createdByRow[row] = lead.id }
                createdIDs.append(lead.id)
                var details: [String: JSONValue] = ["stage": .string(lead.stage)]
                if let owner = lead.owner { details["owner"] = .string(owner) }
                if let value = lead.value {
                    details["value"] = .string(value.amount.canonical)
                    details["currency"] = .string(value.currency)
                }
                pending.append((lead, ActivityEntry(time: now, user: user, action: .import, lead: lead.id, details: details)))
                if pending.count == 2048 { try encodePending() }
                return
            case .updateLead(let id): target = id
            case .updateRow(let earlier):
                guard let id = createdByRow[earlier] else { return }
                target = id
            }
            // The lead may come from an earlier row still waiting: write it first.
            try encodePending()
            if batch.contains(target) { try batch.flush() }
            let previous = try writer.lead(target)
            var lead = previous
            let changed = RowMerge.merge(converted, into: &lead)
            guard !changed.isEmpty else {
                // Matched, but the row brings nothing new: that is a skip.
                report.updated -= 1
                report.skipped += 1
                return
            }
            lead.touch(at: now, by: user)
            try batch.add(lead, bytes: nil, previous: previous, log: ActivityEntry(
                time: now, user: user, action: .set, lead: lead.id,
                details: LeadEdits.logDetails(before: previous, after: lead, changed: changed).merging(["import": .bool(true)]) { a, _ in a }))
        }
        try encodePending()
        try batch.flush()
        report.ids = createdIDs
        return report
    }

    static func nextRecord(_ reader: inout CSVReader, _ input: Input) throws -> CSVRecord? {
        do { return try reader.next() } catch { throw ImportError.csv(file: input.display, error) }
    }

    // MARK: Report

    static func finish(_ report: ImportReport, input: Input, options: Options, context: CommandContext) throws -> Int32 {
        let out = context.output
        let failed = report.rejected > 0 && !options.skipInvalid
        let view = ImportReportView(report: report)
        if options.dryRun && !options.json {
            try out.line("\(report.file): would create \(report.created), update \(report.updated), skip \(report.skipped), reject \(report.rejected)")
            for line in view.plan() { try out.line(line) }
            for problem in report.problems { try out.line("\(report.file):\(problem.line): \(problem.message)") }
            for line in view.unmapped() { try out.line(line) }
        } else {
            for problem in report.problems { Output.standardError("leads: \(report.file):\(problem.line): \(problem.message)") }
            for line in view.unmapped() { Output.standardError("leads: " + line) }
        }
        if options.json { try out.write(bytes: JSONWriter.pretty(report.json(written: !failed && !options.dryRun))) }
        if failed {
            throw ImportFailure.rejected(file: report.file, rows: report.rejected, dryRun: options.dryRun)
        }
        if !options.dryRun {
            for line in view.notImported() { Output.standardError("leads: " + line) }
            Output.standardError("leads: \(report.file): \(report.created) created, \(report.updated) updated, \(report.skipped) skipped, \(report.rejected) rejected")
        }
        return ExitStatus.success
    }
}

enum ImportFailure: Error, Equatable {
    case rejected(file: String, rows: Int, dryRun: Bool)
}

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
