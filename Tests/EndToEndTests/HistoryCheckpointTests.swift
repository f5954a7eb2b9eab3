import Foundation
@testable import LeadsCore
import LeadsTestSupport
import Testing

/// The history checkpoint (.index/history) must give exactly the answers of replaying the
/// whole log (LEADS_INDEX=off), whatever was done to the log or the checkpoint since.
@Suite struct HistoryCheckpointTests {
    static let questions: [[String]] = [
        ["pipeline", "--json", "--as-of", "2026-03-01"], ["pipeline", "--csv", "--by", "owner", "--all", "--as-of", "2026-05-15T12:00:00Z"],
        ["pipeline", "--json", "--explain", "--as-of", "2027-01-01"],
        ["report", "funnel", "--json"], ["report", "velocity", "--csv"], ["report", "lost", "--json"],
        ["report", "winrate", "--json", "--by", "owner"], ["report", "accuracy", "--json"],
    ]

    func expectSameAnswers(_ year: ScriptedYear, sourceLocation: SourceLocation = #_sourceLocation) {
        for question in Self.questions {
            let env: [String: String?] = ["LEADS_NOW": year.now]
            let checkpointed = year.box.run(question, env: env)
            var off = env
            off["LEADS_INDEX"] = "off"
            let full = year.box.run(question, env: off)
            #expect(checkpointed.status == full.status, "\(question)", sourceLocation: sourceLocation)
            #expect(checkpointed.stdout == full.stdout, "\(question)", sourceLocation: sourceLocation)
            #expect(checkpointed.stderr == full.stderr, "\(question)", sourceLocation: sourceLocation)
            if full.status == 0 { #expect(!full.stdout.isEmpty, "\(question)", sourceLocation: sourceLocation) }
        }
    }

    /// A few months of a team's changes through every write path.
    func year(steps: Int = 120) -> ScriptedYear {
        var year = ScriptedYear(box: Sandbox())
        work(&year, steps: steps)
        return year
    }

    func work(_ year: inout ScriptedYear, steps: Int) {
        for _ in 0..<steps {
            year.tick()
            if year.random.below(3) == 0 { year.add() } else { year.change() }
        }
    }

    var path: (Sandbox) -> String { { $0.dir + "/.index/history" } }
    var logPath: (Sandbox) -> String { { $0.dir + "/activity.log" } }

    /// Dates the checkpoint after the log's last change, so that its stat shortcut holds
    /// although the log was written a moment ago.
    func trust(_ box: Sandbox) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: path(box))
    }

    func header(_ box: Sandbox) throws -> [UInt64] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(box)))
        return data.withUnsafeBytes { raw in (0..<HistoryCheckpoint.headerWords).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) } }
    }

    @Test func answersEqualTheWholeReplayAsTheLogGrows() throws {
        var year = year()
        let box = year.box
        #expect(!FileManager.default.fileExists(atPath: path(box)))
        expectSameAnswers(year)                     // none, then written, then racy: the content test
        let size = try #require(FileManager.default.attributesOfItem(atPath: logPath(box))[.size] as? Int)
        #expect(try header(box)[5] == UInt64(size))  // it covers the whole log
        try trust(box)
        expectSameAnswers(year)                     // the stat shortcut
        // Touched, not changed: the content test holds, and the checkpoint written anew
        // still names the last record it covers (else its shortcut could never hold).
        let before = try header(box)
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: logPath(box))
        expectSameAnswers(year)
        let after = try header(box)
        #expect(after[5...11] == before[5...11])
        #expect(after[3] != before[3])               // it describes the touched log
        work(&year, steps: 40)                      // the log grew: the checkpoint's records, then the new ones
        expectSameAnswers(year)
        let grown = try #require(FileManager.default.attributesOfItem(atPath: logPath(box))[.size] as? Int)
        #expect(grown > size)
        #expect(try header(box)[5] == UInt64(grown))  // rewritten to cover what was added
        try trust(box)
        expectSameAnswers(year)
        try FileManager.default.removeItem(atPath: path(box))
        expectSameAnswers(year)
    }

    @Test func theCheckpointIsReallyWhatAnswers() throws {
        let year = year()
        let box = year.box
        #expect(box.run(["report", "funnel"], env: ["LEADS_NOW": year.now]).status == 0)
        // Re-encode the checkpoint without the records of one lead, its header kept: the
        // file is consistent, checksums included, and describes this log — so the answer
        // now misses that lead, which shows the checkpoint is what answered.
        let data = try Data(contentsOf: URL(fileURLWithPath: path(box)))
        let words = try header(box)
        let stream = Array(data[(8 * HistoryCheckpoint.headerWords)...])
        var decoder = StreamDecoder()
        var transitions: [LeadTransition] = []
        for frame in frames(of: stream) {
            #expect(try decoder.decode(frame: frame) { transitions.append($0) })
        }
        #expect(transitions.count > 100)
        let dropped = try #require(transitions.first { $0.after.snapshot?.value != nil }?.lead)
        let recorder = HistoryRecorder()
        for t in transitions where t.lead != dropped { recorder.add(t) }
        let newStream = recorder.finish()
        var newHeader = Array(words[0..<21]) + [UInt64(newStream.count)] + recorder.partHashes.flatMap(\.words)
        newHeader.append(LeadLogIndex.checksum(newHeader[...]))
        try (newHeader.map(\.littleEndian).withUnsafeBytes { Data($0) } + Data(newStream)).write(to: URL(fileURLWithPath: path(box)))
        try trust(box)
        let question = ["pipeline", "--json", "--explain", "--all", "--as-of", year.now]
        let checkpointed = box.run(question, env: ["LEADS_NOW": year.now])
        let full = box.run(question, env: ["LEADS_NOW": year.now, "LEADS_INDEX": "off"])
        #expect(checkpointed.status == 0)
        #expect(checkpointed.stdout != full.stdout)
    }

    @Test func aDamagedOrForeignCheckpointIsNotUsed() throws {
        let year = year()
        let box = year.box
        expectSameAnswers(year)
        let good = try Data(contentsOf: URL(fileURLWithPath: path(box)))
        // One flipped bit in the stream: its hash no longer fits.
        var flipped = good
        flipped[flipped.count - 3] ^= 0x10
        try flipped.write(to: URL(fileURLWithPath: path(box)))
        try trust(box)
        expectSameAnswers(year)
        // One flipped bit in the header: its checksum no longer fits.
        flipped = good
        flipped[8 * 6] ^= 0x01
        try flipped.write(to: URL(fileURLWithPath: path(box)))
        try trust(box)
        expectSameAnswers(year)
        // Torn, and garbage of the right length.
        try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: path(box)))
        try trust(box)
        expectSameAnswers(year)
        try Data(repeating: 0x41, count: good.count).write(to: URL(fileURLWithPath: path(box)))
        try trust(box)
        expectSameAnswers(year)
        // A whole checkpoint of another store's log is not this log's.
        let other = self.year(steps: 60)
        #expect(other.box.run(["report", "lost"], env: ["LEADS_NOW": other.now]).status == 0)
        try FileManager.default.removeItem(atPath: path(box))
        try FileManager.default.copyItem(atPath: path(other.box), toPath: path(box))
        try trust(box)
        expectSameAnswers(year)
    }

    /// A checkpoint that is the log's whole has its stream checked by the readers of its
    /// two parts as they decode them (OpenCheckpoint.streamChecked): a changed byte in
    /// either part, or a frame moved to the other part, is found by every question, which
    /// answers as the whole replay and writes a good checkpoint again.
    @Test func eachPartsReaderFindsAChangedByteOfItsPart() throws {
        let year = year()
        let box = year.box
        expectSameAnswers(year)
        let good = try Data(contentsOf: URL(fileURLWithPath: path(box)))
        let start = 8 * HistoryCheckpoint.headerWords
        var places: [(part: UInt8, at: Int)] = []
        var position = start
        while position < good.count {
            let count = (0..<4).reduce(0) { $0 | Int(good[position + $1]) << (8 * $1) }
            places.append((good[position + 4], position))
            position += 4 + count
        }
        #expect(Set(places.map(\.part)) == [0, 1])
        for part: UInt8 in [0, 1] {
            let frame = try #require(places.first { $0.part == part }).at
            let count = (0..<4).reduce(0) { $0 | Int(good[frame + $1]) << (8 * $1) }
            // A byte of its items, the last one, and its part's number.
            for (at, bits) in [(frame + 5 + count / 2, UInt8(0x04)), (frame + 3 + count, 0x01), (frame + 4, 0x01)] as [(Int, UInt8)] {
                for question in Self.questions {
                    var damaged = good
                    damaged[at] ^= bits
                    try damaged.write(to: URL(fileURLWithPath: path(box)))
                    try trust(box)
                    let env: [String: String?] = ["LEADS_NOW": year.now]
                    let checked = box.run(question, env: env)
                    var off = env
                    off["LEADS_INDEX"] = "off"
                    let full = box.run(question, env: off)
                    #expect(checked.status == full.status && checked.stdout == full.stdout && checked.stderr == full.stderr,
                            "part \(part), byte \(at), \(question)")
                    #expect(try Data(contentsOf: URL(fileURLWithPath: path(box))) != damaged, "part \(part), byte \(at), \(question)")
                }
            }
        }
    }

    /// `report accuracy` folds the leads of each of the checkpoint's parts apart (leads 1
    /// and 3 in one, 2 in the other), from the log too: a sum that overflows in a part but
    /// not in the whole, or that overflows in a part at another lead than in the whole's
    /// order, gives the whole's answer, hand-checked (a part's: lead 3).
    @Test func accuracySumsBeyondTheRangeInOnePartAnswerAsTheWhole() throws {
        for (second, answer) in [("-900000000000000", "2026-04  EUR                    3  900000000000000.00"),
                                 ("100000000000000", "leads: lead 2: its EUR value takes a sum beyond the exact range")] {
            let box = Sandbox()
            for (name, value) in [("A", "900000000000000"), ("B", second), ("C", "900000000000000")] {
                #expect(box.run(["add", name, "--value=" + value, "--probability", "100", "--close", "2026-04-20"],
                                env: ["LEADS_NOW": "2026-02-01T09:00:00Z"]).status == 0)
            }
            let question = ["report", "accuracy", "--since", "2026-03-01"]
            let env: [String: String?] = ["LEADS_NOW": "2026-05-10T09:00:00Z"]
            var off = env
            off["LEADS_INDEX"] = "off"
            let whole = box.run(question, env: off)
            #expect((whole.stdout + whole.stderr).contains(answer), "\(whole.stdout)\(whole.stderr)")
            // Without a checkpoint (each part's fold fed from the log), with one written a
            // moment ago, and with one trusted (the parts on two cores).
            for round in 0..<3 {
                if round == 2 { try trust(box) }
                let parted = box.run(question, env: env)
                #expect(parted.status == whole.status && parted.stdout == whole.stdout && parted.stderr == whole.stderr, "round \(round)")
            }
        }
    }

    @Test func handEditsOfTheLog() throws {
        let year = year()
        let box = year.box
        expectSameAnswers(year)
        try trust(box)
        let stamp = try FileManager.default.attributesOfItem(atPath: logPath(box))[.modificationDate] as! Date
        var lines = try String(contentsOfFile: logPath(box), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        // An early record changed in place to the same size (a stage moved), the
        // modification time put back: the change time gives it away, then the content.
        let index = try #require(lines.indices.first { $0 < lines.count / 2 && lines[$0].contains("\"stage\":\"new\"") })
        lines[index] = lines[index].replacingOccurrences(of: "\"stage\":\"new\"", with: "\"stage\":\"won\"")
        try lines.joined(separator: "\n").write(toFile: logPath(box), atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: logPath(box))
        expectSameAnswers(year)

        // Cut short of what the checkpoint covers.
        try trust(box)
        try lines.dropLast(12).joined(separator: "\n").appending("\n").write(toFile: logPath(box), atomically: false, encoding: .utf8)
        expectSameAnswers(year)

        // A bad line after what the checkpoint covers is named by its number in the log.
        try trust(box)
        let count = try String(contentsOfFile: logPath(box), encoding: .utf8).split(separator: "\n").count
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath(box)))
        handle.seekToEndOfFile()
        handle.write(Data("{\"ts\":\"2026-12-01T00:00:00Z\",\"lead\":\n".utf8))
        try handle.close()
        let bad = box.run(["report", "funnel"], env: ["LEADS_NOW": year.now])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("activity.log:\(count + 1):"), "\(bad.stderr)")
        expectSameAnswers(year)
    }
}

