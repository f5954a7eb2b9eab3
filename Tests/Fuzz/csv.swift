// Fuzz target `csv`: CSVReader, CSVWriter, CSVDelimiterSniffer, FormulaGuard.
//
// Input: byte 0 picks the delimiter (bits 0-2) and the encoding (bit 3); byte 1 picks the
// chunk size of the streaming read (bits 0-3), the field limit (bits 4-5) and the field
// count limit (bits 6-7); the rest is the CSV text.
//
// Invariants:
// - the reader terminates: at most one record per input byte, record lines strictly rising;
// - an error is sticky (the next `next()` throws it again) and the end stays the end;
// - reading the bytes from a file descriptor in small chunks, with part of them handed over
//   as `prefix`, gives exactly the records and the error of reading them from memory;
// - the sniffer answers nil or a candidate that occurs in the input;
// - without an error, CSVWriter's output of the records reads back to the same fields;
// - FormulaGuard.restore(neutralise(x)) == x, and neutralise changes x iff needsGuard(x).

import Glibc
@testable import LeadsCore

private let delimiters: [UInt8] = Array(",;\t| a:'".utf8)
private let fieldLimits = [CSVReader.defaultMaxFieldBytes, 1, 8, 64]
private let fieldCountLimits = [CSVReader.defaultMaxFields, 1, 3, 16]

/// One unlinked temporary file for the streaming reads, reused for every input.
private let scratchFile: Int32 = {
    guard let file = tmpfile() else { fatalError("tmpfile failed") }
    return fileno(file)
}()

private struct Outcome: Equatable {
    var records: [CSVRecord] = []
    var error: CSVError?
}

private func drain(_ reader: inout CSVReader, inputLength: Int) -> Outcome {
    var outcome = Outcome()
    do {
        while let record = try reader.next() {
            outcome.records.append(record)
            require(outcome.records.count <= max(inputLength, 1), "more records than input bytes")
        }
        // The end of the input stays the end.
        require(try reader.next() == nil, "a record after the end")
    } catch {
        outcome.error = error
        do {
            _ = try reader.next()
            fatalError("invariant violated: the reader went on after \(error)")
        } catch let again {
            require(again == error, "error changed from \(error) to \(again)")
        }
    }
    return outcome
}

private func readStreaming(_ bytes: [UInt8], prefixLength: Int, chunkSize: Int, delimiter: UInt8,
                           encoding: CSVEncoding, maxFieldBytes: Int, maxFields: Int) -> Outcome {
    let fd = scratchFile
    precondition(ftruncate(fd, 0) == 0)
    let rest = bytes[prefixLength...]
    let written = rest.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    precondition(written == rest.count)
    precondition(lseek(fd, 0, SEEK_SET) == 0)
    var reader = CSVReader(fileDescriptor: fd, delimiter: delimiter, encoding: encoding,
                           maxFieldBytes: maxFieldBytes, maxFields: maxFields,
                           prefix: Array(bytes[..<prefixLength]), chunkSize: chunkSize)
    let outcome = drain(&reader, inputLength: bytes.count)
    if outcome.error == nil {
        require(reader.bytesConsumed == bytes.count, "consumed \(reader.bytesConsumed) of \(bytes.count) bytes")
    }
    return outcome
}

/// Finding 1 in Docs/reliability.md, pinned by FuzzCSVRegressionTests: a field that is too
/// long and contains a NUL reports either error depending on where reads end. Tolerated
/// while true, so that fuzzing goes on past it; set to false once the reader is fixed.
private let toleratingFinding1 = false

private func knownFinding1(_ a: Outcome, _ b: Outcome) -> Bool {
    guard toleratingFinding1, a.records == b.records, let e1 = a.error, let e2 = b.error else { return false }
    switch (e1, e2) {
    case (.fieldTooLong, .nulByte), (.nulByte, .fieldTooLong): return true
    default: return false
    }
}

