import Testing
@testable import LeadsCore

/// The one lookup behind --mine, owners, import owner columns and mail senders.
@Suite struct UserTableTests {
    func table() throws -> UserTable {
        var table = UserTable()
        try table.add(User(name: "anna", email: "Anna.Schmidt@Firma.de", fullName: "Anna Schmidt", aliases: ["aschmidt", "A. Schmidt"], language: "de"))
        try table.add(User(name: "bob", email: "bob@example.com", fullName: "Bob Miller"))
        return table
    }

    @Test(arguments: ["anna", "ANNA", "anna.schmidt@firma.de", "Anna Schmidt", "  anna   schmidt ", "aschmidt", "a. schmidt"])
    func everyIdentifierResolvesCaseInsensitively(text: String) throws {
        #expect(try table().resolve(text) == .user(try table().users[0]))
        #expect(try table().owner(text) == "anna")
    }

    @Test func unknownTextStaysAsTyped() throws {
        let table = try table()
        #expect(table.resolve("carol") == .none)
        #expect(try table.owner("Carol Jones") == "Carol Jones")
        #expect(table.ownerNames("carol") == ["carol"])
        #expect(table.resolve("") == .none)
    }

    @Test func ownerNamesCoverEveryNameOfTheUser() throws {
        #expect(try table().ownerNames("Anna Schmidt") == ["anna", "Anna.Schmidt@Firma.de", "Anna Schmidt", "aschmidt", "A. Schmidt"])
    }

    @Test func aLoginWinsOverAnotherUsersAliasAndSharedTextsAreRefused() throws {
        var table = try table()
        #expect(throws: UserError.clash(text: "aschmidt", user: "anna")) {
            try table.add(User(name: "carol", email: "c@example.com", aliases: ["aschmidt"]))
        }
        #expect(throws: UserError.exists("Bob")) { try table.add(User(name: "Bob", email: "b2@example.com")) }
        #expect(throws: UserError.clash(text: "BOB@example.com", user: "bob")) {
            try table.add(User(name: "robert", email: "BOB@example.com"))
        }
        // Built by hand (as a hand-edited config could be): an alias equal to another login.
        table.users.append(User(name: "carol", aliases: ["bob"]))
        #expect(table.resolve("bob").userName == "bob")
        table.users.append(User(name: "dave", aliases: ["sales"]))
        table.users.append(User(name: "erin", aliases: ["Sales"]))
        #expect(table.resolve("sales") == .ambiguous(["dave", "erin"]))
        #expect(throws: UserError.ambiguous(text: "sales", users: ["dave", "erin"])) { try table.owner("sales") }
    }

    @Test func invalidEntriesAreRefused() throws {
        var table = UserTable()
        #expect(throws: UserError.self) { try table.add(User(name: "anna schmidt", email: "a@b.de")) }
        #expect(throws: UserError.self) { try table.add(User(name: "-x", email: "a@b.de")) }
        #expect(throws: UserError.self) { try table.add(User(name: "anna", email: "not an address")) }
        #expect(throws: UserError.self) { try table.add(User(name: "anna", email: "a@b.de", language: "fr")) }
        #expect(throws: UserError.self) { try table.add(User(name: "anna", email: "a@b.de", aliases: [" "])) }
        #expect(table.isEmpty)
        try table.add(User(name: "jörg.müller", email: "j@b.de"))
        try table.remove("JÖRG.MÜLLER")
        #expect(table.isEmpty)
        #expect(throws: UserError.unknown("nobody")) { try table.remove("nobody") }
    }

    @Test func withEmailFindsOnlyAUniqueAddress() throws {
        #expect(try table().user(withEmail: "ANNA.SCHMIDT@firma.de")?.name == "anna")
        #expect(try table().user(withEmail: "nobody@firma.de") == nil)
    }

    @Test func configRoundTripsUsersAndMailAndReadsOldStringEntries() throws {
        var config = StoreConfig()
        config.users = try table()
        config.mail = MailSettings(from: "CRM <crm@firma.de>", sendmail: "/usr/bin/msmtp", language: "de", attachmentLimit: 1000)
        let reread = try StoreConfig(bytes: JSONWriter.pretty(config.json))
        #expect(reread == config)
        let old = try StoreConfig(bytes: Array(#"{"format": 1, "users": ["alice", "bob"]}"#.utf8))
        #expect(old.users.users.map(\.name) == ["alice", "bob"])
        #expect(old.users.users.allSatisfy { $0.email == nil })
        #expect(throws: JSONError.self) { try StoreConfig(bytes: Array(#"{"users": ["alice", "ALICE"]}"#.utf8)) }
        #expect(throws: JSONError.self) { try StoreConfig(bytes: Array(#"{"users": [{"email": "x@y.de"}]}"#.utf8)) }
        #expect(throws: JSONError.self) { try StoreConfig(bytes: Array(#"{"mail": {"attachment_limit": 0}}"#.utf8)) }
    }
}

extension UserMatch {
    var userName: String? { if case .user(let user) = self { return user.name } else { return nil } }
}
