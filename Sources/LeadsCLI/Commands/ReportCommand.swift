import LeadsCore

/// `leads report funnel|velocity|lost|winrate|accuracy`: questions about the past,
/// answered from one streaming pass over the activity log (Docs/reports.md). The
/// counting is in Core (Sources/LeadsCore/Reports); this file reads and renders.
enum ReportCommand {
    enum Kind: String, CaseIterable { case funnel, velocity, lost, winrate, accuracy }

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let raw = invocation.positionals[0]
        guard let kind = Kind(rawValue: raw.lowercased()) else {
            let names = Kind.allCases.map(\.rawValue)
            throw UsageError.invalidChoice(argument: "REPORT", value: raw, reason: "one of " + names.joined(separator: ", "),
                                           suggestion: Suggestion.nearest(to: raw, in: names))
        }
        let now = try context.now()
        let since = try invocation.value("since").map { try FieldParser.instant($0, field: "--since", now: now) }
        let until = try invocation.value("until").map { try FieldParser.instant($0, field: "--until", now: now) }
        if let since, let until, until <= since {
            throw UsageError.invalidArgument(argument: "--until", value: invocation.value("until") ?? "",
                                             reason: "--until must come after --since")
        }
        let grouping = try invocation.value("by").map { raw throws -> HistoryGrouping in
            guard let grouping = HistoryGrouping(rawValue: raw.lowercased()) else {
                let names = HistoryGrouping.allCases.map(\.rawValue)
                throw UsageError.invalidChoice(argument: "--by", value: raw, reason: "group by one of " + names.joined(separator: ", "),
                                               suggestion: Suggestion.nearest(to: raw, in: names))
            }
            return grouping
        }
        let scope = HistoryScope(since: since, until: until, grouping: grouping)
        let store = try context.store()
        let config = try store.config()
        let format: Format = invocation.flag("json") ? .json : invocation.flag("csv") ? .csv : .text
        let table: RenderedReport
        // Lead files the report could not read (lost's reasons): named after the output.
        var problems: [StoreError] = []
        // What the reports read of the snapshots: funnel, velocity, lost and winrate the
        // stage and the group, and act only on stage moves (ReplayTransitions); accuracy
        // what a forecast needs of a lead.
        let stageAndGroup = ReplayFields.stage(groupedBy: grouping)
        let forecast = ReplayFields(leadsReading: []).union(stageAndGroup)
        switch kind {
        case .funnel:
            let report = try store.replayLog(reading: stageAndGroup, transitions: .stageMoves) { FunnelReport(scope: scope, config: config) }
            table = funnel(report.rows, grouping: grouping)
            ProcessLifetime.keep(report)
        case .velocity:
            let report = try store.replayLog(reading: stageAndGroup, transitions: .stageMoves) { VelocityReport(scope: scope, config: config) }
            table = velocity(report.rows, grouping: grouping)
            ProcessLifetime.keep(report)
        case .lost:
            let report = try store.replayLog(reading: stageAndGroup, transitions: .stageMoves) { LostReport(scope: scope, config: config) }
            // Reasons are free text, kept in the lead files only (and in their summary
            // lines): those of the leads lost, each file's stat checked, not read whole.
            var reasons: [Int: String] = [:]
            problems = try store.summaries(of: report.leads.sorted(), fields: [.lostReason]) { lead in
                if lead.stage == Stage.lost.name, let reason = lead.lostReason { reasons[lead.id] = reason }
            }
            table = lost(report.rows(reasons: reasons), grouping: grouping)
        case .winrate:
            let report = try store.replayLog(reading: stageAndGroup, transitions: .stageMoves) { WinRateReport(scope: scope) }
            table = winrate(report.rows, total: report.total, grouping: grouping)
        case .accuracy:
            let last = LocalTime.date(of: until.map { Timestamp(seconds: $0.seconds - 1) } ?? now)
            let first = since.map(LocalTime.date(of:)) ?? CalendarDate(year: last.year, month: last.month, day: 1)!.adding(months: -11)
            let empty = AccuracyReport(months: AccuracyReport.months(from: first, through: last), config: config, grouping: grouping)
            var report = empty
            var gaps: [Int] = []
            var eachMomentOnItsOwn = false
            do {
                var pass = try store.replayLog(reading: forecast) { AccuracyPass(report: empty) }
                try pass.finish()
                (report, gaps, eachMomentOnItsOwn) = (pass.report, pass.gaps, pass.outOfOrder)
                ProcessLifetime.keep(pass)
            } catch is AccuracyPass.SumsOfPartsTooLarge {
                eachMomentOnItsOwn = true
            } catch ReportError.amountTooLarge {
                // Maybe a part's sum only, or named by a part's order: the whole's decides.
                eachMomentOnItsOwn = true
            }
            if eachMomentOnItsOwn {
                // Records out of time order (a backfill), or a sum too large: each moment
                // from a pass of its own, over every lead.
                report = empty
                gaps = []
                for (index, moment) in report.moments.enumerated() {
                    let then = try store.leadsAsOf(moment, reading: forecast)
                    try report.observe(moment: index, leads: then.states)
                    gaps.append(then.gaps.count)
                }
            }
            table = accuracy(report.rows(gaps: gaps), grouping: grouping)
        }
        let out = context.output
        switch format {
        case .json: try out.write(bytes: JSONWriter.pretty(.object(["report": .string(kind.rawValue), "rows": .array(table.json)])))
        case .csv:
            let writer = CSVWriter()
            var bytes: [UInt8] = []
            writer.append(table.columns.map(\.title), to: &bytes)
            for row in table.rows { writer.append(row.map(FormulaGuard.neutralise), to: &bytes) }
            try out.write(bytes: bytes)
        case .text:
            var text = TextTable(table.columns.map { TextTable.Column(title: $0.title.uppercased(), alignment: $0.numeric ? .right : .left) })
            for row in table.rows { text.add(row) }
            let color = context.environment.colorOnStdout
            var lines = text.render(width: context.environment.terminalColumns, color: color)
            if color { addBars(&lines, measures: table.bars, width: context.environment.terminalColumns) }
            if table.rows.isEmpty { lines = [] }
            for line in lines { try out.line(line) }
            if table.rows.isEmpty && context.environment.stderrIsTerminal { ErrorReport.notice("nothing to report") }
        }
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }

    enum Format { case text, json, csv }

    /// A report as rows of cells (the table and CSV) and as JSON objects.
    struct RenderedReport {
        struct Column { var title: String, numeric: Bool }
        var columns: [Column]
        var rows: [[String]] = []
        var json: [JSONValue] = []
        /// Per row, what its bar measures on a terminal.
        var bars: [Double] = []

        /// One row: its cells (the month, where the report has one, then the group, then
        /// `cells`), its JSON object with the group added, and what its bar measures.
        mutating func add(month: String? = nil, key: String?, _ grouping: HistoryGrouping?, cells: [String],
                          json: [String: JSONValue], bar: Double) {
            rows.append((month.map { [$0] } ?? []) + keyCells(key, grouping) + cells)
            var object = json
            keyJSON(key, grouping, into: &object)
            self.json.append(.object(object))
            bars.append(bar)
        }
    }

    static func keyColumn(_ grouping: HistoryGrouping?) -> [RenderedReport.Column] {
        grouping.map { [.init(title: $0.rawValue, numeric: false)] } ?? []
    }

    static func keyCells(_ key: String?, _ grouping: HistoryGrouping?) -> [String] {
        grouping == nil ? [] : [key ?? "(none)"]
    }

    static func keyJSON(_ key: String?, _ grouping: HistoryGrouping?, into object: inout [String: JSONValue]) {
        if let grouping { object[grouping.rawValue] = key.map(JSONValue.string) ?? .null }
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "" }
        let tenths = (part * 2000 + whole) / (2 * whole)
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func funnel(_ rows: [FunnelRow], grouping: HistoryGrouping?) -> RenderedReport {
        var r = RenderedReport(columns: [.init(title: "month", numeric: false)] + keyColumn(grouping) + [
            .init(title: "stage", numeric: false), .init(title: "entered", numeric: true),
            .init(title: "moved_on", numeric: true), .init(title: "moved_on_percent", numeric: true)])
        for row in rows {
            r.add(month: row.period, key: row.key, grouping,
                  cells: [row.stage, String(row.entered), String(row.movedOn), percent(row.movedOn, of: row.entered)],
                  json: ["month": .string(row.period), "stage": .string(row.stage), "entered": .integer(row.entered),
                         "moved_on": .integer(row.movedOn)],
                  bar: Double(row.entered))
        }
        return r
    }

    static func velocity(_ rows: [VelocityRow], grouping: HistoryGrouping?) -> RenderedReport {
        var r = RenderedReport(columns: keyColumn(grouping) + [
            .init(title: "stage", numeric: false), .init(title: "stays", numeric: true), .init(title: "median_days", numeric: true),
            .init(title: "mean_days", numeric: true), .init(title: "p90_days", numeric: true)])
        for row in rows {
            let s = row.summary
            r.add(key: row.key, grouping,
                  cells: [row.stage, String(s.count), DurationSummary.days(s.median), DurationSummary.days(s.mean), DurationSummary.days(s.p90)],
                  json: ["stage": .string(row.stage), "stays": .integer(s.count),
                         "median_seconds": .number(String(s.median)), "mean_seconds": .number(String(s.mean)),
                         "p90_seconds": .number(String(s.p90)), "median_days": .number(DurationSummary.days(s.median)),
                         "mean_days": .number(DurationSummary.days(s.mean)), "p90_days": .number(DurationSummary.days(s.p90))],
                  bar: Double(s.median))
        }
        return r
    }

    static func lost(_ rows: [LostRow], grouping: HistoryGrouping?) -> RenderedReport {
        var r = RenderedReport(columns: keyColumn(grouping) + [
            .init(title: "reason", numeric: false), .init(title: "lost", numeric: true), .init(title: "from", numeric: false)])
        for row in rows {
            let from = row.from.map { "\($0.stage) \($0.count)" }.joined(separator: ", ")
            r.add(key: row.key, grouping, cells: [row.reason ?? "(no reason)", String(row.count), from],
                  json: ["reason": row.reason.map(JSONValue.string) ?? .null, "lost": .integer(row.count),
                         "from": .array(row.from.map { .object(["stage": .string($0.stage), "lost": .integer($0.count)]) })],
                  bar: Double(row.count))
        }
        return r
    }

    static func winrate(_ rows: [WinRateRow], total: WinRateRow, grouping: HistoryGrouping?) -> RenderedReport {
        var r = RenderedReport(columns: (grouping == nil ? [] : keyColumn(grouping)) + [
            .init(title: "won", numeric: true), .init(title: "lost", numeric: true), .init(title: "win_rate_percent", numeric: true)])
        // The total row has no group: "total" stands in its column, and `total: true` in its object.
        func add(_ row: WinRateRow, isTotal: Bool) {
            var object: [String: JSONValue] = ["won": .integer(row.won), "lost": .integer(row.lost),
                                               "win_rate_percent": row.won + row.lost == 0 ? .null : .number(row.rate)]
            if isTotal { object["total"] = .bool(true) }
            r.add(key: row.key, isTotal ? nil : grouping,
                  cells: (isTotal && grouping != nil ? ["total"] : []) + [String(row.won), String(row.lost), row.won + row.lost == 0 ? "" : row.rate],
                  json: object, bar: isTotal ? 0 : Double(row.won * 1000 / max(1, row.won + row.lost)))
        }
        if grouping != nil { for row in rows { add(row, isTotal: false) } }
        add(total, isTotal: true)
        return r
    }

    static func accuracy(_ rows: [AccuracyRow], grouping: HistoryGrouping?) -> RenderedReport {
        var r = RenderedReport(columns: [.init(title: "month", numeric: false)] + keyColumn(grouping) + [
            .init(title: "currency", numeric: false), .init(title: "forecast_leads", numeric: true),
            .init(title: "forecast_value", numeric: true), .init(title: "forecast_weighted", numeric: true),
            .init(title: "won_leads", numeric: true), .init(title: "won_value", numeric: true),
            .init(title: "won_percent_of_weighted", numeric: true), .init(title: "gaps", numeric: true)])
        for row in rows {
            let hasValue = row.currency != nil
            func money(_ a: Amount) -> String { hasValue ? a.canonical : "" }
            r.add(month: row.month, key: row.key, grouping,
                  cells: [row.currency ?? "", String(row.forecast.count), money(row.forecast.value), money(row.forecast.weighted),
                          String(row.won.count), money(row.won.value), row.ratio ?? "", String(row.gaps)],
                  json: ["month": .string(row.month), "currency": row.currency.map(JSONValue.string) ?? .null,
                         "forecast": .object(["count": .integer(row.forecast.count), "value": .string(row.forecast.value.canonical),
                                              "weighted": .string(row.forecast.weighted.canonical)]),
                         "won": .object(["count": .integer(row.won.count), "value": .string(row.won.value.canonical)]),
                         "won_percent_of_weighted": row.ratio.map(JSONValue.number) ?? .null, "gaps": .integer(row.gaps)],
                  bar: Double(row.won.value.units))
        }
        return r
    }

    /// A bar after each row (not the header), proportional to the row's measure.
    static func addBars(_ lines: inout [String], measures: [Double], width: Int?) {
        guard let largest = measures.max(), largest > 0, let tableWidth = lines.first.map(displayWidth) else { return }
        let barWidth = min(30, (width ?? 80) - tableWidth - 2)
        guard barWidth >= 5 else { return }
        let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        for (index, measure) in measures.enumerated() where index + 1 < lines.count {
            let length = Int((max(0, measure) / largest * Double(barWidth * 8)).rounded())
            guard length > 0 else { continue }
            let bar = String(repeating: "█", count: length / 8) + eighths[length % 8]
            lines[index + 1] += "  " + Style.apply(Style.cyan, bar, if: true)
        }
    }
}
