import Glibc

// What a writing command may do, available only while the exclusive lock is held:
// read leads, allocate IDs, check for duplicates, and change files. Each change is
// its duplicate keys (write-ahead, derived), then the one commit protocol
// (StoreCommit.swift). What is written after the commit point — the keys a change
// drops, `.index/state` — is derived: a failure there is a warning, never an error.

/// Everything a writing command may do, available only while the exclusive lock is held.
public final class StoreWriter {
    public let config: StoreConfig
    public let actor: Actor
    let store: LeadStore
    let root: Directory
    let leadsDir: Directory
    let customersDir: Directory
    let indexDir: Directory
    let log: ActivityLog
    let keys: DuplicateKeyIndex
    var state: DerivedState
    /// `recover` records for the leads a killed command wrote and never logged, found
    /// just past the ID mark when this writer started (DerivedStateRecovery.swift): the
    /// first commit appends them before its own, so the store is whole again without
    /// `fsck --repair`, and a command that changes nothing writes nothing.
    var recoveries: [ActivityEntry] = []
    /// What this writer settled of a killed command's commit as it started (UnfinishedChanges.swift).
    var settled: [StoreProblem] = []
    /// Files `attach`/`detach` staged per lead, committed by that lead's next save (LeadFiles.swift).
    var stagedFiles: [Int: [StagedFile]] = [:]
    /// The addresses of each message kept unmatched, read once (MailFiles.swift).
    var keptMessageAddresses: [String: Set<String>] = [:]

    init(store: LeadStore, root: Directory, config: StoreConfig, abandonedBy: LockHolder? = nil) throws(StoreError) {
        self.store = store
        self.root = root
        self.config = config
        self.actor = store.actor
        func open(_ name: String, in parent: Directory, label: String) throws(SystemError) -> Directory {
            guard let dir = try Directory.open(name, relativeTo: parent, label: label, followLinks: false) else {
                throw SystemError("open", label, ENOENT)
            }
            return dir
        }
        do {
            leadsDir = try open(LeadStore.leadsDirectory, in: root, label: LeadStore.leadsDirectory)
            customersDir = try open(LeadStore.customersDirectory, in: root, label: LeadStore.customersDirectory)
            indexDir = try open(LeadStore.indexDirectory, in: root, label: LeadStore.indexDirectory)
            let keysDir = try open(DuplicateKeyIndex.directoryName, in: indexDir, label: LeadStore.indexDirectory + "/keys")
            keys = DuplicateKeyIndex(directory: keysDir, groupShared: config.sharedGroup)
        } catch {
            if error.code == ELOOP || error.code == ENOTDIR { throw StoreError.notADirectory(error.path) }
            throw StoreError.system(error)
        }
        log = ActivityLog(directory: root, groupShared: config.sharedGroup)
        state = DerivedState()
        // Before the derived state: a killed commit's undone creations must not be
        // counted, and its put-back files are what this command reads.
        if let holder = abandonedBy { try settleKilledCommit(of: holder) }
        state = try loadState()
    }


    /// Saves the derived files after the command's changes: their failure is a warning,
    /// as every change is committed by now; the next writer replays the log past the
    /// stale state, and `fsck --repair` rebuilds the rest.
    func finish() {
        precondition(stagedFiles.values.allSatisfy(\.isEmpty), "files were attached or detached but the lead was never saved (LeadFiles.swift)")
        do {
            try keys.flush()
            state.logSize = try log.size()
            // Nothing was committed, so the leads found unlogged still are: the mark stays
            // before them, for the next writer to find them again.
            if let first = recoveries.first?.lead { state.nextLead = min(state.nextLead, first) }
            try indexDir.writeAtomically(DerivedState.fileName, state.bytes, durable: false, groupShared: config.sharedGroup)
        } catch {
            store.warn(.system(error))
        }
    }

    /// No lead, customer or log record yet, and the configuration `config`: what a plan
    /// made without a store (`CSVImportEngine.run`) assumed.
    func holdsNothing(configuredAs config: StoreConfig) throws(StoreError) -> Bool {
        let logSize: Int
        do { logSize = try log.size() } catch { throw .system(error) }
        return logSize == 0 && state.nextLead == 1 && state.nextCustomer == 1 && recoveries.isEmpty && self.config == config
    }

    // MARK: Leads

    public func lead(_ id: Int) throws(StoreError) -> Lead {
        do { return try LeadStore.readLead(id, in: leadsDir) } catch .leadNotFound(id) {
            if let dir = try mergedDir(create: false), let record = try LeadStore.readMerged(id, in: dir) {
                throw .mergedAway(id: id, into: record.into)
            }
            throw .leadNotFound(id)
        }
    }

