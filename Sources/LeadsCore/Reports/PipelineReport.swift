/// What `pipeline --by` groups leads by.
public enum PipelineGrouping: String, Sendable, CaseIterable {
    case stage, owner, month, source, label, campaign
}

/// Lead count, summed value and summed weighted value of some leads, all in one currency.
public struct PipelineTotals: Sendable, Equatable {
    public var count: Int
    public var value: Amount
    /// The sum of each lead's weighted value already rounded to the cent, so that the
    /// report equals the sum of the export's `weighted` column.
    public var weighted: Amount

    public init(count: Int = 0, value: Amount = .zero, weighted: Amount = .zero) {
        self.count = count
        self.value = value
        self.weighted = weighted
    }

    mutating func add(_ other: PipelineTotals) throws(MoneyError) {
        let newValue = try value.adding(other.value)
        let newWeighted = try weighted.adding(other.weighted)
        count += other.count
        value = newValue
        weighted = newWeighted
    }

    mutating func add(value: Amount, weighted: Amount) throws(MoneyError) {
        let newValue = try self.value.adding(value)
        let newWeighted = try self.weighted.adding(weighted)
        count += 1
        self.value = newValue
        self.weighted = newWeighted
    }
}

/// One lead's part in a group's sums (`pipeline --explain`).
public struct PipelineLine: Sendable, Equatable {
    public var lead: Int
    /// nil for a lead without a value (it counts, and adds nothing).
    public var value: Amount?
    /// The effective probability.
    public var percent: Percent
    /// value × percent / 100 before rounding, in hundred-millionths (exact).
    public var exactHundredMillionths: Int128
    /// The weighted value as added: `exact` rounded half away from zero to the cent.
    public var weighted: Amount

    public init(lead: Int, value: Amount?, percent: Percent, exactHundredMillionths: Int128, weighted: Amount) {
        self.lead = lead
        self.value = value
        self.percent = percent
        self.exactHundredMillionths = exactHundredMillionths
        self.weighted = weighted
    }

    /// The exact product as a decimal: "1234.56", "109.9989", "0.000033", "111.098889".
    public var exact: String {
        let negative = exactHundredMillionths < 0
        let magnitude = exactHundredMillionths.magnitude
        let whole = magnitude / 100_000_000
        var fraction = String(magnitude % 100_000_000)
        fraction = String(repeating: "0", count: 8 - fraction.count) + fraction
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction.removeLast() }
        return (negative ? "-" : "") + String(whole) + "." + fraction
    }

    /// Whether rounding to the cent changed the product.
    public var rounded: Bool { Int128(weighted.units) * 10_000 != exactHundredMillionths }
}

/// One row of a currency block.
public struct PipelineGroup: Sendable, Equatable {
    /// The stage, owner, `YYYY-MM` month, source, label or campaign; nil for the leads that
    /// have none (no owner, no expected close date, no label…).
    public var key: String?
    public var totals: PipelineTotals
    /// With `explain`, the group's leads by ID, whose values and weighted values add up
    /// to `totals`; empty otherwise.
    public var lines: [PipelineLine]

    public init(key: String?, totals: PipelineTotals, lines: [PipelineLine] = []) {
        self.key = key
        self.totals = totals
        self.lines = lines
    }
}

/// The groups of one currency, in report order, and their total. With `--by label` a lead
/// with several labels is in several groups but counted once in `total`.
public struct PipelineBlock: Sendable, Equatable {
    /// nil for the leads without a value: they are counted, but belong to no currency.
    public var currency: String?
    public var groups: [PipelineGroup]
    public var total: PipelineTotals

    public init(currency: String?, groups: [PipelineGroup], total: PipelineTotals) {
        self.currency = currency
        self.groups = groups
        self.total = total
    }
}

/// A report could not be computed exactly.
public enum ReportError: Error, Sendable, Equatable {
    /// This lead's value or weighted value would take a total (or the weighting itself)
    /// beyond the exact range of amounts, ±922,337,203,685,477.5807.
    case amountTooLarge(lead: Int, currency: String)
}

/// The weighted pipeline (`leads pipeline`), accumulated one lead at a time: it keeps one
/// running total per currency and group, never the leads, so a scan of any number of
/// leads needs memory only for the groups.
///
/// Scope: leads in open stages (and in stages config.json no longer lists); won and lost
/// leads only when asked for; dnc leads never, not even in the totals. Amounts of
/// different currencies are never added: each currency is a block of its own.
public struct PipelineReport: Sendable {
    public let grouping: PipelineGrouping
    public let includeWon: Bool
    public let includeLost: Bool
    /// Keep each lead's line (`--explain`): memory for every counted lead, not just the groups.
    public let explain: Bool
    private let config: StoreConfig
    /// A block per currency, by the currency's number, changed in place.
    private var blocks: [BlockAccumulator] = []
    private var currencies = KeyNumbers<String?>()

    private struct BlockAccumulator: Sendable {
        var groups: [String?: PipelineTotals] = [:]
        var lines: [String?: [PipelineLine]] = [:]
        var total = PipelineTotals()
        var line: PipelineLine?

        mutating func add(_ key: String?, value: Amount, weighted: Amount) throws(MoneyError) {
            try groups[key, default: PipelineTotals()].add(value: value, weighted: weighted)
            if let line { lines[key, default: []].append(line) }
        }

