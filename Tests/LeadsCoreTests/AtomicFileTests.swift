import Foundation
import Testing
@testable import LeadsCore

@Suite struct AtomicFileTests {
    let directory: String = {
        var template = Array((NSTemporaryDirectory() + "leads-atomic-XXXXXX").utf8CString)
        return String(cString: mkdtemp(&template)!)
    }()

    func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() }
    func content(_ name: String) -> String? {
        FileManager.default.contents(atPath: directory + "/" + name).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func theTargetChangesOnlyOnCommit() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = FileManager.default.createFile(atPath: directory + "/out.csv", contents: Data("old".utf8))
        chmod(directory + "/out.csv", 0o600)
        let file = try AtomicFile(path: directory + "/out.csv")
        try file.write(Array("new ".utf8))
        try file.write(Array("content".utf8))
        #expect(content("out.csv") == "old")
        #expect(names().count == 2)
        #expect(names().contains { $0.hasPrefix(".out.csv.tmp-") })
        try file.commit()
        #expect(content("out.csv") == "new content")
        #expect(names() == ["out.csv"])
        let mode = (try FileManager.default.attributesOfItem(atPath: directory + "/out.csv")[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600)
    }

    @Test func droppedWithoutCommitLeavesNothing() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let file = try AtomicFile(path: directory + "/out.csv")
            try file.write(Array("partial".utf8))
        }
        #expect(names() == [])
    }

    @Test func errorsNameTheTarget() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: SystemError("create", directory + "/missing/out.csv", ENOENT)) {
            try AtomicFile(path: directory + "/missing/out.csv")
        }
        #expect(throws: SystemError("create", directory + "/", EISDIR)) { try AtomicFile(path: directory + "/") }
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: false)
        #expect(throws: SystemError("create", directory + "/sub", EISDIR)) { try AtomicFile(path: directory + "/sub") }
        #expect(names() == ["sub"])
        // A directory that appears while writing is refused at the rename.
        let file = try AtomicFile(path: directory + "/late")
        try FileManager.default.createDirectory(atPath: directory + "/late", withIntermediateDirectories: false)
        #expect(throws: SystemError("rename", directory + "/late", EISDIR)) { try file.commit() }
    }
}
