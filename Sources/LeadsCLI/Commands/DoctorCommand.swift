import Glibc
import LeadsCore

/// `leads doctor`: one finding per line on stdout (`ok`, `note` or `unsafe`, the
/// message, then the fix on an indented line); exit 1 when any is unsafe.
enum DoctorCommand {
    /// The mount table to read instead of /proc/mounts: only tests set it, to play
    /// mounts this machine does not have.
    static let mountsVariable = "LEADS_TEST_MOUNTS"

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let directory = try context.dataDirectory()
        let findings = check(directory, context.environment)
        let out = context.output
        if invocation.flag("json") {
            try out.write(bytes: JSONWriter.pretty(.object([
                "ok": .bool(!DoctorCheck.isUnsafe(findings)),
                "findings": .array(findings.map { finding in
                    var object: [String: JSONValue] = ["severity": .string(finding.severity.rawValue), "topic": .string(finding.topic),
                                                       "message": .string(finding.message)]
                    if let fix = finding.fix { object["fix"] = .string(fix) }
                    return .object(object)
                }),
            ])))
        } else {
            for finding in findings {
                try out.line(finding.severity.rawValue.padding(6) + " " + finding.message)
                if let fix = finding.fix { try out.line("       fix: " + fix) }
            }
        }
        guard DoctorCheck.isUnsafe(findings) else { return ExitStatus.success }
        let count = findings.filter { $0.severity == .unsafe }.count
        ErrorReport.notice("\(count == 1 ? "1 finding is" : "\(count) findings are") unsafe for a shared data directory; each says its fix")
        return ExitStatus.failure
    }

    static func check(_ directory: String, _ environment: Environment) -> [DoctorFinding] {
        let mountsPath = environment.nonEmpty(mountsVariable) ?? MountTable.systemPath
        let mounts = MountTable.load(path: mountsPath) ?? MountTable(entries: [])
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return DoctorCheck(directory: directory, mounts: mounts, now: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9).run()
    }

    /// For fsck: the mount's family when the data directory is on a network file system.
    static func networkMount(_ directory: String, _ environment: Environment) -> MountEntry? {
        let mounts = MountTable.load(path: environment.nonEmpty(mountsVariable) ?? MountTable.systemPath)
        guard let path = canonicalPath(directory), let mount = mounts?.mount(containing: path), mount.family.isNetworked else { return nil }
        return mount
    }
}

private extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
