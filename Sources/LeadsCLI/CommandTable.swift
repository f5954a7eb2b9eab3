import LeadsCore

// The one table of every command and option. The parser, `--help`, the man page
// and the completion scripts are all generated from it; tests fail when the committed
// man page or completions differ from what it generates.

public enum CommandTable {
    public static let globalOptions: [OptionSpec] = [
        OptionSpec("dir", value: "DIR", "data directory (default: $LEADS_DIR, else ~/.local/share/leads)", hint: .directory),
        OptionSpec("user", value: "NAME", "acting user for the log and --mine (default: $LEADS_USER, else $USER)", hint: .live(.owner)),
        OptionSpec("help", short: "h", "show help for the command"),
        OptionSpec("version", "show the version"),
    ]

    static let stageHint = ValueHint.live(.stage)
    static let json = OptionSpec("json", "print JSON (documented, stable schema; money as decimal strings)")

    /// Filters shared by list, pipeline and export-csv.
    static let filters: [OptionSpec] = [
        OptionSpec("all", "include won, lost and dnc leads"),
        OptionSpec("stage", value: "STAGE", "only leads in this stage (repeatable)", repeatable: true, hint: stageHint),
        OptionSpec("owner", value: "USER", "only leads owned by USER (repeatable)", repeatable: true, hint: .live(.owner)),
        OptionSpec("mine", "only leads owned by the acting user"),
        OptionSpec("label", value: "LABEL", "only leads with this label (repeatable: all must match)", repeatable: true, hint: .live(.label)),
        OptionSpec("source", value: "SOURCE", "only leads from this source", hint: .live(.source)),
        OptionSpec("campaign", value: "CAMPAIGN", "only leads from this campaign", hint: .live(.campaign)),
        OptionSpec("search", value: "TEXT", "only leads whose name, company, e-mail or notes contain TEXT (case-insensitive)"),
    ]

    static let leadFields: [OptionSpec] = [
        OptionSpec("company", value: "COMPANY", "company the person works for"),
        OptionSpec("email", value: "EMAIL", "e-mail address"),
        OptionSpec("phone", value: "PHONE", "phone number"),
        OptionSpec("address", value: "ADDRESS", "postal address"),
        OptionSpec("source", value: "SOURCE", "where the lead came from (web, fair, referral…)", hint: .live(.source)),
        OptionSpec("campaign", value: "CAMPAIGN", "marketing campaign", hint: .live(.campaign)),
        OptionSpec("value", value: "MONEY", "expected deal value: 12500, 12.500,50, 12,500.50 EUR…"),
        OptionSpec("currency", value: "CUR", "ISO 4217 currency of the value (default from config.json, EUR)"),
        OptionSpec("probability", value: "PCT", "win probability 0-100, overriding the stage's"),
        OptionSpec("close", value: "DATE", "expected close date: 2027-01-31, 31.01.2027, +1m…"),
    ]

