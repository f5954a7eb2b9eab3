/// The first position in `0..<count` whose element is not below the one sought, given
/// `isBelow(position)` for a sequence sorted ascending: `count` when every element is
/// below. The indexes keep their keys sorted and look them up by halves with this.
func firstPositionNotBelow(count: Int, _ isBelow: (Int) -> Bool) -> Int {
    var low = 0
    var high = count
    while low < high {
        let middle = (low + high) / 2
        if isBelow(middle) { low = middle + 1 } else { high = middle }
    }
    return low
}
