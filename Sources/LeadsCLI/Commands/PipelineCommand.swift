import LeadsCore

/// `leads pipeline`: the weighted forecast per group and currency (Docs/reports.md).
enum PipelineCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        // Phase one accepted only grouping names (`groupingChoices`), in any case.
        let grouping = invocation.value("by").flatMap { PipelineGrouping(rawValue: $0.lowercased()) } ?? .stage
        let store = try context.store()
        let config = try store.config()
        var filter = try FilterOptions.filter(invocation, config: config, user: context.user)
        if let raw = invocation.values("stage").first(where: {
            (try? FieldParser.stage($0, field: "--stage", config: config))?.name == Stage.dnc.name
        }) {
            throw UsageError.invalidArgument(argument: "--stage", value: raw,
                                             reason: "dnc (do not contact) leads are never part of the pipeline")
        }
        // The report decides about won, lost and dnc; the filter only about everything else.
        let all = invocation.flag("all")
        let includeWon = all || invocation.flag("include-won") || filter.stages.contains(Stage.won.name)
        let includeLost = all || invocation.flag("include-lost") || filter.stages.contains(Stage.lost.name)
        filter.includeClosed = true
        let asOf = try invocation.value("as-of").map { try FieldParser.instant($0, field: "--as-of", now: try context.now()) }
        if asOf != nil, let search = filter.search {
            throw UsageError.invalidArgument(argument: "--search", value: search,
                                             reason: "the log holds no names, e-mail addresses or notes, so --as-of cannot search them")
        }
        if invocation.flag("overdue") { filter.overdueAt = try asOf ?? context.now() }

        let explain = invocation.flag("explain")
        var report = PipelineReport(grouping: grouping, config: config, includeWon: includeWon, includeLost: includeLost,
                                    explain: explain)
        var problems: [StoreError] = []
        var hints = FilterHints(filter)
        var gaps: [Int] = []
        if let asOf {
            // The leads as they stood then, from the log; each goes through the same
            // filter and report as a lead read from its file today.
            // What the filters and the report read, as the scan below decodes it.
            let then = try store.leadsAsOf(asOf, reading: ReplayFields(leadsReading: grouping.fieldsRead.union(filter.fieldsRead)))
            try then.forEachLead { lead in
                if hints.observe(lead) { try report.add(lead) }
            }
            gaps = then.gaps
            ProcessLifetime.keep(then)
        } else {
            problems = try store.scan(for: filter, fields: grouping.fieldsRead) { lead in
                if hints.observe(lead) { try report.add(lead) }
            }
        }
        let blocks = report.result

        let out = context.output
        if invocation.flag("json") {
            var object = json(blocks, grouping: grouping, explain: explain)
            if let asOf, case .object(var fields) = object {
                fields["as_of"] = .string(asOf.iso8601)
                fields["gaps"] = .array(gaps.map(JSONValue.integer))
                object = .object(fields)
            }
            try out.write(bytes: JSONWriter.pretty(object))
        } else if invocation.flag("csv") {
            try out.write(bytes: explain ? explainedCSV(blocks) : csv(blocks, gaps: gaps))
        } else {
            let lines = explain ? explainedText(blocks, grouping: grouping)
                : text(blocks, grouping: grouping, width: context.environment.terminalColumns,
                       color: context.environment.colorOnStdout)
            for line in lines { try out.line(line) }
            if !gaps.isEmpty { try out.line(gapLine(gaps)) }
        }
        try hints.report(context, nothing: "no leads match")
        // The report above covers every readable lead; the unreadable ones are named and fail the run.
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }

    static let groupingChoices: Choices = {
        let names = PipelineGrouping.allCases.map(\.rawValue)
        return Choices(names, reason: "group by one of " + names.joined(separator: ", "), ignoringCase: true, suggesting: true)
    }()

    /// The stable JSON schema of Docs/reports.md; money as exact decimal strings.
    static func json(_ blocks: [PipelineBlock], grouping: PipelineGrouping, explain: Bool = false) -> JSONValue {
        func totals(_ t: PipelineTotals) -> [String: JSONValue] {
            ["count": .integer(t.count), "value": .string(t.value.canonical), "weighted": .string(t.weighted.canonical)]
        }
        return .object([
            "by": .string(grouping.rawValue),
            "currencies": .array(blocks.map { block in
                .object([
                    "currency": block.currency.map(JSONValue.string) ?? .null,
                    "groups": .array(block.groups.map { group in
                        var object = totals(group.totals)
                        object["key"] = group.key.map(JSONValue.string) ?? .null
                        if explain { object["leads"] = .array(group.lines.map(lineJSON)) }
                        return .object(object)
                    }),
                    "total": .object(totals(block.total)),
                ])
            }),
        ])
    }

    /// `currency,row,key,count,value,weighted`: one `group` row per group, then a `total`
    /// row per currency. An empty key is the group of leads without one; an empty currency
    /// the block of leads without a value.
    static func csv(_ blocks: [PipelineBlock], gaps: [Int] = []) -> [UInt8] {
        let writer = CSVWriter()
        var out: [UInt8] = []
        writer.append(["currency", "row", "key", "count", "value", "weighted"], to: &out)
        func amount(_ a: Amount) -> String { a.formatted(decimalSeparator: UInt8(ascii: "."), groupingSeparator: nil, unambiguous: true) }
        for block in blocks {
            let currency = block.currency ?? ""
            for group in block.groups {
                let t = group.totals
                writer.append([currency, "group", FormulaGuard.neutralise(group.key ?? ""), String(t.count),
                               amount(t.value), amount(t.weighted)], to: &out)
            }
            let t = block.total
            writer.append([currency, "total", "", String(t.count), amount(t.value), amount(t.weighted)], to: &out)
        }
        // --as-of: a lead whose state then the log does not hold, by ID in the key column.
        for id in gaps { writer.append(["", "gap", String(id), "", "", ""], to: &out) }
        return out
    }

    /// One table per currency with a total row; on a terminal (colour allowed) a bar per
    /// row, proportional to its weighted value within the block.
    static func text(_ blocks: [PipelineBlock], grouping: PipelineGrouping, width: Int?, color: Bool) -> [String] {
        var lines: [String] = []
        for block in blocks {
            if !lines.isEmpty { lines.append("") }
            let hasValue = block.currency != nil
            lines.append(Style.apply(Style.bold, block.currency ?? "no value", if: color))
            var columns: [TextTable.Column] = [.init(title: grouping.rawValue.uppercased(), flexible: true),
                                               .init(title: "LEADS", alignment: .right)]
            if hasValue {
                columns += [.init(title: "VALUE", alignment: .right), .init(title: "WEIGHTED", alignment: .right)]
            }
            var table = TextTable(columns)
            func cells(_ name: String, _ t: PipelineTotals) -> [String] {
                [name, String(t.count)] + (hasValue ? [t.value.canonical, t.weighted.canonical] : [])
            }
            for group in block.groups { table.add(cells(group.key ?? noKey(grouping), group.totals)) }
            let totalName = grouping == .label ? "total (each lead once)" : "total"
            table.add(cells(totalName, block.total), style: color ? Style.bold : nil)
            var rendered = table.render(width: width, color: color)
            if color { addBars(&rendered, block: block, hasValue: hasValue, width: width) }
            lines += rendered
        }
        return lines
    }

    static func noKey(_ grouping: PipelineGrouping) -> String {
        switch grouping {
        case .month: return "(no date)"
        case .label: return "(no label)"
        default: return "(none)"
        }
    }

    /// Appends a bar to each group row (not the header or the total). The table's last
    /// column is right-aligned, so every row ends in the same column. Bars measure the
    /// weighted value, or the lead count where there is no weighted value to compare.
    static func addBars(_ lines: inout [String], block: PipelineBlock, hasValue: Bool, width: Int?) {
        let useWeighted = hasValue && block.groups.contains { $0.totals.weighted > .zero }
        let measures = block.groups.map { Double(useWeighted ? max(0, $0.totals.weighted.units) : Int64($0.totals.count)) }
        guard let largest = measures.max(), largest > 0, let tableWidth = lines.first.map(displayWidth) else { return }
        let barWidth = min(40, (width ?? 80) - tableWidth - 2)
        guard barWidth >= 5 else { return }
        let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        for (index, measure) in measures.enumerated() {
            let length = Int((measure / largest * Double(barWidth * 8)).rounded())
            guard length > 0 else { continue }
            let bar = String(repeating: "█", count: length / 8) + eighths[length % 8]
            lines[index + 1] += "  " + Style.apply(Style.cyan, bar, if: true)
        }
    }

    // MARK: --as-of and --explain

    static func gapLine(_ gaps: [Int]) -> String {
        "not in the log then (records of log format 1, or before the log's start): " + gaps.map { "#\($0)" }.joined(separator: " ")
    }

    static func lineJSON(_ line: PipelineLine) -> JSONValue {
        .object(["id": .integer(line.lead),
                 "value": line.value.map { .string($0.canonical) } ?? .null,
                 "probability": .number(line.percent.description),
                 "exact": .string(line.exact),
                 "weighted": .string(line.weighted.canonical)])
    }

    /// `currency,row,key,lead,count,value,probability,exact,weighted`: a `lead` row per lead
    /// of each group, the `group` row its lines add up to, then the block's `total`.
    static func explainedCSV(_ blocks: [PipelineBlock]) -> [UInt8] {
        let writer = CSVWriter()
        var out: [UInt8] = []
        writer.append(["currency", "row", "key", "lead", "count", "value", "probability", "exact", "weighted"], to: &out)
        func amount(_ a: Amount) -> String { a.formatted(decimalSeparator: UInt8(ascii: "."), groupingSeparator: nil, unambiguous: true) }
        for block in blocks {
            let currency = block.currency ?? ""
            for group in block.groups {
                let key = FormulaGuard.neutralise(group.key ?? "")
                for line in group.lines {
                    writer.append([currency, "lead", key, String(line.lead), "1", line.value.map(amount) ?? "",
                                   line.percent.description, line.exact, amount(line.weighted)], to: &out)
                }
                let t = group.totals
                writer.append([currency, "group", key, "", String(t.count), amount(t.value), "", "", amount(t.weighted)], to: &out)
            }
            let t = block.total
            writer.append([currency, "total", "", "", String(t.count), amount(t.value), "", "", amount(t.weighted)], to: &out)
        }
        return out
    }

    /// Per group a heading with its sums, then one line per lead:
    /// `#7  12500.00 × 40 % = 5000.00`, or with the rounding `… = 109.9989 → 110.00`.
    static func explainedText(_ blocks: [PipelineBlock], grouping: PipelineGrouping) -> [String] {
        var lines: [String] = []
        for block in blocks {
            if !lines.isEmpty { lines.append("") }
            let currency = block.currency ?? "no value"
            lines.append(currency)
            for group in block.groups {
                let t = group.totals
                let name = group.key ?? noKey(grouping)
                lines.append(block.currency == nil
                    ? "\(grouping.rawValue) \(name): \(Confirmation.count(t.count, "lead"))"
                    : "\(grouping.rawValue) \(name): \(Confirmation.count(t.count, "lead")), value \(t.value.canonical), weighted \(t.weighted.canonical)")
                let idWidth = group.lines.map { String($0.lead).count + 1 }.max() ?? 0
                for line in group.lines {
                    let id = "#\(line.lead)"
                    let padded = id + String(repeating: " ", count: idWidth - id.count)
                    guard let value = line.value else {
                        lines.append("  \(padded)  no value × \(line.percent) %")
                        continue
                    }
                    var text = "  \(padded)  \(value.canonical) × \(line.percent) % = "
                    text += line.rounded ? "\(line.exact) → \(line.weighted.canonical)" : line.weighted.canonical
                    lines.append(text)
                }
            }
            let t = block.total
            let what = grouping == .label ? "total (each lead once)" : "total"
            lines.append(block.currency == nil ? "\(what): \(Confirmation.count(t.count, "lead"))"
                         : "\(what): \(Confirmation.count(t.count, "lead")), value \(t.value.canonical), weighted \(t.weighted.canonical)")
        }
        return lines
    }
}
