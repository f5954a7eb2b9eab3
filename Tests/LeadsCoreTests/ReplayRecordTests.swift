import Foundation
import Testing
@testable import LeadsCore

/// The history reports read log lines the fast way (`ReplayRecord`, straight from the
/// bytes) and fall back to `ActivityEntry` for anything it does not take. Both ways must
/// give the same transitions, and a bad line the same positioned error.
@Suite struct ReplayRecordTests {
    /// Each line's transitions, once the fast way and once the full way, through two
    /// histories fed the same lines (so `last` is exercised too).
    func bothWays(_ lines: [String]) throws {
        var fast = LeadHistory(), full = LeadHistory()
        var texts = ReplayTexts()
        for (number, text) in lines.enumerated() {
            let bytes = Array(text.utf8)
            let viaEntry: Result<LeadTransition?, JSONError> = Result { () throws(JSONError) in
                full.transition(for: try ActivityEntry(line: bytes))
            }
            let viaBytes: Result<LeadTransition?, JSONError> = bytes.withUnsafeBufferPointer { buf in
                Result { () throws(JSONError) in fast.transition(for: try ReplayRecord.parse(buf, &texts)) }
            }
            #expect(viaBytes == viaEntry, "line \(number + 1): \(text)")
        }
    }

    static let state = #"{"campaign":"spring","close":"2026-03-15","created":"2026-01-10T12:00:00Z","currency":"EUR","labels":["b2b","vip"],"owner":"ann","probability":40,"source":"web","stage":"new","value":"1000.50"}"#

    @Test func plainRecordsAgree() throws {
        let s = Self.state
        try bothWays([
            #"{"action":"add","created":true,"format":2,"lead":1,"prev":"x","state":\#(s),"time":"2026-01-10T12:00:00Z","user":"ann"}"#,
            #"{"action":"status","format":2,"lead":1,"old":{"stage":"new"},"state":\#(s.replacingOccurrences(of: "\"new\"", with: "\"won\"")),"time":"2026-01-11T12:00:00Z","user":"ann"}"#,
            #"{"action":"set","format":2,"lead":1,"old":{"value":null,"currency":null,"labels":null,"probability":null,"due":"2026-02-01"},"state":\#(s),"time":"2026-01-12T12:00:00Z","user":"ann"}"#,
            #"{"action":"note","format":2,"lead":1,"note":{"n":[1,2,{"x":null}]},"state":\#(s),"time":"2026-01-13T12:00:00Z","user":"bob"}"#,
            #"{"action":"recover","format":2,"lead":1,"state":\#(s),"time":"2026-01-14T12:00:00Z","user":"ann"}"#,
            #"{"action":"delete","format":2,"lead":1,"time":"2026-01-15T12:00:00Z","user":"ann"}"#,
            #"{"action":"recover","format":2,"lead":1,"state":\#(s),"time":"2026-01-16T12:00:00Z","user":"ann"}"#,
            #"{"action":"add","lead":2,"time":"2025-01-10T12:00:00Z","user":"ann"}"#,
            #"{"action":"status","lead":2,"from":"new","to":"won","time":"2025-01-11T12:00:00Z","user":"ann"}"#,
            #"{"action":"chain-start","legacy-sha256":"ab","time":"2025-01-11T12:00:00Z","user":"ann"}"#,
            #"  { "time" : "2026-01-17T12:00:00Z" , "action":"set", "lead" : 3 , "format" : 2 , "state" : { "stage" : "new", "created" : "2026-01-17T12:00:00Z" } }  "#,
            #"{"action":"set","format":2,"lead":4,"state":{"stage":"caf\u00e9","created":"2026-01-17T12:00:00Z","owner":"J\u00fcrgen \"J\""},"time":"2026-01-17T12:00:00Z","user":"Jürgen"}"#,
        ])
    }

