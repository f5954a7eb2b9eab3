import Glibc
import LeadsCore

/// `remind --due --mail [--once] [--owner U | --mine]`: one message per owner of due
/// reminders, to the address the users table gives, through `sendmail -t -oi`.
///
/// Order of events, and why:
/// - Everything that would fail every owner alike (no or a bad `mail.from`, an empty
///   sendmail setting) is refused before anything is sent.
/// - With `--once` the whole run holds the exclusive lock, as `--due --once` does: of two
///   overlapping cron runs the second finds the reminders announced and sends nothing.
///   Each owner's reminders are marked only when that owner's sendmail exited 0; the
///   marks of all delivered owners are saved in one store write at the end. A crash (or
///   a failed write) between a delivery and that write sends the mail again next time:
///   at least once, never lost.
/// - An owner without an address, or whose sendmail failed, is named on stderr, keeps
///   every reminder unannounced, and does not stop the others. Exit 1, or 75 when every
///   failure was sendmail's EX_TEMPFAIL (cron or the caller may simply run again).
/// - Success prints nothing (stdout and stderr), so cron sends no mail of its own; a
///   person at a terminal gets one line on what was mailed.
enum RemindMail {
    static let defaultSendmail = "/usr/sbin/sendmail"
    /// `-t`: the recipients are read from the header; `-oi`: a line of a single dot does
    /// not end the message. Every sendmail-compatible program (Postfix, Exim, msmtp,
    /// OpenSMTPD, nullmailer) knows both.
    static let sendmailOptions = ["-t", "-oi"]
    /// sendmail's "temporary failure, try again later" (sysexits.h).
    static let temporaryFailure: Int32 = 75

    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let now = try context.now()
        let owner = try invocation.flag("mine") ? context.actingOwner() : invocation.value("owner").map { try context.owner($0, field: "--owner") }
        let once = invocation.flag("once")
        var run: Run
        if once {
            run = try store.write { writer in
                let setup = try Setup(config: writer.config, environment: context.environment)
                let scan = try writer.allLeads()
                var digest = ReminderDigest()
                digest.add(contentsOf: DueReminders.collect(from: scan.leads, now: now, owner: owner, unannouncedOnly: true))
                var run = deliver(digest, setup: setup, now: now, once: true)
                run.problems = scan.problems
                try writer.save(announcements(of: run.delivered, in: scan.leads, now: now, user: writer.actor.user))
                return run
            }
        } else {
            let setup = try Setup(config: try store.config(), environment: context.environment)
            var digest = ReminderDigest()
            let problems = try store.scanSummaries { lead in
                digest.add(contentsOf: DueReminders.due(in: lead, now: now, owner: owner, unannouncedOnly: false))
            }
            run = deliver(digest, setup: setup, now: now, once: false)
            run.problems = problems
        }
        if !run.delivered.isEmpty {
            let parts = run.delivered.map { "\(Confirmation.count($0.digest.reminders.count, "reminder")) to \($0.digest.owner) <\($0.to.address)>" }
            try context.hint("mailed " + parts.joined(separator: ", ") + (once ? "; marked announced" : ""))
        } else if run.failures.isEmpty {
            try context.hint("nothing is due")
        }
        if !run.failures.isEmpty || !run.problems.isEmpty {
            throw MailDeliveryFailures(failures: run.failures, problems: run.problems, once: once)
        }
        return ExitStatus.success
    }

    /// What a run found out: who got their mail, who did not and why, broken lead files.
    struct Run {
        var delivered: [(digest: ReminderDigest.OwnerDigest, to: MailAddress)] = []
        var failures: [MailDeliveryFailures.Failure] = []
        var problems: [StoreError] = []
    }

    /// What every message of a run shares, checked before the first is sent.
    struct Setup {
        let config: StoreConfig
        let from: MailAddress
        let sendmail: [String]
        /// LEADS_SENDMAIL_TIMEOUT: how long one sendmail run may take.
        let timeout: Double

        init(config: StoreConfig, environment: Environment) throws {
            self.config = config
            timeout = try environment.sendmailTimeout()
            guard let fromText = config.mail.from, !fromText.isEmpty else { throw CommandError.mailFromMissing }
            from = try MailAddress.parse(fromText, source: "config.json mail.from")
            let program = environment.nonEmpty("LEADS_SENDMAIL") ?? config.mail.sendmail ?? RemindMail.defaultSendmail
            let words = program.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else {
                throw CommandError.mailSendmailEmpty(source: environment.nonEmpty("LEADS_SENDMAIL") != nil ? "LEADS_SENDMAIL" : "config.json mail.sendmail")
            }
            sendmail = words + RemindMail.sendmailOptions
        }
    }

    static func deliver(_ digest: ReminderDigest, setup: Setup, now: Timestamp, once: Bool) -> Run {
        var run = Run()
        for part in digest.owners {
            let user = setup.config.users.user(named: part.owner) ?? {
                if case .user(let user) = setup.config.users.resolve(part.owner) { return user }
                return nil
            }()
            let count = part.reminders.count
            guard let user else {
                run.failures.append(.init(owner: part.owner, reminders: count, reason: .notAUser))
                continue
            }
            guard let email = user.email, !email.isEmpty else {
                run.failures.append(.init(owner: part.owner, reminders: count, reason: .noAddress))
                continue
            }
            let to: MailAddress
            do throws(MailError) {
                try MailAddress.check(email, text: email, source: "user \(user.name)'s e-mail")
                to = MailAddress(name: user.fullName, address: email)
            } catch {
                run.failures.append(.init(owner: part.owner, reminders: count, reason: .badAddress(error)))
                continue
            }
            let text = part.text(language: DigestLanguage.of(user, default: setup.config.mail.language),
                                 name: user.fullName ?? user.name, now: now)
            let message = OutgoingMessage(
                from: setup.from, to: [to], subject: text.subject, date: now,
                messageID: OutgoingMessage.messageID(time: now, unique: randomHex(), domain: setup.from.domain),
                body: text.body,
                // RFC 3834: a machine wrote this; vacation responders must not answer it.
                extraHeaders: [("Auto-Submitted", "auto-generated")])
            switch Sendmail.send(message.rendered(), command: setup.sendmail, timeout: setup.timeout) {
            case .sent: run.delivered.append((part, to))
            case .failed(let failure):
                run.failures.append(.init(owner: part.owner, reminders: count, reason: .sendmail(failure), address: email))
            }
        }
        return run
    }

    /// The `--once` marks of the delivered owners' reminders: one change and one log
    /// record per lead, all saved by the caller in one write.
    static func announcements(of delivered: [(digest: ReminderDigest.OwnerDigest, to: MailAddress)], in leads: [Lead],
                              now: Timestamp, user: String) -> [(lead: Lead, previous: Lead?, entry: ActivityEntry)] {
        var numbers: [Int: Set<Int>] = [:]
        for part in delivered {
            for row in part.digest.reminders { numbers[row.lead, default: []].insert(row.reminder.number) }
        }
        var changes: [(lead: Lead, previous: Lead?, entry: ActivityEntry)] = []
        for lead in leads {
            guard let marked = numbers[lead.id] else { continue }
            var updated = lead
            for i in updated.reminders.indices where marked.contains(updated.reminders[i].number) {
                updated.reminders[i].announcedAt = now
            }
            changes.append((updated, lead, ActivityEntry(
                time: now, user: user, action: .remindAnnounce, lead: lead.id,
                details: ["reminders": .array(marked.sorted().map { .number(String($0)) }), "mailed": .bool(true)])))
        }
        return changes
    }

    /// 12 random bytes (96 bits) as hex, for a Message-ID no other run or host repeats.
    static func randomHex() -> String {
        var bytes = [UInt8](repeating: 0, count: 12)
        var filled = 0
        let random = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if random >= 0 {
            while filled < bytes.count {
                let n = bytes.withUnsafeMutableBytes { read(random, $0.baseAddress! + filled, $0.count - filled) }
                if n > 0 { filled += n } else if n < 0, errno == EINTR { continue } else { break }
            }
            close(random)
        }
        if filled < bytes.count {
            // No entropy source answered: the clock and the process still keep this run apart.
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            let fallback = UInt64(bitPattern: Int64(ts.tv_nsec)) ^ UInt64(getpid()) << 32
            for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: fallback >> (8 * UInt64(i))) }
        }
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self)
    }
}