    public static let commands: [CommandSpec] = [
        CommandSpec(
            "init", "create a data directory with a default config.json",
            arguments: [ArgumentSpec("DIR", .optional, "directory to create (default: the data directory)", hint: .directory)],
            options: [OptionSpec("shared", "prepare the directory for a team: setgid directories, group-writable files (see FILES)")],
            writes: true,
            details: ["Creates the directory (mode 0700: it holds personal data), its layout and a config.json with the default stages. Any writing command creates the layout when it is missing, so init is optional."],
            run: InitCommand.run),
        CommandSpec(
            "add", "create a lead and print its ID",
            arguments: [ArgumentSpec("NAME", "the lead's name: a person or an organization")],
            options: [OptionSpec("org", "the lead is an organization, not a person")] + leadFields + [
                OptionSpec("owner", value: "USER", "owner (default: the acting user)", hint: .live(.owner)),
                OptionSpec("stage", value: "STAGE", "stage (default: the first open stage)", hint: stageHint),
                OptionSpec("label", value: "LABEL", "add a label (repeatable)", repeatable: true, hint: .live(.label)),
                OptionSpec("field", value: "KEY=VALUE", "set a custom field (repeatable)", repeatable: true),
                OptionSpec("note", value: "TEXT", "add a first note"),
                OptionSpec("next", value: "WHEN", "set a follow-up reminder: 2026-12-01, tomorrow, +3d, friday…"),
                OptionSpec("allow-duplicate", "add even if a lead has the same e-mail, or the same name and company"),
            ],
            writes: true,
            details: ["Prints the new lead's ID alone on stdout. A lead with the same e-mail address (case-insensitive), or the same name and company, is refused naming the existing lead, unless --allow-duplicate is given."],
            examples: [
                Example("leads add \"Müller GmbH\" --org --value 12.500,50 --stage qualified", "a company lead worth 12,500.50 EUR"),
                Example("id=$(leads add \"Jane Roe\" --email jane@example.com --next +3d)", "keep the new ID for a script"),
            ],
            run: AddCommand.run),
        CommandSpec(
            "show", "show one lead with its notes, reminders and history",
            arguments: [ArgumentSpec("ID", "the lead", hint: .live(.lead))],
            options: [json],
            writes: false,
            run: ShowCommand.run),
        CommandSpec(
            "list", "list leads (open ones by default)",
            options: filters + [
                OptionSpec("overdue", "only leads with an overdue follow-up"),
                OptionSpec("sort", value: "FIELD", "sort by id, name, company, stage, value, owner, close, next, created or updated; prefix - to reverse",
                           hint: .choices(ListCommand.sortFields.flatMap { [$0, "-" + $0] })),
                OptionSpec("limit", value: "N", "show at most N leads"),
                OptionSpec("ids", "print only the IDs, one per line (for pipes)"),
                json,
            ],
            writes: false,
            details: ["Shows open leads (not won, lost or dnc) unless --all or --stage says otherwise. The next follow-up is marked with ! when overdue."],
            examples: [
                Example("leads list --mine --sort -value", "my open leads, largest first"),
                Example("leads list --owner bob --ids | leads assign - carol", "hand a departing rep's leads to carol"),
            ],
            exclusive: [["ids", "json"], ["owner", "mine"]],
            run: ListCommand.run),
        CommandSpec(
            "log", "show the activity log, newest last",
            arguments: [ArgumentSpec("ID", .optional, "only this lead's entries", hint: .live(.lead))],
            options: [
                OptionSpec("since", value: "WHEN", "only entries at or after WHEN"),
                OptionSpec("user", value: "USER", "only entries by USER", hint: .live(.owner)),
                OptionSpec("action", value: "ACTION", "only this action (repeatable)", repeatable: true, hint: .choices(LogCommand.actions)),
                OptionSpec("count", short: "n", value: "N", "only the last N entries"),
                json,
            ],
            writes: false,
            details: ["Lead names are joined in from the current lead files; the log itself holds no personal data."],
            run: LogCommand.run),
        CommandSpec(
            "help", "show help for leads or one of its commands",
            arguments: [ArgumentSpec("COMMAND", .optional, "the command", hint: .subcommand)],
            writes: false,
            run: HelpCommand.run),
        CommandSpec(
            "completion", "print a completion script for bash, zsh or fish",
            arguments: [ArgumentSpec("SHELL", "bash, zsh or fish", hint: .choices(Completions.shells))],
            writes: false,
            details: ["The script is generated from the same table as the parser; live values (lead IDs with names, stages, owners, labels) come from the data directory when you press TAB, honouring a --dir typed on the command line. The source tree's completions/ holds the same scripts, ready to install (see README)."],
            examples: [Example("source <(leads completion bash)", "enable completion in the running bash")],
            run: CompletionCommand.run),
        // Hidden: the back ends of the man page and of the completion scripts.
        CommandSpec(
            "__man", "print the manual page (roff)", writes: false, hidden: true,
            run: ManPage.run),
        CommandSpec(
            "__complete", "print live values for a completion script",
            arguments: [ArgumentSpec("KIND", "what to list", hint: .choices(LiveKind.allCases.map(\.rawValue))),
                        ArgumentSpec("PREFIX", .optional, "only values starting with PREFIX")],
            writes: false, hidden: true,
            run: LiveValues.run),
    ]

    public static func command(named name: String) -> CommandSpec? { commands.first { $0.name == name } }
}
