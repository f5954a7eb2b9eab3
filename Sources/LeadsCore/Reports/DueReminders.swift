/// One open follow-up with the lead it belongs to: a row of `remind --due` / `--list`.
public struct DueReminder: Sendable, Equatable {
    public var lead: Int
    public var leadName: String
    public var reminder: Reminder

    public var reference: String { "\(lead).\(reminder.number)" }
}

/// The reminders `remind --due` reports: open, due at or before `now`, on leads that
/// are not won, lost or dnc; oldest first.
public enum DueReminders {
    public static func collect(from leads: [Lead], now: Timestamp, owner: String?, unannouncedOnly: Bool) -> [DueReminder] {
        sorted(leads.flatMap { due(in: $0, now: now, owner: owner, unannouncedOnly: unannouncedOnly) })
    }

    /// One lead's part of `collect`, unsorted: for reports that see the leads one by one.
    public static func due(in lead: Lead, now: Timestamp, owner: String?, unannouncedOnly: Bool) -> [DueReminder] {
        guard !lead.isClosed else { return [] }
        return lead.reminders.compactMap { reminder in
            guard reminder.isOpen, reminder.due.dueInstant <= now, owner == nil || reminder.owner == owner,
                  !unannouncedOnly || reminder.announcedAt == nil else { return nil }
            return DueReminder(lead: lead.id, leadName: lead.name, reminder: reminder)
        }
    }

    /// A lead's open reminders (closed lead or not), unsorted.
    public static func open(in lead: Lead) -> [DueReminder] {
        lead.reminders.filter(\.isOpen).map { DueReminder(lead: lead.id, leadName: lead.name, reminder: $0) }
    }

    /// The reports' order: soonest due first.
    public static func sorted(_ rows: [DueReminder]) -> [DueReminder] {
        rows.sorted { order($0) < order($1) }
    }

    private static func order(_ row: DueReminder) -> (Int64, Int, Int) {
        (row.reminder.due.dueInstant.seconds, row.lead, row.reminder.number)
    }

    /// "due today", "3 days overdue", "5 hours overdue": days count in local calendar
    /// days for date-only reminders; timed ones less than a day late count hours.
    public static func lateness(of due: When, now: Timestamp) -> (text: String, seconds: Int64, days: Int) {
        let seconds = now.seconds - due.dueInstant.seconds
        let dueDay: CalendarDate
        switch due {
        case .day(let day): dueDay = day
        case .instant(let t): dueDay = LocalTime.date(of: t)
        }
        let days = LocalTime.date(of: now).daysSinceEpoch - dueDay.daysSinceEpoch
        if case .instant = due, seconds < 86_400 {
            if seconds < 60 { return ("due now", seconds, days) }
            if seconds < 3600 { return (plural(Int(seconds / 60), "minute") + " overdue", seconds, days) }
            return (plural(Int(seconds / 3600), "hour") + " overdue", seconds, days)
        }
        if days <= 0 { return ("due today", seconds, days) }
        return (plural(days, "day") + " overdue", seconds, days)
    }

    private static func plural(_ n: Int, _ unit: String) -> String { n == 1 ? "1 \(unit)" : "\(n) \(unit)s" }
}
