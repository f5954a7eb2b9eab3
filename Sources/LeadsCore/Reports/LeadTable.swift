/// A value per lead by ID, for the folds over the log that look one up per record: an
/// array for the IDs a store hands out (1, 2, 3 …), a dictionary for any other. Hashing
/// the ID was a fifth of a report's time over the history checkpoint, and a dictionary of
/// 100,000 leads grown one insert at a time another tenth of `report accuracy`'s.
public struct LeadTable<Value> {
    private var dense: [Value?] = []
    private var other: [Int: Value] = [:]
    /// The array covers IDs below this whatever IDs the log names: one lead numbered in
    /// the millions (a hand edit, an imported number) must not cost a slot for every ID
    /// below it.
    static var denseLimit: Int { 1 << 20 }

    public init() {}

    public subscript(id: Int) -> Value? {
        get {
            if id >= 0 && id < Self.denseLimit { return id < dense.count ? dense[id] : nil }
            return other[id]
        }
        set {
            guard id >= 0 && id < Self.denseLimit else {
                other[id] = newValue
                return
            }
            if id >= dense.count {
                guard newValue != nil else { return }
                // Not `+= [Value?](repeating:count:)`: that built a second array of the same
                // size to copy from, each time the table doubled.
                dense.append(contentsOf: repeatElement(nil, count: max(id + 1, 2 * dense.count, 1024) - dense.count))
            }
            dense[id] = newValue
        }
    }

    /// `forEach` handing `carried` to each call in place: a large value filled in per lead
    /// and read by the body, which a captured variable would have copied each time.
    public func forEach<Carried, Failure: Error>(carrying carried: inout Carried,
                                                 _ body: (inout Carried, _ id: Int, _ value: Value) throws(Failure) -> Void) throws(Failure) {
        let outside = other.keys.sorted()
        let negative = outside.prefix { $0 < 0 }
        for id in negative { try body(&carried, id, other[id]!) }
        for id in dense.indices {
            if let value = dense[id] { try body(&carried, id, value) }
        }
        for id in outside.dropFirst(negative.count) { try body(&carried, id, other[id]!) }
    }

    /// Every lead with a value, by ID ascending.
    public func forEach<Failure: Error>(_ body: (_ id: Int, _ value: Value) throws(Failure) -> Void) throws(Failure) {
        let outside = other.keys.sorted()
        let negative = outside.prefix { $0 < 0 }
        for id in negative { try body(id, other[id]!) }
        for id in dense.indices {
            if let value = dense[id] { try body(id, value) }
        }
        for id in outside.dropFirst(negative.count) { try body(id, other[id]!) }
    }
}

extension LeadTable {
    /// Takes in the values of `other`, a table of other leads (a part's, HistoryFold).
    mutating func absorb(_ other: LeadTable) {
        other.forEach { id, value in self[id] = value }
    }

    /// Every lead with a value, by ID ascending, as a list: for a loop whose body changes
    /// the caller's state, which a `forEach` closure would capture.
    var entries: [(id: Int, value: Value)] {
        var entries: [(id: Int, value: Value)] = []
        forEach { entries.append(($0, $1)) }
        return entries
    }
}

extension LeadTable: Sendable where Value: Sendable {}
