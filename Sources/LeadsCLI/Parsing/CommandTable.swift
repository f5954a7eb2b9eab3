import LeadsCore

// The one table of every command and option. The parser, `--help`, the man page
// and the completion scripts are all generated from it; tests fail when the committed
// man page or completions differ from what it generates.

public enum CommandTable {
    public static let globalOptions: [OptionSpec] = [
        OptionSpec("dir", value: "DIR", "data directory (default: $LEADS_DIR, else ~/.local/share/leads)", hint: .directory),
        OptionSpec("user", value: "NAME", "acting user for the log and --mine (default: $LEADS_USER, else $USER)", hint: .live(.owner)),
        OptionSpec("quiet", short: "q", "do not confirm changes on stderr, give no hints (errors are still shown)"),
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
                OptionSpec("keep-reminders", "leave the lead's open follow-ups open (by default they are closed)"),
            ],
            lock: .exclusive,
            details: ["Prints the customer's ID. The customer record (customers/ID.json) is made from the lead's contact data. Converting the same lead again adds projects to the same customer. The lead keeps its notes and history."],
            examples: [Example("leads convert 12 --project \"Website relaunch\"", "won: create the customer and a project")],
            exclusive: [["customer-name", "customer"]],
            run: ConvertCommand.run),
        CommandSpec(
            "delete", "erase leads (data-protection requests)",
            arguments: [ArgumentSpec("ID", .oneOrMore, "leads: 12, #12, 4-7, or - for IDs on stdin", hint: .live(.lead))],
            options: [OptionSpec("yes", short: "y", "do not ask for confirmation (required when not on a terminal)"),
                      OptionSpec("with-customer", "also erase the customer record a converted lead became (required for a converted lead)")],
            lock: .exclusive,
            details: ["The lead file is erased; its ID is never handed out again. The activity log keeps only that the lead was deleted: it never held personal data.",
                      "A converted lead's customer record holds the same person's contact data, so deleting the lead is refused unless --with-customer erases the customer too; a customer that also belongs to other leads is kept, and the deletion refused, until those are deleted with it."],
            run: DeleteCommand.run),
        CommandSpec(
            "dupes", "list likely duplicate leads, each pair with its reasons",
            options: [json],
            lock: .shared,
            details: ["Leads are paired when they share a normalised e-mail address (case; dots and +tags where the domain ignores them, as gmail.com does), phone number (+49 30 …, 0049 30 … and 030 … are one number), or name (word order, umlauts: Müller = Mueller) with company (legal forms such as GmbH, AG, KG, e.K., Ltd, Inc and & Co. ignored). Every pair lists all the reasons its leads share and is ranked by them. Docs/privacy.md has the rules. A key shared by too many leads to pair (a switchboard number) is named on stderr."],
            examples: [Example("leads dupes", "pairs to look at, most likely first"),
                       Example("leads merge 12 40 --dry-run", "then see what merging one pair would do")],
            run: DupesCommand.run),
        CommandSpec(
            "stages", "list the stages with probability and lead count",
            options: [json],
            lock: .shared,
            details: ["Open stages come from config.json in order; won (100 %), lost and dnc (0 %) are built in."],
            run: StagesCommand.run),
        CommandSpec(
            "users", "list, add and remove the team's users (config.json)",
            usage: ["[--json]", "add NAME --email EMAIL [--full-name NAME] [--alias ALIAS]… [--language de|en]", "remove NAME"],
            arguments: [ArgumentSpec("ACTION", .optional, "add or remove (default: list the users)", hint: .words(["add", "remove"])),
                        ArgumentSpec("NAME", .optional, "the user's login, as --user and --mine use it", hint: .live(.owner))],
            options: [
                OptionSpec("email", value: "EMAIL", "with add: the user's e-mail address (where remind --due --mail sends)"),
                OptionSpec("full-name", value: "NAME", "with add: the user's full name, as exports and mail name them"),
                OptionSpec("alias", value: "ALIAS", "with add: another name the user goes by (repeatable)", repeatable: true),
                OptionSpec("language", value: "LANG", "with add: the language of the user's mail, de or en (default: config mail.language, else en)",
                           accepts: .choices(Choices(User.languages, reason: "use " + User.languages.joined(separator: " or ")))),
                json,
            ],
            lock: LockRule(.none, byArgument: [("add", .exclusive), ("remove", .exclusive)]),
            details: [
                "The users table is optional. Where it names someone, an owner given as a login, e-mail address, full name or alias (case-insensitive) is stored as the login: --owner, --mine, assign, remind --owner, import-csv owner columns and the senders of incoming mail all resolve through it. An owner that names no user is kept as typed.",
                "A login is letters, digits, '.', '_' and '-'. No two users may share a login, e-mail, full name or alias.",
            ],
            examples: [
                Example("leads users add anna --email anna@firma.de --full-name \"Anna Schmidt\" --alias aschmidt --language de", "a rep whose reminders are mailed in German"),
                Example("leads users --json", "the table for a script"),
            ],
            run: UsersCommand.run),
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
            arguments: [ArgumentSpec("FILE", .optional, "the CSV file; - reads standard input (required except with --show-profile)", hint: .file)],
            options: [
                OptionSpec("from", value: "SYSTEM", "read the file as SYSTEM exports it: a built-in profile (\(BuiltinProfiles.names.joined(separator: ", ")))",
                           accepts: .choices(Choices(BuiltinProfiles.names, reason: "use one of " + BuiltinProfiles.names.joined(separator: ", ")))),
                OptionSpec("profile", value: "FILE", "read the file as the JSON profile FILE describes (the schema of --show-profile)", hint: .file),
                OptionSpec("show-profile", "with --from: print that built-in profile as JSON, to start a --profile FILE from"),
                OptionSpec("delimiter", value: "C", "cell delimiter: auto (default: detects , ; TAB |), a character, or tab",
                           accepts: .parsed(ImportCommand.delimiterParser)),
                OptionSpec("encoding", value: "ENC", "utf8 (default) or cp1252 (Excel on Windows)",
                           accepts: .choices(Choices(["utf8", "cp1252"], reason: "use utf8 or cp1252"))),
                OptionSpec("decimal", value: "SEP", "the decimal separator of amounts in this file: . or , (settles 12.500)", accepts: .choices(Choices([".", ","], reason: "use --decimal . or --decimal ,"))),
                OptionSpec("map", value: "COLUMN=FIELD", "read COLUMN as FIELD (a field name, field:KEY for a custom field, state, - to drop it); A+B=FIELD joins columns with a space (repeatable)", repeatable: true),
                OptionSpec("map-value", value: "FIELD:SOURCE=TARGET", "read the cell value SOURCE of FIELD as TARGET, case-insensitively, e.g. 'stage:Closed - Converted=won' (repeatable)", repeatable: true),
                OptionSpec("keep-unknown", "keep every column that matches no field as the custom field field:<header>"),
                OptionSpec("drop-unknown", "drop every column that matches no field (the plan and the summary name them)"),
                OptionSpec("date-format", value: "ORDER", "the order of numeric dates such as 3/5/2024: DMY, MDY or YMD",
                           accepts: .choices(Choices(["DMY", "MDY", "YMD"], reason: "use DMY, MDY or YMD"))),
                OptionSpec("century", value: "YEAR", "read two-digit years in this century, e.g. 2000 (27 is 2027)",
                           accepts: .parsed(ImportCommand.centuryParser)),
                OptionSpec("probability-scale", value: "SCALE", "percent (60, 10.0; the default) or fraction (0.6 is 60 %)",
                           accepts: .choices(Choices(["percent", "fraction"], reason: "use percent or fraction"))),
                OptionSpec("default", value: "FIELD=VALUE", "value for FIELD where a row's cell is empty or the column is missing (repeatable)", repeatable: true),
                OptionSpec("on-duplicate", value: "POLICY", "a row matching a lead (same e-mail, or name and company): error (default), skip, update it (never a lead of another name), or create a lead anyway", accepts: .choices(Choices(["error", "skip", "update", "create"], reason: "use error, skip, update or create"))),
                OptionSpec("skip-invalid", "import the valid rows even if others are invalid (they are reported)"),
                OptionSpec("dry-run", "check the file and print what would happen; write nothing"),
                json,
            ],
            lock: .exclusive,
            details: [
                "The first row names the columns: field names (name, company, email, …, field:KEY) or the usual English and German headers of other CRMs and spreadsheets (Firma, E-Mail, Telefon, Wert, Abschluss, Verantwortlich, …), case-insensitively. A column that matches nothing is refused by name unless mapped.",
                "The whole file is checked before anything is written. Every bad row is reported as FILE:LINE: column: reason (LINE is where the record starts) and nothing is imported, unless --skip-invalid. The import holds the store's lock throughout; a summary goes to stderr, --json prints one on stdout.",
                "--from SYSTEM reads another CRM's export as it is: its headers, its stage and status values (closed ones to won, lost and dnc), names from first and last name, its dates, decimals, probabilities, labels and report footers. Every option given wins over the profile. A stage or owner value that names nothing is reported once, with its lines and the --map-value that reads it. --dry-run prints the column plan: every header and what it becomes; a real run names every column it did not import. Docs/import.md has a section per system.",
            ],
            examples: [
                Example("leads import-csv leads.csv --from salesforce --dry-run", "see what a Salesforce report would become"),
                Example("leads import-csv deals.csv --from hubspot --on-duplicate create", "HubSpot deals: several deals of one contact"),
                Example("leads import-csv export.csv --delimiter ';' --decimal , --encoding cp1252", "a German Excel export"),
                Example("leads import-csv new.csv --on-duplicate skip", "a nightly feed, or completing an interrupted import"),
            ],
            exclusive: [["keep-unknown", "drop-unknown"], ["from", "profile"]],
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
                OptionSpec("as-of", value: "WHEN", "the pipeline as it stood at WHEN, rebuilt from the activity log"),
                OptionSpec("explain", "one line per lead in each group: value × probability = weighted, with the rounding"),
                json,
                OptionSpec("csv", "print CSV: one row per group and currency, then a total row (decimal strings)"),
            ],
            lock: LockRule(.shared, byOption: [("as-of", .none)]),
            details: [
                "Per group: the number of leads, their total value and their weighted value: each lead's value times its probability (the lead's override, else its stage's), rounded to the cent, then summed. Amounts in different currencies are never added: one block per currency, and one for leads without a value.",
                "Counts open leads; --include-won, --include-lost (or --all, or naming the stage with --stage) add won and lost leads; dnc leads are never counted. With --by label a lead is counted under each of its labels, and once in the total. Docs/reports.md has the details and the JSON and CSV schemas.",
                "--as-of WHEN rebuilds every lead's stage, value, probability, close date, owner, labels, source, campaign and next follow-up from the activity log and counts them as the pipeline did then (with the stages of today's config.json); leads whose records then are of the old log format 1 are named as gaps, never guessed. --search cannot look into the past: the log holds no personal data.",
            ],
            examples: [
                Example("leads pipeline", "the open pipeline by stage"),
                Example("leads pipeline --by month --mine", "my forecast by month of expected close"),
                Example("leads pipeline --by owner --include-won --csv > forecast.csv", "per rep, won deals included, for a spreadsheet"),
                Example("leads pipeline --as-of 2026-10-01 --by month", "the forecast as it stood on the first of October"),
                Example("leads pipeline --explain --stage proposal", "each proposal's value, probability and weighted value"),
            ],
            exclusive: [["json", "csv"], ["owner", "mine"]],
            run: PipelineCommand.run),
        CommandSpec(
            "report", "questions about the past, from the activity log: funnel, velocity, lost, winrate, accuracy",
            arguments: [ArgumentSpec("REPORT", "funnel, velocity, lost, winrate or accuracy",
                                     hint: .words(ReportCommand.Kind.allCases.map(\.rawValue)))],
            options: [
                OptionSpec("since", value: "WHEN", "count only what happened at or after WHEN"),
                OptionSpec("until", value: "WHEN", "count only what happened before WHEN"),
                OptionSpec("by", value: "GROUPING", "split by the lead's owner, source or campaign at the time",
                           accepts: .choices(Choices(HistoryGrouping.allCases.map(\.rawValue), reason: "use owner, source or campaign"))),
                json,
                OptionSpec("csv", "print CSV: one row per table row, with a header"),
            ],
            lock: .none,
            details: [
                "funnel: per month, the leads that entered each stage and how many of them went on to a later stage or won. velocity: days spent in each open stage (median, mean, 90th percentile) by stays that ended in the period. lost: moves to lost, reasons ranked, with the stages lost from (reasons come from the lead files: the log holds no free text). winrate: won / (won + lost) of the leads closed in the period. accuracy: per month, the open leads expected to close in it as the pipeline stood on its first day (count, value, weighted) against the leads won with a close date in it by the first of the next month; without --since, the last twelve months.",
                "Each report is one pass over the activity log. Records of the old log format 1 do not carry every field: what they alone describe is left out and, for accuracy, counted as gaps. Docs/reports.md says what each report counts, with worked examples and the JSON and CSV shapes.",
            ],
            examples: [
                Example("leads report funnel --since 2026-01-01", "this year's funnel, month by month"),
                Example("leads report winrate --by owner", "each rep's win rate"),
                Example("leads report accuracy --csv > accuracy.csv", "forecast against outcome, for a spreadsheet"),
            ],
            exclusive: [["json", "csv"]],
            run: ReportCommand.run),
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
            "doctor", "check that the data directory's file system is safe for a team",
            options: [json],
            lock: .none,
            details: [
                "Reads the mount table for the data directory's file system and mount options and says what is unsafe for a directory several machines share, each with its fix: NFS nolock or local_lock, SMB nobrl or cache=loose, FUSE file systems whose locks stay on one client, GlusterFS client caches and kernel cache time-outs that serve stale data, and files dated in the future of this machine's clock. Where the same volume is mounted twice on this machine, it checks that a lock taken through one mount is seen through the other.",
                "Exit status 1 when any finding is unsafe. Docs/team.md says which options each file system needs.",
            ],
            examples: [Example("leads doctor --dir /mnt/team/leads", "before a team starts using a network directory")],
            run: DoctorCommand.run),
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
