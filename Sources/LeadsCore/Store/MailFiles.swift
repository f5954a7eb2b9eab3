import Glibc

// DIR/mail/unmatched/<key>.eml: incoming messages `leads mail` could not file on exactly
// one lead (no lead named, several, a suppressed address, a message it could not read),
// kept as they arrived for a person to look at. Only this file knows the directory.
// `key` is the first 32 hex digits of the SHA-256 of the message's identity (its
// Message-ID, else its bytes), so a second delivery of the same message is the same file
// and a name says nothing about the person. Calling sequence, under the exclusive lock:
//
//   if try writer.hasUnmatchedMail(key) { … already kept … }
//   try writer.keepUnmatchedMail(bytes, key: key, log: entry)
//
// It is one commit (StoreCommit.swift): the file created atomically, then its record
// appended, the commit point. An erasure (`delete`, `retention --apply`) removes the
// messages that name the person (KeptMessage.names) in its own commit. A filed message is a note on its lead, saved with
// `writer.save` like any note, with its attachments staged by `writer.attach`.

extension LeadStore {
    static let mailDirectory = "mail"
    static let unmatchedMailDirectory = "unmatched"

    /// DIR/mail/unmatched/<key>.eml as a path for messages (stderr names it).
    public func unmatchedMailPath(_ key: String) -> String {
        (path.hasSuffix("/") ? path : path + "/") + Self.mailDirectory + "/" + Self.unmatchedMailDirectory + "/" + key + ".eml"
    }

    /// The file key of a message identity (MailFiling.identity).
    public static func unmatchedMailKey(_ identity: String) -> String {
        String(hexString(SHA256.hash(Array(identity.utf8))).prefix(32))
    }

    /// The keys of the kept messages, sorted.
    public func unmatchedMailKeys() throws(StoreError) -> [String] {
        guard let mail = try subdirectory(Self.mailDirectory) else { return [] }
        let dir: Directory?
        do { dir = try Directory.open(Self.unmatchedMailDirectory, relativeTo: mail, label: Self.mailDirectory + "/" + Self.unmatchedMailDirectory, followLinks: false) } catch {
            throw .system(error)
        }
        guard let dir else { return [] }
        return try Self.keptMessageKeys(in: dir)
    }

    /// The kept messages that name one of `addresses` (KeptMessage.names), by key:
    /// what subject access lists. Read one at a time, so memory holds only the matches.
    public func keptMessages(naming addresses: [String]) throws(StoreError) -> [KeptMessage] {
        guard !addresses.isEmpty, let mail = try subdirectory(Self.mailDirectory) else { return [] }
        let dir: Directory?
        do { dir = try Directory.open(Self.unmatchedMailDirectory, relativeTo: mail, label: Self.mailDirectory + "/" + Self.unmatchedMailDirectory, followLinks: false) } catch {
            throw .system(error)
        }
        guard let dir else { return [] }
        return try Self.keptMessages(in: dir, naming: addresses)
    }

    static func keptMessageKeys(in dir: Directory) throws(StoreError) -> [String] {
        let names: [String]
        do { names = try dir.entries() } catch { throw .system(error) }
        return names.filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// A kept message is at most `mail.message_limit` when it arrives; the limit may have
    /// been lowered since, so any size is read (erasure must not skip a large message).
    static func keptMessages(in dir: Directory, naming addresses: [String]) throws(StoreError) -> [KeptMessage] {
        var found: [KeptMessage] = []
        for key in try keptMessageKeys(in: dir) {
            guard let bytes = try dir.read(key + ".eml", limit: Int.max) else { continue }
            let message = KeptMessage(key: key, bytes: bytes)
            if message.names(anyOf: addresses) { found.append(message) }
        }
        return found
    }
}

extension StoreWriter {
    /// The IDs of the leads whose e-mail is `address` (the duplicate check's normalisation:
    /// case-insensitive, trimmed), each verified against its file; sorted.
    public func leads(withEmail address: String) throws(StoreError) -> [Int] {
        let wanted = DuplicateKey.normalise(address)
        guard !wanted.isEmpty else { return [] }
        var found: [Int] = []
        for id in try keys.ids(for: .email(address)).sorted() {
            let lead: Lead
            do { lead = try LeadStore.readLead(id, in: leadsDir) } catch {
                if case .leadNotFound = error { continue }
                throw error
            }
            if lead.email.map(DuplicateKey.normalise) == wanted { found.append(id) }
        }
        return found
    }

    private func unmatchedDir(create: Bool) throws(StoreError) -> Directory? {
        let mode: mode_t = config.sharedGroup ? 0o2770 : 0o700
        do throws(SystemError) {
            if create, try root.makeDirectory(LeadStore.mailDirectory, mode: mode) {
                if config.sharedGroup { _ = fchmodat(root.fd, LeadStore.mailDirectory, mode, 0) }
                try root.sync()
            }
            guard let mail = try Directory.open(LeadStore.mailDirectory, relativeTo: root, label: LeadStore.mailDirectory, followLinks: false) else { return nil }
            if create, try mail.makeDirectory(LeadStore.unmatchedMailDirectory, mode: mode) {
                if config.sharedGroup { _ = fchmodat(mail.fd, LeadStore.unmatchedMailDirectory, mode, 0) }
                try mail.sync()
            }
            return try Directory.open(LeadStore.unmatchedMailDirectory, relativeTo: mail,
                                      label: LeadStore.mailDirectory + "/" + LeadStore.unmatchedMailDirectory, followLinks: false)
        } catch {
            if error.code == ELOOP || error.code == ENOTDIR { throw .notADirectory(LeadStore.mailDirectory + "/" + LeadStore.unmatchedMailDirectory) }
            throw .system(error)
        }
    }

    public func hasUnmatchedMail(_ key: String) throws(StoreError) -> Bool {
        guard let dir = try unmatchedDir(create: false) else { return false }
        return try exists(key + ".eml", in: dir)
    }

    /// Removals of the kept messages that name one of `addresses`, for an erasure's commit.
    /// Each message is read once per writer (its addresses kept, not its bytes): under
    /// the exclusive lock only this writer changes the directory, and `retention --apply`
    /// erases many leads in one.
    func keptMessageRemovals(naming addresses: [String]) throws(StoreError) -> [FileChange] {
        let wanted = Set(addresses.compactMap(ContactKeys.email))
        guard !wanted.isEmpty, let dir = try unmatchedDir(create: false) else { return [] }
        var removals: [FileChange] = []
        for key in try LeadStore.keptMessageKeys(in: dir) {
            let found: Set<String>
            if let known = keptMessageAddresses[key] {
                found = known
            } else {
                guard let bytes = try dir.read(key + ".eml", limit: Int.max) else { continue }
                found = KeptMessage(key: key, bytes: bytes).addresses
                keptMessageAddresses[key] = found
            }
            if !found.isDisjoint(with: wanted) { removals.append(FileChange(dir, key + ".eml", nil)) }
        }
        return removals
    }

    /// Keeps the message as it arrived, with its log record, in one commit.
    public func keepUnmatchedMail(_ bytes: [UInt8], key: String, log entry: ActivityEntry) throws(StoreError) {
        guard let dir = try unmatchedDir(create: true) else { throw .system(SystemError("open", LeadStore.mailDirectory, ENOENT)) }
        try commit([FileChange(dir, key + ".eml", bytes, isNew: true)], log: [entry])
    }
}
