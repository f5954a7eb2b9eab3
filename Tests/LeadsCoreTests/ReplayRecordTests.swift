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
        for (number, text) in lines.enumerated() {
            let bytes = Array(text.utf8)
            let viaEntry: Result<LeadTransition?, JSONError> = Result { () throws(JSONError) in
                full.transition(for: try ActivityEntry(line: bytes))
            }
            let viaBytes: Result<LeadTransition?, JSONError> = bytes.withUnsafeBufferPointer { buf in
                Result { () throws(JSONError) in try fast.transition(line: buf) }
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
                after.probability = random.next() % 4 == 0 ? Int(random.next() % 100) : before.probability
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
