import Glibc

// The one place that makes and recognises the names of the store's transient files.
// Every such name starts with a dot and never ends in ".json", so scans for lead and
// customer files skip them; each carries the writer's PID and a random number, so two
// writers (or a writer and a leftover of a killed one) never pick the same name.
//
//   .<name>.tmp-<pid>-<random>   new content before its rename (Directory.writeAtomically)
//   .<name>.bak-<pid>-<random>-<log size>   the old version, hard-linked until the log
//                                line is on disk; the log's size when the change began
//                                tells `fsck --repair` whether a killed command's change
//                                was logged (StoreCheck.swift: kept) or not (put back)
//   .import-<pid>-<random>.tmp   a spooled copy of standard input (SpoolFile)

public enum TemporaryName {
    private static func unique() -> String { "\(getpid())-\(UInt32.random(in: 0...UInt32.max))" }

    /// Where new content of `name` is written before it is renamed over `name`.
    static func temporary(for name: String) -> String { ".\(name).tmp-\(unique())" }

    /// Where the old version of `name` is kept while a change can still be undone.
    static func backup(for name: String, logSize: Int) -> String { ".\(name).bak-\(unique())-\(logSize)" }

    /// For a backup name: the file it keeps and the log size it was made at (nil for
    /// the names of versions before it was recorded); nil for other names.
    public static func backupParts(_ name: String) -> (original: String, logSize: Int?)? {
        let bytes = Array(name.utf8), marker = Array(".bak-".utf8)
        guard bytes.first == UInt8(ascii: "."), bytes.count > marker.count + 1 else { return nil }
        // The last ".bak-": a file may be called `offer.bak-1.txt` itself.
        guard let start = (1...(bytes.count - marker.count)).reversed().first(where: { bytes[$0..<($0 + marker.count)].elementsEqual(marker) }),
              start > 1 else { return nil }
        let original = String(decoding: bytes[1..<start], as: UTF8.self)
        let parts = bytes[(start + marker.count)...].split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        return (original, parts.count == 3 ? Int(String(decoding: parts[2], as: UTF8.self)) : nil)
    }

    /// A spooled copy of standard input, in the data directory itself.
    static func spool() -> String { ".import-\(unique()).tmp" }

    /// Whether `name` is one of the above, as a killed writer leaves them.
    public static func isTransient(_ name: String) -> Bool {
        guard name.hasPrefix(".") else { return false }
        if name.hasPrefix(".import-") && name.hasSuffix(".tmp") { return true }
        return name.contains(".tmp-") || name.contains(".bak-")
    }

    /// Whether `name` is a spooled input (the only transient file in the data directory itself).
    static func isSpool(_ name: String) -> Bool { name.hasPrefix(".import-") && name.hasSuffix(".tmp") }
}
