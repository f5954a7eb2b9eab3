import Foundation
import Testing
@testable import LeadsCore

@Suite struct CSVStreamingTests {
    /// Inputs whose tricky spots (CRLF, `""`, BOM, multi-byte characters, errors) must come
    /// out the same wherever a read ends.
    static let corpus: [[UInt8]] = [
        Array("a,b\r\n1,2\r\n".utf8),
        [0xEF, 0xBB, 0xBF] + Array("Name,Firma\r\n\"Ä, \"\"x\"\"\",😀\r\n".utf8),
        Array("\"x\r\ny\r\n\",z\r\n\r\nlast".utf8),
        Array("a\r\rb\r\n\nc\r".utf8),
        Array("\"\"\"\",\"a\"\"\"\n".utf8),
        Array("h\n\"x\ny\"z\n".utf8),
        Array("h\n\"open\nnever closed".utf8),
        Array("ok\n\"x\r\ny".utf8) + [0xE2, 0x82] + Array("\"\n".utf8),
        Array("a,b\n".utf8) + [0x00],
        [0xEF, 0xBB],
    ]

    static func readFromFile(_ bytes: [UInt8], chunkSize: Int, prefixLength: Int = 0,
                             maxFieldBytes: Int = CSVReader.defaultMaxFieldBytes) -> CSVOutcome {
        withTemporaryFile(bytes) { fd in
            var prefix = [UInt8](repeating: 0, count: prefixLength)
            let got = prefix.withUnsafeMutableBytes { read(fd, $0.baseAddress, prefixLength) }
            precondition(got == prefixLength)
            var reader = CSVReader(fileDescriptor: fd, delimiter: UInt8(ascii: ","), encoding: .utf8,
                                   maxFieldBytes: maxFieldBytes, maxFields: CSVReader.defaultMaxFields,
                                   prefix: prefix, chunkSize: chunkSize)
            let outcome = drain(&reader)
            if outcome.error == nil { #expect(reader.bytesConsumed == bytes.count) }
            return outcome
        }
    }

    @Test(arguments: corpus) func chunkBoundariesDoNotChangeTheResult(input: [UInt8]) {
        let expected = parse(input)
        for chunkSize in [1, 2, 3, 4, 5, 7, 1 << 16] {
            #expect(Self.readFromFile(input, chunkSize: chunkSize) == expected, "chunk size \(chunkSize)")
        }
        for prefixLength in 0...input.count {
            #expect(Self.readFromFile(input, chunkSize: 3, prefixLength: prefixLength) == expected,
                    "prefix length \(prefixLength)")
        }
    }

    @Test func fieldLimitHoldsAcrossChunks() {
        let input = Array("\"abc\ndef\"\n".utf8)
        #expect(Self.readFromFile(input, chunkSize: 2, maxFieldBytes: 7) == CSVOutcome(
            records: [CSVRecord(fields: ["abc\ndef"], line: 1)]))
        #expect(Self.readFromFile(input, chunkSize: 2, maxFieldBytes: 6)
                == CSVOutcome(error: .fieldTooLong(line: 1, limit: 6)))
    }

    @Test func sniffedPrefixIsReadFirst() throws {
        let bytes = Array("Name;E-Mail\r\nMüller;m@example.com\r\n".utf8)
        try withTemporaryFile(bytes) { fd in
            var prefix = [UInt8](repeating: 0, count: 12)
            #expect(read(fd, &prefix, 12) == 12)
            let delimiter = try #require(CSVDelimiterSniffer.sniff(prefix))
            #expect(delimiter == UInt8(ascii: ";"))
            var reader = CSVReader(fileDescriptor: fd, delimiter: delimiter, prefix: prefix)
            #expect(fields(drain(&reader)) == [["Name", "E-Mail"], ["Müller", "m@example.com"]])
            #expect(reader.bytesConsumed == bytes.count)
        }
    }

    /// A 200 MB field arriving through a stream is refused after about one limit's worth of
    /// input, so memory never holds it.
    @Test(arguments: [false, true]) func hugeFieldFromAStreamIsRefusedEarly(quoted: Bool) throws {
        var ends: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let writerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 16)
            if quoted { chunk[0] = UInt8(ascii: "\"") }
            var sent = 0
            while sent < 200 << 20 {
                let n = send(writeEnd, chunk, chunk.count, Int32(MSG_NOSIGNAL))
                if n <= 0 { break }  // the reader hung up, as it should
                sent += n
                chunk[0] = UInt8(ascii: "a")
            }
            close(writeEnd)
            writerDone.signal()
        }
        var reader = CSVReader(fileDescriptor: readEnd, delimiter: UInt8(ascii: ","))
        #expect(throws: CSVError.fieldTooLong(line: 1, limit: CSVReader.defaultMaxFieldBytes)) {
            try reader.next()
        }
        #expect(reader.bytesConsumed <= CSVReader.defaultMaxFieldBytes + (1 << 16))
        close(readEnd)
        writerDone.wait()
    }

    @Test func binaryInputIsRefusedAtOnce() throws {
        let fd = open("/dev/zero", O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var reader = CSVReader(fileDescriptor: fd, delimiter: UInt8(ascii: ","))
        #expect(throws: CSVError.nulByte(line: 1)) { try reader.next() }
        #expect(reader.bytesConsumed <= 1 << 16)
    }
}
