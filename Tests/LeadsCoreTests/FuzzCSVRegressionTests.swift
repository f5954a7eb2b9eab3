import Testing
@testable import LeadsCore

/// Inputs the `csv` fuzz target found (Docs/reliability.md, "Fuzzing"). Each is also a seed
/// in Tests/Fuzz/corpus/csv.
@Suite struct FuzzCSVRegressionTests {
    /// Finding 1: a field over the limit that also holds a NUL. Which error is reported must
    /// not depend on where reads end; the first problem in reading order is the length.
    @Test func tooLongFieldWithNulGivesOneErrorWhereverReadsEnd() {
        let input = Array("abc".utf8) + [0x00]
        let expected = CSVOutcome(error: .fieldTooLong(line: 1, limit: 1))
        #expect(parse(input, maxFieldBytes: 1) == expected)
        for chunkSize in [1, 2, 3, 1 << 16] {
            #expect(CSVStreamingTests.readFromFile(input, chunkSize: chunkSize, maxFieldBytes: 1) == expected,
                    "chunk size \(chunkSize)")
        }
    }

    /// Finding 1 with the default limits and only public API: the same file, read from memory
    /// or from a descriptor. The NUL sits one 64 KiB read after the one that passes the limit.
    @Test func tooLongFieldWithNulAtTheDefaultLimit() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: CSVReader.defaultMaxFieldBytes + (1 << 16)) + [0x00]
        let fromMemory = parse(input)
        let fromFile = withTemporaryFile(input) { fd in
            var reader = CSVReader(fileDescriptor: fd, delimiter: UInt8(ascii: ","))
            return drain(&reader)
        }
        #expect(fromMemory == fromFile)
        #expect(fromFile == CSVOutcome(error: .fieldTooLong(line: 1, limit: CSVReader.defaultMaxFieldBytes)))
    }

    /// Finding 2: the writer promises output the reader reads back byte for byte, but a first
    /// field starting with U+FEFF is written bare and then skipped as a byte order mark.
    @Test func firstFieldStartingWithByteOrderMarkSurvivesTheWriter() {
        var written: [UInt8] = []
        CSVWriter().append(["\u{FEFF}x", "y"], to: &written)
        CSVWriter().append(["\u{FEFF}z"], to: &written)
        let read = parse(written)
        #expect(read.error == nil)
        #expect(read.records.map { $0.fields.map { Array($0.utf8) } }
                == [[[0xEF, 0xBB, 0xBF, 0x78], [0x79]], [[0xEF, 0xBB, 0xBF, 0x7A]]])
    }
}
