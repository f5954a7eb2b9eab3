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
            lock: .exclusive,
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
            lock: .exclusive,
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
            lock: .none,
            run: ShowCommand.run),
        CommandSpec(
            "list", "list leads (open ones by default)",
            options: filters + [
                OptionSpec("overdue", "only leads with an overdue follow-up"),
                OptionSpec("sort", value: "FIELD", "sort by id, name, company, stage, value, owner, close, next, created or updated; prefix - to reverse",
                           accepts: .choices(ListCommand.sortChoices)),
                OptionSpec("limit", value: "N", "show at most N leads", accepts: .parsed(.count(argument: "--limit"))),
                OptionSpec("ids", "print only the IDs, one per line (for pipes)"),
                json,
            ],
            lock: .shared,
            details: ["Shows open leads (not won, lost or dnc) unless --all or --stage says otherwise. The next follow-up is marked with ! when overdue."],
            examples: [
                Example("leads list --mine --sort -value", "my open leads, largest first"),
                Example("leads list --owner bob --ids | leads assign - carol", "hand a departing rep's leads to carol"),
            ],
            exclusive: [["ids", "json"], ["owner", "mine"]],
            run: ListCommand.run),
        CommandSpec(
            "status", "move leads to a stage",
            arguments: [ArgumentSpec("ID", .oneOrMore, "leads: 12, #12, 4-7, or - for IDs on stdin", hint: .live(.lead)),
                        ArgumentSpec("STAGE", "an open stage, won, lost or dnc; a unique prefix is enough", hint: stageHint)],
            options: [
                OptionSpec("probability", value: "PCT", "set the win probability 0-100 (otherwise the new stage's applies)"),
                OptionSpec("note", value: "TEXT", "add a note to each lead"),
                OptionSpec("reason", value: "TEXT", "why the lead was lost (lost and dnc only)"),
            ],
            lock: .exclusive,
            details: ["Stage names match case-insensitively and by unique prefix. A change of stage drops a probability set on the lead unless --probability gives a new one; leaving lost or dnc drops the lost reason."],
            examples: [Example("leads status 12 13 20-25 qualified", "several leads at once"),
                       Example("leads status 7 lost --reason \"went with a competitor\"", "record why a deal was lost")],
            run: StatusCommand.run),
        CommandSpec(
            "assign", "give leads to an owner",
            arguments: [ArgumentSpec("ID", .oneOrMore, "leads: 12, #12, 4-7, or - for IDs on stdin", hint: .live(.lead)),
                        ArgumentSpec("USER", "the new owner", hint: .live(.owner))],
            lock: .exclusive,
            details: ["Open follow-ups that belonged to the previous owner move to the new one, so reminders reach whoever has the lead now."],
            examples: [Example("leads list --owner bob --ids | leads assign - carol", "reassign a departing rep's leads")],
            run: AssignCommand.run),
        CommandSpec(
            "set", "change fields of leads",
            arguments: [ArgumentSpec("ID", .oneOrMore, "leads: 12, #12, 4-7, or - for IDs on stdin", hint: .live(.lead))],
            options: [OptionSpec("name", value: "NAME", "the lead's name"),
                      OptionSpec("org", "the lead is an organization"),
                      OptionSpec("no-org", "the lead is a person")]
                + leadFields + [
                OptionSpec("label", value: "+L|-L", "add (+L or L) or remove (-L) a label (repeatable)", repeatable: true, hint: .live(.label)),
                OptionSpec("field", value: "KEY=VALUE", "set a custom field; KEY= removes it (repeatable)", repeatable: true),
            ],
            lock: .exclusive,
            details: ["An empty value clears a field (--email \"\"). The log records which fields changed, never their values, except money, probability and dates."],
            examples: [Example("leads set 12 --value 15000 --close +1m --label +hot", "update the deal")],
            exclusive: [["org", "no-org"]],
            run: SetCommand.run),
        CommandSpec(
            "note", "add a note to a lead",
            arguments: [ArgumentSpec("ID", "the lead", hint: .live(.lead)),
                        ArgumentSpec("TEXT", "the note; - reads it from stdin")],
            options: [
                OptionSpec("contacted", "the note records a contact: shown as the lead's last contact"),
                OptionSpec("at", value: "WHEN", "when it happened (default: now)"),
            ],
            lock: .exclusive,
            details: ["With --contacted the lead's last contact (who and when) is updated; list and show display it, so two reps don't call the same lead twice."],
            examples: [Example("leads note 12 \"called, wants an offer by Friday\" --contacted", "log a call")],
            run: NoteCommand.run),
        CommandSpec(
            "convert", "mark a lead won and make it a customer",
            arguments: [ArgumentSpec("ID", "the lead", hint: .live(.lead))],
            options: [
                OptionSpec("customer-name", value: "NAME", "name of the new customer (default: the lead's company, else its name)"),
                OptionSpec("customer", value: "CID", "link to this existing customer instead of creating one", hint: .live(.customer)),
                OptionSpec("project", value: "NAME", "a project the deal became (repeatable)", repeatable: true),
                OptionSpec("force", "convert even a lost or dnc lead"),
            ],
            lock: .exclusive,
            details: ["Prints the customer's ID. The customer record (customers/ID.json) is made from the lead's contact data. Converting the same lead again adds projects to the same customer. The lead keeps its notes and history."],
            examples: [Example("leads convert 12 --project \"Website relaunch\"", "won: create the customer and a project")],
            exclusive: [["customer-name", "customer"]],
            run: ConvertCommand.run),
        CommandSpec(
            "delete", "erase leads (data-protection requests)",
            arguments: [ArgumentSpec("ID", .oneOrMore, "leads: 12, #12, 4-7, or - for IDs on stdin", hint: .live(.lead))],
            options: [OptionSpec("yes", short: "y", "do not ask for confirmation (required when not on a terminal)")],
            lock: .exclusive,
            details: ["The lead file is erased; its ID is never handed out again. The activity log keeps only that the lead was deleted: it never held personal data."],
            run: DeleteCommand.run),
        CommandSpec(
            "stages", "list the stages with probability and lead count",
            options: [json],
            lock: .shared,
            details: ["Open stages come from config.json in order; won (100 %), lost and dnc (0 %) are built in."],
            run: StagesCommand.run),
        CommandSpec(
            "customers", "list the customers made by convert",
            options: [json],
            lock: .shared,
            run: CustomersCommand.run),
        CommandSpec(
            "remind", "add, list, close and snooze follow-ups; report the due ones for cron",
            usage: ["ID WHEN [TEXT] [--owner USER]", "--list [ID] [--json]", "--done REF…", "--snooze REF WHEN",
                    "--due [--owner USER | --mine] [--once] [--json]"],
            arguments: [ArgumentSpec("ARGS", .any, "ID WHEN [TEXT] to add; REF (ID.N) for --done and --snooze; ID for --list", hint: .live(.reminder))],
            options: [
                OptionSpec("owner", value: "USER", "who is reminded (default: the lead's owner); with --due: only USER's", hint: .live(.owner)),
                OptionSpec("list", "list open reminders, of open leads or of lead ID"),
                OptionSpec("done", "close the reminders REF… (ID.N)"),
                OptionSpec("snooze", "move reminder REF to WHEN"),
                OptionSpec("due", "list open reminders due now on open leads, oldest first; prints nothing when none is due"),
                OptionSpec("mine", "with --due: only the acting user's reminders"),
                OptionSpec("once", "with --due: only reminders not announced before, and mark them announced"),
                json,
            ],
            lock: LockRule(.exclusive, byOption: [("once", .exclusive), ("list", .shared), ("due", .shared)]),
            details: [
                "Adding prints the reminder's reference ID.N. WHEN is 2026-12-01, 2026-12-01T14:30 (local time), 31.12.2026, today, tomorrow, +3d, +2w, +1m or a weekday name (the next one). A date without a time falls due at local midnight (TZ is honoured when --due runs).",
                "--due is made for cron: when nothing is due it prints nothing and exits 0, so cron sends no mail. With --once, two overlapping runs never announce the same reminder twice.",
            ],
            examples: [
                Example("leads remind 12 friday \"send the offer\"", "follow up on Friday"),
                Example("0 8 * * 1-5 leads remind --due --once", "crontab: mail each weekday morning's due follow-ups"),
            ],
            exclusive: [["list", "done", "snooze", "due"], ["owner", "mine"]],
            run: RemindCommand.run),
        CommandSpec(
            "import-csv", "import leads from a CSV file (other CRMs, Excel)",
            arguments: [ArgumentSpec("FILE", "the CSV file; - reads standard input", hint: .file)],
            options: [
                OptionSpec("delimiter", value: "C", "cell delimiter: auto (default: detects , ; TAB |), a character, or tab",
                           accepts: .parsed(ImportCommand.delimiterParser)),
                OptionSpec("encoding", value: "ENC", "utf8 (default) or cp1252 (Excel on Windows)",
                           accepts: .choices(Choices(["utf8", "cp1252"], reason: "use utf8 or cp1252"))),
                OptionSpec("decimal", value: "SEP", "the decimal separator of amounts in this file: . or , (settles 12.500)", accepts: .choices(Choices([".", ","], reason: "use --decimal . or --decimal ,"))),
                OptionSpec("map", value: "COLUMN=FIELD", "read COLUMN as FIELD (a field name, field:KEY for a custom field, - to drop it) (repeatable)", repeatable: true),
                OptionSpec("default", value: "FIELD=VALUE", "value for FIELD where a row's cell is empty or the column is missing (repeatable)", repeatable: true),
                OptionSpec("on-duplicate", value: "POLICY", "a row matching a lead (same e-mail, or name and company): error (default), skip, or update it", accepts: .choices(Choices(["error", "skip", "update"], reason: "use error, skip or update"))),
                OptionSpec("skip-invalid", "import the valid rows even if others are invalid (they are reported)"),
                OptionSpec("dry-run", "check the file and print what would happen; write nothing"),
                json,
            ],
            lock: .exclusive,
            details: [
                "The first row names the columns: field names (name, company, email, …, field:KEY) or the usual English and German headers of other CRMs and spreadsheets (Firma, E-Mail, Telefon, Wert, Abschluss, Verantwortlich, …), case-insensitively. A column that matches nothing is refused by name unless mapped.",
                "The whole file is checked before anything is written. Every bad row is reported as FILE:LINE: column: reason (LINE is where the record starts) and nothing is imported, unless --skip-invalid. The import holds the store's lock throughout; a summary goes to stderr, --json prints one on stdout.",
            ],
            examples: [
                Example("leads import-csv export.csv --delimiter ';' --decimal , --encoding cp1252", "a German Excel export"),
                Example("leads import-csv new.csv --on-duplicate skip", "a nightly feed, or completing an interrupted import"),
            ],
            run: ImportCommand.run),
        CommandSpec(
            "pipeline", "forecast: leads, value and weighted value per stage, owner, month…",
            options: [
                OptionSpec("by", value: "GROUPING", "group by stage (default), owner, month (of expected close), source, label or campaign",
                           accepts: .choices(PipelineCommand.groupingChoices)),
                OptionSpec("include-won", "count won leads too (at 100 % unless overridden)"),
                OptionSpec("include-lost", "count lost leads too (at 0 % unless overridden)"),
                OptionSpec("all", "count won and lost leads too (dnc leads never count)"),
            ] + filters.filter { $0.name != "all" } + [
                OptionSpec("overdue", "only leads with an overdue follow-up"),
                json,
                OptionSpec("csv", "print CSV: one row per group and currency, then a total row (decimal strings)"),
            ],
            lock: .shared,
            details: [
                "Per group: the number of leads, their total value and their weighted value: each lead's value times its probability (the lead's override, else its stage's), rounded to the cent, then summed. Amounts in different currencies are never added: one block per currency, and one for leads without a value.",
                "Counts open leads; --include-won, --include-lost (or --all, or naming the stage with --stage) add won and lost leads; dnc leads are never counted. With --by label a lead is counted under each of its labels, and once in the total. Docs/reports.md has the details and the JSON and CSV schemas.",
            ],
            examples: [
                Example("leads pipeline", "the open pipeline by stage"),
                Example("leads pipeline --by month --mine", "my forecast by month of expected close"),
                Example("leads pipeline --by owner --include-won --csv > forecast.csv", "per rep, won deals included, for a spreadsheet"),
            ],
            exclusive: [["json", "csv"], ["owner", "mine"]],
            run: PipelineCommand.run),
        CommandSpec(
            "export-csv", "write leads as CSV (RFC 4180) for spreadsheets and import-csv",
            options: filters + [
                OptionSpec("overdue", "only leads with an overdue follow-up"),
                OptionSpec("fields", value: "LIST", "only these columns, in this order: comma-separated names such as id,name,email,field:KEY"),
                OptionSpec("delimiter", value: "C", "field delimiter: one ASCII character, or tab (default ,)",
                           accepts: .parsed(ExportCSVCommand.delimiterParser)),
                OptionSpec("bom", "start with a UTF-8 byte order mark"),
                OptionSpec("decimal-comma", "write amounts with a decimal comma (12500,50)"),
                OptionSpec("excel", "what German Excel opens by double-click: ; delimiter, byte order mark, decimal comma"),
                OptionSpec("no-formula-escape", "write text cells starting with = + - @ as they are (default: prefix ')"),
                OptionSpec("with-notes", "add a notes column: every note as a JSON array"),
                OptionSpec("output", value: "FILE", "write to FILE, replaced atomically, instead of standard output", hint: .file),
            ],
            lock: .shared,
            details: [
                "One record per lead, sorted by ID, after a header, with CRLF line ends. Columns: id, name, organization, company, email, phone, address, owner, stage, probability, value, currency, weighted, expected_close, source, campaign, labels, lost_reason, next_reminder, last_contact, converted_customer, created, updated, then field:KEY for every custom field, then notes with --with-notes. Docs/export.md describes each column.",
                "Exports open leads unless --all or --stage says otherwise. Text cells a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) get a leading ' that import-csv removes again.",
            ],
            examples: [
                Example("leads export-csv --excel --output leads.csv", "a file German Excel opens correctly by double-click"),
                Example("leads export-csv --all --with-notes > backup.csv", "every lead with its notes, for import-csv"),
                Example("leads export-csv --fields id,name,email --label fair", "a mailing list of the fair's leads"),
            ],
            exclusive: [["owner", "mine"], ["excel", "delimiter"]],
            run: ExportCSVCommand.run),
        CommandSpec(
            "fsck", "check every file and the log; --repair mends what can be mended",
            options: [
                OptionSpec("repair", "remove stale temporary files, cut a torn last log line, log unlogged files, rebuild derived files"),
                json,
            ],
            lock: LockRule(.shared, byOption: [("repair", .exclusive)]),
            details: [
                "Checks that every lead and customer file parses and validates (IDs match names, stages exist, money is exact), that no temporary files are left, that the log parses, and that the derived files (next ID, duplicate keys) cover every file. Problems are printed one per line as PATH[:LINE:COL]: reason; the exit status is 1 when any is left.",
                "--repair never touches a broken lead file (mend it by hand under 'leads lock') and never rewrites the log: it only cuts an incomplete last line and appends records.",
            ],
            examples: [Example("leads fsck --repair && leads fsck", "mend, then confirm the store is clean")],
            run: FsckCommand.run),
        CommandSpec(
            "lock", "run a command while holding the store's lock",
            usage: ["[--shared] -- CMD [ARGS…]"],
            arguments: [ArgumentSpec("CMD", .oneOrMore, "the command and its arguments (after --)", hint: .command)],
            options: [OptionSpec("shared", "take the lock shared (other readers may run; writers wait)")],
            lock: LockRule(.exclusive, byOption: [("shared", .shared)]),
            details: ["Every leads writer waits (up to LEADS_LOCK_TIMEOUT) while CMD runs, so a backup sees a consistent store. Exits with CMD's status (126 if it cannot be run, 127 if it is not found)."],
            examples: [Example("leads lock -- tar czf leads-backup.tgz -C ~/.local/share leads", "a consistent backup")],
            run: LockCommand.run),
        CommandSpec(
            "log", "show the activity log, newest last",
            arguments: [ArgumentSpec("ID", .optional, "only this lead's entries", hint: .live(.lead))],
            options: [
                OptionSpec("since", value: "WHEN", "only entries at or after WHEN"),
                OptionSpec("user", value: "USER", "only entries by USER", hint: .live(.owner)),
                OptionSpec("action", value: "ACTION", "only this action (repeatable)", repeatable: true, accepts: .choices(LogCommand.actionChoices)),
                OptionSpec("count", short: "n", value: "N", "only the last N entries", accepts: .parsed(.count(argument: "-n"))),
                json,
            ],
            lock: .none,
            details: ["Lead names are joined in from the current lead files; the log itself holds no personal data."],
            run: LogCommand.run),
        CommandSpec(
            "help", "show help for leads or one of its commands",
            arguments: [ArgumentSpec("COMMAND", .optional, "the command", hint: .subcommand)],
            lock: .none,
            run: HelpCommand.run),
        CommandSpec(
            "completion", "print a completion script for bash, zsh or fish",
            arguments: [ArgumentSpec("SHELL", "bash, zsh or fish", hint: .words(Completions.shells))],
            lock: .none,
            details: ["The script is generated from the same table as the parser; live values (lead IDs with names, stages, owners, labels) come from the data directory when you press TAB, honouring a --dir typed on the command line. The source tree's completions/ holds the same scripts, ready to install (see README)."],
            examples: [Example("source <(leads completion bash)", "enable completion in the running bash")],
            run: CompletionCommand.run),
        // Hidden: the back ends of the man page and of the completion scripts.
        CommandSpec(
            "__man", "print the manual page (roff)", lock: .none, hidden: true,
            run: ManPage.run),
        CommandSpec(
            "__complete", "print live values for a completion script",
            arguments: [ArgumentSpec("KIND", "what to list", hint: .words(LiveKind.allCases.map(\.rawValue))),
                        ArgumentSpec("PREFIX", .optional, "only values starting with PREFIX")],
            lock: .shared, hidden: true,
            run: LiveValues.run),
    ]

    public static func command(named name: String) -> CommandSpec? { commands.first { $0.name == name } }
}
