import LeadsCore

enum StagesCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let store = try context.store()
        let config = try store.config()
        var counts: [String: Int] = [:]
        let problems = try store.scanSummaries(fields: []) { counts[$0.stage, default: 0] += 1 }
        // A stage no longer in config.json still has leads: show it rather than hide them.
        let unknown = Set(counts.keys).subtracting(config.allStages.map(\.name)).sorted()
        let out = context.output
        if invocation.flag("json") {
            var rows: [JSONValue] = config.allStages.map { stage in
                .object(["name": .string(stage.name), "probability": .number(String(stage.probability)),
                         "closed": .bool(stage.closed), "leads": .number(String(counts[stage.name] ?? 0))])
            }
            rows += unknown.map { .object(["name": .string($0), "probability": .null, "closed": .bool(false),
                                           "leads": .number(String(counts[$0] ?? 0)), "unknown": .bool(true)]) }
            try out.write(bytes: JSONWriter.pretty(.array(rows)))
        } else {
            var table = TextTable([.init(title: "STAGE"), .init(title: "PROBABILITY", alignment: .right), .init(title: "LEADS", alignment: .right)])
            for stage in config.allStages {
                table.add([stage.name + (stage.closed ? " (closed)" : ""), "\(stage.probability) %", String(counts[stage.name] ?? 0)])
            }
            for name in unknown { table.add([name + " (not in config.json)", "", String(counts[name] ?? 0)]) }
            for line in table.render(width: context.environment.terminalColumns, color: context.environment.colorOnStdout) {
                try out.line(line)
            }
        }
        if !problems.isEmpty { throw CorruptFiles(problems: problems) }
        return ExitStatus.success
    }
}
