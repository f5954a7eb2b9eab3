import Glibc
import LeadsCore

/// `leads export-csv`: one RFC 4180 record per lead (Docs/export.md), streamed lead by
/// lead to stdout or to an atomically replaced `--output` file.
enum ExportCSVCommand {
    /// Bytes gathered before each write.
    static let chunk = 1 << 16

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        // Every option is checked before the store is read or a file is created.
        var format = invocation.flag("excel") ? CSVExportFormat.excel : CSVExportFormat()
        if let raw = invocation.value("delimiter"), let delimiter = CSVDelimiter.parse(raw) { format.delimiter = delimiter }
        if invocation.flag("bom") { format.byteOrderMark = true }
        if invocation.flag("decimal-comma") { format.decimalSeparator = UInt8(ascii: ",") }
        if invocation.flag("no-formula-escape") { format.formulaGuard = false }
        let withNotes = invocation.flag("with-notes")
        let requested = try invocation.value("fields").map { raw throws(UsageError) in try Self.columns(raw, notes: withNotes) }
        let outputPath = invocation.value("output")
        if outputPath == "" {
            throw UsageError.invalidArgument(argument: "--output", value: "", reason: "expected a file name, or - for standard output")
        }

        let store = try context.store()
        let config = try store.config()
        var filter = try FilterOptions.filter(invocation, config: config, user: context.user)
        if invocation.flag("overdue") { filter.overdueAt = try context.now() }
        // Created before the scan, so an unwritable target fails before any work; removed
        // again unless committed.
        let target = outputPath.flatMap { $0 == "-" ? nil : $0 }
        let device = try target.flatMap(openSpecial)
        defer { if let device { close(device.fd) } }
        let file = try target.flatMap { path throws(SystemError) in device == nil ? try AtomicFile(path: path) : nil }
        // A progress line on a terminal's stderr for exports over a second, as for imports;
        // not while the CSV itself scrolls over that same terminal.
        let environment = context.environment
        let toTerminal = device.map { isatty($0.fd) == 1 } ?? (file == nil && environment.stdoutIsTerminal)
        let progress = ProgressLine(enabled: environment.stderrIsTerminal && !toTerminal,
                                    label: "exporting " + (target ?? "to standard output"))
        defer { progress.finish() }

        // The header needs every custom field key first: a first pass collects them
        // (unless --fields names the columns), so no lead is held while exporting.
        let full = invocation.flag("full")
        let needsNotes = withNotes || full || filter.search != nil || requested?.contains(.notes) == true
        var selected = requested
        if full {
            // Every reminder number, the most notes of any lead, and which extras occur.
            var shape = FullLayoutShape()
            _ = try store.scan(notes: true) { lead in
                if filter.matches(lead) { shape.add(lead) }
            }
            selected = shape.columns
        } else if selected == nil {
            var keys = Set<String>()
            _ = try store.scan(for: filter, fields: .fieldKeys) { lead in
                if filter.matches(lead) { keys.formUnion(lead.fields.keys) }
            }
            selected = CSVExport.defaultColumns(fieldKeys: keys, notes: withNotes)
        }
        let export = CSVExport(columns: selected!, config: config, format: format)

        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunk + 4096)
        func flush() throws {
            if let file { try file.write(buffer) } else if let device { try device.write(buffer) } else { try context.output.write(bytes: buffer) }
            buffer.removeAll(keepingCapacity: true)
        }
        export.appendHeader(to: &buffer)
        var rows = 0
        var hints = FilterHints(filter)
        // Each record is made on the core that read its lead; here they are only written.
        let wanted = filter
        let record: @Sendable (Lead) -> Result<[UInt8], ReportError>? = { lead in
            guard wanted.matches(lead) else { return nil }
            var record: [UInt8] = []
            do throws(ReportError) { try export.append(lead, to: &record) } catch { return .failure(error) }
            return .success(record)
        }
        func write(_ lead: Lead, _ record: Result<[UInt8], ReportError>?) throws {
            // A record is made exactly for the leads that match.
            guard hints.observe(lead, matching: record != nil), let record else { return }
            progress.update(rows: rows)
            buffer += try record.get()
            rows += 1
            if buffer.count >= chunk { try flush() }
        }
        // From the summary index where it holds every column (then only the files changed
        // since it was written are read), else from every lead file.
        let problems = if !needsNotes, let fields = export.fieldsRead {
            try store.scan(for: filter, fields: fields, prepare: record, write)
        } else {
            try store.scan(notes: needsNotes, prepare: record, write)
        }
        try flush()
        progress.finish()
        // The readable leads are exported; the unreadable ones are named and fail the run.
        try file?.commit()
        try hints.report(context)
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }

    /// `--output` naming a device, FIFO or socket (`/dev/stdout`, `/dev/null`, a named
    /// pipe) is written into as it is: replacing it "atomically" would put a regular file
    /// in its place, and with root's rights even /dev/null would become one.
    static func openSpecial(_ path: String) throws(SystemError) -> SpecialFile? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        guard type != S_IFREG && type != S_IFDIR else { return nil }
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open", path) }
        return SpecialFile(path: path, fd: fd)
    }

    struct SpecialFile {
        let path: String
        let fd: Int32

        /// A reader of a FIFO that went away ends the export quietly, as on stdout.
        func write(_ bytes: [UInt8]) throws {
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
                if n < 0 {
                    if errno == EINTR { continue }
                    if errno == EPIPE { throw OutputError.readerGone }
                    throw SystemError("write", path)
                }
                done += n
            }
        }
    }

    /// `--delimiter`: `CSVDelimiter`, checked in phase one.
    static let delimiterParser = ValueParser { raw throws(UsageError) in
        guard CSVDelimiter.parse(raw) == nil else { return }
        throw .invalidArgument(argument: "--delimiter", value: raw,
                               reason: "expected one ASCII character other than a double quote or a line break, such as ';' or tab")
    }

    /// `--fields id,name,field:KEY,…`: known names only, each once; `--with-notes` adds
    /// `notes` at the end unless listed.
    static func columns(_ raw: String, notes: Bool) throws(UsageError) -> [CSVColumn] {
        var columns: [CSVColumn] = []
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(part.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
            guard let column = CSVColumn(name: name) else {
                if name.isEmpty {
                    throw .invalidArgument(argument: "--fields", value: raw, reason: "a column name is empty (two commas in a row?)")
                }
                if name.lowercased().hasPrefix(CSVColumn.fieldPrefix) {
                    throw .invalidArgument(argument: "--fields", value: name,
                                           reason: "a custom field name is letters, digits, _, - or .")
                }
                let known = CSVColumn.names
                throw .invalidChoice(argument: "--fields", value: name, reason: "not a column",
                                     suggestion: Suggestion.nearest(to: name, in: known),
                                     then: "columns: " + (CSVColumn.standard.map(\.name) + ["field:KEY", "notes"]).joined(separator: ", "))
            }
            guard !columns.contains(column) else {
                throw .invalidArgument(argument: "--fields", value: name, reason: "the column is listed twice")
            }
            columns.append(column)
        }
        if notes && !columns.contains(.notes) { columns.append(.notes) }
        return columns
    }
}
