/// Keys numbered in the order they are first seen, for an accumulator that keeps what it
/// counts per key in arrays by that number and changes it in place: a dictionary of
/// values taken out and put back, or keyed by a row of several strings, hashed each key
/// twice a record.
struct KeyNumbers<Key: Hashable>: Sendable where Key: Sendable {
    /// Every key, by number.
    private(set) var keys: [Key] = []
    private var numbers: [Key: Int] = [:]
    /// The number asked for last: a run of leads or records mostly repeats a key (one
    /// currency), and comparing it is cheaper than hashing it.
    private var last: (key: Key, number: Int)?

    /// The key's number, and whether it was given just now (the caller then adds its
    /// arrays' element for it).
    mutating func number(of key: Key) -> (number: Int, isNew: Bool) {
        if let last, last.key == key { return (last.number, false) }
        if let known = numbers[key] {
            last = (key, known)
            return (known, false)
        }
        let number = keys.count
        numbers[key] = number
        keys.append(key)
        last = (key, number)
        return (number, true)
    }

    subscript(key: Key) -> Int? { numbers[key] }
}