    /// Every lead, in full, for writers that must look at all of them (`remind --due --once`).
    public func allLeads() throws -> (leads: [Lead], problems: [StoreError]) {
        var leads: [Lead] = []
        let problems = try LeadStore.scan(leadsDir, ids: try LeadStore.fileIDs(in: leadsDir), notes: true, prepare: { _ in () }) { lead, _ in leads.append(lead) }
        return (leads, problems)
    }

    /// From this ID on, no lead file exists (known after one directory listing), so
    /// allocating needs no stat per ID: for imports of many leads.
    private var freeFrom: Int?

    /// Lists the leads once so that the IDs of many new leads are allocated without a stat each.
    public func prepareForManyLeads() throws(StoreError) {
        freeFrom = max(state.nextLead, (try LeadStore.fileIDs(in: leadsDir).filter { $0 < Self.leadIDLimit }.last ?? 0) + 1)
    }

    /// Lead IDs stay below this (about 2.2 × 10^12). A file with a larger ID can never
    /// be in the way of one handed out, so it does not move the mark.
    static let leadIDLimit = Int(Int32.max) * 1024

    /// Allocates the next lead ID; never one that was handed out before.
    public func newLeadID() throws(StoreError) -> Int {
        var id = state.nextLead
        if id >= Self.leadIDLimit {
            // The mark may be stale (a file since removed): recount before giving up,
            // and name what holds the highest ID.
            state = try rebuildDerivedState(logSize: try system { () throws(SystemError) in try log.size() })
            id = state.nextLead
            guard id < Self.leadIDLimit else { throw .idSpaceExhausted(blockedBy: try highestIDHolder()) }
        }
        while id < (freeFrom ?? .max), try exists("\(id).json", in: leadsDir) { id += 1 }  // a file made by hand
        guard id < Self.leadIDLimit else { throw .idSpaceExhausted(blockedBy: try highestIDHolder()) }
        state.nextLead = id + 1
        return id
    }

    /// The file, or the log, that holds the highest lead ID.
    private func highestIDHolder() throws(StoreError) -> String {
        let highestFile = try LeadStore.fileIDs(in: leadsDir).filter { $0 < Self.leadIDLimit }.last ?? 0
        if highestFile + 1 >= Self.leadIDLimit { return leadsDir.path("\(highestFile).json") }
        return ActivityLog.fileName
    }

    func exists(_ name: String, in dir: Directory) throws(StoreError) -> Bool {
        do { return try dir.exists(name) } catch { throw .system(error) }
    }

    /// The existing lead this one would duplicate (same e-mail, case-insensitive, or
    /// same name and company), verified against its file. A candidate file that cannot
    /// be read refuses the check rather than being skipped: it may well be the
    /// duplicate (`--allow-duplicate` skips the check altogether).
    /// `excluding`: leads that may not be the answer (an earlier row of a full export took them).
    public func duplicate(of lead: Lead, excluding: Set<Int> = []) throws(StoreError) -> (id: Int, match: DuplicateMatch)? {
        let candidates: [(DuplicateKey, DuplicateMatch, (Lead) -> Bool)] = {
            var list: [(DuplicateKey, DuplicateMatch, (Lead) -> Bool)] = []
            if let email = lead.email, !DuplicateKey.normalise(email).isEmpty {
                let wanted = DuplicateKey.normalise(email)
                list.append((.email(email), .email, { other in other.email.map(DuplicateKey.normalise) == wanted }))
            }
            let name = DuplicateKey.normalise(lead.name), company = DuplicateKey.normalise(lead.company ?? "")
            list.append((.nameAndCompany(lead.name, lead.company), .nameAndCompany, { other in
                DuplicateKey.normalise(other.name) == name && DuplicateKey.normalise(other.company ?? "") == company
            }))
            return list
        }()
        for (key, match, same) in candidates {
            for id in try keys.ids(for: key).sorted() where id != lead.id && !excluding.contains(id) {
                let other: Lead
                do { other = try LeadStore.readLead(id, in: leadsDir) } catch {
                    if case .leadNotFound = error { continue }
                    throw .duplicateCheckFailed(path: leadsDir.path("\(id).json"), error)
                }
                if same(other) { return (id, match) }
            }
        }
        for id in try keys.ids(for: .unreadable).sorted() where id != lead.id {
            do { _ = try LeadStore.readLead(id, in: leadsDir) } catch {
                if case .leadNotFound = error { continue }
                throw .duplicateCheckFailed(path: leadsDir.path("\(id).json"), error)
            }
        }
        return nil
    }

    /// Writes a lead and logs the change: keys first, then the commit.
    public func save(_ lead: Lead, previous: Lead?, log entry: ActivityEntry) throws(StoreError) {
        try save([(lead, previous, entry)])
    }

