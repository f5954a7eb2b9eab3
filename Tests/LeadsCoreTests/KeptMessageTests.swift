import Testing
@testable import LeadsCore

/// Which kept (unmatched) messages name a person: the rule erasure and subject access share.
@Suite struct KeptMessageTests {
    func kept(_ text: String) -> KeptMessage { KeptMessage(key: "k", bytes: Array(text.utf8)) }

    @Test(arguments: [
        "From: Jane <Jane.Doe+Shop@GoogleMail.com>\nSubject: a\n\nhi\n",           // header, gmail spelling
        "From: x@y.example\nTo: other@y.example,\n JANEDOE@gmail.com\nSubject: a\n\nhi\n", // folded To, case
        "From: x@y.example\nCc: <janedoe@gmail.com>\n\nhi\n",
        "From: x@y.example\nReply-To: janedoe@gmail.com\n\nhi\n",
        "From: x@y.example\nSender: janedoe@gmail.com\n\nhi\n",
        "From: x@y.example\nBcc: janedoe@gmail.com\n\nhi\n",
        "From: x@y.example\n\nplease write to JaneDoe@Gmail.com.\n",                 // written in the text, a full stop after it
        "From: x@y.example\n\n(mail:<Jane.Doe@gmail.com>)\n",                          // in brackets, gmail's dots
        "From: x@y.example\nContent-Transfer-Encoding: base64\n\ncGxlYXNlIHdyaXRlIHRvIGphbmVkb2VAZ21haWwuY29t\n", // base64 text
        "From: x@y.example\nContent-Type: multipart/mixed\n\nno boundary: janedoe@gmail.com\n", // unreadable, raw bytes
    ])
    func namesThePerson(_ text: String) {
        #expect(kept(text).names(anyOf: ["janedoe@gmail.com"]), "\(text)")
    }

    @Test(arguments: [
        "From: Jane Doe <jane.doe@example.com>\nSubject: Jane Doe, +49 30 1234567\n\nJane Doe\n", // name, phone: not matched
        "From: x@y.example\n\nwrite to jane@gmail.org\n",                                  // another address
        "From: x@y.example\n\nwrite to xjanedoe@gmail.com or janedoe@gmail.community\n",    // longer ones containing it
        "From: x@y.example\n\nnothing\n",
    ])
    func doesNotNameThePerson(_ text: String) {
        #expect(!kept(text).names(anyOf: ["janedoe@gmail.com", "+49 30 1234567", "Jane Doe"]), "\(text)")
    }

    @Test func theAddressesAreCollectedFromHeadersAndText() {
        let message = kept("From: A <a@b.example>\nCc: C@D.example\n\nsee ..e.f@g.example, or h@i.example.\n@ alone, x@ and @y\n")
        #expect(message.addresses == ["a@b.example", "c@d.example", "e.f@g.example", "h@i.example"])
    }

    @Test func noAddressNamesNobody() {
        #expect(!kept("From: a@b.example\n\na@b.example\n").names(anyOf: []))
        #expect(kept("From: a@b.example\n\n\n").message != nil)
        #expect(kept("From: a@b.example\nContent-Type: multipart/mixed\n\nx\n").message == nil)
    }
}
