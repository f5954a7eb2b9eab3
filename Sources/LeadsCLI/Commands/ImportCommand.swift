import Glibc
import LeadsCore

/// `import-csv`: validate the whole file in a streaming first pass, then write in a
/// second, both under one exclusive lock. Memory stays small whatever the file's size:
/// only a plan entry and two 128-bit fingerprints per row are kept between the passes.
enum ImportCommand {
    enum Policy: String { case error, skip, update }

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
        var decimal: DecimalSeparator?
        var maps: [(column: String, field: CSVColumn?)] = []
        var defaults: [CSVColumn: String] = [:]
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
        let path = invocation.positionals[0]
        let store = try context.store()
        let config = try store.config()
        let now = try context.now()
        let user = context.user
        for (field, value) in options.defaults {
            // A bad default would fail every row: refuse it once, up front.
            let header = field == .name ? ["name"] : ["name", field.name]
            let probe = try ImportMapping(file: "--default", header: header, maps: [])
            if case .failure(let problems) = RowConverter(mapping: probe, config: config, now: now, user: user, decimal: options.decimal,
                                                         defaults: [:]).lead(from: field == .name ? [value] : ["x", value], line: 0) {
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
        switch invocation.value("decimal") {
        case nil: break
        case ".": options.decimal = .point
        case ",": options.decimal = .comma
        case let other?: throw UsageError.invalidArgument(argument: "--decimal", value: other, reason: "use --decimal . or --decimal ,")
        }
        for raw in invocation.values("map") {
            guard let eq = raw.lastIndex(of: "="), eq != raw.startIndex else { throw ImportError.badMap(raw) }
            let column = String(raw[..<eq]), target = String(raw[raw.index(after: eq)...])
            guard let field = ImportHeaders.column(named: target) else { throw ImportError.badMap(raw) }
            options.maps.append((column, field))
        }
        for raw in invocation.values("default") {
            guard let eq = raw.firstIndex(of: "="), let found = ImportHeaders.column(named: String(raw[..<eq])), let field = found else {
                throw ImportError.badDefault(raw)
            }
            options.defaults[field] = String(raw[raw.index(after: eq)...])
        }
        if let raw = invocation.value("on-duplicate") {
            guard let policy = Policy(rawValue: raw) else {
                throw UsageError.invalidArgument(argument: "--on-duplicate", value: raw, reason: "use error, skip or update")
            }
            options.policy = policy
        }
        options.skipInvalid = invocation.flag("skip-invalid")
        options.dryRun = invocation.flag("dry-run")
        options.json = invocation.flag("json")
        return options
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
        if (st.st_mode & S_IFMT) == S_IFREG && path != "-" { return Input(display: path, fd: fd, spool: nil) }
        // A pipe, a terminal or a device can be read only once: keep a copy to read twice.
        defer { if fd != 0 { close(fd) } }
        let display = path == "-" ? "stdin" : path
        let spool = try store.makeSpoolFile()
        try copy(fd, display: display, to: spool)
        guard lseek(spool.fd, 0, SEEK_SET) == 0 else { throw SystemError("seek", spool.name) }
        return Input(display: display, fd: spool.fd, spool: spool)
    }

    /// Copies the input into the spool, refusing binary input at once (`/dev/zero` must
    /// not fill the disk before the reader gets to see it).
    ///
    /// Bounded as it copies, not after: a run of bytes with no line end and no delimiter
    /// longer than a field may be is refused at once (a 2 GB line costs 1 MiB of copy), and
    /// endless input (`yes S`) stops before the copy would leave the file system nearly full.
    static func copy(_ fd: Int32, display: String, to spool: SpoolFile) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var line = 1
        var run = 0
        var copied = 0
        var nextSpaceCheck = 0
        // Room left for the leads the import will write, and for everyone else.
        let keep = 512 << 20
        let fieldLimit = CSVReader.defaultMaxFieldBytes
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", display)
            }
            if n == 0 { return }
            for i in 0..<n {
                switch buffer[i] {
                case 0: throw ImportError.csv(file: display, .nulByte(line: line))
                case 10: line += 1; run = 0
                case 13, 44, 59, 9, 124: run = 0  // CR and the delimiters import-csv knows: , ; TAB |
                default:
                    run += 1
                    // Two bytes of slack for the quotes around a field.
                    if run > fieldLimit + 2 { throw ImportError.csv(file: display, .fieldTooLong(line: line, limit: fieldLimit)) }
                }
            }
            if copied >= nextSpaceCheck {
                var fs = statvfs()
                if fstatvfs(spool.fd, &fs) == 0, Int(fs.f_bavail) * Int(fs.f_frsize) < keep + n {
                    throw ImportError.inputFillsDisk(file: display, copied: copied, keep: keep)
                }
                nextSpaceCheck = copied + (16 << 20)
            }
            try buffer.withUnsafeBytes { try spool.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            copied += n
        }
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

