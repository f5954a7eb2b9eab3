import Glibc

// DIR/files/<id>/<name>: the bytes of the files kept on a lead. The lead file's `files`
// list (Model/LeadFile.swift: name, size, SHA-256, when, who) is the one source of truth
// for what a lead has; this directory holds the bytes and nothing else. Only this file,
// MergedLeadFiles.swift (merge moves files), StoreWriter.delete (erasure) and StoreCheck
// (fsck) touch it.
//
// THE API for every caller that keeps files on a lead (`leads attach`, `leads detach`,
// and `leads mail` keeping an e-mail's attachments in the same write as its note). Under
// the exclusive lock (`store.write`), stage the files on the lead, then save the lead:
//
//   try store.write { writer in
//       var lead = try writer.lead(id)
//       let previous = lead
//       lead.notes.append(note)                                    // any other change
//       let kept = try writer.attach([(name: "Angebot.pdf", bytes: pdf)], to: &lead,
//                                    onCollision: .number)         // checks, records, stages
//       try writer.save(lead, previous: previous, log: entry)      // ONE commit: files + lead + record
//   }
//
// - `attach` checks every name (LeadFileName.problem; a sender's name first goes through
//   LeadFileName.sanitised), the size (config `file_limit`), empty files, and collisions
//   (`.refuse` throws LeadFileError.alreadyAttached; `.number` keeps "name (2).ext"). It
//   appends the LeadFile records to `lead.files`, stages the bytes, and returns the
//   records as kept (their names may differ from those asked for). Nothing is written yet.
// - `detach` removes a record from `lead.files` and stages the removal of its bytes.
// - The next `writer.save(lead, previous:, log:)` of that lead (or the several-leads
//   `save`) commits the staged bytes with the lead's file and its log record, through
//   StoreCommit: each file written atomically and fsynced with its directory FIRST, then leads/<id>.json, then the record appended —
//   THE COMMIT POINT. A failure before it takes every staged file back (and the
//   directories this change made), so no stray file is left; after it, only warnings
//   (an emptied directory not removed). Several files are one commit: all or none.
// - A refused `attach` stages nothing and leaves `lead` as it was: catch the error and
//   the lead can still be saved without that file.
// - Staged files that no save commits are a programming error (`finish` traps).
//
// The log record names no file (a name such as "Greta_Schulz_Vertrag.pdf" is personal
// data): `attach` and `detach` log the count and total size only.

extension LeadStore {
    /// DIR/files/<id>/<name> as a path a person or program can open (`files --json`).
    public func filePath(lead id: Int, name: String) -> String {
        (path.hasSuffix("/") ? path : path + "/") + Self.filesDirectory + "/\(id)/" + name
    }

    /// The bytes of a lead's file; nil when the file is missing.
    public func fileBytes(lead id: Int, _ file: LeadFile) throws(StoreError) -> [UInt8]? {
        guard let files = try subdirectory(Self.filesDirectory) else { return nil }
        let dir: Directory?
        do { dir = try Directory.open(String(id), relativeTo: files, label: Self.filesDirectory + "/\(id)", followLinks: false) } catch {
            if error.code == ELOOP || error.code == ENOTDIR { throw .notADirectory(Self.filesDirectory + "/\(id)") }
            throw .system(error)
        }
        return try dir?.read(file.name, limit: Int.max)
    }
}

/// What to do when a file's name is already taken on the lead.
public enum LeadFileCollision: Sendable {
    /// Refuse the whole change (`leads attach`: the user chooses another --name).
    case refuse
    /// Keep it as "name (2).ext" (an e-mail's attachments: image001.png in every mail).
    case number
}

/// Why a file cannot be kept on, or taken off, a lead. Nothing was changed.
public enum LeadFileError: Error, Sendable, Equatable {
    /// `source` is the FILE argument (or "-"); `problem` the phrase of LeadFileName.problem.
    case badName(source: String, name: String, problem: String)
    /// `size` nil: standard input, read only up to the limit.
    case tooLarge(source: String, size: Int?, limit: Int)
    case empty(source: String)
    case alreadyAttached(lead: Int, name: String)
    /// Two files of one request would get the same name.
    case sameNameTwice(name: String)
    case notAttached(lead: Int, name: String, attached: [String])
    /// A recorded file whose bytes are not where the lead says (merge, unmerge): fsck's business.
    case missingBytes(lead: Int, name: String)
    case isDirectory(source: String)
    case unreadable(source: String, code: Int32)
}