/// Runs a sendmail-compatible program with a message on its standard input.
enum Sendmail {
    struct Failure: Sendable, Equatable {
        var program: String
        /// What happened: "exited with status 69", "was killed by signal 9", "cannot be run: …".
        var what: String
        /// EX_TEMPFAIL: the mail system asks to be tried again later.
        var temporary: Bool
    }

    enum Outcome: Sendable, Equatable {
        case sent
        case failed(Failure)
    }

    /// Starts `command` with a pipe as its stdin and our stderr as its stdout and stderr
    /// (stdout carries data only; what sendmail says is a message), writes `message`,
    /// closes the pipe and waits. Success is exit status 0 and nothing else: a program
    /// that stopped reading early, or was killed, failed.
    ///
    /// `timeout` bounds the whole run. `--once` holds the store's lock while it mails, so
    /// a sendmail stuck on a dead relay would otherwise lock every rep out for as long as
    /// it hangs; past the limit it is stopped (TERM, then KILL) and the owner's reminders
    /// stay unannounced, as a temporary failure: the next run mails them, at worst twice.
    static func send(_ message: [UInt8], command: [String], timeout: Double) -> Outcome {
        let program = command[0]
        var pipeEnds: [Int32] = [-1, -1]
        // Both ends close on exec: the child gets the read end only as its stdin (dup2).
        // leads runs one thread, so no other spawn can inherit them in between.
        guard pipe(&pipeEnds) == 0 else {
            return .failed(Failure(program: program, what: "cannot be run: pipe: " + ErrorReport.reason(errno), temporary: true))
        }
        guard fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC) == 0, fcntl(pipeEnds[1], F_SETFD, FD_CLOEXEC) == 0,
              fcntl(pipeEnds[1], F_SETFL, fcntl(pipeEnds[1], F_GETFL) | O_NONBLOCK) == 0 else {
            let code = errno
            close(pipeEnds[0])
            close(pipeEnds[1])
            return .failed(Failure(program: program, what: "cannot be run: fcntl: " + ErrorReport.reason(code), temporary: true))
        }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, readEnd, 0)
        posix_spawn_file_actions_adddup2(&actions, 2, 1)
        let started = ChildProcess.spawn(command, actions: &actions)
        close(readEnd)
        let pid: pid_t
        switch started {
        case .success(let child): pid = child
        case .failure(let error):
            close(writeEnd)
            return .failed(Failure(program: program, what: "cannot be run: " + ErrorReport.reason(error.code), temporary: false))
        }
        let deadline = Deadline(seconds: timeout)
        // A program that exits without reading all of it makes the write fail (EPIPE);
        // its exit status says the rest. One that neither reads nor exits meets the deadline.
        var written = 0
        var writeError: Int32 = 0
        var timedOut = false
        message.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = write(writeEnd, buffer.baseAddress! + written, buffer.count - written)
                if n > 0 { written += n; continue }
                if n < 0, errno == EINTR { continue }
                if n < 0, errno == EAGAIN {
                    var ready = pollfd(fd: writeEnd, events: Int16(POLLOUT), revents: 0)
                    let wait = deadline.remainingMilliseconds
                    if wait == 0 || poll(&ready, 1, wait) == 0 { timedOut = true; break }
                    continue
                }
                writeError = errno
                break
            }
        }
        close(writeEnd)
        var status: Int32 = 0
        while !timedOut {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0, errno != EINTR {
                return .failed(Failure(program: program, what: "cannot be waited for: " + ErrorReport.reason(errno), temporary: false))
            }
            if deadline.remainingMilliseconds == 0 { timedOut = true } else { usleep(5_000) }
        }
        if timedOut {
            stop(pid)
            return .failed(Failure(program: program, what: "did not finish within \(Environment.seconds(timeout)) s and was stopped (LEADS_SENDMAIL_TIMEOUT)",
                                   temporary: true))
        }
        let signal = status & 0x7F
        if signal != 0 { return .failed(Failure(program: program, what: "was killed by signal \(signal)", temporary: false)) }
        let code = (status >> 8) & 0xFF
        if code != 0 {
            return .failed(Failure(program: program, what: "exited with status \(code)" + (code == RemindMail.temporaryFailure ? " (temporary failure)" : ""),
                                   temporary: code == RemindMail.temporaryFailure))
        }
        if writeError != 0 {
            return .failed(Failure(program: program, what: "exited with status 0 but read only \(written) of \(message.count) bytes (\(ErrorReport.reason(writeError)))",
                                   temporary: false))
        }
        return .sent
    }

    /// TERM first, so a mail program can leave its queue tidy; KILL after two seconds.
    private static func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        let grace = Deadline(seconds: 2)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if grace.remainingMilliseconds == 0 {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                return
            }
            usleep(5_000)
        }
    }

    /// A point on the monotonic clock, so a clock step (NTP, LEADS_NOW) cannot shorten or
    /// stretch the wait.
    private struct Deadline {
        let end: Double

        init(seconds: Double) { end = Self.now() + seconds }

        var remainingMilliseconds: Int32 { Int32(max(0, min(Double(Int32.max), ((end - Self.now()) * 1000).rounded(.up)))) }

        private static func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
    }
}

/// The owners `remind --due --mail` could not mail, and broken lead files it met: one
/// line each on stderr. Exit 75 when every failure was temporary, else 1.
struct MailDeliveryFailures: Error {
    struct Failure {
        enum Reason {
            case notAUser
            case noAddress
            case badAddress(MailError)
            case sendmail(Sendmail.Failure)
        }

        var owner: String
        var reminders: Int
        var reason: Reason
        var address: String?

        var temporary: Bool {
            if case .sendmail(let failure) = reason { return failure.temporary }
            return false
        }
    }

    var failures: [Failure]
    var problems: [StoreError]
    var once: Bool

}
