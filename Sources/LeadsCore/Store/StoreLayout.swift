import Glibc

// Creating the data directory's layout and its configuration file: what `init` and
// every first write do. Directories get mode 0700 (personal data), or 2770 for a
// store shared with a group, as git's `--shared=group` does.

extension LeadStore {
    // MARK: Layout

    /// DIR/files/<id>/<name>: the bytes of the files kept on lead <id> (LeadFiles.swift).
    /// Made with a lead's first file, not by `createLayout`.
    public static let filesDirectory = "files"

    /// `.index/log-offsets`: each lead's records in the activity log (Index/LeadLogIndex.swift).
    static let leadLogIndexFile = "log-offsets"

    /// Creates the data directory (mode 0700: it holds personal data) and its layout.
    /// Zero set-up: every writing command calls this.
    @discardableResult
    public func createLayout(sharedGroup: Bool = false) throws(StoreError) -> Bool {
        var created = false
        if root == nil {
            try makeDirectories(path, finalMode: sharedGroup ? 0o2770 : 0o700)
            created = true
            do { root = try Directory.open(path, label: "", followLinks: true) } catch { throw .system(error) }
            guard root != nil else { throw .system(SystemError("open", path, ENOENT)) }
        }
        let root = root!
        let dirMode: mode_t = sharedGroup ? 0o2770 : 0o700
        do {
            for name in [Self.leadsDirectory, Self.customersDirectory, Self.indexDirectory] {
                if try root.makeDirectory(name, mode: dirMode) {
                    created = true
                    if sharedGroup { _ = fchmodat(root.fd, name, dirMode, 0) }
                }
            }
            if let index = try Directory.open(Self.indexDirectory, relativeTo: root, label: Self.indexDirectory, followLinks: false),
               try index.makeDirectory(DuplicateKeyIndex.directoryName, mode: dirMode), sharedGroup {
                _ = fchmodat(index.fd, DuplicateKeyIndex.directoryName, dirMode, 0)
            }
        } catch {
            throw .system(error)
        }
        return created
    }

    /// mkdir -p; only the last component gets `finalMode`.
    private func makeDirectories(_ path: String, finalMode: mode_t) throws(StoreError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        let parts = path.split(separator: "/")
        for (i, part) in parts.enumerated() {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + part
            let last = i == parts.count - 1
            if mkdir(prefix, last ? finalMode : 0o755) != 0 {
                if errno == EEXIST {
                    var st = stat()
                    if stat(prefix, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR { throw .notADirectory(prefix) }
                    continue
                }
                throw .system(SystemError("mkdir", prefix))
            }
            if last && finalMode & 0o2000 != 0 { chmod(prefix, finalMode) }
        }
    }
    // MARK: Configuration

    public func config() throws(StoreError) -> StoreConfig {
        if let cachedConfig { return cachedConfig }
        var config = StoreConfig.defaults
        if let root, let bytes = try root.read(StoreConfig.fileName, limit: 1 << 20) {
            do { config = try StoreConfig(bytes: bytes) } catch { throw .corrupt(path: StoreConfig.fileName, error) }
        }
        cachedConfig = config
        return config
    }

    /// `init`: writes config.json unless present; returns whether it wrote one.
    public func writeDefaultConfig(sharedGroup: Bool) throws -> Bool {
        try createLayout(sharedGroup: sharedGroup)
        return try withLock(.exclusive) { () throws -> Bool in
            let root = self.root!
            if var existing = try root.read(StoreConfig.fileName, limit: 1 << 20).map({ bytes throws(StoreError) -> StoreConfig in
                do throws(JSONError) { return try StoreConfig(bytes: bytes) } catch { throw .corrupt(path: StoreConfig.fileName, error) }
            }) {
                guard sharedGroup, !existing.sharedGroup else { return false }
                existing.sharedGroup = true
                try self.writeConfig(existing)
                try self.shareWithGroup()
                return true
            }
            var config = StoreConfig.defaults
            config.sharedGroup = sharedGroup
            try self.writeConfig(config, isNew: true)
            if sharedGroup { try self.shareWithGroup() }
            return true
        }
    }

    /// `init --shared` on an existing store: what git's `--shared=group` does to a
    /// repository. Directories become group-writable and setgid (new files get the
    /// directory's group); files become group-readable and -writable.
    private func shareWithGroup() throws(StoreError) {
        func share(_ dir: Directory) throws(StoreError) {
            _ = fchmod(dir.fd, 0o2770)
            for name in try system({ () throws(SystemError) in try dir.entries() }) {
                guard let st = try system({ () throws(SystemError) in try dir.fileStatus(name) }) else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    if let sub = try system({ () throws(SystemError) in
                        try Directory.open(name, relativeTo: dir, label: dir.path(name), followLinks: false) }) {
                        try share(sub)
                    }
                case S_IFREG: _ = fchmodat(dir.fd, name, (st.st_mode & 0o7777) | 0o660, 0)
                default: continue
                }
            }
        }
        try share(root!)
    }

    /// Read-modify-write of config.json under the exclusive lock (`leads users add`):
    /// the file is read again under the lock so two writers both get their change in.
    public func updateConfig(_ change: (inout StoreConfig) throws -> Void) throws -> StoreConfig {
        let current = try self.config()
        try createLayout(sharedGroup: current.sharedGroup)
        return try withLock(.exclusive) { () throws -> StoreConfig in
            var config = StoreConfig.defaults
            if let bytes = try root!.read(StoreConfig.fileName, limit: 1 << 20) {
                do throws(JSONError) { config = try StoreConfig(bytes: bytes) } catch { throw StoreError.corrupt(path: StoreConfig.fileName, error) }
            }
            try change(&config)
            try self.writeConfig(config)
            return config
        }
    }

    /// `init`'s commit point: config.json renamed into place and the directory fsynced.
    /// A new file whose directory fsync fails is taken back (`isNew`).
    private func writeConfig(_ config: StoreConfig, isNew: Bool = false) throws(StoreError) {
        do {
            try root!.writeAtomically(StoreConfig.fileName, JSONWriter.pretty(config.json), durable: true, groupShared: config.sharedGroup, isNew: isNew)
        } catch { throw .system(error) }
        cachedConfig = config
    }

}