/// Reading a FILE argument of `leads attach` (a path outside the data directory, or "-"
/// for standard input), bounded: never more than `limit` + 1 bytes are read, so
/// `/dev/zero` or an endless pipe is refused, not swallowed.
public enum LeadFileInput {
    public static func read(_ path: String, limit: Int) throws(LeadFileError) -> [UInt8] {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(source: path, code: errno) }
        defer { if fd != 0 { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(source: path) }
            if (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) > limit { throw .tooLarge(source: path, size: Int(st.st_size), limit: limit) }
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { readRetrying(fd, into: $0) }
            if n < 0 { throw errno == EISDIR ? .isDirectory(source: path) : .unreadable(source: path, code: errno) }
            if n == 0 { return bytes }
            bytes += buffer[0..<n]
            if bytes.count > limit {
                let regular = (st.st_mode & S_IFMT) == S_IFREG
                throw .tooLarge(source: path, size: regular ? bytes.count : nil, limit: limit)
            }
        }
    }
}

/// A staged change of one lead's files, committed by the lead's next save.
struct StagedFile {
    var name: String
    /// nil removes the file.
    var bytes: [UInt8]?
}

extension StoreWriter {
    /// Stages `files` on `lead` (see the header): checks them, appends their records to
    /// `lead.files` and returns those records. `source` of each is what messages name
    /// (the FILE argument); nil names the file by its name.
    public func attach(_ files: [(name: String, bytes: [UInt8])], to lead: inout Lead, onCollision: LeadFileCollision = .refuse,
                       sources: [String]? = nil) throws(LeadFileError) -> [LeadFile] {
        var kept: [LeadFile] = []
        var staged: [StagedFile] = []
        var added = lead.files
        for (index, file) in files.enumerated() {
            let source = sources?[index] ?? file.name
            if let problem = LeadFileName.problem(file.name) { throw .badName(source: source, name: file.name, problem: problem) }
            if file.bytes.isEmpty { throw .empty(source: source) }
            if file.bytes.count > config.fileLimit { throw .tooLarge(source: source, size: file.bytes.count, limit: config.fileLimit) }
            var name = file.name
            if added.contains(where: { $0.name == name }) {
                switch onCollision {
                case .refuse:
                    if kept.contains(where: { $0.name == name }) { throw .sameNameTwice(name: name) }
                    throw .alreadyAttached(lead: lead.id, name: name)
                case .number:
                    name = LeadFileName.numbered(name) { candidate in added.contains { $0.name == candidate } }
                }
            }
            let record = LeadFile(name: name, bytes: file.bytes, at: actor.now, by: actor.user)
            added.append(record)
            kept.append(record)
            staged.append(StagedFile(name: name, bytes: file.bytes))
        }
        // Only now that every file passed: a refused call stages nothing, so a caller may
        // catch the error and still save the lead (mail keeps the note without the file).
        stagedFiles[lead.id, default: []] += staged
        lead.files = added
        return kept
    }

    /// Stages the removal of the file named `name` (matched as the record spells it).
    public func detach(_ name: String, from lead: inout Lead) throws(LeadFileError) -> LeadFile {
        guard let index = lead.files.firstIndex(where: { $0.name == name }) else {
            throw .notAttached(lead: lead.id, name: name, attached: lead.files.map(\.name))
        }
        let record = lead.files.remove(at: index)
        stagedFiles[lead.id, default: []].removeAll { $0.name == record.name }
        stagedFiles[lead.id, default: []].append(StagedFile(name: record.name, bytes: nil))
        return record
    }

    /// DIR/files/, made when `create` (and its entry fsynced in the data directory).
    func filesRoot(create: Bool) throws(StoreError) -> (dir: Directory, created: Bool)? {
        do throws(SystemError) {
            var created = false
            if create, try root.makeDirectory(LeadStore.filesDirectory, mode: config.sharedGroup ? 0o2770 : 0o700) {
                created = true
                if config.sharedGroup { _ = fchmodat(root.fd, LeadStore.filesDirectory, 0o2770, 0) }
                try syncMade(LeadStore.filesDirectory, in: root)
            }
            guard let dir = try Directory.open(LeadStore.filesDirectory, relativeTo: root, label: LeadStore.filesDirectory, followLinks: false) else { return nil }
            return (dir, created)
        } catch {
            if error.code == ELOOP || error.code == ENOTDIR { throw .notADirectory(LeadStore.filesDirectory) }
            throw .system(error)
        }
    }