/// Each lead's transitions, in their order: what a checkpoint keeps of the log's order.
func byLead(_ transitions: [LeadTransition]) -> [Int: [LeadTransition]] {
    Dictionary(grouping: transitions, by: \.lead)
}

/// A checkpoint stream's frames (HistoryCheckpoint.swift: a 32-bit little-endian length,
/// then that many bytes), each checked to lie inside the stream.
func frames(of stream: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> [ArraySlice<UInt8>] {
    var frames: [ArraySlice<UInt8>] = []
    var position = 0
    while position < stream.count {
        guard stream.count - position >= 4 else {
            Issue.record("a frame length cut short at \(position)", sourceLocation: sourceLocation)
            break
        }
        let count = (0..<4).reduce(0) { $0 | Int(stream[position + $1]) << (8 * $1) }
        guard count <= stream.count - position - 4 else {
            Issue.record("a frame of \(count) bytes past the stream's end at \(position)", sourceLocation: sourceLocation)
            break
        }
        frames.append(stream[(position + 4)..<(position + 4 + count)])
        position += 4 + count
    }
    return frames
}

/// The checkpoint's parts on their own.
@Suite struct HistoryCheckpointPartsTests {
    @Test func thePrefixHashIsTheSameHoweverTheBytesAreSplit() {
        var random = SplitMix64(seed: 7)
        let bytes = (0..<1000).map { _ in UInt8(random.below(256)) }
        var whole = PrefixHash()
        whole.update(bytes)
        for _ in 0..<200 {
            var cuts = [0, bytes.count] + (0..<3).map { _ in random.below(bytes.count + 1) }
            cuts.sort()
            var pieces = PrefixHash()
            for (a, b) in zip(cuts, cuts.dropFirst()) { pieces.update(Array(bytes[a..<b])) }
            #expect(pieces == whole)
            #expect(PrefixHash(words: pieces.words[...]) == whole)
        }
    }

    @Test func anyChangedByteOrLengthChangesThePrefixHash() {
        var random = SplitMix64(seed: 8)
        let bytes = (0..<333).map { _ in UInt8(random.below(256)) }
        var original = PrefixHash()
        original.update(bytes)
        for i in bytes.indices {
            var changed = bytes
            changed[i] ^= UInt8(1 + random.below(255))
            var hash = PrefixHash()
            hash.update(changed)
            #expect(hash != original, "byte \(i)")
        }
        var shorter = PrefixHash()
        shorter.update(Array(bytes.dropLast()))
        #expect(shorter != original)
        var longer = PrefixHash()
        longer.update(bytes + [0])
        #expect(longer != original)
        // A saved state whose bytes short of a stripe are not zero is not one `update` made.
        var words = original.words
        words[8] |= 1 << 63
        #expect(PrefixHash(words: words[...]) == nil)
    }

    @Test func transitionsRoundTripThroughTheStream() throws {
        let a = LeadSnapshot(stage: "proposal", createdAt: Timestamp(seconds: 1_767_225_600))
        var b = a
        b.value = Money(amount: Amount(units: -123_456_789), currency: "EUR")
        b.probability = 0
        b.expectedClose = CalendarDate(year: 2027, month: 2, day: 28)
        b.owner = "zoë"
        b.labels = ["hot", "b2b", "hot"]
        b.source = ""
        b.campaign = "spring"
        b.nextDue = .instant(Timestamp(seconds: 1_700_000_000))
        var c = b
        c.nextDue = .day(CalendarDate(year: 1, month: 1, day: 1)!)
        c.value = Money(amount: Amount(units: Int64.max), currency: "JPY")
        c.probability = 100
        let transitions = [
            LeadTransition(time: Timestamp(seconds: 1_767_225_600), lead: 1, action: "add", user: "alice", before: .absent, after: .known(a)),
            LeadTransition(time: Timestamp(seconds: 1_767_225_500), lead: 900_000, action: "note", user: "bob", before: .known(b), after: .known(b)),
            // A note on a lead with a state (after as before it), then a change of it (before as before it).
            LeadTransition(time: Timestamp(seconds: 1_767_225_601), lead: 1, action: "note", user: "bob", before: .known(a), after: .known(a)),
            LeadTransition(time: Timestamp(seconds: 1_767_225_602), lead: 1, action: "set", user: "bob", before: .known(a), after: .known(c)),
            LeadTransition(time: Timestamp(seconds: 1_767_225_603), lead: 1, action: "note", user: "bob", before: .known(c), after: .known(c)),
            LeadTransition(time: Timestamp(seconds: 0), lead: 2, action: "set", user: "alice", before: .known(b), after: .known(c)),
            LeadTransition(time: Timestamp(seconds: 253_402_300_799), lead: 2, action: "delete", user: "", before: .known(c), after: .absent),
            LeadTransition(time: Timestamp(seconds: -5), lead: -3, action: "import", user: "carol", before: .absent, after: .unknown),
            LeadTransition(time: Timestamp(seconds: 10), lead: 3, action: "status", user: "carol", before: .unknown, after: .unknown),
        ]
        // Twice over, the second time resumed after the first as a grown checkpoint is.
        let first = HistoryRecorder()
        for t in transitions { first.add(t) }
        let stream = first.finish()
        var decoder = StreamDecoder()
        var decoded: [LeadTransition] = []
        let second = HistoryRecorder()
        for frame in frames(of: stream) {
            second.append(frame: frame)
            #expect(try decoder.decode(frame: frame) { decoded.append($0) })
        }
        #expect(byLead(decoded) == byLead(transitions))
        // Two parts, each in a frame of its own here: a lead's in its part's.
        #expect(frames(of: stream).map(\.first) == [0, 1])
        #expect(decoded.map(\.lead) == transitions.map(\.lead).filter { $0 & 1 == 0 } + transitions.map(\.lead).filter { $0 & 1 == 1 })
        second.resume(after: decoder.parts)
        for t in transitions.reversed() { second.add(t) }
        let longer = second.finish()
        var again = StreamDecoder()
        var all: [LeadTransition] = []
        for frame in frames(of: longer) {
            #expect(try again.decode(frame: frame) { all.append($0) })
        }
        #expect(byLead(all) == byLead(transitions + transitions.reversed()))
        // A frame cut short does not decode, nor one of a part that is not there.
        var cut = StreamDecoder()
        #expect(try cut.decode(frame: stream[4..<(stream.count - 2)]) { _ in } == false)
        var foreign = StreamDecoder()
        var other = Array(frames(of: stream)[0])
        other[0] = 2
        #expect(try foreign.decode(frame: other[...]) { _ in } == false)
    }

    /// A decoder asked for some fields hands out each snapshot with exactly those (and the
    /// stage), the others empty; snapshots of the stage and texts only are shared.
    @Test func partialDecodingKeepsExactlyTheFieldsAskedFor() throws {
        let a = LeadSnapshot(stage: "proposal", value: Money(amount: Amount(units: 5_000_000), currency: "EUR"), probability: 40,
                             expectedClose: CalendarDate(year: 2027, month: 2, day: 28), owner: "zoë", labels: ["hot", "b2b"],
                             source: "web", campaign: "spring", nextDue: .day(CalendarDate(year: 2027, month: 1, day: 2)!),
                             createdAt: Timestamp(seconds: 1_767_225_000))
        var b = a
        b.owner = nil
        b.nextDue = .instant(Timestamp(seconds: 1_767_300_000))
        b.createdAt = Timestamp(seconds: 1_767_100_000)
        var c = a
        c.stage = "won"
        c.labels = []
        let transitions = [
            LeadTransition(time: Timestamp(seconds: 1_767_225_600), lead: 1, action: "add", user: "alice", before: .absent, after: .known(a)),
            LeadTransition(time: Timestamp(seconds: 1_767_225_700), lead: 2, action: "import", user: "bob", before: .absent, after: .known(b)),
            LeadTransition(time: Timestamp(seconds: 1_767_225_800), lead: 1, action: "note", user: "bob", before: .known(a), after: .known(a)),
            LeadTransition(time: Timestamp(seconds: 1_767_225_900), lead: 1, action: "status", user: "bob", before: .known(a), after: .known(c)),
            LeadTransition(time: Timestamp(seconds: 1_767_226_000), lead: 3, action: "add", user: "bob", before: .absent, after: .known(a)),
            LeadTransition(time: Timestamp(seconds: 1_767_226_100), lead: 2, action: "delete", user: "", before: .known(b), after: .absent),
        ]
        let recorder = HistoryRecorder()
        for t in transitions { recorder.add(t) }
        let stream = recorder.finish()
        func project(_ s: LeadSnapshot, _ f: ReplayFields) -> LeadSnapshot {
            LeadSnapshot(stage: s.stage, value: f.contains(.value) ? s.value : nil, probability: f.contains(.probability) ? s.probability : nil,
                         expectedClose: f.contains(.close) ? s.expectedClose : nil, owner: f.contains(.owner) ? s.owner : nil,
                         labels: f.contains(.labels) ? s.labels : [], source: f.contains(.source) ? s.source : nil,
                         campaign: f.contains(.campaign) ? s.campaign : nil, nextDue: f.contains(.due) ? s.nextDue : nil,
                         createdAt: f.contains(.created) ? s.createdAt : Timestamp(seconds: 0))
        }
        func project(_ state: LeadState, _ f: ReplayFields) -> LeadState {
            state.snapshot.map { .known(project($0, f)) } ?? state
        }
        let choices: [ReplayFields] = [[], .owner, .source, .campaign, [.owner, .campaign], .labels, .due, .created,
                                       ReplayFields(leadsReading: []), ReplayFields(leadsReading: [.labels, .reminders, .owner]),
                                       ReplayFields(leadsReading: .name), .all]
        for fields in choices {
            var decoder = StreamDecoder(fields: fields)
            var decoded: [LeadTransition] = []
            for frame in frames(of: stream) {
                #expect(try decoder.decode(frame: frame) { decoded.append($0) })
            }
            let expected = transitions.map {
                LeadTransition(time: $0.time, lead: $0.lead, action: $0.action, user: $0.user,
                               before: project($0.before, fields), after: project($0.after, fields))
            }
            #expect(byLead(decoded) == byLead(expected), "\(fields)")
        }
        #expect(ReplayFields(leadsReading: .name) == .all)
        #expect(ReplayFields.stage(groupedBy: nil) == [])
        #expect(ReplayFields.stage(groupedBy: .campaign) == .campaign)
    }
}
