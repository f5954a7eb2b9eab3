import LeadsCore

/// Owners typed on the command line go through config.json's users table: a login,
/// e-mail, full name or alias of a user becomes that user's login.
extension CommandContext {
    func owner(_ raw: String, field: String) throws -> String {
        let text = try FieldParser.name(raw, field: field)
        return try store().config().users.owner(text)
    }

    /// The acting user as an owner: `--user anna@firma.de` owns as anna.
    func actingOwner() throws -> String {
        try store().config().users.owner(user)
    }

    /// The owner values `--owner U` or `--mine` select: every name of that user.
    func ownerFilter(_ raw: String) throws -> Set<String> {
        try store().config().users.ownerNames(raw)
    }
}