    @Test func oddValuesAgree() throws {
        let t = #""time":"2026-01-10T12:00:00Z""#
        try bothWays([
            // wrong types where a replay looks: user, lead, format, created, state, old
            #"{"action":"add","created":"yes","format":2,"lead":1,"state":\#(Self.state),\#(t),"user":7}"#,
            #"{"action":"add","format":"2","lead":"1","state":\#(Self.state),\#(t)}"#,
            #"{"action":"add","format":2.0,"lead":1.5,"state":\#(Self.state),\#(t)}"#,
            #"{"action":"add","format":2,"lead":1,"state":[1],\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"old":"x","state":\#(Self.state),\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"old":{"stage":null},"state":\#(Self.state),\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"old":{"value":"12"},"state":{"stage":"new","created":"2026-01-10T12:00:00Z"},\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"old":{"labels":["a",1]},"state":\#(Self.state),\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"old":{"probability":"5"},"state":\#(Self.state),\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"old":{"unknown":{"a":[true,false]}},"state":\#(Self.state),\#(t)}"#,
            // invalid snapshots: bad values, a lone currency, no stage
            #"{"action":"set","format":2,"lead":1,"state":{"stage":"new","created":"2026-01-10T12:00:00Z","value":"1.00001","currency":"EUR"},\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"state":{"stage":"new","created":"2026-01-10T12:00:00Z","currency":"EUR"},\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"state":{"created":"2026-01-10T12:00:00Z"},\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"state":{"stage":"new","created":"2026-01-10"},\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"state":{"stage":"new","created":"2026-01-10T12:00:00Z","close":"2026-02-30"},\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"state":{"stage":"new","created":"2026-01-10T12:00:00Z","due":"soon"},\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"state":{"stage":"new","created":"2026-01-10T12:00:00Z","owner":5},\#(t)}"#,
            #"{"action":"set","format":2,"lead":1,"state":{"stage":"new","created":"2026-01-10T12:00:00Z","labels":"vip"},\#(t)}"#,
            #"{"action":"set","format":1,"lead":1,"state":\#(Self.state),\#(t)}"#,
        ])
    }

