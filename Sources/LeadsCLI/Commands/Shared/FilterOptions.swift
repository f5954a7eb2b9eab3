import LeadsCore

/// The filter options shared by list, pipeline and export-csv.
enum FilterOptions {
    static func filter(_ invocation: Invocation, config: StoreConfig, user: String) throws -> LeadFilter {
        var filter = LeadFilter()
        filter.includeClosed = invocation.flag("all")
        for raw in invocation.values("stage") {
            filter.stages.insert(try FieldParser.stage(raw, field: "--stage", config: config).name)
        }
        // Through the users table: --owner anna also finds leads owned as "Anna Schmidt".
        filter.owners = Set(invocation.values("owner").flatMap { config.users.ownerNames($0) })
        if invocation.flag("mine") { filter.owners = config.users.ownerNames(user) }
        filter.labels = invocation.values("label")
        filter.source = invocation.value("source")
        filter.campaign = invocation.value("campaign")
        filter.search = invocation.value("search")
        return filter
    }
}
