// Compiled into every fuzz target (see Tests/Fuzz/run).

/// Stops the process so that libFuzzer reports the input as a crash and saves it.
/// `fatalError` traps; the message goes to stderr next to libFuzzer's report.
func require(_ condition: Bool, _ message: @autoclosure () -> String,
             file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("invariant violated: " + message(), file: file, line: line) }
}

/// Same bytes, not merely canonically equivalent: the libraries promise byte-exact results.
func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}

func sameBytes(_ a: [String], _ b: [String]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { sameBytes($0, $1) }
}

/// Takes control bytes (delimiter, chunk size, …) off the front of the input, so that the
/// rest stays readable as a seed file and the fuzzer can mutate both.
struct FuzzInput {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    init(_ data: UnsafePointer<UInt8>, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: size)
    }

    /// The next byte, or 0 once the input is used up.
    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// What is left, as an array.
    mutating func rest() -> [UInt8] {
        defer { position = bytes.count }
        return Array(bytes[min(position, bytes.count)...])
    }

    /// What is left, as lossy UTF-8 (invalid sequences become U+FFFD).
    mutating func restAsText() -> String {
        String(decoding: rest(), as: UTF8.self)
    }
}
