import Glibc

// The one place that makes and recognises the names of the store's transient files.
// Every such name starts with a dot and never ends in ".json", so scans for lead and
// customer files skip them; each carries the writer's PID and a random number, so two
// writers (or a writer and a leftover of a killed one) never pick the same name.
//
//   .<name>.tmp-<pid>-<random>   new content before its rename (Directory.writeAtomically)
//   .<name>.bak-<token>          the old version, hard-linked until the log line is on disk
//   .<name>.new-<token>          an empty mark beside a file a commit of several files
//                                creates, until the log line is on disk
//                                <token> is `<pid>-<random>-<log size>`, one per commit:
//                                how `fsck --repair` tells a killed commit's files and
//                                whether it was logged (UnfinishedChanges.swift)
//   .import-<pid>-<random>.tmp   a spooled copy of standard input (SpoolFile)

public enum TemporaryName {
    private static func unique() -> String { "\(getpid())-\(UInt32.random(in: 0...UInt32.max))" }

    /// Where new content of `name` is written before it is renamed over `name`.
    static func temporary(for name: String) -> String { ".\(name).tmp-\(unique())" }

    /// One commit's part of its left-overs' names: the log's size as it begins.
    static func commitToken(logSize: Int) -> String { "\(unique())-\(logSize)" }

    /// Where the old version of `name` is kept while a change can still be undone.
    static func backup(for name: String, token: String) -> String { ".\(name).bak-\(token)" }

    /// The mark of a file a commit creates, while the commit can still be undone.
    static func creationMark(for name: String, token: String) -> String { ".\(name).new-\(token)" }

    /// For a backup or a creation mark: the file it is about, its commit's token and log
    /// size (nil for a backup named before the size was recorded); nil for other names.
    static func leftoverParts(_ name: String) -> (original: String, isCreation: Bool, token: String, logSize: Int?)? {
        let bytes = Array(name.utf8)
        guard bytes.first == UInt8(ascii: "."), bytes.count > 6 else { return nil }
        // The last marker: a file may be called `offer.bak-1.txt` itself.
        let markers = [Array(".bak-".utf8), Array(".new-".utf8)]
        guard let (start, marker) = (1...(bytes.count - 5)).reversed().lazy.compactMap({ i -> (Int, [UInt8])? in
            markers.first { bytes[i..<(i + 5)].elementsEqual($0) }.map { (i, $0) }
        }).first, start > 1 else { return nil }
        let original = String(decoding: bytes[1..<start], as: UTF8.self)
        let token = String(decoding: bytes[(start + 5)...], as: UTF8.self)
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        let isCreation = marker == markers[1]
        guard parts.count == 3 || (parts.count == 2 && !isCreation) else { return nil }
        return (original, isCreation, token, parts.count == 3 ? Int(parts[2]) : nil)
    }

    /// A spooled copy of standard input, in the data directory itself.
    static func spool() -> String { ".import-\(unique()).tmp" }

    /// Whether `name` is one of the above, as a killed writer leaves them.
    public static func isTransient(_ name: String) -> Bool {
        guard name.hasPrefix(".") else { return false }
        if name.hasPrefix(".import-") && name.hasSuffix(".tmp") { return true }
        return name.contains(".tmp-") || name.contains(".bak-") || name.contains(".new-")
    }

    /// Whether `name` is a spooled input (the only transient file in the data directory itself).
    static func isSpool(_ name: String) -> Bool { name.hasPrefix(".import-") && name.hasSuffix(".tmp") }
}