    static func header(_ reader: inout CSVReader, input: Input, options: Options) throws -> ImportMapping {
        var first: CSVRecord?
        repeat {
            do { first = try reader.next() } catch { throw ImportError.csv(file: input.display, error) }
        } while first.map { $0.fields == [""] } ?? false
        guard let first else { throw ImportError.noHeader(file: input.display) }
        return try ImportMapping(file: input.display, header: first.fields, maps: options.maps, defaulted: Set(options.defaults.keys))
    }

    // MARK: Pass one: validate and plan

    /// What one row is, worked out on any core.
    enum RowOutcome: Sendable {
        case blank
        case tooManyCells
        case invalid(RowProblems)
        case valid(ConvertedRow)
    }

    static func outcome(_ record: CSVRecord, converter: RowConverter) -> RowOutcome {
        if record.fields.allSatisfy({ $0.isEmpty }) { return .blank }
        let columns = converter.mapping.header.count
        if record.fields.count > columns, !record.fields[columns...].allSatisfy({ $0.isEmpty }) { return .tooManyCells }
        switch converter.lead(from: record.fields, line: record.line) {
        case .failure(let problems): return .invalid(problems)
        case .success(let row): return .valid(row)
        }
    }

    /// Reads the file in chunks, converts each chunk's rows on every core, and hands the
    /// rows over in file order. Memory holds one chunk, whatever the file's size.
    static func forEachRow(_ input: Input, options: Options, converter: (ImportMapping) -> RowConverter,
                           _ body: (Int, CSVRecord, RowOutcome) throws -> Void) throws {
        var (reader, _) = try reader(input, options: options)
        let rowConverter = converter(try header(&reader, input: input, options: options))
        var row = 0
        var chunk: [CSVRecord] = []
        chunk.reserveCapacity(2048)
        func drain() throws {
            let outcomes = parallelMap(chunk) { outcome($0, converter: rowConverter) }
            for (record, result) in zip(chunk, outcomes) {
                try body(row, record, result)
                row += 1
            }
            chunk.removeAll(keepingCapacity: true)
        }
        while let record = try nextRecord(&reader, input) {
            chunk.append(record)
            if chunk.count == 2048 { try drain() }
        }
        try drain()
    }

    static func converter(_ options: Options, config: StoreConfig, now: Timestamp, user: String) -> (ImportMapping) -> RowConverter {
        { mapping in
            RowConverter(mapping: mapping, config: config, now: now, user: user, decimal: options.decimal, defaults: options.defaults)
        }
    }

