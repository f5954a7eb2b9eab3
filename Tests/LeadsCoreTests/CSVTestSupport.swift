import Glibc
@testable import LeadsCore


/// Everything a reader produced for one input: the records before a failure, and the failure.
struct CSVOutcome: Equatable, CustomStringConvertible {
    var records: [CSVRecord] = []
    var error: CSVError?

    var description: String {
        let shown = records.map { "\($0.line):\($0.fields.map { Array($0.utf8) })" }
        return "records \(shown) error \(error.map { "\($0)" } ?? "none")"
    }
}

func drain(_ reader: inout CSVReader) -> CSVOutcome {
    var outcome = CSVOutcome()
    do {
        while let record = try reader.next() { outcome.records.append(record) }
    } catch {
        outcome.error = error
    }
    return outcome
}

func parse(_ bytes: [UInt8], delimiter: Character = ",", encoding: CSVEncoding = .utf8,
           maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes,
           maxFields: Int = CSVReader.defaultMaxFields) -> CSVOutcome {
    var reader = CSVReader(bytes: bytes, delimiter: delimiter.asciiValue!, encoding: encoding,
                           maxFieldBytes: maxFieldBytes, maxFields: maxFields)
    return drain(&reader)
}

func parse(_ text: String, delimiter: Character = ",", encoding: CSVEncoding = .utf8,
           maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes,
           maxFields: Int = CSVReader.defaultMaxFields) -> CSVOutcome {
    parse(Array(text.utf8), delimiter: delimiter, encoding: encoding,
          maxFieldBytes: maxFieldBytes, maxFields: maxFields)
}

/// Fields of every record, as exact UTF-8 bytes would be too noisy to read in failures.
func fields(_ outcome: CSVOutcome) -> [[String]] { outcome.records.map(\.fields) }

/// Runs `body` with a descriptor open for reading on an unlinked temporary file holding `bytes`.
func withTemporaryFile<T>(_ bytes: [UInt8], _ body: (Int32) throws -> T) rethrows -> T {
    var template = Array("/tmp/leads-csv-test-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    precondition(fd >= 0, "mkstemp failed")
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    defer { close(fd) }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
        precondition(n > 0, "write failed")
        written += n
    }
    lseek(fd, 0, SEEK_SET)
    return try body(fd)
}
