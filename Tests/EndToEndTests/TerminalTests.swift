import Foundation
import Testing

/// What `leads` does differently on a terminal: colour, bars, tables cut to the window's
/// width, progress lines; and what it must never do into a pipe or with NO_COLOR.
@Suite struct TerminalTests {
    static let escape: UInt8 = 0x1B
    static let reset = "\u{1B}[0m"

    /// Leads that light up every styled output: an overdue follow-up (red rows), values
    /// for bars, a label, a note and history for show and log.
    static func colourful() -> Sandbox {
        let box = Sandbox()
        box.add("Alpha", "--company", "Acme", "--value", "1200", "--stage", "proposal", "--next", "2026-11-20",
                "--label", "hot", "--source", "fair", "--note", "first call")
        box.add("Beta", "--value", "300", "--owner", "bob", "--next", "+2d")
        box.add("Gamma")
        box.run("note", "1", "called", "--contacted")
        return box
    }

    static let styledCommands: [[String]] = [
        ["list"], ["list", "--all"], ["show", "1"], ["pipeline"], ["pipeline", "--by", "owner"], ["remind", "--due"],
        ["remind", "--list"], ["stages"], ["log"],
    ]

    // MARK: (a) no escape codes into a pipe, with NO_COLOR, or TERM=dumb

