/// The first row of the file with each duplicate fingerprint, in 256 tables by the
/// fingerprint's top byte: a million rows hold two million fingerprints, and one table
/// growing from 2^21 to 2^22 slots held both sizes at once (190 MB); a small table
/// grows by a small step.
public struct RowsByFingerprint: Sendable {
    public init() {}

    private var tables = [[UInt128: Int]](repeating: [:], count: 256)

    public subscript(print: UInt128) -> Int? {
        get { tables[Int(print >> 120)][print] }
        set { tables[Int(print >> 120)][print] = newValue }
    }
}