    static func validate(_ input: Input, options: Options, config: StoreConfig, now: Timestamp, user: String,
                         writer: StoreWriter?, progress: ProgressLine) throws -> (plan: [Plan], report: ImportReport) {
        var report = ImportReport(file: input.display, dryRun: options.dryRun)
        var plan: [Plan] = []
        var seen = RowsByFingerprint()
        var lines: [Int] = []  // by row, for "duplicate of line N"
        var columns = 0
        try forEachRow(input, options: options, converter: { mapping in
            columns = mapping.header.count
            return converter(options, config: config, now: now, user: user)(mapping)
        }) { row, record, outcome in
            progress.update(rows: row)
            lines.append(record.line)
            let lead: Lead
            switch outcome {
            case .blank:
                plan.append(.blank)
                return
            case .tooManyCells:
                report.reject(line: record.line, messages: ["\(record.fields.count) cells but the header has \(columns) columns"])
                plan.append(.reject)
                return
            case .invalid(let problems):
                report.reject(line: record.line, messages: problems.problems.map {
                    "\($0.column): " + ErrorReport.problem($0.problem, value: $0.value)
                })
                plan.append(.reject)
                return
            case .valid(let converted): lead = converted.lead
            }

            // Duplicates: an earlier row of this file first, then the store.
            let prints = DuplicateKey.fingerprints(of: lead)
            var earlier: (row: Int, line: Int)?
            for print in prints { if earlier == nil, let hit = seen[print] { earlier = (hit, lines[hit]) } }
            var existing: (id: Int, match: DuplicateMatch)?
            if earlier == nil, let writer { existing = try writer.duplicate(of: lead) }
            if earlier == nil && existing == nil {
                for print in prints { seen[print] = row }
                plan.append(.create)
                report.created += 1
                return
            }
            switch options.policy {
            case .error:
                let what = earlier.map { "duplicate of line \($0.line)" } ?? "duplicate of lead \(existing!.id) (same \(existing!.match == .email ? "e-mail address" : "name and company"))"
                report.reject(line: record.line, messages: [what + "; use --on-duplicate skip or update"])
                plan.append(.reject)
            case .skip:
                plan.append(.skip)
                report.skipped += 1
            case .update:
                if let earlier { plan.append(.updateRow(earlier.row)) } else { plan.append(.updateLead(existing!.id)) }
                report.updated += 1
            }
        }
        return (plan, report)
    }

    /// The first row of the file with each duplicate fingerprint, in 256 tables by the
    /// fingerprint's top byte: a million rows hold two million fingerprints, and one table
    /// growing from 2^21 to 2^22 slots held both sizes at once (190 MB); a small table
    /// grows by a small step.
    struct RowsByFingerprint {
        private var tables = [[UInt128: Int]](repeating: [:], count: 256)

        subscript(print: UInt128) -> Int? {
            get { tables[Int(print >> 120)][print] }
            set { tables[Int(print >> 120)][print] = newValue }
        }
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
            let changed = merge(converted, into: &lead)
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