    @Test func noEscapeCodesIntoAPipe() {
        let box = Self.colourful()
        for arguments in Self.styledCommands {
            let result = box.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!result.stdout.isEmpty, "\(arguments) printed nothing")
            #expect(!result.stdoutBytes.contains(Self.escape), "\(arguments) wrote an escape code into a pipe")
            #expect(!result.stdout.contains("█"), "\(arguments) drew a bar into a pipe")
        }
    }

    @Test(arguments: [["NO_COLOR": "1"], ["NO_COLOR": ""], ["TERM": "dumb"]])
    func noEscapeCodesOnATerminalWhenColourIsOff(environment: [String: String]) throws {
        let box = Self.colourful()
        for arguments in Self.styledCommands {
            let result = try PseudoTerminal.run(box, arguments, columns: 100, environment: environment)
            #expect(result.status == 0)
            #expect(!result.terminal.isEmpty)
            #expect(!result.terminal.contains(Self.escape), "\(arguments) with \(environment) wrote an escape code")
            // Colour is off, the terminal is still a terminal: same text as into a pipe.
            #expect(result.text == box.run(arguments).stdout, "\(arguments) with \(environment)")
        }
    }

    // MARK: (b) colour when allowed; tables cut to the window's width

    @Test func colourAndBarsOnATerminal() throws {
        let box = Self.colourful()
        for arguments in Self.styledCommands where arguments != ["log"] {
            let text = try PseudoTerminal.run(box, arguments, columns: 100).text
            #expect(text.contains("\u{1B}[1m"), "\(arguments) has no bold header on a terminal")
            #expect(Self.balanced(text), "\(arguments) leaves a style open:\n\(text.debugDescription)")
            #expect(Self.plain(text) == box.run(arguments).stdout || arguments.first == "pipeline",
                    "\(arguments): the text differs from the pipe's beyond its styles")
        }
        #expect(try PseudoTerminal.run(box, ["list"], columns: 100).text.contains("\u{1B}[31m 1  Alpha"))  // overdue row in red
        let pipeline = try PseudoTerminal.run(box, ["pipeline"], columns: 100).text
        #expect(pipeline.contains("\u{1B}[36m████"))
    }

    /// Every styled stretch ends in a reset on the same line, so no colour runs on.
    static func balanced(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { !$0.contains("\u{1B}") || $0.hasSuffix(reset) }
    }

    @Test func tablesFitTheWindowAndCutWithAnEllipsis() throws {
        let box = Sandbox()
        let long = String(repeating: "N", count: 200)
        box.add(long, "--company", String(repeating: "C", count: 80), "--value", "99", "--next", "2026-11-01",
                "--source", String(repeating: "S", count: 90))
        box.add(String(repeating: "株式会社", count: 50), "--owner", String(repeating: "o", count: 70))  // 400 columns wide
        box.add("Short")
        box.run("remind", "1", "2026-11-02", String(repeating: "T", count: 150))
        let commands: [[String]] = [["list"], ["list", "--all"], ["remind", "--due"], ["remind", "--list"], ["log"], ["stages"],
                                    ["pipeline", "--by", "source"], ["pipeline", "--by", "owner"]]
        for columns in [60, 80] {
            for arguments in commands {
                let text = try PseudoTerminal.run(box, arguments, columns: columns).text
                let piped = box.run(arguments).lines
                let shown = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
                #expect(shown.count == piped.count, "\(arguments) at \(columns): a row was wrapped or lost")
                for (line, full) in zip(shown, piped) {
                    let visible = Self.plain(line)
                    #expect(Self.width(visible) <= columns, "\(arguments) at \(columns): \(visible.debugDescription) is too wide")
                    // Columns may close up; text may only be lost where an ellipsis says so.
                    // (pipeline's bars come on top of the table, on a terminal only)
                    let words = Self.words(visible).filter { !$0.contains { "█▏▎▍▌▋▊▉".contains($0) } }
                    let fullWords = Self.words(full)
                    if words != fullWords {
                        #expect(visible.contains("…"), "\(arguments) at \(columns): cut without an ellipsis: \(visible.debugDescription)")
                    }
                    for word in words where !word.hasSuffix("…") {
                        #expect(fullWords.contains(word), "\(arguments) at \(columns): \(word.debugDescription) is not in \(full.debugDescription)")
                    }
                }
                #expect(Self.balanced(text), "\(arguments) at \(columns) leaves a style open")
            }
        }
        let list = try PseudoTerminal.run(box, ["list"], columns: 60).text
        let row = try #require(list.split(separator: "\n").first { $0.contains("NNN") })
        #expect(row.hasPrefix("\u{1B}[31m 1  NNNNN… "))
        let header = try #require(list.split(separator: "\n").first)
        #expect(header.hasPrefix("\u{1B}[1mID  NAME"))
        #expect(header.hasSuffix("…" + Self.reset))  // cut at the window's edge, then the style closed
        #expect(Self.width(Self.plain(String(header))) == 60)
        // Into a pipe nothing is cut: a script gets every character.
        #expect(box.run("list").stdout.contains(long))
    }

    /// Data can never drive the terminal: control characters in a lead's fields are
    /// shown as U+FFFD, in tables and in show.
    @Test func controlCharactersInDataAreNeutralised() throws {
        let box = Sandbox()
        let evil = "Evil\u{1B}[2J\u{1B}]0;pwned\u{07}Name"
        box.add(evil, "--company", "Co\rX", "--note", "line 1\n\u{1B}[31mred", "--next", "2026-11-01")
        #expect(box.leadJSON(1)?["name"] as? String == evil)  // stored exactly
        for arguments in [["list"], ["show", "1"], ["remind", "--due"], ["log"], ["pipeline", "--by", "source"]] {
            let piped = box.run(arguments).stdoutBytes
            #expect(!piped.contains(Self.escape) && !piped.contains(0x07), "\(arguments) passed a control character into a pipe")
            let text = try PseudoTerminal.run(box, arguments, columns: 200).text
            let ours = ["\u{1B}[0m", "\u{1B}[1m", "\u{1B}[2m", "\u{1B}[31m", "\u{1B}[32m", "\u{1B}[33m", "\u{1B}[36m"]
            let rest = ours.reduce(text) { $0.replacingOccurrences(of: $1, with: "") }
            #expect(!rest.contains("\u{1B}") && !rest.contains("\u{07}"), "\(arguments) let data write to the terminal: \(rest.debugDescription)")
        }
        #expect(box.run("list").lines[1].contains("Evil\u{FFFD}[2J\u{FFFD}]0;pwned\u{FFFD}Name  Co X"))
        let show = box.run("show", "1").stdout
        #expect(show.hasPrefix("#1 Evil\u{FFFD}[2J\u{FFFD}]0;pwned\u{FFFD}Name\n"))
        #expect(show.contains("\n    line 1\n    \u{FFFD}[31mred\n"))
        // The exact text is there for scripts.
        #expect((try box.run("list", "--json").json() as? [[String: Any]])?.first?["name"] as? String == evil)
    }

    // MARK: (c) a reader that stops early

    @Test func aReaderThatStopsEarlyEndsTheCommandQuietly() throws {
        let box = Sandbox()
        // 3,000 leads written straight into the store (a scan finds them): the outputs
        // below are far larger than a pipe's 64 KiB buffer.
        Self.writeLeads(box, count: 3_000) { id in
            #"{"created_at": "2026-11-01T09:00:00Z", "currency": "EUR", "format": 1, "id": \#(id), "#
                + #""name": "Lead number \#(id) of a long list", "owner": "alice", "stage": "new", "value": "\#(id).50"}"#
        }
        #expect(box.run("list").stdoutBytes.count > 200_000)
        let script = """
            set -o pipefail
            "$0" "${@:2}" 2>"$1" | head -1
            echo "status=${PIPESTATUS[0]}"
            """
        for arguments in [["list"], ["list", "--json"], ["list", "--ids"], ["list", "--all", "--sort", "-value"],
                          ["export-csv"], ["export-csv", "--excel"], ["pipeline", "--csv"]] {
            let errors = box.root + "/stderr"
            let result = Sandbox.execute("/bin/bash", ["-c", script, Sandbox.binary, errors] + arguments, stdin: nil,
                                         environment: box.environment)
            // One line of output (a CSV record ends in CRLF), then the status.
            let lines = result.stdoutBytes.split(separator: 10)
            #expect(lines.count == 2, "\(arguments): \(result.stdout)")
            #expect(lines.last.map { String(decoding: $0, as: UTF8.self) } == "status=0", "\(arguments): \(result.stdout)")
            let stderr = FileManager.default.contents(atPath: errors).map { String(decoding: $0, as: UTF8.self) }
            #expect(stderr == "", "\(arguments) complained: \(stderr ?? "")")
        }
    }

    // MARK: (d) a full disk

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aFullDiskIsAnError() {
        let box = Self.colourful()
        for arguments in [["export-csv"], ["list"], ["show", "1", "--json"], ["pipeline", "--csv"], ["remind", "--due"]] {
            let result = Sandbox.execute("/bin/bash", ["-c", "exec \"$0\" \"$@\" > /dev/full", Sandbox.binary] + arguments,
                                         stdin: nil, environment: box.environment)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == "leads: cannot write to standard output: no space left on device\n", "\(arguments)")
        }
    }

    /// `--output` naming a FIFO (or a device: /dev/stdout, /dev/null) is written into, not
    /// replaced by a regular file, which with root's rights would have turned /dev/null
    /// into one.
    @Test func exportIntoANamedPipeLeavesThePipe() throws {
        let box = Self.colourful()
        let fifo = box.root + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Our end is open before the export starts (non-blocking: a test must fail, not
        // hang, if the FIFO is replaced); the small export fits the pipe's buffer.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let result = box.run("export-csv", "--all", "--output", fifo)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the FIFO was replaced")
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        #expect(String(decoding: received, as: UTF8.self) == box.run("export-csv", "--all").stdout)
        let entries = try FileManager.default.contentsOfDirectory(atPath: box.root)
        #expect(entries.filter { $0.hasPrefix(".fifo") }.isEmpty, "a temporary file was left: \(entries)")
    }

    // MARK: (e) progress lines

    /// An import or export that takes over a second shows "leads: importing FILE: N rows"
    /// on a terminal's stderr, and clears it before its summary. To pass the second
    /// without a huge file, a second process holds the store's lock for 1.2 s first: the
    /// clock starts when the command does.
    @Test func aLongImportShowsProgressOnATerminal() throws {
        let box = Sandbox()
        box.add("First")
        let path = box.root + "/in.csv"
        let rows = (1...600).map { "Lead \($0),l\($0)@x.example,\($0)" }.joined(separator: "\n")
        _ = FileManager.default.createFile(atPath: path, contents: Data(("name,email,value\n" + rows + "\n").utf8))

        let shown = try PseudoTerminal.run(box, ["import-csv", path], columns: 80, terminalStreams: "err", holdLock: 1.2)
        #expect(shown.status == 0)
        #expect(shown.stdout.isEmpty)
        let text = shown.text
        #expect(text.contains("\rleads: importing \(path): "), "no progress line: \(text.debugDescription)")
        #expect(text.contains(/\rleads: importing [^\n]+: [0-9]+ rows\r +\r/))
        // Cleared with spaces before the summary, which then starts at the line's start.
        #expect(text.hasSuffix(" \rleads: \(path): 600 created, 0 updated, 0 skipped, 0 rejected\n"))

        // The same with stderr into a pipe: the summary only.
        let box2 = Sandbox()
        box2.add("First")
        let quiet = try PseudoTerminal.run(box2, ["import-csv", path], columns: 80, terminalStreams: "out", holdLock: 1.2)
        #expect(quiet.status == 0)
        #expect(String(decoding: quiet.stderr, as: UTF8.self) == "leads: \(path): 600 created, 0 updated, 0 skipped, 0 rejected\n")
    }

    @Test func aLongExportShowsProgressUnlessTheCSVGoesToTheTerminal() throws {
        let box = Sandbox()
        Self.writeLeads(box, count: 300) { id in
            #"{"created_at": "2026-11-01T09:00:00Z", "format": 1, "id": \#(id), "name": "Lead \#(id)", "stage": "new"}"#
        }
        box.add("Last")  // creates the lock file and the rest of the layout
        let output = box.root + "/out.csv"

        // --output, stderr on the terminal
        let toFile = try PseudoTerminal.run(box, ["export-csv", "--output", output], columns: 80, terminalStreams: "err", holdLock: 1.2)
        #expect(toFile.status == 0)
        let text = toFile.text
        #expect(text.contains("\rleads: exporting \(output): "), "no progress line: \(text.debugDescription)")
        #expect(text.contains(/\rleads: exporting [^\n]+: [0-9]+ rows\r +\r/))
        #expect(text.hasSuffix(" \r"))  // cleared at the end
        #expect(FileManager.default.contents(atPath: output).map { String(decoding: $0, as: UTF8.self).components(separatedBy: "\r\n").count } == 1 + 301 + 1)

        // stdout into a pipe, stderr on the terminal
        let piped = try PseudoTerminal.run(box, ["export-csv"], columns: 80, terminalStreams: "err", holdLock: 1.2)
        #expect(piped.text.contains("\rleads: exporting to standard output: "))
        #expect(String(decoding: piped.stdout, as: UTF8.self).hasPrefix("id,name,"))

        // the CSV on the terminal itself: no progress line in the middle of it
        let onTerminal = try PseudoTerminal.run(box, ["export-csv"], columns: 80, holdLock: 1.2)
        #expect(onTerminal.status == 0)
        #expect(!onTerminal.text.contains("exporting"))
        #expect(onTerminal.text.contains("\nid,name,") || onTerminal.text.hasPrefix("id,name,"))
        let named = try PseudoTerminal.run(box, ["export-csv", "--output", "/dev/stdout"], columns: 80, holdLock: 1.2)
        #expect(named.status == 0)
        #expect(!named.text.contains("exporting"))
        #expect(named.text.contains("\nid,name,") || named.text.hasPrefix("id,name,"))

        // stderr into a pipe: nothing but the CSV
        let quiet = try PseudoTerminal.run(box, ["export-csv", "--output", output], columns: 80, terminalStreams: "out", holdLock: 1.2)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty && quiet.terminal.isEmpty)
    }

    // MARK: Helpers

    /// Lead files written straight into the store, much faster than `add` or an import
    /// (no fsync, no lock); scans find them at once.
    static func writeLeads(_ box: Sandbox, count: Int, json: (Int) -> String) {
        try? FileManager.default.createDirectory(atPath: box.dir + "/leads", withIntermediateDirectories: true)
        var failed: [Int] = []
        for id in 1...count {
            let fd = open(box.dir + "/leads/\(id).json", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            let bytes = Array((json(id) + "\n").utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            if fd < 0 || written != bytes.count { failed.append(id) }
        }
        #expect(failed.isEmpty, "cannot write the lead files \(failed)")
    }

    /// `text` without its ANSI CSI sequences (ESC [ … letter).
    static func plain(_ text: String) -> String {
        text.replacing(/\u{1B}\[[0-9;]*[A-Za-z]/, with: "")
    }

    static func words(_ line: String) -> [Substring] { line.split(separator: " ") }

    /// Terminal columns: the wide CJK characters of these tests take two.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { sum, scalar in
            let v = scalar.value
            return sum + ((v >= 0x2E80 && v <= 0xA4CF) || (v >= 0xFF00 && v <= 0xFF60) ? 2 : 1)
        }
    }
}

