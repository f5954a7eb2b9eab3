// Fuzz target `mail`: MessageReader (what `leads mail` reads from any sender on the
// Internet) and the header decoders under it.
//
// Input: the message.
//
// Invariants:
// - reading never traps and returns a message or one of MessageReadError's cases;
// - CRLF and LF line ends give the same message (the reader turns CRLF into LF first);
// - a smaller part or depth limit gives the same message or exactly that limit's error;
// - no attachment is larger than the input (decoding only shrinks), and the part count
//   stays within the limit;
// - the decoders of every header field terminate on it (addresses, date, Message-ID,
//   parameters, encoded-words) and the filing rules' subject numbers are positive.

import LeadsCore

private func read(_ bytes: [UInt8], parts: Int = 1000, depth: Int = 50) -> Result<MailMessage, MessageReadError> {
    let reader = MessageReader(limits: .init(messageBytes: 1 << 20, lineBytes: 4096, parts: parts, depth: depth))
    do { return .success(try reader.read(bytes)) } catch { return .failure(error) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = read(bytes)
    if case .success(let message) = result {
        require(message.partCount >= 1 && message.partCount <= 1000, "part count \(message.partCount)")
        for attachment in message.attachments { require(attachment.bytes.count <= bytes.count, "an attachment larger than its message") }
        for header in message.headers {
            let text = String(decoding: header.raw, as: UTF8.self)
            _ = HeaderValues.addresses(text)
            _ = HeaderValues.date(text)
            _ = HeaderValues.messageID(text)
            _ = HeaderValues.parameters(text)
            _ = header.text
        }
        let numbers = MailFiling.subjectNumbers(message.subject ?? "")
        require((numbers.explicit + numbers.bare).allSatisfy { $0 > 0 }, "a lead number that is not positive")
        _ = MailFiling.noteText(message, attachments: [])
    }
    // LF only, and LF turned into CRLF: the same message either way.
    if !bytes.contains(0x0D) {
        var crlf: [UInt8] = []
        for byte in bytes {
            if byte == 0x0A { crlf.append(0x0D) }
            crlf.append(byte)
        }
        switch (result, read(crlf)) {
        case (.success(let a), .success(let b)):
            require(a.text == b.text && a.headers == b.headers && a.attachments == b.attachments, "CRLF changed the message")
        case (.failure(let a), .failure(let b)):
            // A line limit counts the CR too; every other error is the same.
            if case .lineTooLong = b {} else { require(a == b, "CRLF: \(b), LF: \(a)") }
        case (.success, .failure(let b)):
            if case .lineTooLong = b {} else { fatalError("invariant violated: CRLF fails with \(b), LF reads") }
        case (.failure(let a), .success):
            fatalError("invariant violated: CRLF reads, LF fails with \(a)")
        }
    }
    switch (result, read(bytes, parts: 3, depth: 2)) {
    case (.success(let a), .success(let b)):
        require(a == b, "smaller limits changed the message")
    case (_, .failure(let b)):
        switch b {
        case .tooManyParts(limit: 3), .tooDeep(limit: 2): break
        default:
            if case .failure(let a) = result { require(a == b, "smaller limits: \(b), default: \(a)") } else {
                fatalError("invariant violated: smaller limits fail with \(b)")
            }
        }
    case (.failure(let a), .success):
        if case .tooManyParts = a {} else if case .tooDeep = a {} else { fatalError("invariant violated: smaller limits read what the default refuses: \(a)") }
    }
    return 0
}
