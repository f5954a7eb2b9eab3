import Glibc

// ESTALE: on NFS and GlusterFS a file handle goes stale when another client replaced
// the file (every atomic write renames over the old name) between our lookup and our
// use of it, or when the client's cache still holds the old inode. The name is fine;
// the handle is not. NFS clients' answer is to look the name up again and retry, a
// bounded number of times: the next lookup goes to the server and finds the new file.
// Anything not stale is passed on at once.

enum StaleHandle {
    /// Twelve tries over about two seconds. On NFS the second lookup nearly always
    /// succeeds; on a FUSE mount the kernel goes on answering the name with the old
    /// inode until its entry time-out (1 s by default) has passed, so the retries must
    /// outlast it. A handle still stale after that is a real failure worth reporting.
    static let attempts = 12

    /// Runs `body` again while it fails with ESTALE. `body` must redo every step from
    /// the name (open, stat, read), never reuse a descriptor from a failed try.
    static func retrying<T>(_ body: () throws(SystemError) -> T) throws(SystemError) -> T {
        var attempt = 1
        while true {
            do { return try body() } catch where error.code == ESTALE && attempt < attempts {
                pause(attempt)
                attempt += 1
            }
        }
    }

    /// The same for the store's typed errors, which carry the system error inside.
    static func retrying<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        var attempt = 1
        while true {
            do { return try body() } catch {
                guard case .system(let system) = error, system.code == ESTALE, attempt < attempts else { throw error }
                pause(attempt)
                attempt += 1
            }
        }
    }

    /// For calls that report failure in errno: retries while they fail with ESTALE and
    /// returns the last result (errno still set when it is a failure).
    static func retrying(_ call: () -> Int32) -> Int32 {
        var attempt = 1
        while true {
            let result = call()
            guard result < 0, errno == ESTALE, attempt < attempts else { return result }
            pause(attempt)
            attempt += 1
        }
    }

    private static func pause(_ attempt: Int) {
        // 1, 2, 4 … 256 ms, then 256 ms (plus jitter): early retries are cheap, later
        // ones wait out a cached name.
        let milliseconds = 1 << min(attempt - 1, 8)
        var pause = timespec(tv_sec: 0, tv_nsec: milliseconds * 1_000_000 + Int.random(in: 0..<500_000))
        _ = nanosleep(&pause, nil)
    }
}

// The directory operations that look a name up, each redone from the name on ESTALE.
extension Directory {
    static func open(_ path: String, relativeTo parent: Directory? = nil, label: String, followLinks: Bool) throws(SystemError) -> Directory? {
        try StaleHandle.retrying { () throws(SystemError) in try openOnce(path, relativeTo: parent, label: label, followLinks: followLinks) }
    }

    func fileStatus(_ name: String) throws(SystemError) -> stat? {
        try StaleHandle.retrying { () throws(SystemError) in try fileStatusOnce(name) }
    }

    func readWithStatus(_ name: String, limit: Int = 64 << 20) throws(StoreError) -> (bytes: [UInt8], status: stat)? {
        try StaleHandle.retrying { () throws(StoreError) in try readWithStatusOnce(name, limit: limit) }
    }

    func entries() throws(SystemError) -> [String] {
        try StaleHandle.retrying { () throws(SystemError) in try entriesOnce() }
    }

    /// What `collect` makes of the entry names (`forEachEntryNameOnce`), made again from
    /// the start on ESTALE.
    func collectEntryNames<T>(_ start: T, _ collect: (inout T, UnsafeBufferPointer<UInt8>) -> Void) throws(SystemError) -> T {
        try StaleHandle.retrying { () throws(SystemError) -> T in
            var result = start
            try forEachEntryNameOnce { collect(&result, $0) }
            return result
        }
    }
}
