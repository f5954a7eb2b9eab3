import Glibc

/// One thing `fsck` found wrong.
public struct StoreProblem: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A lead, customer or config file that does not parse or validate.
        case corrupt(JSONError)
        /// A symlink, FIFO or directory where a file belongs; over the size limit.
        case unreadable(StoreError)
        case unknownStage(String)
        /// A hidden temporary or backup file left by a killed command.
        case staleTemporaryFile
        /// A killed command changed or removed this file and logged nothing after: its
        /// backup (`backup`, the name in the same folder) puts the old version back.
        case unloggedChange(backup: String)
        /// A killed command of several files created this one and logged nothing after:
        /// the repair removes it with its mark (`mark`, the name in the same folder).
        case unloggedCreation(mark: String)
        /// A file in leads/ or customers/ that is not `<id>.json`.
        case unexpectedFile
        /// A log line that does not parse (never rewritten: reported only).
        case corruptLogLine(JSONError)
        /// The log's last line has no newline: a writer died mid-record.
        case tornLogTail(bytes: Int)
        /// A lead or customer file that no log record mentions: written by a command
        /// that was killed before logging it.
        case unlogged
        /// The derived next-ID mark is at or below an ID in use.
        case idMarkBehind(next: Int, highest: Int)
        /// The duplicate-check keys miss this lead.
        case keysMissing
        /// Log records name this lead or customer, but its file is missing, no record
        /// deletes it and no backup holds it (removed by hand). Never repaired: the log
        /// is never rewritten, and the records keep the ID from being handed out again.
        case recordsWithoutFile(count: Int)
        /// The log's hash chain breaks at this line (LogChain.swift): a record was changed,
        /// removed or inserted. Never repaired: the log is never rewritten.
        case chainBroken(line: Int, reason: String)
        /// A file the lead lists is not in DIR/files/<id>/.
        case fileMissing
        /// A listed file's bytes differ from the lead's record (size, SHA-256).
        case fileChanged(size: Int, sha256: String)
        /// A file in DIR/files/<id>/ that the lead does not list: left alone.
        case fileNotRecorded(lead: Int)
        /// DIR/files/<id>/ of a lead that does not exist (erased or merged away, with
        /// its directory not removed): the repair erases it.
        case filesWithoutLead
    }

    public var path: String
    public var kind: Kind
    public var repaired = false

    public var repairable: Bool {
        switch kind {
        case .staleTemporaryFile, .unloggedChange, .unloggedCreation, .tornLogTail, .unlogged, .idMarkBehind, .keysMissing, .filesWithoutLead: return true
        default: return false
        }
    }
}

extension LeadStore {
    /// Checks every file and the log. With `repair`, under the exclusive lock, removes
    /// stale temporary files, cuts a torn last log line, records unlogged files in the
    /// log and rebuilds the derived files; everything else is only reported — a broken
    /// lead file is the user's to mend, and the log is never rewritten.
    public func check(repair: Bool) throws -> [StoreProblem] {
        guard exists else { return [] }
        if repair { return try write { writer in try runCheck(writer: writer) } }
        return try withLock(.shared) { try runCheck(writer: nil) }
    }

