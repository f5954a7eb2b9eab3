import Glibc

/// The import engine behind `import-csv` (Docs/import.md): a streaming first pass that
/// validates every row and plans what it becomes, then a second that writes, both under
/// one exclusive lock. Memory stays small whatever the file's size: only a plan entry and
/// two 128-bit fingerprints per row are kept between the passes. It never prints: what
/// happened is the `ImportReport` it returns, with typed reasons the command words.
public struct CSVImportEngine {
    public enum Policy: String, Sendable { case error, skip, update, create }

    /// What pass one decided for a row.
    public enum Plan: Sendable, Equatable {
        case blank, reject, skip
        case create
        case updateLead(Int)
        /// Updates the lead created from an earlier row of the same file.
        case updateRow(Int)
    }

    public struct Options: Sendable {
        public var delimiter: UInt8?
        public var encoding: CSVEncoding = .utf8
        public var settings = ImportSettings()
        public var policy: Policy = .error
        public var skipInvalid = false
        public var dryRun = false

        public init() {}
    }

    /// Where the rows are read from, twice.
    public struct Input {
        public let display: String
        public let fd: Int32
        public let spool: SpoolFile?

        public init(display: String, fd: Int32, spool: SpoolFile?) {
            self.display = display
            self.fd = fd
            self.spool = spool
        }