    @Test func badLinesFailAlikeAndTheFastReadingRefusesThem() throws {
        let bad = [
            #"{"action":"add","lead":1,"lead":2,"time":"2026-01-10T12:00:00Z"}"#,          // duplicate key
            #"{"action":"add","lead":1,"time":"2026-01-10T12:00:00Z","state":{"stage":"a","stage":"b"}}"#,
            #"{"action":"add","lead":1,"time":"2026-01-10T12:00:00Z"} x"#,                   // trailing data
            #"{"action":"add","lead":01,"time":"2026-01-10T12:00:00Z"}"#,                    // bad number
            #"{"action":"add","lead":1,"time":"2026-01-10T12:00:00Z","x":"\ud800"}"#,        // lone surrogate
            #"{"action":"add","lead":1}"#,                                                   // no time
            #"{"action":"add","lead":1,"time":"yesterday"}"#,
            #"{"lead":1,"time":"2026-01-10T12:00:00Z"}"#,                                    // no action
            #"["action"]"#, "", "{",
        ]
        try bothWays(bad)
        for text in bad + ["{\"action\":\"add\",\"time\":\"2026-01-10T12:00:00Z\",\"x\":\"\u{01}\"}"] {
            let refused = Array(text.utf8).withUnsafeBufferPointer { ReplayRecord.read($0) == nil }
            #expect(refused, "\(text)")
        }
        // Invalid UTF-8 in a value the replay skips.
        var bytes = Array(#"{"action":"add","lead":1,"time":"2026-01-10T12:00:00Z","x":"ab"}"#.utf8)
        bytes[bytes.count - 3] = 0xFF
        #expect(bytes.withUnsafeBufferPointer { ReplayRecord.read($0) == nil })
    }

    /// Records as the store writes them, for random leads and changes.
    @Test func writtenRecordsAgree() throws {
        var random = SplitMix(seed: 20261202)
        var leads: [Int: Lead] = [:]
        var lines: [String] = []
        let stages = ["new", "contacted", "qualified", "won", "lost"]
        for step in 0..<400 {
            let time = Timestamp(seconds: 1_780_000_000 + Int64(step) * 3600)
            let id = Int(random.next() % 40) + 1
            var entry: ActivityEntry
            if let before = leads[id] {
                var after = before
                switch random.next() % 5 {
                case 0: after.stage = stages[Int(random.next() % 5)]
                case 1: after.value = random.next() % 3 == 0 ? nil : Money(amount: Amount(units: Int64(random.next() % 10_000_000)), currency: "EUR")
                case 2: after.owner = ["ann", "bob", nil][Int(random.next() % 3)]
                case 3: after.labels = random.next() % 2 == 0 ? [] : ["b2b", "hot"]
                default:
                    lines.append(String(decoding: ActivityEntry(time: time, user: "ann", action: .delete, lead: id).recordingDeletion().line.dropLast(), as: UTF8.self))
                    leads[id] = nil
                    continue
                }
                after.probability = random.next() % 4 == 0 ? Percent(hundredths: Int(random.next() % 10_001)) : before.probability
                entry = ActivityEntry(time: time, user: "bob", action: .set, lead: id).recording(from: before, to: after)
                leads[id] = after
            } else {
                var lead = Lead(id: id, name: "P", stage: stages[Int(random.next() % 3)], createdAt: time, createdBy: "ann")
                lead.source = "web"
                lead.expectedClose = CalendarDate(iso: "2026-07-01")
                entry = ActivityEntry(time: time, user: "ann", action: .add, lead: id).recording(from: nil, to: lead)
                leads[id] = lead
            }
            lines.append(String(decoding: entry.line.dropLast(), as: UTF8.self))
        }
        try bothWays(lines)
        // Every one of them is taken by the fast reading.
        for line in lines { #expect(Array(line.utf8).withUnsafeBufferPointer { ReplayRecord.read($0) != nil }) }
    }
}

/// SplitMix64, for reproducible records.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `replayLog` reads the next block on one core while it folds the block before on
/// another: its transitions must be those of the plain fold, in order, over logs of many
/// blocks, a line longer than a block, and a bad line, which stops it after every record
/// before it was visited.
@Suite struct ReplayLogTests {
    static let state = ReplayRecordTests.state

    func store(with log: String) throws -> (LeadStore, String) {
        var template = Array((NSTemporaryDirectory() + "leads-replay-XXXXXX").utf8CString)
        let path = String(cString: mkdtemp(&template)!)
        try log.write(toFile: path + "/activity.log", atomically: false, encoding: .utf8)
        let store = try LeadStore(path: path, actor: Actor(user: "ann", now: Timestamp(seconds: 1_795_000_000), command: "test"),
                                  lockTimeout: 0.2)
        return (store, path)
    }

    /// The fold of `LeadHistory` over the log's records, one line at a time.
    func plainFold(_ log: String) throws -> [LeadTransition] {
        var history = LeadHistory()
        var transitions: [LeadTransition] = []
        for line in log.split(separator: "\n") {
            if let t = history.transition(for: try ActivityEntry(line: Array(line.utf8))) { transitions.append(t) }
        }
        return transitions
    }

    /// About 3.5 MiB: four blocks and more, with one record of 1.5 MiB in the middle.
    static func longLog() -> String {
        var lines: [String] = []
        let stages = ["new", "contacted", "qualified", "won", "lost"]
        for i in 0..<9_000 {
            let lead = i % 700 + 1
            let stage = stages[i % stages.count]
            let state = state.replacingOccurrences(of: "\"new\"", with: "\"\(stage)\"")
            let time = "2026-01-\(String(format: "%02d", i % 28 + 1))T12:00:00Z"
            if i < 700 {
                lines.append(#"{"action":"add","created":true,"format":2,"lead":\#(lead),"state":\#(state),"time":"\#(time)","user":"ann"}"#)
            } else if i == 4_000 {
                let note = String(repeating: "x", count: 3 << 19)
                lines.append(#"{"action":"note","format":2,"lead":\#(lead),"note":"\#(note)","state":\#(state),"time":"\#(time)","user":"bob"}"#)
            } else {
                lines.append(#"{"action":"status","format":2,"lead":\#(lead),"old":{"stage":"new"},"state":\#(state),"time":"\#(time)","user":"ann"}"#)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func manyBlocksGiveThePlainFoldsTransitions() throws {
        let log = Self.longLog()
        #expect(log.utf8.count > 3 * LeadStore.logBlockSize)
        let (store, path) = try store(with: log)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var seen: [LeadTransition] = []
        try store.replayLog { seen.append($0) }
        let expected = try plainFold(log)
        #expect(seen.count == 9_000)
        #expect(seen == expected)
    }

    @Test func aBadLineStopsTheReplayAfterEverythingBeforeIt() throws {
        var lines = Self.longLog().split(separator: "\n").map(String.init)
        lines[7_500] = #"{"action":"status","lead":1,"time":"#  // cut off: not JSON
        let log = lines.joined(separator: "\n") + "\n"
        let (store, path) = try store(with: log)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var seen: [LeadTransition] = []
        #expect {
            try store.replayLog { seen.append($0) }
        } throws: { error in
            guard case .corrupt(let file, let positioned)? = error as? StoreError else { return false }
            return file == "activity.log" && positioned.line == 7_501
        }
        #expect(seen == (try plainFold(lines[..<7_500].joined(separator: "\n"))))
    }

    @Test func aVisitorsErrorStopsTheReplay() throws {
        struct Enough: Error {}
        let (store, path) = try store(with: Self.longLog())
        defer { try? FileManager.default.removeItem(atPath: path) }
        var count = 0
        #expect(throws: Enough.self) {
            try store.replayLog { _ in
                count += 1
                if count == 5_000 { throw Enough() }
            }
        }
        #expect(count == 5_000)
    }
}
