import Glibc

// What a command killed inside a commit (StoreCommit.swift) leaves behind, and how
// `fsck --repair` settles it. The calling sequence, whole:
//
// - Step 1 of a commit names each backup it makes `.<name>.bak-<token>` and, in a commit
//   of several files, marks each file it creates with an empty `.<name>.new-<token>`
//   (TemporaryName.swift). <token> is `<pid>-<random>-<log size>`, one per commit: the
//   log's size as the commit began.
// - Step 4 removes them. What is left is a commit that did not finish.
// - fsck (StoreCheck.runCheck) gathers the left-overs of leads/, customers/ and
//   files/<id>/ (`leftovers`) before it reads any file, and settles them by commit:
//   a commit is logged when a record that ends past its log size names one of its
//   files' leads or customers (its own records, or a later command's that read the
//   files as it left them). Then its left-overs are removed and its files stay. If not,
//   `--repair` undoes the whole commit: each backup is renamed over its file (the old
//   version, or a removed file, comes back), each file it created goes with its mark.
//   A convert's new customer and its lead, a merge's moved files and both leads, are
//   undone together or kept together.
// - Backups named by versions before the token held the log size (`.bak-<pid>-<random>`)
//   are decided file by file: put back when their file is gone and no record deletes it
//   (a removal never logged), removed otherwise.
// - A `.tmp-` file is removed: new content that was never renamed into place.
// - The next writer does the same with repair, so that no reader after it sees, and no
//   command builds on, a change that was never logged: when the exclusive lock it takes
//   still holds the line of a holder that never released it (StoreLock.abandonedBy), it
//   gathers the left-overs before it reads anything (`StoreWriter.settleKilledCommit`),
//   and the command says what it undid (`LeadStore.onSettledKilledCommit`). A reader
//   does the same before it reads (`LeadStore.settleKilledCommitBeforeReading`): a scan
//   when its shared lock finds the line (`StoreLock.holderLineLeft`), `show` and `log`
//   when the line is there and nobody holds the lock exclusively (`StoreLock.holderDied`);
//   it takes the exclusive lock for that alone. `fsck` without `--repair` only reports.

/// What a writer settled of a killed command's commit as it started.
public struct SettledKilledCommit: Sendable, Equatable {
    /// The killed command, as its lock line named it.
    public var holder: LockHolder
    /// Each left-over as `fsck --repair` reports it: a file put back or taken away
    /// (`unloggedChange`, `unloggedCreation`), or a left-over of a logged commit removed.
    public var problems: [StoreProblem]
}

/// One left-over of a commit, and whose file it is about.
struct Leftover {
    enum Kind { case backup, creation, temporary }

    let directory: Directory
    let name: String
    let original: String
    let kind: Kind
    /// The commit it belongs to, and the log's size when that began (nil: an older name).
    let token: String?
    let logSize: Int?
    let lead: Int?
    let customer: Int?
}

/// Decides what each commit's left-overs mean by the log, and undoes the unlogged ones.
struct UnfinishedChanges {
    let log: [UInt8]

    func settle(_ leftovers: [Leftover], repair: Bool) throws(StoreError) -> [StoreProblem] {
        var problems: [StoreProblem] = []
        var commits: [String: [Leftover]] = [:]
        for leftover in leftovers {
            if leftover.kind != .temporary, let token = leftover.token, leftover.logSize != nil {
                commits[token, default: []].append(leftover)
            } else if leftover.kind == .backup, try !loggedOnItsOwn(leftover) {
                problems.append(try undo(leftover, repair: repair))
            } else {
                problems.append(try remove(leftover, repair: repair))
            }
        }
        for token in commits.keys.sorted() {
            let members = commits[token]!
            let logged = names(members, after: members[0].logSize!)
            for leftover in members {
                problems.append(logged ? try remove(leftover, repair: repair) : try undo(leftover, repair: repair))
            }
        }
        return problems
    }

    /// Whether a record ending past `logSize` names a lead or customer of `members`.
    private func names(_ members: [Leftover], after logSize: Int) -> Bool {
        let leads = Set(members.compactMap(\.lead)), customers = Set(members.compactMap(\.customer))
        // From the start of the line holding `logSize`: a torn tail cut by the next append
        // puts that append's first record before it.
        let start = logSize >= log.count ? log.count : (log[..<logSize].lastIndex(of: 10).map { $0 + 1 } ?? 0)
        for line in ActivityLogLines(bytes: log, startOffset: start) {
            guard let entry = try? ActivityEntry(line: Array(line.bytes)) else { continue }
            if let lead = entry.lead, leads.contains(lead) { return true }
            if let customer = entry.customer, customers.contains(customer) { return true }
        }
        return false
    }