        /// A regular file is read where it is. A pipe, a terminal or a device can be read
        /// only once, and UTF-16 (Excel's "Unicode Text") not as it is: they are copied
        /// (as UTF-8) into a spool file in the data directory.
        public static func open(_ path: String, store: LeadStore) throws -> Input {
            let fd = path == "-" ? 0 : Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SystemError("open", path) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw SystemError("stat", path) }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                Glibc.close(fd)
                throw SystemError("read", path, EISDIR)
            }
            var bom = [UInt8](repeating: 0, count: 2)
            let isUTF16 = (st.st_mode & S_IFMT) == S_IFREG
                && bom.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 2, 0) } == 2
                && bom.withUnsafeBytes { UTF16Input.byteOrder(of: $0) } != nil
            if (st.st_mode & S_IFMT) == S_IFREG && path != "-" && !isUTF16 { return Input(display: path, fd: fd, spool: nil) }
            defer { if fd != 0 { Glibc.close(fd) } }
            let display = path == "-" ? "stdin" : path
            let spool = try store.makeSpoolFile()
            try ImportInput.copy(fd, display: display, to: spool)
            guard lseek(spool.fd, 0, SEEK_SET) == 0 else { throw SystemError("seek", spool.name) }
            return Input(display: display, fd: spool.fd, spool: spool)
        }

        /// Closes a file read in place; a spool closes itself.
        public func close() {
            if spool == nil { Glibc.close(fd) }
        }
    }

    public let options: Options
    public let config: StoreConfig
    public let now: Timestamp
    public let user: String
    /// Called with the row number as rows go by, in both passes (a progress line).
    public var progress: (Int) -> Void = { _ in }

    public init(options: Options, config: StoreConfig, now: Timestamp, user: String) {
        self.options = options
        self.config = config
        self.now = now
        self.user = user
    }

    /// Validates the whole file, then — unless it is a dry run, or rows were rejected
    /// without `skipInvalid` — writes it, under one exclusive lock. Where no store exists
    /// yet there is nothing to compare with, so the file is validated before the
    /// directory is made: a dry run or a refused file creates none.
    public func run(_ input: Input, store: LeadStore) throws -> ImportReport {
        func stops(_ report: ImportReport) -> Bool { options.dryRun || (report.rejected > 0 && !options.skipInvalid) }
        var storeless: (plan: [Plan], report: ImportReport)?
        if !store.exists {
            storeless = try validate(input, writer: nil)
            if stops(storeless!.report) { return storeless!.report }
        }
        return try store.write { writer in
            // The storeless plan holds while the store is still empty; if another command
            // made it meanwhile, the file meets its leads.
            let checked = try storeless.flatMap { try writer.holdsNothing(configuredAs: config) ? $0 : nil } ?? validate(input, writer: writer)
            if stops(checked.report) { return checked.report }
            return try write(input, plan: checked.plan, report: checked.report, writer: writer)
        }
    }

    // MARK: Reading

    func reader(_ input: Input) throws -> CSVReader {
        guard lseek(input.fd, 0, SEEK_SET) == 0 else { throw SystemError("seek", input.display) }
        var prefix = [UInt8](repeating: 0, count: 1 << 16)
        let filled = prefix.withUnsafeMutableBytes { readFully(input.fd, into: $0) }
        guard filled >= 0 else { throw SystemError("read", input.display) }
        prefix.removeLast(prefix.count - filled)
        let delimiter = options.delimiter ?? CSVDelimiterSniffer.sniff(prefix) ?? UInt8(ascii: ",")
        return CSVReader(fileDescriptor: input.fd, delimiter: delimiter, encoding: options.encoding, prefix: prefix)
    }

    /// The next record; an error inside a cell names its column (by `plan`'s header, or
    /// by its place in the header row itself).
    static func next(_ reader: inout CSVReader, _ input: Input, plan: ColumnPlan? = nil) throws -> CSVRecord? {
        do { return try reader.next() } catch {
            switch error {
            case .characterAfterClosingQuote, .utf8DespiteCP1252, .invalidUTF8:
                var place = reader.failurePlace ?? CSVFailurePlace(field: 0)
                place.byteOrderMark = reader.startsWithByteOrderMark
                let column = plan.map { place.field < $0.header.count ? $0.columnLabel(place.field) : "column \(place.field + 1)" }
                    ?? "column \(place.field + 1) of the header"
                throw ImportError.csvCell(file: input.display, error, column: column, place: place)
            default:
                throw ImportError.csv(file: input.display, error)
            }
        }
    }

    func header(_ reader: inout CSVReader, input: Input) throws -> ColumnPlan {
        var first: CSVRecord?
        repeat { first = try Self.next(&reader, input) } while first.map { $0.fields == [""] } ?? false
        guard let first else { throw ImportError.noHeader(file: input.display) }
        return try options.settings.plan(file: input.display, header: first.fields)
    }

    /// What one row is, worked out on any core.
    public enum RowOutcome: Sendable {
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
    func forEachRow(_ input: Input, planned: (ColumnPlan) -> Void = { _ in }, continued: (Int, Int) -> Void = { _, _ in },
                    _ body: (Int, CSVRecord, RowOutcome) throws -> Void) throws {
        var reader = try reader(input)
        let plan = try header(&reader, input: input)
        planned(plan)
        let converter = options.settings.converter(plan, config: config, now: now, user: user)
        let profile = options.settings.profile
        var continuations = ContinuationRows(plan: plan, profile: profile)
        var row = 0
        var chunk: [CSVRecord] = []
        chunk.reserveCapacity(2048)
        func drain() throws {
            let outcomes = parallelMap(chunk) { Self.outcome($0, converter: converter, profile: profile) }
            for (record, result) in zip(chunk, outcomes) {
                try body(row, record, result)
                row += 1
            }
            chunk.removeAll(keepingCapacity: true)
        }
        while let record = try Self.next(&reader, input, plan: plan) {
            guard let complete = continuations.add(record) else { continue }
            chunk.append(complete)
            if chunk.count == 2048 { try drain() }
        }
        if let last = continuations.finish() { chunk.append(last) }
        try drain()
        for (line, parent) in continuations.joined { continued(line, parent) }
    }

    // MARK: Pass one: validate and plan

    /// Every row checked and planned; `writer` nil for a dry run without a store (then
    /// nothing is a duplicate of a stored lead).
    public func validate(_ input: Input, writer: StoreWriter?) throws -> (plan: [Plan], report: ImportReport) {
        var report = ImportReport(file: input.display, dryRun: options.dryRun)
        var plan: [Plan] = []
        var seen = RowsByFingerprint()
        var lines: [Int] = []  // by row, for "duplicate of line N"
        // By row, the folded name's hash: an update never merges two people who share an address.
        var names: [UInt64] = []
        var columns = 0
        // Rows of one `export-csv --full` file are leads of one store, which allowed any
        // duplicates among them (add --allow-duplicate): only the target store's leads count.
        var fullLayout = false
        // The stored leads earlier rows of a full export matched: each row is one lead of
        // the store it came from, so two rows (two leads of one name and company, made
        // with --allow-duplicate) match two leads, in order, never the same one twice.
        var matchedByFullRows: Set<Int> = []
        // People who asked not to be contacted are refused like duplicates (skipped with
        // --on-duplicate skip), by the rule's entry, never by name.
        let suppression = try writer?.suppressionList()
        let home = suppression == nil ? "" : try PrivacySettings(config).country
        let policy = options.policy
        try forEachRow(input, planned: { columnPlan in
            columns = columnPlan.header.count
            fullLayout = columnPlan.isFullLayout
            report.plan = columnPlan
        }, continued: { line, parent in
            report.passed.append(.init(line: line, what: .continuation(parent: parent)))
        }) { row, record, outcome in
            progress(row)
            lines.append(record.line)
            names.append(0)
            let lead: Lead
            switch outcome {
            case .blank:
                plan.append(.blank)
                return
            case .footer(let text):
                report.passed.append(.init(line: record.line, what: .footer(text)))
                plan.append(.blank)
                return
            case .tooManyCells:
                report.reject(line: record.line, reasons: [.cells(count: record.fields.count, columns: columns)])
                plan.append(.reject)
                return
            case .invalid(let problems):
                for problem in problems.problems where problem.unmapped != nil { report.unmapped(problem) }
                report.reject(line: record.line, reasons: problems.problems.filter { $0.unmapped == nil }.map(RowRejection.cell))
                plan.append(.reject)
                return
            case .valid(let converted):
                lead = converted.lead
                for use in converted.mapped { report.valueUses[use, default: 0] += 1 }
                if report.samples.count < 3 { report.samples.append((record.line, lead)) }
            }
            if let suppression, let entry = suppression.entry(for: lead, home: home) {
                if policy == .skip {
                    plan.append(.skip)
                    report.skipped += 1
                } else {
                    report.reject(line: record.line, reasons: [.suppressed(rule: entry.rule)])
                    plan.append(.reject)
                }
                return
            }
            if policy == .update { names[row] = RowMerge.nameHash(lead.name) }

            // Duplicates: an earlier row of this file first, then the store.
            let prints = DuplicateKey.fingerprints(of: lead)
            var earlier: (row: Int, line: Int)?
            for print in prints where !fullLayout { if earlier == nil, let hit = seen[print] { earlier = (hit, lines[hit]) } }
            var existing: (id: Int, match: DuplicateMatch)?
            if earlier == nil, let writer {
                existing = try writer.duplicate(of: lead, excluding: fullLayout ? matchedByFullRows : [])
                if fullLayout, let existing { matchedByFullRows.insert(existing.id) }
            }
            if (earlier == nil && existing == nil) || policy == .create {
                for print in prints { seen[print] = row }
                plan.append(.create)
                report.created += 1
                return
            }
            switch policy {
            case .error:
                let reason: RowRejection = earlier.map { .duplicateOfLine($0.line) } ?? .duplicateOfLead(existing!.id, existing!.match)
                report.reject(line: record.line, reasons: [reason])
                plan.append(.reject)
            case .skip:
                plan.append(.skip)
                report.skipped += 1
            case .update:
                // Two people sharing an e-mail address stay two leads: a row is merged only
                // into a lead of the same name.
                if let earlier {
                    guard names[earlier.row] == names[row] else {
                        report.reject(line: record.line, reasons: [.otherNameThanLine(earlier.line)])
                        plan.append(.reject)
                        return
                    }
                    plan.append(.updateRow(earlier.row))
                } else {
                    let target = try writer!.lead(existing!.id)
                    guard RowMerge.sameName(target.name, lead.name) else {
                        report.reject(line: record.line, reasons: [.otherNameThanLead(existing!.id)])
                        plan.append(.reject)
                        return
                    }
                    plan.append(.updateLead(existing!.id))
                    if options.dryRun, case .valid(let converted) = outcome {
                        var merged = target
                        let changed = RowMerge.merge(converted, into: &merged)
                        // As the real run counts it (write): a match that changes nothing is a skip.
                        guard !changed.isEmpty else {
                            report.skipped += 1
                            return
                        }
                        report.updates.append((record.line, target.id, changed))
                    }
                }
                report.updated += 1
            case .create: break
            }
        }
        return (plan, report)
    }

    // MARK: Pass two: write

    /// Writes what `validate` planned, in batches (StoreBatch): new leads encoded on every
    /// core, updates in file order.
    public func write(_ input: Input, plan: [Plan], report: ImportReport, writer: StoreWriter) throws -> ImportReport {
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
        var pending: [(lead: Lead, entry: ActivityEntry, line: Int)] = []
        // The lines of the rows handed to the batch and not committed yet, in order: where
        // a failed batch leaves the file, for the message (ImportStopped).
        var uncommitted: [Int] = []
        func handOver(_ line: Int, _ add: () throws(StoreError) -> Void) throws(StoreError) {
            uncommitted.append(line)
            let before = batch.committed
            try add()
            if batch.committed > before { uncommitted.removeFirst(batch.committed - before) }
        }
        func encodePending() throws {
            let bytes = parallelMap(pending.map(\.lead)) { $0.fileBytes }
            for (item, encoded) in zip(pending, bytes) {
                try handOver(item.line) { () throws(StoreError) in try batch.add(item.lead, bytes: encoded, previous: nil, log: item.entry) }
            }
            pending.removeAll(keepingCapacity: true)
        }
        do {
        try forEachRow(input) { row, record, outcome in
            progress(row)
            guard row < plan.count, case .valid(let converted) = outcome else { return }
            let target: Int
            switch plan[row] {
            case .blank, .reject, .skip: return
            case .create:
                var lead = converted.lead
                lead.id = try writer.newLeadID()
                if updatedRows.contains(row) { createdByRow[row] = lead.id }
                createdIDs.append(lead.id)
                pending.append((lead, ActivityEntry(time: now, user: user, action: .import, lead: lead.id,
                                                    details: ActivityEntry.newLeadDetails(lead)), record.line))
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
            var details = ActivityEntry.changeDetails(before: previous, after: lead, changed: changed)
            details["import"] = .bool(true)
            try handOver(record.line) { () throws(StoreError) in
                try batch.add(lead, bytes: nil, previous: previous, log: ActivityEntry(time: now, user: user, action: .set, lead: lead.id, details: details))
            }
        }
        try encodePending()
        try handOver(0) { () throws(StoreError) in try batch.finish() }
        } catch {
            // A batch still committing counts when it committed.
            let before = batch.committed
            batch.abandon()
            uncommitted.removeFirst(min(uncommitted.count, batch.committed - before))
            // The batches before this one stay committed: their keys and the ID mark are
            // saved as at the import's end, so that `fsck` finds nothing to mend.
            if batch.committed > 0 { writer.finish() }
            // Say so, and where to go on from.
            guard let error = error as? StoreError, batch.committed > 0, let line = uncommitted.first(where: { $0 > 0 }) else { throw error }
            throw ImportStopped(file: input.display, line: line, committed: batch.committed, error: error)
        }
        report.ids = createdIDs
        return report
    }
}
