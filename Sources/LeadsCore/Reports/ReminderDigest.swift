/// The languages the owners' mails are written in (config.json `users[].language`,
/// else `mail.language`, else English).
public enum DigestLanguage: String, Sendable, CaseIterable {
    case en, de

    /// The user's language, else the store's default, else English.
    public static func of(_ user: User?, default fallback: String?) -> DigestLanguage {
        user?.language.flatMap(DigestLanguage.init(rawValue:)) ?? fallback.flatMap(DigestLanguage.init(rawValue:)) ?? .en
    }
}

/// The subject and body of one owner's mail, before MIME.
public struct DigestText: Sendable, Equatable {
    public var subject: String
    /// Lines end in LF, the last one too.
    public var body: String
}

/// What `remind --due --mail` sends, as a pure accumulator: due reminders go in one by
/// one (from a scan or a writer's leads), and come out grouped by the person reminded
/// (the reminder's owner), each group oldest first, the owners in order of their login.
public struct ReminderDigest: Sendable {
    /// One owner's share: one message.
    public struct OwnerDigest: Sendable, Equatable {
        public var owner: String
        public var reminders: [DueReminder]
    }

    private var rows: [String: [DueReminder]] = [:]

    public init() {}

    public mutating func add(_ row: DueReminder) {
        rows[row.reminder.owner, default: []].append(row)
    }

    public mutating func add(contentsOf rows: [DueReminder]) {
        for row in rows { add(row) }
    }

    public var isEmpty: Bool { rows.isEmpty }

    public var owners: [OwnerDigest] {
        rows.keys.sorted().map { OwnerDigest(owner: $0, reminders: DueReminders.sorted(rows[$0]!)) }
    }
}

extension ReminderDigest.OwnerDigest {
    /// The message text: a greeting by `name` (the user's full name, else the login),
    /// the count, one line per reminder (reference, lead, due date, how late, text, the
    /// `leads show` command), and how to close or move one.
    ///
    ///     #12.1 Greta Schulz, due 2026-11-20 (3 days overdue): send the offer  [leads show 12]
    ///     #12.1 Greta Schulz, fällig am 20.11.2026 (3 Tage überfällig): Angebot senden  [leads show 12]
    public func text(language: DigestLanguage, name: String, now: Timestamp) -> DigestText {
        let count = reminders.count
        let words = DigestWords.of(language)
        var body = words.greeting + " " + ReminderDigest.oneLine(name) + ",\n\n" + words.intro(count) + "\n\n"
        for row in reminders {
            let late = DueReminders.latenessKind(of: row.reminder.due, now: now).kind
            var line = "#\(row.reference) " + ReminderDigest.oneLine(row.leadName) + ", " + words.due + " "
                + words.date(row.reminder.due) + " (" + words.lateness(late) + ")"
            if !row.reminder.text.isEmpty { line += ": " + ReminderDigest.oneLine(row.reminder.text) }
            body += line + "  [leads show \(row.lead)]\n"
        }
        let example = reminders[0].reference
        body += "\n" + words.howTo(example) + "\n"
        return DigestText(subject: "leads: " + words.subject(count), body: body)
    }
}

extension ReminderDigest {
    /// Text from a lead or reminder on one line of the mail: line breaks and TABs become
    /// spaces; other controls and the invisible format characters that reorder text
    /// (bidi overrides, zero-width space) are shown as `<U+XXXX>`, so a mail client shows
    /// what is stored, and a stored text cannot forge lines of its own.
    static func oneLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            let v = scalar.value
            switch v {
            case 0x0A where previous == "\r": continue
            case 0x0A, 0x0D, 0x09: out.append(" ")
            case 0..<0x20, 0x7F..<0xA0, 0x061C, 0x180E, 0x200B, 0x200E, 0x200F, 0x202A...0x202E, 0x2028, 0x2029,
                 0x2060...0x2064, 0x2066...0x2069, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFB:
                var hex = String(v, radix: 16, uppercase: true)
                while hex.count < 4 { hex = "0" + hex }
                out.append(contentsOf: "<U+\(hex)>".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}

/// The words of one language. German follows the usage of German CRMs (a follow-up is
/// a "Wiedervorlage") and writes dates as 20.11.2026.
struct DigestWords: Sendable {
    let greeting: String
    let due: String
    let intro: @Sendable (Int) -> String
    let subject: @Sendable (Int) -> String
    let lateness: @Sendable (DueReminders.Lateness) -> String
    let date: @Sendable (When) -> String
    let howTo: @Sendable (String) -> String

    static func of(_ language: DigestLanguage) -> DigestWords {
        switch language {
        case .en: return english
        case .de: return german
        }
    }

    static let english = DigestWords(
        greeting: "Hello",
        due: "due",
        intro: { $0 == 1 ? "1 follow-up is due:" : "\($0) follow-ups are due:" },
        subject: { $0 == 1 ? "1 follow-up due" : "\($0) follow-ups due" },
        lateness: { kind in
            switch kind {
            case .dueNow: return "now"
            case .dueToday: return "today"
            default: return DueReminders.englishText(kind)
            }
        },
        date: { when in
            switch when {
            case .day(let day): return day.iso
            case .instant(let t): return LocalTime.display(t)
            }
        },
        howTo: { ref in "Close one with: leads remind --done \(ref)\nMove one with: leads remind --snooze \(ref) WHEN" })

    static let german = DigestWords(
        greeting: "Hallo",
        due: "fällig am",
        intro: { $0 == 1 ? "1 Wiedervorlage ist fällig:" : "\($0) Wiedervorlagen sind fällig:" },
        subject: { $0 == 1 ? "1 Wiedervorlage fällig" : "\($0) Wiedervorlagen fällig" },
        lateness: { kind in
            switch kind {
            case .dueNow: return "jetzt"
            case .dueToday: return "heute"
            case .minutes(let n): return (n == 1 ? "1 Minute" : "\(n) Minuten") + " überfällig"
            case .hours(let n): return (n == 1 ? "1 Stunde" : "\(n) Stunden") + " überfällig"
            case .days(let n): return (n == 1 ? "1 Tag" : "\(n) Tage") + " überfällig"
            }
        },
        date: { when in
            func german(_ day: CalendarDate) -> String {
                func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
                return "\(two(day.day)).\(two(day.month)).\(day.year)"
            }
            switch when {
            case .day(let day): return german(day)
            case .instant(let t):
                let local = LocalTime.components(of: t)
                let minute = local.minute < 10 ? "0\(local.minute)" : "\(local.minute)"
                let hour = local.hour < 10 ? "0\(local.hour)" : "\(local.hour)"
                return german(local.date) + " " + hour + ":" + minute
            }
        },
        howTo: { ref in "Erledigt melden: leads remind --done \(ref)\nVerschieben: leads remind --snooze \(ref) WANN" })
}
