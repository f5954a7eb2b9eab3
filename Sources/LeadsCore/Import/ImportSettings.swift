/// Everything that says how to read one file: the command line's options laid over a
/// profile's. Built once per run; the column plan and the row converter read it.
public struct ImportSettings: Sendable {
    public var profile: ImportProfile?
    public var rules = ColumnPlan.Rules()
    public var values = ValueMap()
    public var cells = CellReading()
    public var decimal: DecimalSeparator?
    public var defaults: [CSVColumn: String] = [:]

    public init() {}

    /// The options as typed. Each one given wins over the profile's setting.
    public struct Options: Sendable {
        public var maps: [String] = []
        public var mapValues: [String] = []
        public var defaults: [String] = []
        public var unknown: UnknownColumns?
        public var dateOrder: DateOrder?
        public var century: Int?
        public var probabilityScale: ProbabilityScale?
        public var decimal: DecimalSeparator?

        public init() {}
    }

    public init(profile: ImportProfile?, options: Options) throws(ImportError) {
        self.profile = profile
        rules.profile = profile
        rules.unknown = options.unknown
        cells = profile?.cells ?? CellReading()
        if let order = options.dateOrder { cells.dateOrder = order }
        if let century = options.century { cells.century = century }
        if let scale = options.probabilityScale { cells.probabilityScale = scale }
        decimal = options.decimal ?? profile?.decimal
        for raw in options.maps {
            guard let eq = raw.lastIndex(of: "="), eq != raw.startIndex,
                  let target = ColumnTarget.parse(String(raw[raw.index(after: eq)...])) else { throw .badMap(raw) }
            rules.maps.append((String(raw[..<eq]), target))
        }
        for raw in options.mapValues {
            let rule = try ValueMap.parse(raw)
            values.add(field: rule.field, source: rule.source, target: rule.target, origin: "--map-value")
        }
        if let profile { values.fill(from: profile.values) }
        for raw in options.defaults {
            guard let eq = raw.firstIndex(of: "="), let found = ImportHeaders.column(named: String(raw[..<eq])), let field = found else {
                throw .badDefault(raw)
            }
            defaults[field] = String(raw[raw.index(after: eq)...])
        }
        rules.defaulted = Set(defaults.keys)
    }

    public func plan(file: String, header: [String]) throws(ImportError) -> ColumnPlan {
        try ColumnPlan(file: file, header: header, rules: rules)
    }

    public func converter(_ plan: ColumnPlan, config: StoreConfig, now: Timestamp, user: String) -> RowConverter {
        RowConverter(plan: plan, config: config, now: now, user: user, decimal: decimal ?? config.decimal, defaults: defaults, values: values, cells: cells)
    }
}
