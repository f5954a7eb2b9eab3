/// Values a command is done with just before the process ends, left for the exit to
/// free: freeing the 80,000 strings of a `list` table on 10,000 leads one by one was
/// about 6 % of `list`, and the kernel takes the whole heap back at exit at once (as
/// git's `UNLEAK`).
enum ProcessEnd {
    private final class Box<T> {
        let value: T
        init(_ value: T) { self.value = value }
    }

    static func keep<T>(_ value: T) {
        _ = Unmanaged.passRetained(Box(value))
    }
}
