// Fuzz target `json`: JSONReader, JSONWriter (lead files are read from disk and may have
// been edited by hand).
//
// Input: the document.
//
// Invariants:
// - a parsed value survives the writer: parse(compact(v)) == v, parse(pretty(v)) == v, and
//   both outputs are the same bytes when written again;
// - skipValue accepts exactly what readValue accepts, and fails with the same error;
// - an error's line and column are those of its offset, which lies within the input;
// - reading the document as a range of a larger buffer gives the same result, with offsets
//   and lines shifted by what precedes it;
// - a smaller depth limit gives the same value or `tooDeep`.

import LeadsCore

private func parsed(_ bytes: [UInt8], maxDepth: Int = 256) -> Result<JSONValue, JSONError> {
    do { return .success(try JSONReader.parse(bytes, maxDepth: maxDepth)) } catch { return .failure(error) }
}

private func skipped(_ bytes: [UInt8]) -> JSONError? {
    var reader = JSONReader(bytes)
    do {
        try reader.skipValue()
        try reader.finish()
        return nil
    } catch {
        return error
    }
}

/// The document after a first line of `x`, read through `range`.
private func parsedAfterALine(_ bytes: [UInt8]) -> Result<JSONValue, JSONError> {
    let buffer = Array("x\n".utf8) + bytes
    var reader = JSONReader(buffer, range: 2..<buffer.count)
    do {
        let value = try reader.readValue()
        try reader.finish()
        return .success(value)
    } catch {
        return .failure(error)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = parsed(bytes)
    switch result {
    case .success(let value):
        require(skipped(bytes) == nil, "skipValue refuses what readValue reads: \(skipped(bytes)!)")
        let compact = JSONWriter.compact(value)
        let pretty = JSONWriter.pretty(value)
        require(parsed(compact) == .success(value), "compact form does not read back: \(parsed(compact))")
        require(parsed(pretty) == .success(value), "pretty form does not read back: \(parsed(pretty))")
        if case .success(let again) = parsed(compact) {
            require(JSONWriter.compact(again) == compact, "compact output is not stable")
            require(JSONWriter.pretty(again) == pretty, "pretty output is not stable")
        }
        switch parsed(bytes, maxDepth: 2) {
        case .success(let shallow): require(shallow == value, "depth limit changed the value")
        case .failure(let error): require(error.reason == .tooDeep(limit: 2), "depth limit 2 gave \(error)")
        }
    case .failure(let error):
        require(error.offset >= 0 && error.offset <= bytes.count, "offset \(error.offset) of \(bytes.count)")
        let (line, column) = JSONError.position(of: error.offset, in: bytes)
        require(error.line == line && error.column == column,
                "\(error) but offset \(error.offset) is at \(line):\(column)")
        require(skipped(bytes) == error, "readValue: \(error), skipValue: \(String(describing: skipped(bytes)))")
    }
    switch (result, parsedAfterALine(bytes)) {
    case (.success(let a), .success(let b)):
        require(a == b, "reading through a range changed the value")
    case (.failure(let a), .failure(let b)):
        var shifted = a
        shifted.offset += 2
        shifted.line += 1
        require(b == shifted, "through a range: \(b), alone: \(a)")
    case (let a, let b):
        fatalError("invariant violated: through a range: \(b), alone: \(a)")
    }
    return 0
}