        /// The lead's part: each of its groups, and the total once.
        mutating func add(_ lead: Lead, value: Amount, weighted: Amount, grouping: PipelineGrouping,
                          line: PipelineLine?) throws(MoneyError) {
            self.line = line
            func named(_ text: String?) -> String? { text?.isEmpty == false ? text : nil }
            switch grouping {
            case .stage: try add(lead.stage, value: value, weighted: weighted)
            case .owner: try add(named(lead.owner), value: value, weighted: weighted)
            case .source: try add(named(lead.source), value: value, weighted: weighted)
            case .campaign: try add(named(lead.campaign), value: value, weighted: weighted)
            case .month: try add(lead.expectedClose?.monthKey, value: value, weighted: weighted)
            case .label:
                // Each distinct label once (a hand-edited file may repeat one).
                let labels = lead.labels
                for (index, label) in labels.enumerated() where !labels[..<index].contains(label) {
                    try add(label, value: value, weighted: weighted)
                }
                if labels.isEmpty { try add(nil, value: value, weighted: weighted) }
            }
            // Once per lead, whatever the number of its groups.
            try total.add(value: value, weighted: weighted)
        }
    }

    public init(grouping: PipelineGrouping, config: StoreConfig, includeWon: Bool = false, includeLost: Bool = false,
                explain: Bool = false) {
        self.grouping = grouping
        self.config = config
        self.includeWon = includeWon
        self.includeLost = includeLost
        self.explain = explain
    }

    /// Whether the lead's stage is in the report's scope.
    public func covers(_ lead: Lead) -> Bool {
        switch lead.stage {
        case Stage.dnc.name: return false
        case Stage.won.name: return includeWon
        case Stage.lost.name: return includeLost
        default: return true
        }
    }

    /// Counts the lead if its stage is in scope; returns whether it was counted.
    /// Weighted value: value × effective probability (the lead's override, else its
    /// stage's), rounded half away from zero to the cent for this lead alone.
    @discardableResult
    public mutating func add(_ lead: Lead) throws(ReportError) -> Bool {
        guard covers(lead) else { return false }
        let currency = lead.value?.currency
        var value = Amount.zero, weighted = Amount.zero
        do {
            if let money = lead.value, let weightedMoney = try lead.weightedValue(config) {
                value = money.amount
                weighted = weightedMoney.amount
            }
            let (number, isNew) = currencies.number(of: currency)
            if isNew { blocks.append(BlockAccumulator()) }
            try blocks[number].add(lead, value: value, weighted: weighted, grouping: grouping,
                                   line: explain ? line(lead, value: value, weighted: weighted) : nil)
        } catch {
            throw .amountTooLarge(lead: lead.id, currency: currency ?? "")
        }
        return true
    }

    private func line(_ lead: Lead, value: Amount, weighted: Amount) -> PipelineLine {
        let percent = lead.stage == Stage.dnc.name ? .zero : lead.effectiveProbability(config)
        return PipelineLine(lead: lead.id, value: lead.value?.amount, percent: percent,
                            exactHundredMillionths: value.exactWeighted(by: percent), weighted: weighted)
    }

    /// The blocks: currencies in code order, then the leads without a value. Groups: stages
    /// in config.json order (stages it no longer lists after the open ones, by name; then
    /// won, lost); months ascending; anything else by weighted value, largest first (ties:
    /// value, count, then key in byte order). The group without a key comes last.
    public var result: [PipelineBlock] {
        let inOrder = currencies.keys.sorted { a, b in
            switch (a, b) {
            case let (a?, b?): return precedes(a, b)
            case (_?, nil): return true
            default: return false
            }
        }
        return inOrder.map { currency in
            let block = blocks[currencies[currency]!]
            let groups = block.groups.map { key, totals in
                PipelineGroup(key: key, totals: totals, lines: (block.lines[key] ?? []).sorted { $0.lead < $1.lead })
            }
            return PipelineBlock(currency: currency, groups: groups.sorted(by: ordered), total: block.total)
        }
    }

    private func ordered(_ a: PipelineGroup, _ b: PipelineGroup) -> Bool {
        guard let x = a.key else { return false }
        guard let y = b.key else { return true }
        switch grouping {
        case .stage:
            let (rx, ry) = (stageRank(x), stageRank(y))
            return rx != ry ? rx < ry : precedes(x, y)
        case .month:
            return precedes(x, y)
        default:
            let (p, q) = (a.totals, b.totals)
            if p.weighted != q.weighted { return p.weighted > q.weighted }
            if p.value != q.value { return p.value > q.value }
            if p.count != q.count { return p.count > q.count }
            return precedes(x, y)
        }
    }

    /// UTF-8 byte order: exact and stable, unlike String's `<`, which treats canonically
    /// equivalent spellings as equal.
    private func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Open stages by position; unknown stages share the rank after them; then won, lost.
    private func stageRank(_ name: String) -> Int {
        if let index = config.stages.firstIndex(where: { $0.name == name }) { return index }
        switch name {
        case Stage.won.name: return config.stages.count + 1
        case Stage.lost.name: return config.stages.count + 2
        default: return config.stages.count
        }
    }
}
