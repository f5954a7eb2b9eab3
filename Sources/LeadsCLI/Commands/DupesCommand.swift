import LeadsCore

enum DupesCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let home = try PrivacySettings(try store.config()).country
        var finder = DuplicateFinder()
        var labels: [Int: (name: String, company: String?)] = [:]
        let problems = try store.scan(notes: false) { lead in
            finder.add(MatchRecord(lead, home: home))
            labels[lead.id] = (lead.name, lead.company)
        }
        let report = finder.report()
        let out = context.output
        if invocation.flag("json") {
            try out.write(bytes: JSONWriter.pretty(.object([
                "pairs": .array(report.pairs.map { pair in
                    .object(["ids": .array([.integer(pair.first), .integer(pair.second)]), "score": .integer(pair.score),
                             "reasons": .array(pair.reasons.map { .string($0.rawValue) })])
                }),
                "crowded": .array(report.crowded.map { crowd in
                    .object(["reason": .string(crowd.reason.rawValue), "ids": .array(crowd.ids.map { .integer($0) })])
                }),
            ])))
        } else if !report.pairs.isEmpty {
            var table = TextTable([.init(title: "SCORE", alignment: .right), .init(title: "ID", alignment: .right),
                                   .init(title: "NAME", flexible: true), .init(title: "ID", alignment: .right),
                                   .init(title: "NAME", flexible: true), .init(title: "REASONS")])
            func label(_ id: Int) -> String {
                guard let entry = labels[id] else { return "" }
                return entry.company.map { entry.name + " (" + $0 + ")" } ?? entry.name
            }
            for pair in report.pairs {
                table.add([String(pair.score), String(pair.first), label(pair.first), String(pair.second), label(pair.second),
                           pair.reasons.map(\.rawValue).joined(separator: ",")])
            }
            for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout) {
                try out.line(line)
            }
        }
        if !invocation.flag("json") {
            for crowd in report.crowded {
                ErrorReport.notice("\(crowd.ids.count) leads share one \(crowd.reason.rawValue) (\(crowd.ids.prefix(5).map(String.init).joined(separator: ", "))\(crowd.ids.count > 5 ? ", …" : "")): too many to pair; see --json")
            }
        }
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }
}