/// Finding 2 in Docs/reliability.md, pinned by FuzzCSVRegressionTests: CSVWriter writes a
/// first field that starts with U+FEFF unquoted, and the reader skips it as a byte order
/// mark. Tolerated while true; set to false once the writer is fixed.
private let toleratingFinding2 = false

private func knownFinding2(_ original: [String], _ copy: [String]) -> Bool {
    guard toleratingFinding2, let first = original.first, first.unicodeScalars.first == "\u{FEFF}" else { return false }
    return sameBytes([String(first.unicodeScalars.dropFirst())] + original.dropFirst(), copy)
}

private func checkFormulaGuard(_ field: String) {
    let guarded = FormulaGuard.neutralise(field)
    require(sameBytes(FormulaGuard.restore(guarded), field), "restore(neutralise(\(field.debugDescription)))")
    require(sameBytes(guarded, field) != FormulaGuard.needsGuard(field),
            "needsGuard disagrees with neutralise for \(field.debugDescription)")
    require(!FormulaGuard.needsGuard(field) || FormulaGuard.needsGuard(guarded),
            "a guarded cell must still be recognised as guarded: \(guarded.debugDescription)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let first = input.byte()
    let second = input.byte()
    let delimiter = delimiters[Int(first & 7)]
    let encoding: CSVEncoding = first & 8 == 0 ? .utf8 : .cp1252
    let chunkSize = Int(second & 15) + 1
    let maxFieldBytes = fieldLimits[Int(second >> 4 & 3)]
    let maxFields = fieldCountLimits[Int(second >> 6)]
    let bytes = input.rest()

    if let sniffed = CSVDelimiterSniffer.sniff(bytes) {
        require(CSVDelimiterSniffer.candidates.contains(sniffed) && bytes.contains(sniffed),
                "sniffed \(sniffed), which is not in the input")
    }

    var reader = CSVReader(bytes: bytes, delimiter: delimiter, encoding: encoding,
                           maxFieldBytes: maxFieldBytes, maxFields: maxFields)
    let expected = drain(&reader, inputLength: bytes.count)
    var previousLine = 0
    for record in expected.records {
        require(record.line > previousLine, "record line \(record.line) after \(previousLine)")
        require(!record.fields.isEmpty && record.fields.count <= maxFields, "\(record.fields.count) fields")
        previousLine = record.line
    }

    // A prefix length taken from the input itself, so every split point is reachable.
    let prefixLength = bytes.isEmpty ? 0 : Int(first >> 4) * bytes.count / 15
    let streamed = readStreaming(bytes, prefixLength: prefixLength, chunkSize: chunkSize, delimiter: delimiter,
                                 encoding: encoding, maxFieldBytes: maxFieldBytes, maxFields: maxFields)
    require(streamed == expected || knownFinding1(streamed, expected), "chunk size \(chunkSize), prefix \(prefixLength): \(streamed) != \(expected)")

    for record in expected.records {
        for field in record.fields { checkFormulaGuard(field) }
    }

    guard expected.error == nil else { return 0 }
    let writer = CSVWriter(delimiter: delimiter)
    var written: [UInt8] = []
    for record in expected.records { writer.append(record.fields, to: &written) }
    // Decoded text is UTF-8 now; a cp1252 field may have grown up to three times.
    var again = CSVReader(bytes: written, delimiter: delimiter, encoding: .utf8,
                          maxFieldBytes: .max, maxFields: .max)
    let reread = drain(&again, inputLength: written.count)
    require(reread.error == nil, "written CSV does not read back: \(reread.error!)")
    require(reread.records.count == expected.records.count,
            "\(expected.records.count) records written, \(reread.records.count) read back")
    for (index, (original, copy)) in zip(expected.records, reread.records).enumerated() {
        require(sameBytes(original.fields, copy.fields) || (index == 0 && knownFinding2(original.fields, copy.fields)),
                "fields \(original.fields) read back as \(copy.fields)")
    }
    return 0
}
