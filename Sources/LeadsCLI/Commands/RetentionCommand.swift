import LeadsCore

/// `leads retention [--due [--apply]]`: the retention rules of config.json, the leads
/// they make due, and their erasure with suppression (Docs/privacy.md). Which leads are
/// due is decided in Core (RetentionReview); this file reads, erases and renders.
enum RetentionCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let settings = try PrivacySettings(try store.config())
        let out = context.output
        let apply = invocation.flag("apply")
        guard invocation.flag("due") || apply else {
            if settings.retention.isEmpty {
                try context.hint("no retention rules: config.json \"retention\": [{\"stage\": \"lost\", \"months\": 24}] adds one")
            }
            for (index, rule) in settings.retention.enumerated() {
                try out.line("\(index + 1)  \(rule.stage == "open" ? "open leads" : rule.stage) untouched for \(rule.months) months")
            }
            return ExitStatus.success
        }
        let now = try context.now()
        if !apply {
            var review = RetentionReview(rules: settings.retention, now: now, config: try store.config())
            let problems = try store.scan(notes: true) { review.add($0) }
            // Silent when nothing is due: cron mails only what someone must look at.
            if !review.due.isEmpty {
                var table = TextTable([.init(title: "ID", alignment: .right), .init(title: "NAME", flexible: true), .init(title: "STAGE"),
                                       .init(title: "UNTOUCHED SINCE"), .init(title: "RULE", flexible: true)])
                for due in review.due {
                    table.add([String(due.id), printable(due.name), due.stage, LocalTime.date(of: due.lastTouched).iso,
                               "\(due.ruleNumber) (\(due.rule.stage) after \(due.rule.months) months)" + (due.customer.map { "; customer \($0): not erased" } ?? "")])
                }
                for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout) {
                    try out.line(line)
                }
            }
            if !problems.isEmpty { throw CorruptFiles(problems: problems) }
            return ExitStatus.success
        }

        // --apply: decided again under the exclusive lock, on the leads as they are now.
        var mail: [Int: Int] = [:]
        let outcome = try store.write { writer -> (erased: [RetentionReview.Due], kept: [RetentionReview.Due]) in
            var review = RetentionReview(rules: settings.retention, now: now, config: writer.config)
            let (leads, problems) = try writer.allLeads()
            if !problems.isEmpty { throw CorruptFiles(problems: problems) }
            for lead in leads { review.add(lead) }
            guard !review.due.isEmpty else { return ([], []) }
            var list = try writer.suppressionList() ?? writer.newSuppressionList()
            var erased: [RetentionReview.Due] = [], kept: [RetentionReview.Due] = []
            let byID = Dictionary(uniqueKeysWithValues: leads.map { ($0.id, $0) })
            for due in review.due {
                guard due.customer == nil, let lead = byID[due.id] else { kept.append(due); continue }
                let added = list.add(lead, home: settings.country, at: now, by: writer.actor.user)
                let entry = ActivityEntry(time: now, user: writer.actor.user, action: .delete, lead: lead.id,
                                          details: ["retention": .integer(due.ruleNumber), "suppressed": .array(added.map { .integer($0.number) })])
                // One commit per lead: what is reported erased is erased, whatever stops later.
                mail[lead.id] = try writer.delete(lead, customer: nil, log: [entry], suppressing: list)
                erased.append(due)
            }
            return (erased, kept)
        }
        // IDs only: the names are what was just erased.
        for due in outcome.erased {
            let messages = mail[due.id, default: 0]
            try out.line("erased #\(due.id) (\(due.stage), untouched since \(LocalTime.date(of: due.lastTouched).iso); \(due.rule.label))"
                         + (messages == 0 ? "" : messages == 1 ? ", with 1 unmatched message" : ", with \(messages) unmatched messages"))
        }
        for due in outcome.kept {
            ErrorReport.notice("#\(due.id) is due under \(due.rule.label) but became customer \(due.customer ?? 0), which retention does not erase: 'leads delete \(due.id) --with-customer --suppress' does")
        }
        return ExitStatus.success
    }
}