    private func runCheck(writer: StoreWriter?) throws(StoreError) -> [StoreProblem] {
        guard let root else { return [] }
        var problems: [StoreProblem] = []
        let repair = writer != nil
        var config = StoreConfig.defaults
        if let bytes = try root.read(StoreConfig.fileName, limit: 1 << 20) {
            do throws(JSONError) { config = try StoreConfig(bytes: bytes) } catch {
                problems.append(StoreProblem(path: StoreConfig.fileName, kind: .corrupt(error)))
            }
        }

        // Killed commits first (UnfinishedChanges.swift): what the repair puts back or
        // takes away is then checked like every other file.
        let bytes = try root.read(ActivityLog.fileName, limit: Int.max) ?? []
        // The writer of --repair may have settled them as it started: they are ours to report.
        let unfinished = (writer?.settled ?? []) + (try UnfinishedChanges(log: bytes).settle(leftovers(), repair: repair))
        problems += unfinished
        // Without --repair, a file a commit's undo would put back or take away is reported once, as that.
        let settling = Set(unfinished.compactMap { problem -> String? in
            switch problem.kind {
            case .unloggedChange, .unloggedCreation: return problem.repaired ? nil : problem.path
            default: return nil
            }
        })

        // The root: only a spooled import input can be left over here.
        for name in try system({ () throws(SystemError) in try root.entries() }) where TemporaryName.isSpool(name) {
            problems.append(try staleFile(name, in: root, repair: repair))
        }

        // The duplicate-check keys each lead should have, checked as the leads are read.
        var keys: DuplicateKeyIndex?
        if let index = try subdirectory(Self.indexDirectory),
           let keysDir = try system({ () throws(SystemError) in try Directory.open(
               DuplicateKeyIndex.directoryName, relativeTo: index, label: Self.indexDirectory + "/keys", followLinks: false) }) {
            keys = DuplicateKeyIndex(directory: keysDir, groupShared: false)
        }
        var derivedWrong: [StoreProblem] = []

        // Lead and customer files.
        var fileIDs: (leads: [Int], customers: [Int]) = ([], [])
        var recordedFiles: [Int: [LeadFile]] = [:]
        for (directoryName, isLeads) in [(Self.leadsDirectory, true), (Self.customersDirectory, false)] {
            guard let dir = try subdirectory(directoryName) else { continue }
            // Left-overs of killed commands were settled above.
            for name in try system({ () throws(SystemError) in try dir.entries() }).sorted() where !TemporaryName.isTransient(name) {
                if let id = Self.id(fromFileName: name) {
                    if isLeads { fileIDs.leads.append(id) } else { fileIDs.customers.append(id) }
                    do throws(StoreError) {
                        if isLeads {
                            let lead = try Self.readLead(id, in: dir)
                            if !lead.files.isEmpty { recordedFiles[id] = lead.files }
                            if config.stage(exactly: lead.stage) == nil {
                                problems.append(StoreProblem(path: dir.path(name), kind: .unknownStage(lead.stage)))
                            }
                            if let keys {
                                for key in DuplicateKey.keys(of: lead) where try !keys.ids(for: key).contains(lead.id) {
                                    derivedWrong.append(StoreProblem(path: dir.path(name), kind: .keysMissing))
                                    break
                                }
                            }
                        } else {
                            _ = try Self.readCustomer(id, in: dir)
                        }
                    } catch {
                        switch error {
                        case .corrupt(let path, let json): problems.append(StoreProblem(path: path, kind: .corrupt(json)))
                        case .leadNotFound, .customerNotFound: continue
                        default: problems.append(StoreProblem(path: dir.path(name), kind: .unreadable(error)))
                        }
                    }
                } else {
                    problems.append(StoreProblem(path: dir.path(name), kind: .unexpectedFile))
                }
            }
        }

        // Files on leads (LeadFiles.swift).
        problems += try checkLeadFiles(recorded: recordedFiles, leads: Set(fileIDs.leads), repair: repair)

        // The log.
        var logged = (leads: Set<Int>(), customers: Set<Int>())
        var deleted = (leads: Set<Int>(), customers: Set<Int>())
        var lineSubjects: [(range: Range<Int>, lead: Int?, customer: Int?)] = []
        var marks = DerivedState()
        for line in ActivityLogLines(bytes: bytes) {
            do throws(JSONError) {
                let entry = try ActivityEntry(line: Array(line.bytes))
                if let lead = entry.lead { logged.leads.insert(lead) }
                if let customer = entry.customer { logged.customers.insert(customer) }
                if entry.action == "delete" {
                    if let lead = entry.lead { deleted.leads.insert(lead) }
                    if let customer = entry.customer { deleted.customers.insert(customer) }
                }
                lineSubjects.append((line.offset..<(line.offset + line.bytes.count + 1), entry.lead, entry.customer))
                marks.observe(entry)
            } catch {
                var positioned = error
                positioned.line = line.number
                problems.append(StoreProblem(path: ActivityLog.fileName, kind: .corruptLogLine(positioned)))
            }
        }
        if let broken = LogChain.verify(bytes) {
            problems.append(StoreProblem(path: ActivityLog.fileName, kind: .chainBroken(line: broken.line, reason: broken.reason)))
        }
        if let last = bytes.last, last != 10 {
            let torn = bytes.count - ((bytes.lastIndex(of: 10) ?? -1) + 1)
            var problem = StoreProblem(path: ActivityLog.fileName, kind: .tornLogTail(bytes: torn))
            if repair {
                let fd = openat(root.fd, ActivityLog.fileName, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
                if fd >= 0 {
                    defer { close(fd) }
                    do throws(SystemError) {
                        try ActivityLog.cutTornTail(fd: fd, path: ActivityLog.fileName)
                        problem.repaired = true
                    } catch { throw .system(error) }
                }
            }
            problems.append(problem)
        }

        // Records of a lead or customer whose file is gone, with no record deleting it
        // and no backup to put back (removed by hand): reported only. Cutting them out
        // would rewrite the log, break its hash chain and hand the ID out again.
        let leadFiles = Set(fileIDs.leads), customerFiles = Set(fileIDs.customers)
        var counts: [String: Int] = [:]
        for subject in lineSubjects {
            if let lead = subject.lead, !leadFiles.contains(lead), !deleted.leads.contains(lead) {
                counts["\(Self.leadsDirectory)/\(lead).json", default: 0] += 1
            } else if subject.lead == nil, let customer = subject.customer, !customerFiles.contains(customer),
                      !deleted.customers.contains(customer) {
                counts["\(Self.customersDirectory)/\(customer).json", default: 0] += 1
            }
        }
        for (path, count) in counts.sorted(by: { $0.key < $1.key }) where !settling.contains(path) {
            problems.append(StoreProblem(path: path, kind: .recordsWithoutFile(count: count)))
        }

        // Files no log record mentions.
        var unlogged: [(path: String, entry: ActivityEntry)] = []
        let now = actor.now
        for id in fileIDs.leads where !logged.leads.contains(id) && !settling.contains("\(Self.leadsDirectory)/\(id).json") {
            var entry = ActivityEntry(time: now, user: actor.user, action: .recover, lead: id)
            if let dir = try subdirectory(Self.leadsDirectory), let lead = try? Self.readLead(id, in: dir) { entry = entry.recordingFound(lead) }
            unlogged.append(("\(Self.leadsDirectory)/\(id).json", entry))
        }
        for id in fileIDs.customers where !logged.customers.contains(id) && !settling.contains("\(Self.customersDirectory)/\(id).json") {
            unlogged.append(("\(Self.customersDirectory)/\(id).json", ActivityEntry(time: now, user: actor.user, action: .recover, customer: id)))
        }
        // One append for all of them: the repair's commit point. They include the ones
        // this writer found past the ID mark, which no later commit may log again.
        writer?.recoveries = []
        if let writer, !unlogged.isEmpty { try writer.appendLog(unlogged.map(\.entry)) }
        for item in unlogged {
            problems.append(StoreProblem(path: item.path, kind: .unlogged, repaired: writer != nil))
        }

        // Derived files: checked against what the files and the log say.
        let highestLead = max(fileIDs.leads.max() ?? 0, marks.nextLead - 1)
        let highestCustomer = max(fileIDs.customers.max() ?? 0, marks.nextCustomer - 1)
        if let index = try subdirectory(Self.indexDirectory) {
            if let stateBytes = try index.read(DerivedState.fileName), let state = DerivedState(bytes: stateBytes) {
                // Unlogged files just past the mark are what the next writer picks up and
                // logs (DerivedStateRecovery.swift): reported above, not a mark behind.
                let beyond = Set(fileIDs.leads.filter { $0 >= state.nextLead })
                let walked = try StoreWriter.walkPastMark(from: state.nextLead) { (id: Int) throws(StoreError) in beyond.contains(id) } visit: { _ in }
                let pickedUp = marks.nextLead <= state.nextLead && beyond.allSatisfy { $0 < walked && !logged.leads.contains($0) }
                if state.nextLead <= highestLead && !pickedUp {
                    derivedWrong.append(StoreProblem(path: Self.indexDirectory + "/" + DerivedState.fileName,
                                                     kind: .idMarkBehind(next: state.nextLead, highest: highestLead)))
                }
                if state.nextCustomer <= highestCustomer {
                    derivedWrong.append(StoreProblem(path: Self.indexDirectory + "/" + DerivedState.fileName,
                                                     kind: .idMarkBehind(next: state.nextCustomer, highest: highestCustomer)))
                }
            }
        }
        if let writer {
            let logSize = Int(try system({ () throws(SystemError) in try root.fileStatus(ActivityLog.fileName) })?.st_size ?? 0)
            writer.state = try writer.rebuildDerivedState(logSize: logSize)
            // After the repair's commit point: a derived file left behind is a warning.
            do { try writer.indexDir.remove(SummaryIndex.fileName) } catch { warn(.system(error)) }
            do { try writer.indexDir.remove(Self.leadLogIndexFile) } catch { warn(.system(error)) }
            do { try writer.indexDir.remove(HistoryCheckpoint.fileName) } catch { warn(.system(error)) }
            for i in derivedWrong.indices { derivedWrong[i].repaired = true }
        }
        problems += derivedWrong
        return problems
    }

    func staleFile(_ name: String, in dir: Directory, repair: Bool) throws(StoreError) -> StoreProblem {
        var problem = StoreProblem(path: dir.path(name), kind: .staleTemporaryFile)
        if repair {
            do { try dir.remove(name) } catch { throw .system(error) }
            problem.repaired = true
        }
        return problem
    }
}

/// Runs a file-system call, reporting its failure as a store error.
func system<T>(_ body: () throws(SystemError) -> T) throws(StoreError) -> T {
    do { return try body() } catch { throw .system(error) }
}

