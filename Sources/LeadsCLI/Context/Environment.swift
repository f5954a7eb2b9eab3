import Glibc
import LeadsCore

/// A problem with the environment a command runs in (a variable's value, no home).
public enum EnvironmentError: Error, Sendable, Equatable {
    case invalidVariable(name: String, value: String, reason: String)
}

/// The process environment, read once, in phase two only: `help` and `--version`
/// never get here (LeadsMain).
public struct Environment: Sendable {
    public var variables: [String: String]
    public var stdinIsTerminal: Bool
    public var stdoutIsTerminal: Bool
    public var stderrIsTerminal: Bool

    public static func current() -> Environment {
        var variables: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                variables[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            pointer += 1
        }
        return Environment(variables: variables, stdinIsTerminal: isatty(0) == 1,
                           stdoutIsTerminal: isatty(1) == 1, stderrIsTerminal: isatty(2) == 1)
    }

    func nonEmpty(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `--dir`, then LEADS_DIR, then $XDG_DATA_HOME/leads (absolute only, as the XDG
    /// spec says), then $HOME/.local/share/leads.
    func dataDirectory(flag: String?) throws(StoreError) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let dir = nonEmpty("LEADS_DIR") { return dir }
        if let xdg = nonEmpty("XDG_DATA_HOME"), xdg.hasPrefix("/") { return xdg + "/leads" }
        if let home = nonEmpty("HOME") { return home + "/.local/share/leads" }
        throw .noDataDirectory
    }

    /// `--user`, LEADS_USER, USER, then the login name of the process's user (cron
    /// may set no USER at all).
    func user(flag: String?) -> String {
        if let (user, _) = userSetting(flag: flag) { return user }
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid\(geteuid())"
    }

    /// The first of `--user`, LEADS_USER, USER, LOGNAME that is not empty, and which one it was.
    func userSetting(flag: String?) -> (user: String, from: String)? {
        if let flag, !flag.isEmpty { return (flag, "--user") }
        for name in ["LEADS_USER", "USER", "LOGNAME"] {
            if let user = nonEmpty(name) { return (user, name) }
        }
        return nil
    }

    /// The acting user, refused as an owner is (all blank, several lines), since it goes
    /// into every record and file a command writes. `--user` is checked in phase one
    /// (CommandTable: a usage error); a variable is an environment error naming it.
    func actingUser(flag: String?) throws -> String {
        if let (user, from) = userSetting(flag: flag), let problem = FieldParser.nameProblem(user) {
            if from == "--user" { throw UsageError.invalidArgument(argument: from, value: user, reason: problem) }
            throw EnvironmentError.invalidVariable(name: from, value: user, reason: problem)
        }
        return user(flag: flag)
    }

    /// LEADS_NOW replaces the clock everywhere.
    func now() throws(EnvironmentError) -> Timestamp {
        if let text = nonEmpty("LEADS_NOW") {
            do { return try WhenParser.parseNow(text) } catch {
                throw .invalidVariable(name: "LEADS_NOW", value: text,
                                       reason: "expected an ISO-8601 date-time such as 2026-11-22T09:30:00Z")
            }
        }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec))
    }

    /// How long one sendmail run of `remind --due --mail` may take: 60 s unless
    /// LEADS_SENDMAIL_TIMEOUT says otherwise (msmtp and exim hand a message on in a second
    /// or two; a minute is a relay that does not answer).
    func sendmailTimeout() throws(EnvironmentError) -> Double {
        guard let text = nonEmpty("LEADS_SENDMAIL_TIMEOUT") else { return 60 }
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
            throw .invalidVariable(name: "LEADS_SENDMAIL_TIMEOUT", value: text, reason: "expected a number of seconds such as 60 or 0.5")
        }
        return seconds
    }

    /// `60`, `0.5`: seconds as a person writes them.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() && value < 1e15 ? String(Int64(value)) : String(value)
    }

    func lockTimeout() throws(EnvironmentError) -> Double {
        guard let text = nonEmpty("LEADS_LOCK_TIMEOUT") else { return 10 }
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
            throw .invalidVariable(name: "LEADS_LOCK_TIMEOUT", value: text, reason: "expected a number of seconds such as 10 or 0.5")
        }
        return seconds
    }

    /// Colour and bars: only to a terminal, never with NO_COLOR set (to anything).
    var colorOnStdout: Bool { stdoutIsTerminal && variables["NO_COLOR"] == nil && variables["TERM"] != "dumb" }

    /// Width for tables on a terminal; nil when output is not a terminal (never truncate
    /// what a script reads).
    var terminalColumns: Int? {
        guard stdoutIsTerminal else { return nil }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = nonEmpty("COLUMNS").flatMap(Int.init), columns > 0 { return columns }
        return 80
    }
}

/// What a command runs with: the invocation's meaning resolved against the environment.
public final class CommandContext {
    public let environment: Environment
    public let output: Output
    let invocation: Invocation
    /// The lock the command's table row declares for this invocation; every store the
    /// context opens takes this one.
    let lock: LockKind
    private var openedStore: LeadStore?

    init(invocation: Invocation, environment: Environment, output: Output, lock: LockKind) {
        self.invocation = invocation
        self.environment = environment
        self.output = output
        self.lock = lock
    }

    var user: String { environment.user(flag: userFlag) }

    /// The global `--user`; not a command's own option of that name (`log --user U` filters).
    private var userFlag: String? { invocation.command?.options.contains { $0.name == "user" } == true ? nil : invocation.value("user") }

    private var cachedNow: Timestamp?
    func now() throws -> Timestamp {
        if let cachedNow { return cachedNow }
        let now = try environment.now()
        cachedNow = now
        return now
    }

    /// Checks the acting user: every store is opened with this, so nothing is written (or
    /// read for `--mine`) as a user that could not be an owner.
    func actor() throws -> Actor {
        Actor(user: try environment.actingUser(flag: userFlag), now: try now(), command: invocation.command?.name ?? "")
    }

    func dataDirectory() throws -> String { try environment.dataDirectory(flag: invocation.value("dir")) }

    /// What the store reported after its commit points (StoreError values), if one was opened.
    var openedStoreWarnings: [StoreError] { openedStore?.warnings ?? [] }

    /// The store, opened once per run.
    func store() throws -> LeadStore {
        if let openedStore { return openedStore }
        let store = try store(at: try dataDirectory())
        openedStore = store
        return store
    }

    /// A store at `path` (`init DIR`), taking the command's lock.
    func store(at path: String) throws -> LeadStore {
        let store = try LeadStore(path: path, actor: try actor(), lockTimeout: try environment.lockTimeout())
        store.commandLock = lock
        // Said before the command's own lines: it happened first.
        store.onSettledKilledCommit = ErrorReport.settled
        if environment.stderrIsTerminal {
            store.onLockWait = { holder in
                ErrorReport.notice("waiting for the lock (\(describe(holder)))…")
            }
        }
        return store
    }
}