    /// Makes a new directory's entry durable; if that fails, the directory goes again (no trace).
    private func syncMade(_ name: String, in parent: Directory) throws(SystemError) {
        do { try parent.sync() } catch {
            _ = unlinkat(parent.fd, name, AT_REMOVEDIR)
            throw error
        }
    }

    /// DIR/files/<id>/, made when `create`.
    func leadFilesDirectory(_ id: Int, in files: Directory, create: Bool) throws(StoreError) -> (dir: Directory, created: Bool)? {
        let label = LeadStore.filesDirectory + "/\(id)"
        do throws(SystemError) {
            var created = false
            if create, try files.makeDirectory(String(id), mode: config.sharedGroup ? 0o2770 : 0o700) {
                created = true
                if config.sharedGroup { _ = fchmodat(files.fd, String(id), 0o2770, 0) }
                try syncMade(String(id), in: files)
            }
            guard let dir = try Directory.open(String(id), relativeTo: files, label: label, followLinks: false) else { return nil }
            return (dir, created)
        } catch {
            if error.code == ELOOP || error.code == ENOTDIR { throw .notADirectory(label) }
            throw .system(error)
        }
    }

    /// The directories a change of files made, removed again if it fails before its commit point.
    struct MadeDirectories {
        var made: [(parent: Directory, name: String)] = []

        func undo() {
            for (parent, name) in made.reversed() where unlinkat(parent.fd, name, AT_REMOVEDIR) == 0 { _ = fsync(parent.fd) }
        }
    }

    /// The staged files of `leads` as file changes (bytes before the lead files, so they
    /// are durable before the record), with the directories made for them.
    func stagedFileChanges(for leads: [Lead]) throws(StoreError) -> (changes: [FileChange], made: MadeDirectories) {
        var made = MadeDirectories()
        var changes: [FileChange] = []
        let ids = Set(leads.map(\.id))
        let pending = stagedFiles.filter { ids.contains($0.key) && !$0.value.isEmpty }
        guard !pending.isEmpty else { return ([], made) }
        do throws(StoreError) {
            let needsDirectory = pending.values.contains { $0.contains { $0.bytes != nil } }
            guard let files = try filesRoot(create: needsDirectory) else {
                // Only removals, and no files/ at all: nothing on disk to remove.
                return ([], made)
            }
            if files.created { made.made.append((root, LeadStore.filesDirectory)) }
            for id in pending.keys.sorted() {
                let staged = pending[id]!
                let lead = leads.first { $0.id == id }!
                for file in staged where file.bytes != nil {
                    precondition(lead.files.contains { $0.name == file.name }, "a staged file is not in the lead saved: save the lead that attach changed")
                }
                guard let dir = try leadFilesDirectory(id, in: files.dir, create: staged.contains { $0.bytes != nil }) else { continue }
                if dir.created { made.made.append((files.dir, String(id))) }
                for file in staged {
                    changes.append(FileChange(dir.dir, file.name, file.bytes))
                }
            }
        } catch {
            made.undo()
            throw error
        }
        return (changes, made)
    }

    /// After the commit: the staged files are done; a lead directory left empty goes
    /// (a failure there is only an empty directory, so it is not even a warning).
    func committedStagedFiles(for leads: [Lead]) {
        for lead in leads where stagedFiles.removeValue(forKey: lead.id) != nil && lead.files.isEmpty {
            if let files = try? filesRoot(create: false) { removeEmptyDirectory(String(lead.id), in: files.dir) }
        }
    }

    /// Removes an emptied lead directory. With `warn`, a failure (other than the directory
    /// not being empty) is a warning: the directory of a lead that is gone is what fsck
    /// reports and `fsck --repair` removes. An empty directory of a lead that exists is
    /// harmless, so there a failure is not even that.
    func removeEmptyDirectory(_ name: String, in parent: Directory, warn: Bool = false) {
        if unlinkat(parent.fd, name, AT_REMOVEDIR) == 0 {
            _ = fsync(parent.fd)
        } else if warn, errno != ENOTEMPTY, errno != EEXIST, errno != ENOENT {
            store.warn(.system(SystemError("rmdir", parent.path(name))))
        }
    }

    /// Erasure of a lead's files (`delete`): a removal for every entry of DIR/files/<id>/,
    /// recorded or not (an extra file is the same person's data). The transient files a
    /// killed writer may have left and the directory itself go after the commit
    /// (`eraseLeadDirectory`).
    func fileRemovals(of id: Int) throws(StoreError) -> [FileChange] {
        guard let files = try filesRoot(create: false), let dir = try leadFilesDirectory(id, in: files.dir, create: false) else { return [] }
        let names: [String]
        do { names = try dir.dir.entries() } catch { throw .system(error) }
        return names.filter { !TemporaryName.isTransient($0) }.sorted().map { FileChange(dir.dir, $0, nil) }
    }