    /// An older backup: logged unless its file is gone and no record deletes it.
    private func loggedOnItsOwn(_ leftover: Leftover) throws(StoreError) -> Bool {
        guard leftover.lead != nil || leftover.customer != nil,
              try !system({ () throws(SystemError) in try leftover.directory.exists(leftover.original) }) else { return true }
        for line in ActivityLogLines(bytes: log) {
            guard let entry = try? ActivityEntry(line: Array(line.bytes)), entry.action == "delete" else { continue }
            if leftover.lead != nil ? entry.lead == leftover.lead : entry.customer == leftover.customer { return true }
        }
        return false
    }

    private func undo(_ leftover: Leftover, repair: Bool) throws(StoreError) -> StoreProblem {
        let dir = leftover.directory
        var problem = StoreProblem(path: dir.path(leftover.original),
                                   kind: leftover.kind == .creation ? .unloggedCreation(mark: leftover.name) : .unloggedChange(backup: leftover.name))
        guard repair else { return problem }
        try system { () throws(SystemError) in
            if leftover.kind == .creation {
                try dir.remove(leftover.original)
                try dir.remove(leftover.name)
            } else {
                try dir.rename(leftover.name, to: leftover.original)
                // Killed before it replaced the file, both names are links to one file, and
                // rename does nothing (POSIX): the backup name goes in any case.
                try dir.remove(leftover.name)
            }
            try dir.sync()
        }
        problem.repaired = true
        return problem
    }

    private func remove(_ leftover: Leftover, repair: Bool) throws(StoreError) -> StoreProblem {
        var problem = StoreProblem(path: leftover.directory.path(leftover.name), kind: .staleTemporaryFile)
        if repair {
            try system { () throws(SystemError) in try leftover.directory.remove(leftover.name) }
            problem.repaired = true
        }
        return problem
    }
}

extension LeadStore {
    /// The left-overs of killed commits in leads/, customers/ and files/<id>/.
    func leftovers() throws(StoreError) -> [Leftover] {
        var found: [Leftover] = []
        func gather(_ dir: Directory, lead: (String) -> Int?, customer: (String) -> Int?) throws(StoreError) {
            for name in try system({ () throws(SystemError) in try dir.entries() }).sorted() where TemporaryName.isTransient(name) {
                guard let parts = TemporaryName.leftoverParts(name) else {
                    found.append(Leftover(directory: dir, name: name, original: name, kind: .temporary, token: nil, logSize: nil, lead: nil, customer: nil))
                    continue
                }
                found.append(Leftover(directory: dir, name: name, original: parts.original, kind: parts.isCreation ? .creation : .backup,
                                      token: parts.token, logSize: parts.logSize, lead: lead(parts.original), customer: customer(parts.original)))
            }
        }
        if let dir = try subdirectory(Self.leadsDirectory) { try gather(dir, lead: Self.id(fromFileName:), customer: { _ in nil }) }
        if let dir = try subdirectory(Self.customersDirectory) { try gather(dir, lead: { _ in nil }, customer: Self.id(fromFileName:)) }
        if let files = try subdirectory(Self.filesDirectory) {
            for name in try system({ () throws(SystemError) in try files.entries() }).sorted() {
                guard let id = Int(name), String(id) == name, id > 0,
                      let st = try system({ () throws(SystemError) in try files.fileStatus(name) }), (st.st_mode & S_IFMT) == S_IFDIR,
                      let dir = try system({ () throws(SystemError) in
                          try Directory.open(name, relativeTo: files, label: Self.filesDirectory + "/" + name, followLinks: false) }) else { continue }
                try gather(dir, lead: { _ in id }, customer: { _ in nil })
            }
        }
        return found
    }
}

extension StoreWriter {
    /// Settles, as `fsck --repair` would, what the lock's last holder left: it died
    /// holding the lock, perhaps inside a commit. One listing of each folder when it
    /// left nothing; the log is read only when it did.
    func settleKilledCommit(of holder: LockHolder) throws(StoreError) {
        let leftovers = try store.leftovers()
        guard !leftovers.isEmpty else { return }
        settled = try UnfinishedChanges(log: try store.activityLogBytes()).settle(leftovers, repair: true)
        store.onSettledKilledCommit?(SettledKilledCommit(holder: holder, problems: settled))
    }
}
