/// Which field made two leads duplicates.
public enum DuplicateMatch: Sendable, Equatable {
    case email
    case nameAndCompany
}

/// Everything the store can fail with. The CLI renders each case (one place).
public enum StoreError: Error, Sendable, Equatable {
    case system(SystemError)
    /// A symlink, directory, FIFO… where a regular file belongs (never followed).
    case notARegularFile(String)
    case fileTooLarge(String, size: Int, limit: Int)
    /// A file that does not parse or validate; path relative to the data directory.
    case corrupt(path: String, JSONError)
    case leadNotFound(Int)
    /// The lead was merged into another (`leads merge`): its ID is retired, its data kept
    /// in DIR/merged/ for `unmerge`.
    case mergedAway(id: Int, into: Int)
    case customerNotFound(Int)
    case reminderNotFound(lead: Int, number: Int)
    case lockTimeout(LockHolder?, seconds: Double)
    case duplicate(existing: Int, match: DuplicateMatch)
    /// Neither --dir, LEADS_DIR, XDG_DATA_HOME nor HOME says where the data lives.
    case noDataDirectory
    case notADirectory(String)
    /// No lead ID below the limit is left; names the file (or the log) holding the highest.
    case idSpaceExhausted(blockedBy: String)
    /// The duplicate check could not read a lead file it had to compare with.
    indirect case duplicateCheckFailed(path: String, StoreError)
}

/// Several leads could not be read; the command still used the others.
public struct CorruptFiles: Error, Sendable, Equatable {
    public var problems: [StoreError]

    public init(problems: [StoreError]) { self.problems = problems }
}
