import Foundation
import LeadsTestSupport
import Testing
@testable import LeadsCore

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func unhex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return out
}

@Suite struct SHA256Tests {
    /// FIPS 180-2 appendix B and the NIST CSRC example values for SHA-256.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func publishedVectors(input: String, digest: String) {
        #expect(hexString(SHA256.hash(bytes(input))) == digest)
    }

    @Test func millionAs() {
        var hasher = SHA256()
        // In uneven pieces, so the block buffering across updates is exercised too.
        var left = 1_000_000
        var piece = 1
        while left > 0 {
            let n = min(piece, left)
            hasher.update([UInt8](repeating: 0x61, count: n))
            left -= n
            piece = piece * 3 % 997 + 1
        }
        #expect(hexString(hasher.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every length around the padding boundaries (55, 56, 63, 64 bytes…), against an
    /// independent implementation: Python's hashlib.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is missing: .ci/run installs it"))
    func agreesWithPythonHashlib() throws {
        var random = SplitMix64(seed: 180_4)
        var inputs: [[UInt8]] = (0...200).map { n in (0..<n).map { _ in UInt8(random.below(256)) } }
        inputs.append((0..<5000).map { _ in UInt8(random.below(256)) })
        let script = "import hashlib,sys\nfor line in sys.stdin:\n    print(hashlib.sha256(bytes.fromhex(line.strip())).hexdigest())\n"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let text = inputs.map { hexString($0) + "\n" }.joined()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let expected = answer.split(separator: "\n").map(String.init)
        #expect(expected.count == inputs.count)
        for (input, digest) in zip(inputs, expected) {
            #expect(hexString(SHA256.hash(input)) == digest, "length \(input.count)")
        }
    }
}

@Suite struct HMACSHA256Tests {
    /// RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (5 is a truncated output).
    @Test(arguments: [
        (String(repeating: "0b", count: 20), hexString(bytes("Hi There")),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (hexString(bytes("Jefe")), hexString(bytes("what do ya want for nothing?")),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (String(repeating: "aa", count: 20), String(repeating: "dd", count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (String(repeating: "aa", count: 131), hexString(bytes("Test Using Larger Than Block-Size Key - Hash Key First")),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (String(repeating: "aa", count: 131),
         hexString(bytes("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.")),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func rfc4231(key: String, data: String, mac: String) {
        #expect(hexString(HMACSHA256.authenticate(unhex(data), key: unhex(key))) == mac)
    }
}
