import Foundation
import Testing

/// `init --shared`: a directory a team's group can share, whatever each member's umask.
@Suite struct TeamDirectoryTests {
    func mode(_ path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw POSIXError(.ENOENT) }
        return Int(info.st_mode & 0o7777)
    }

    /// Runs leads under a strict umask, as a member who never set one up would.
    func run(_ box: Sandbox, _ arguments: [String]) -> RunResult {
        Sandbox.execute("/bin/sh", ["-c", "umask 077; exec \"$0\" \"$@\"", Sandbox.binary] + arguments, stdin: nil, environment: box.environment)
    }

    @Test func sharedDirectoriesAreSetgidAndFilesGroupWritable() throws {
        let box = Sandbox()
        let created = run(box, ["init", "--shared"])
        #expect(created.status == 0)
        #expect(created.stderr == "leads: created a group-shared data directory in \(box.dir)\n")
        #expect(box.file("config.json")?.contains("\"shared\": \"group\"") == true)
        #expect(run(box, ["add", "A", "--note", "x"]).status == 0)
        #expect(run(box, ["convert", "1"]).status == 0)
        for directory in ["", "/leads", "/customers", "/.index"] {
            #expect(try mode(box.dir + directory) == 0o2770, "\(directory) is not group-shared")
        }
        for file in ["/leads/1.json", "/customers/1.json", "/activity.log", "/.lock", "/config.json"] {
            #expect(try mode(box.dir + file) & 0o660 == 0o660, "\(file) is not group-writable")
            #expect(try mode(box.dir + file) & 0o007 == 0, "\(file) is open to others")
        }
    }

    @Test func sharingAnExistingDirectoryFixesWhatIsThere() throws {
        let box = Sandbox()
        #expect(run(box, ["add", "A"]).status == 0)
        #expect(try mode(box.dir + "/leads/1.json") == 0o600)
        let shared = run(box, ["init", "--shared"])
        #expect(shared.status == 0)
        #expect(shared.stderr == "leads: initialised a group-shared data directory in \(box.dir)\n")
        #expect(try mode(box.dir + "/leads") == 0o2770)
        #expect(try mode(box.dir + "/leads/1.json") == 0o660)
        #expect(try mode(box.dir + "/activity.log") == 0o660)
    }
}
