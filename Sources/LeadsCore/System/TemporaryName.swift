import Glibc

// The one place that makes and recognises the names of the store's transient files.
// Every such name starts with a dot and never ends in ".json", so scans for lead and
// customer files skip them; each carries the writer's PID and a random number, so two
// writers (or a writer and a leftover of a killed one) never pick the same name.
//
//   .<name>.tmp-<pid>-<random>   new content before its rename (Directory.writeAtomically)
//   .<name>.bak-<pid>-<random>   the old version, hard-linked until the log line is on disk
//   .import-<pid>-<random>.tmp   a spooled copy of standard input (SpoolFile)

public enum TemporaryName {
    private static func unique() -> String { "\(getpid())-\(UInt32.random(in: 0...UInt32.max))" }

    /// Where new content of `name` is written before it is renamed over `name`.
    static func temporary(for name: String) -> String { ".\(name).tmp-\(unique())" }

    /// Where the old version of `name` is kept while a change can still be undone.
    static func backup(for name: String) -> String { ".\(name).bak-\(unique())" }

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