/// Runs the binary with a pseudo-terminal of a given window size (Python's os.openpty)
/// as its stdin and as its stdout and/or stderr; the other streams are captured apart.
/// Optionally a lock on the store's `.lock` (Python's fcntl.lockf, as any script would
/// take it) is held for a while after the start.
enum PseudoTerminal {
    struct Result {
        var status: Int32
        /// Everything written to the terminal, with the terminal's CRLF left as it is.
        var terminal: [UInt8]
        var stdout: [UInt8]
        var stderr: [UInt8]

        /// The terminal's output with CRLF turned back into LF.
        var text: String { String(decoding: terminal, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n") }
    }

    static let script = """
        import base64, fcntl, json, os, struct, subprocess, sys, tempfile, termios, threading
        columns, streams, lock, hold = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3], float(sys.argv[4])
        argv = sys.argv[5:]
        if lock != "-":
            held = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.lockf(held, fcntl.LOCK_EX)
            threading.Timer(hold, lambda: fcntl.lockf(held, fcntl.LOCK_UN)).start()
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        files = {name: tempfile.TemporaryFile() for name in ("out", "err")}
        child = subprocess.Popen(argv, stdin=slave,
                                 stdout=slave if "out" in streams else files["out"],
                                 stderr=slave if "err" in streams else files["err"], start_new_session=True)
        os.close(slave)
        transcript = b""
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            transcript += data
        result = {"status": child.wait(), "terminal": base64.b64encode(transcript).decode()}
        for name, f in files.items():
            f.seek(0)
            result[name] = base64.b64encode(f.read()).decode()
        print(json.dumps(result))
        """

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func run(_ box: Sandbox, _ arguments: [String], columns: Int, environment extra: [String: String] = [:],
                    terminalStreams: String = "out,err", holdLock: Double? = nil) throws -> Result {
        var environment = box.environment
        environment["TERM"] = "xterm-256color"
        environment["COLUMNS"] = nil  // the window size must be what counts
        for (key, value) in extra { environment[key] = value }
        let lock = holdLock.map { _ in box.dir + "/.lock" } ?? "-"
        let result = Sandbox.execute("/usr/bin/env", ["python3", "-c", script, String(columns), terminalStreams, lock,
                                                      String(holdLock ?? 0), Sandbox.binary] + arguments,
                                     stdin: nil, environment: environment)
        guard result.status == 0,
              let object = try JSONSerialization.jsonObject(with: Data(result.stdoutBytes)) as? [String: Any],
              let status = object["status"] as? Int
        else { throw Failure(description: "the pty helper failed: \(result.stderr)") }
        func bytes(_ key: String) -> [UInt8] { (object[key] as? String).flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? [] }
        return Result(status: Int32(status), terminal: bytes("terminal"), stdout: bytes("out"), stderr: bytes("err"))
    }
}