    /// Writes several leads as one change (`status 1-50 won`, `remind --due --once`):
    /// all of them with their records, or, if anything fails, none.
    public func save(_ changes: [(lead: Lead, previous: Lead?, entry: ActivityEntry)]) throws(StoreError) {
        guard !changes.isEmpty else { return }
        for change in changes {
            let oldKeys = change.previous.map(DuplicateKey.keys(of:)) ?? []
            for key in DuplicateKey.keys(of: change.lead) where !oldKeys.contains(key) { try keys.insert(key, id: change.lead.id) }
        }
        do { try keys.flush() } catch { throw .system(error) }
        // A lead's staged files (LeadFiles.swift) go first: durable before the record names them.
        let files = try stagedFileChanges(for: changes.map(\.lead))
        do throws(StoreError) {
            try commit(files.changes + changes.map { FileChange(leadsDir, "\($0.lead.id).json", $0.lead.fileBytes) },
                       log: changes.map { $0.entry.recording(from: $0.previous, to: $0.lead) })
        } catch {
            files.made.undo()
            throw error
        }
        committedStagedFiles(for: changes.map(\.lead))
        for change in changes {
            let newKeys = DuplicateKey.keys(of: change.lead)
            dropKeys((change.previous.map(DuplicateKey.keys(of:)) ?? []).filter { !newKeys.contains($0) }, of: change.lead.id)
        }
    }

    /// Erases a lead's file; its ID stays retired (the log records the deletion).
    public func delete(_ lead: Lead, log entry: ActivityEntry) throws(StoreError) {
        _ = try delete(lead, customer: nil, log: [entry])
    }

    /// Erases a lead's file and, with `customer`, that customer's file too, in one commit;
    /// with `suppressing`, the suppression list that now holds the person, in the same one.
    /// Returns how many messages kept unmatched that named the person went with it (the
    /// `delete` record counts them as `unmatched_mail`).
    @discardableResult
    public func delete(_ lead: Lead?, customer: Customer?, log entries: [ActivityEntry],
                       suppressing list: SuppressionList? = nil) throws(StoreError) -> Int {
        // Erasure: the lead's summary must not outlive it in the report index.
        do { try indexDir.remove(SummaryIndex.fileName) } catch { throw .system(error) }
        var changes: [FileChange] = try list.map(suppressionChanges) ?? []
        var merged: [MergedLead] = []
        if let lead {
            // Its files (and those merged into it) first, then the lead file.
            changes += try fileRemovals(of: lead.id)
            changes.append(FileChange(leadsDir, "\(lead.id).json", nil))
            // What was merged into it is the same person's data: erased with it (and any
            // file left in a merged-away lead's directory).
            merged = try mergedLeads(into: lead.id)
            for record in merged { changes += try fileRemovals(of: record.other.id) }
            changes += try mergedRemovals(into: lead.id)
        }
        if let customer { changes.append(FileChange(customersDir, "\(customer.id).json", nil)) }
        // Mail kept unmatched that names the person (KeptMessage.names) is theirs too.
        let addresses = ([lead?.email, customer?.email] + merged.map(\.other.email)).compactMap { $0 }
        let mail = try keptMessageRemovals(naming: addresses)
        changes += mail
        var entries = entries
        if !mail.isEmpty, !entries.isEmpty { entries[0].details["unmatched_mail"] = .integer(mail.count) }
        try commit(changes, log: entries.map { $0.recordingDeletion() })
        if let lead {
            stagedFiles[lead.id] = nil
            eraseLeadDirectory(lead.id)
            for record in merged { eraseLeadDirectory(record.other.id) }
            dropKeys(DuplicateKey.keys(of: lead), of: lead.id)
        }
        return mail.count
    }

    /// A lead's and a customer's file changed together (convert), with one log line.
    public func save(_ lead: Lead, previous: Lead, customer: Customer, log entry: ActivityEntry) throws(StoreError) {
        try commit([FileChange(customersDir, "\(customer.id).json", JSONWriter.pretty(customer.json)),
                    FileChange(leadsDir, "\(lead.id).json", lead.fileBytes)], log: [entry.recording(from: previous, to: lead)])
    }

    /// Removes keys a committed change no longer has. After the commit point: a failure
    /// only leaves a stale key, which every check verifies against the file anyway.
    func dropKeys(_ dropped: [DuplicateKey], of id: Int) {
        for key in dropped {
            do { try keys.remove(key, id: id) } catch { store.warn(error) }
        }
    }

    // MARK: Customers

    public func customer(_ id: Int) throws(StoreError) -> Customer { try LeadStore.readCustomer(id, in: customersDir) }

    public func newCustomerID() throws(StoreError) -> Int {
        var id = state.nextCustomer
        while try exists("\(id).json", in: customersDir) { id += 1 }
        state.nextCustomer = id + 1
        return id
    }

    /// Appends records with no file change (`fsck --repair`'s `recover` records), in one
    /// write: the commit point of that repair.
    public func appendLog(_ entries: [ActivityEntry]) throws(StoreError) {
        do { try log.append(contentsOf: entries) } catch { throw .system(error) }
    }
}
