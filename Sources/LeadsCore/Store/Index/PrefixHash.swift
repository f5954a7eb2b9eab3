/// A running hash of the activity log's first bytes, cheap enough to recompute at the
/// speed the log is read (HistoryCheckpoint.swift): four 64-bit lanes, each taking every
/// fourth word of 32-byte stripes in the round of xxHash64 (add the word times a prime,
/// rotate, multiply by another). Not a cryptographic hash — the log's chain (LogChain)
/// answers tampering; this answers "are these still the bytes the checkpoint replayed?".
///
/// Each round is a bijection of its lane for a given word and of the word for a given
/// lane, so any change confined to one word changes the state, and every later round
/// keeps it changed; changes to several words cancel only by chance (about 2⁻⁶⁴). The
/// state is compared whole — lanes, length and the bytes short of a stripe — with no
/// finalisation, so a state can be saved and carried on over what the log gains.
struct PrefixHash: Equatable, Sendable {
    private(set) var lanes: (UInt64, UInt64, UInt64, UInt64)
    private(set) var length: UInt64 = 0
    /// The bytes after the last whole stripe, in the low bytes first (little-endian).
    private(set) var pending: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    init() {
        lanes = (Self.prime1 &+ Self.prime2, Self.prime2, 0, 0 &- Self.prime1)
    }

    /// The state as `wordCount` words, to save and restore.
    var words: [UInt64] {
        [lanes.0, lanes.1, lanes.2, lanes.3, length, pending.0, pending.1, pending.2, pending.3]
    }

    init?(words: ArraySlice<UInt64>) {
        guard words.count == Self.wordCount else { return nil }
        let w = Array(words)
        lanes = (w[0], w[1], w[2], w[3])
        length = w[4]
        pending = (w[5], w[6], w[7], w[8])
        // Bytes beyond the pending count must be zero, as `update` leaves them.
        let bytes = pendingBytes
        for i in Int(length % 32)..<32 where bytes[i] != 0 { return nil }
    }

    static let wordCount = 9

    static func == (a: PrefixHash, b: PrefixHash) -> Bool {
        a.words == b.words
    }

    private var pendingBytes: [UInt8] {
        withUnsafeBytes(of: pending) { raw in (0..<32).map { raw[$0] } }
    }

    @inline(__always)
    private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = lane &+ word &* prime2
        return ((mixed << 31) | (mixed >> 33)) &* prime1
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var count = bytes.count
        var filled = Int(length % 32)
        length &+= UInt64(count)
        if filled > 0 {
            let take = min(32 - filled, count)
            withUnsafeMutableBytes(of: &pending) { raw in
                raw.baseAddress!.advanced(by: filled).copyMemory(from: base, byteCount: take)
            }
            filled += take
            base += take
            count -= take
            guard filled == 32 else { return }
            let p = pending
            lanes = (Self.round(lanes.0, UInt64(littleEndian: p.0)), Self.round(lanes.1, UInt64(littleEndian: p.1)),
                     Self.round(lanes.2, UInt64(littleEndian: p.2)), Self.round(lanes.3, UInt64(littleEndian: p.3)))
            pending = (0, 0, 0, 0)
        }
        var (a, b, c, d) = lanes
        while count >= 32 {
            a = Self.round(a, UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
            b = Self.round(b, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            c = Self.round(c, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
            d = Self.round(d, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
            base += 32
            count -= 32
        }
        lanes = (a, b, c, d)
        if count > 0 {
            let left = count
            withUnsafeMutableBytes(of: &pending) { raw in
                raw.baseAddress!.copyMemory(from: base, byteCount: left)
            }
        }
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }
}