    /// After an erasure's commit: whatever is left in DIR/files/<id>/ (transient files),
    /// then the directory. A failure is a warning: `fsck` names a directory without a lead.
    func eraseLeadDirectory(_ id: Int) {
        do {
            guard let files = try filesRoot(create: false), let dir = try leadFilesDirectory(id, in: files.dir, create: false) else { return }
            for name in try system({ () throws(SystemError) in try dir.dir.entries() }) {
                try system { () throws(SystemError) in try dir.dir.remove(name) }
            }
            if unlinkat(files.dir.fd, String(id), AT_REMOVEDIR) != 0 && errno != ENOENT {
                throw StoreError.system(SystemError("rmdir", LeadStore.filesDirectory + "/\(id)"))
            }
            _ = fsync(files.dir.fd)
        } catch let error as StoreError {
            store.warn(error)
        } catch {}
    }
}

extension LeadStore {
    /// fsck's part for DIR/files/: every file a lead lists is there with its size and
    /// SHA-256; every entry there is listed by its lead. With `repair`, temporary files go,
    /// and so does the directory of a lead that no longer exists (erased data); a missing,
    /// changed or unlisted file is only reported: it is the user's to restore or remove.
    func checkLeadFiles(recorded: [Int: [LeadFile]], leads: Set<Int>, repair: Bool) throws(StoreError) -> [StoreProblem] {
        var problems: [StoreProblem] = []
        let label = Self.filesDirectory
        let files = try subdirectory(label)
        var seenDirectories: Set<Int> = []
        if let files {
            for name in try system({ () throws(SystemError) in try files.entries() }).sorted() {
                if TemporaryName.isTransient(name) {
                    problems.append(try staleFile(name, in: files, repair: repair))
                    continue
                }
                guard let id = Int(name), String(id) == name, id > 0,
                      let st = try system({ () throws(SystemError) in try files.fileStatus(name) }), (st.st_mode & S_IFMT) == S_IFDIR,
                      let dir = try system({ () throws(SystemError) in
                          try Directory.open(name, relativeTo: files, label: label + "/" + name, followLinks: false) }) else {
                    problems.append(StoreProblem(path: files.path(name), kind: .unexpectedFile))
                    continue
                }
                seenDirectories.insert(id)
                if !leads.contains(id) {
                    var problem = StoreProblem(path: files.path(name) + "/", kind: .filesWithoutLead)
                    if repair {
                        for entry in try system({ () throws(SystemError) in try dir.entries() }) {
                            try system { () throws(SystemError) in try dir.remove(entry) }
                        }
                        guard unlinkat(files.fd, name, AT_REMOVEDIR) == 0 else { throw .system(SystemError("rmdir", files.path(name))) }
                        try system { () throws(SystemError) in try files.sync() }
                        problem.repaired = true
                    }
                    problems.append(problem)
                    continue
                }
                let listed = recorded[id] ?? []
                let entries = try system({ () throws(SystemError) in try dir.entries() }).sorted()
                for entry in entries {
                    if TemporaryName.isTransient(entry) {
                        // A killed attach, detach, merge or unmerge: settled with its commit
                        // (UnfinishedChanges.swift), its backup perhaps the one copy.
                        continue
                    } else if !listed.contains(where: { Array($0.name.utf8) == Array(entry.utf8) }) {
                        problems.append(StoreProblem(path: dir.path(entry), kind: .fileNotRecorded(lead: id)))
                    }
                }
                for file in listed {
                    let path = dir.path(file.name)
                    do throws(StoreError) {
                        guard let bytes = try dir.read(file.name, limit: Int.max) else {
                            problems.append(StoreProblem(path: path, kind: .fileMissing))
                            continue
                        }
                        if bytes.count != file.size || hexString(SHA256.hash(bytes)) != file.sha256 {
                            problems.append(StoreProblem(path: path, kind: .fileChanged(size: file.size, sha256: file.sha256)))
                        }
                    } catch {
                        problems.append(StoreProblem(path: path, kind: .unreadable(error)))
                    }
                }
            }
        }
        for id in recorded.keys.sorted() where !seenDirectories.contains(id) {
            for file in recorded[id]! { problems.append(StoreProblem(path: label + "/\(id)/" + file.name, kind: .fileMissing)) }
        }
        return problems
    }
}
