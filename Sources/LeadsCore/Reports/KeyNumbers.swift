/// Keys numbered in the order they are first seen, for an accumulator that keeps what it
/// counts per key in arrays by that number and changes it in place: a dictionary of
/// values taken out and put back, or keyed by a row of several strings, hashed each key
/// twice a record.
struct KeyNumbers<Key: Hashable>: Sendable where Key: Sendable {
    /// Every key, by number.
    private(set) var keys: [Key] = []
    private var numbers: [Key: Int] = [:]
    /// The last few keys asked for, with their numbers, replaced in turn: a run of leads
    /// or records mostly repeats a few keys (one currency, a month's stages), and comparing
    /// them is cheaper than hashing a key (a third of `report funnel` on 100,000 records).
    /// Kept only while they answer most lookups: with many keys in turn (a funnel by
    /// owner) the comparisons would be on top of the hashing.
    private var recent: [(key: Key, number: Int)] = []
    private var nextRecent = 0
    private var useRecent = true
    private var lookups = 0, hits = 0
    static var recentCount: Int { 8 }

    /// The key's number, and whether it was given just now (the caller then adds its
    /// arrays' element for it).
    mutating func number(of key: Key) -> (number: Int, isNew: Bool) {
        if useRecent {
            lookups += 1
            for i in recent.indices where recent[i].key == key {
                hits += 1
                return (recent[i].number, false)
            }
            if lookups == 1024 { useRecent = 2 * hits >= lookups }
        }
        let found: (number: Int, isNew: Bool)
        if let known = numbers[key] {
            found = (known, false)
        } else {
            found = (keys.count, true)
            numbers[key] = found.number
            keys.append(key)
        }
        if !useRecent {
        } else if recent.count < Self.recentCount {
            recent.append((key, found.number))
        } else {
            recent[nextRecent] = (key, found.number)
            nextRecent = (nextRecent + 1) % Self.recentCount
        }
        return found
    }

    subscript(key: Key) -> Int? { numbers[key] }
}