    /// `--on-duplicate update`: the row's non-empty cells go into the existing lead.
    static func merge(_ row: ConvertedRow, into lead: inout Lead) -> [String] {
        let new = row.lead
        let before = lead
        var changed: [String] = []
        for field in row.present.sorted(by: { $0.name < $1.name }) {
            switch field {
            case .name: lead.name = new.name
            case .organization: lead.organization = new.organization
            case .company: lead.company = new.company
            case .email: lead.email = new.email
            case .phone: lead.phone = new.phone
            case .address: lead.address = new.address
            case .owner: lead.owner = new.owner
            case .stage: lead.stage = new.stage
            case .probability: lead.probability = new.probability
            case .value, .currency: lead.value = new.value
            case .expectedClose: lead.expectedClose = new.expectedClose
            case .source: lead.source = new.source
            case .campaign: lead.campaign = new.campaign
            case .labels: for label in new.labels where !lead.labels.contains(label) { lead.labels.append(label) }
            case .lostReason: lead.lostReason = new.lostReason
            case .notes:
                // Re-importing the same file must not pile up copies of its notes.
                for note in new.notes where !lead.notes.contains(where: { $0.text == note.text }) { lead.notes.append(note) }
            case .nextReminder:
                for reminder in new.reminders where !lead.openReminders.contains(where: { $0.due == reminder.due }) {
                    var added = reminder
                    added.number = lead.nextReminderNumber
                    lead.reminders.append(added)
                }
            case .lastContact:
                if let contact = new.lastContact, lead.lastContact.map({ $0.at < contact.at }) ?? true { lead.lastContact = contact }
            case .created, .updated, .id, .weighted, .convertedCustomer: continue
            case .field(let key): lead.fields[key] = new.fields[key]
            }
        }
        func note(_ name: String, _ differs: Bool) { if differs && !changed.contains(name) { changed.append(name) } }
        note("name", lead.name != before.name)
        note("organization", lead.organization != before.organization)
        note("company", lead.company != before.company)
        note("email", lead.email != before.email)
        note("phone", lead.phone != before.phone)
        note("address", lead.address != before.address)
        note("owner", lead.owner != before.owner)
        note("stage", lead.stage != before.stage)
        note("probability", lead.probability != before.probability)
        note("value", lead.value != before.value)
        note("expected_close", lead.expectedClose != before.expectedClose)
        note("source", lead.source != before.source)
        note("campaign", lead.campaign != before.campaign)
        note("labels", lead.labels != before.labels)
        note("lost_reason", lead.lostReason != before.lostReason)
        note("notes", lead.notes != before.notes)
        note("reminders", lead.reminders != before.reminders)
        note("last_contact", lead.lastContact != before.lastContact)
        for key in Set(lead.fields.keys).union(before.fields.keys).sorted() { note("field:" + key, lead.fields[key] != before.fields[key]) }
        return changed
    }

    // MARK: Report

    static func finish(_ report: ImportReport, input: Input, options: Options, context: CommandContext) throws -> Int32 {
        let out = context.output
        let failed = report.rejected > 0 && !options.skipInvalid
        if options.dryRun && !options.json {
            try out.line("\(report.file): would create \(report.created), update \(report.updated), skip \(report.skipped), reject \(report.rejected)")
            for problem in report.problems { try out.line("\(report.file):\(problem.line): \(problem.message)") }
        } else {
            for problem in report.problems { Output.standardError("leads: \(report.file):\(problem.line): \(problem.message)") }
        }
        if options.json { try out.write(bytes: JSONWriter.pretty(report.json(written: !failed && !options.dryRun))) }
        if failed {
            throw ImportFailure.rejected(file: report.file, rows: report.rejected, dryRun: options.dryRun)
        }
        if !options.dryRun {
            Output.standardError("leads: \(report.file): \(report.created) created, \(report.updated) updated, \(report.skipped) skipped, \(report.rejected) rejected")
        }
        return ExitStatus.success
    }
}

/// Counts and problems of one import (or dry run).
struct ImportReport {
    struct Problem { var line: Int; var message: String }
    var file: String
    var dryRun: Bool
    var created = 0, updated = 0, skipped = 0, rejected = 0
    var problems: [Problem] = []
    var ids: [Int] = []

    mutating func reject(line: Int, messages: [String]) {
        rejected += 1
        for message in messages { problems.append(Problem(line: line, message: message)) }
    }

    func json(written: Bool) -> JSONValue {
        .object([
            "file": .string(file), "dry_run": .bool(dryRun), "written": .bool(written),
            "created": .number(String(created)), "updated": .number(String(updated)),
            "skipped": .number(String(skipped)), "rejected": .number(String(rejected)),
            "ids": .array(ranges(ids).map(JSONValue.string)),
            "problems": .array(problems.map { .object(["line": .number(String($0.line)), "message": .string($0.message)]) }),
        ])
    }

    /// [1,2,3,7] → ["1-3", "7"]: the ID-list syntax every command accepts.
    func ranges(_ ids: [Int]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < ids.count {
            var j = i
            while j + 1 < ids.count && ids[j + 1] == ids[j] + 1 { j += 1 }
            out.append(i == j ? String(ids[i]) : "\(ids[i])-\(ids[j])")
            i = j + 1
        }
        return out
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
