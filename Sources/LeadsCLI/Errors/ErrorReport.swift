import Glibc
import LeadsCore

// The one place where errors become text and exit statuses. Every message starts
// with "leads: ", is lower case, names the argument, file or line, and where there is
// one, says the fix. Exit statuses: 0 success, 1 failure, 2 usage, 75 lock timeout (or
// a temporary mail failure: try again later).

public enum ExitStatus {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let lockTimeout: Int32 = 75
    /// EX_TEMPFAIL: `remind --due --mail` when every failed delivery was sendmail's own
    /// temporary failure; the same "try again later" as a busy lock.
    public static let temporaryFailure: Int32 = 75
    /// EX_DATAERR (sysexits.h): `leads mail` refuses a message it will not keep (empty,
    /// not a message, over the size limit); the mail system returns it to its sender.
    public static let dataError: Int32 = 65
    /// EX_NOUSER: `leads mail --bounce` for a message that names no single lead.
    public static let noUser: Int32 = 67
}

/// A command that understood its request but cannot carry it out.
public enum CommandError: Error, Sendable, Equatable {
    case closedLeadNeedsForce(id: Int, stage: String)
    case alreadyConverted(id: Int, customer: Int)
    case reminderDone(String)
    case confirmationRequired(command: String)
    case declined
    case unknownHelpTopic(String)
    case childFailed(command: String, reason: String, status: Int32)
    case nothingToChange(command: String)
    /// `delete` of a converted lead whose customer record holds the same person.
    case convertedLeadHasCustomer(id: Int, customer: Int)
    /// `delete --with-customer` where the customer also belongs to leads not being deleted.
    case customerHasOtherLeads(customer: Int, leads: [Int])
    /// `remind --due --mail` without config.json `mail.from`.
    case mailFromMissing
    /// LEADS_SENDMAIL or `mail.sendmail` names no program (only white space).
    case mailSendmailEmpty(source: String)
}

enum ErrorReport {
    /// What starts every line `leads` writes to stderr: errors, warnings, notices and the
    /// confirmation question alike, so a script can tell them from a child's output.
    static let prefix = "leads: "

    /// Renders `error` on stderr and returns the exit status.
    static func report(_ error: Error) -> Int32 {
        let (message, status) = render(error)
        if let message {
            for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
                Output.standardError(prefix + line)
            }
        }
        return status
    }

    /// A line for the person at the prompt that is not an error: progress, a summary, a
    /// hint. Every command says such things through here, never with its own prefix.
    static func notice(_ text: String) {
        Output.standardError(prefix + text)
    }

    /// Problems after a commit point: the change is complete, a derived file or a backup
    /// is not; said once each, with what mends it.
    static func warn(_ warnings: [StoreError]) {
        var seen: Set<String> = []
        for warning in warnings {
            guard let message = store(warning).0?.split(separator: "\n").first.map(String.init), seen.insert(message).inserted else { continue }
            Output.standardError(prefix + "warning: " + message + " (the change itself is complete; the next command or 'leads fsck --repair' mends this)")
        }
    }

    /// A killed command's unlogged change that this command's writer undid first: the
    /// files as they were before it, named, so that nobody wonders where it went.
    static func settled(_ commit: SettledKilledCommit) {
        var back: [String] = [], away: [String] = []
        for problem in commit.problems where problem.repaired {
            switch problem.kind {
            case .unloggedChange: back.append(problem.path)
            case .unloggedCreation: away.append(problem.path)
            default: break
            }
        }
        guard !back.isEmpty || !away.isEmpty else { return }
        var undone: [String] = []
        if !back.isEmpty { undone.append(back.joined(separator: ", ") + " put back as before") }
        if !away.isEmpty { undone.append(away.joined(separator: ", ") + " taken away") }
        notice("a command was killed in the middle of a change and logged none of it (\(describe(commit.holder))); "
               + "undone before this one: " + undone.joined(separator: "; "))
    }

    static func render(_ error: Error) -> (String?, Int32) {
        switch error {
        case let e as UsageError: return (usage(e), ExitStatus.usage)
        case let e as FieldError: return (field(e), ExitStatus.failure)
        case let e as StoreError: return store(e)
        case let e as CorruptFiles:
            // One line per broken file, then the advice once, not once per file.
            let lines = e.problems.flatMap { (store($0).0 ?? "").split(separator: "\n").map(String.init) }
            let advice = lines.contains(fsckAdvice) ? [fsckAdvice] : []
            return ((lines.filter { $0 != fsckAdvice } + advice).joined(separator: "\n"), ExitStatus.failure)
        case let e as CommandError:
            if case .childFailed(_, _, let status) = e { return (command(e), status) }
            return (command(e), ExitStatus.failure)
        case let e as ImportError:
            switch e {
            // The option's own text is wrong, whatever the file holds: a usage error.
            case .badMap, .badMapValue, .badDefault, .unknownProfile: return (importError(e), ExitStatus.usage)
            default: return (importError(e), ExitStatus.failure)
            }
        case let e as ImportFailure:
            switch e {
            case let .rejected(file, rows, dryRun):
                let count = rows == 1 ? "1 row" : "\(rows) rows"
                return ("\(file): \(count) rejected; " + (dryRun ? "the import would fail" : "nothing imported")
                        + " (fix them, or use --skip-invalid to import the other rows)", ExitStatus.failure)
            }
        case let e as ImportStopped:
            let (message, status) = store(e.error)
            let count = e.committed == 1 ? "1 lead" : "\(e.committed) leads"
            return ((message.map { $0 + "\n" } ?? "")
                    + "\(e.file):\(e.line): the import stopped at this line; the \(count) before it are imported, the rest not: once that is mended, run the same import again with --on-duplicate skip to import the rest",
                    status == ExitStatus.success ? ExitStatus.failure : status)
        case let e as ReportError: return (report(e), ExitStatus.failure)
        case let e as MailError: return (MailError.describe(e) + "; nothing was sent", ExitStatus.failure)
        case let e as MailDeliveryFailures: return mailFailures(e)
        case let e as UserError:
            switch e {
            case .unknown: return (UserError.describe(e) + " (run 'leads users' for the list)", ExitStatus.failure)
            default: return (UserError.describe(e), ExitStatus.failure)
            }
        case let e as PrivacyError: return (privacy(e), ExitStatus.failure)
        case let e as LeadFileError: return (leadFile(e), ExitStatus.failure)
        case let e as MessageReadError: return ("standard input: " + MessageReadError.describe(e) + "; the message was refused", ExitStatus.dataError)
        case let e as EnvironmentError:
            switch e {
            case let .invalidVariable(name, value, reason):
                return ("\(name)=\(quoted(value)) is not valid: \(reason)", ExitStatus.usage)
            }
        case let e as OutputError:
            switch e {
            case .readerGone: return (nil, ExitStatus.success)
            case .writeFailed(let code): return ("cannot write to standard output: \(reason(code))", ExitStatus.failure)
            }
        case let e as SystemError: return (system(e), ExitStatus.failure)
        default:
            return ("unexpected error: \(error)", ExitStatus.failure)
        }
    }

    static func usage(_ e: UsageError) -> String {
        switch e {
        case let .unknownCommand(name, suggestion):
            return "unknown command \(quoted(name))" + didYouMean(suggestion) + "\nrun 'leads help' for the list of commands"
        case let .unknownOption(option, command, suggestion):
            let scope = command.map { " for '\($0)'" } ?? ""
            let help = command.map { "leads \($0) --help" } ?? "leads help"
            return "unknown option \(quoted(option))\(scope)" + didYouMean(suggestion) + "\nrun '\(help)' for its options"
        case .missingValue(let option): return "option '\(option)' needs a value"
        case .unexpectedValue(let option): return "option '\(option)' takes no value"
        case .repeatedOption(let option): return "option '\(option)' given more than once"
        case let .conflictingOptions(a, b): return "options '\(a)' and '\(b)' cannot be used together"
        case let .missingArgument(command, name): return "\(command): missing \(name)\nrun 'leads \(helpName(command)) --help' for its usage"
        case let .unexpectedArgument(command, value): return "\(command): unexpected argument \(quoted(value))\nrun 'leads \(helpName(command)) --help' for its usage"
        case let .invalidArgument(argument, value, reason): return "invalid \(argument) \(quoted(value)): \(reason)"
        case let .invalidChoice(argument, value, reason, suggestion, then):
            return "invalid \(argument) \(quoted(value)): \(reason)" + didYouMean(suggestion) + (then.map { "\n" + $0 } ?? "")
        case let .unknownHelpTopic(topic, suggestion): return "no help for \(quoted(topic)): not a command" + didYouMean(suggestion)
        case let .notUTF8(position, bytes):
            // Name the argument by its valid start and the first byte that is not UTF-8.
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = bytes.makeIterator()
            var valid = 0
            scan: while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let scalar): valid += scalar.count
                case .error, .emptyInput: break scan
                }
            }
            let offender = bytes[valid...].first.map { "0x" + String($0, radix: 16, uppercase: true) } ?? "?"
            let start = String(decoding: bytes[..<valid], as: UTF8.self)
            return "argument \(position) is not UTF-8 text: byte \(offender)" + (start.isEmpty ? " at its start" : " after \(quoted(start))")
                + "; leads reads arguments as UTF-8 (is the terminal set to Latin-1?)"
        case let .optionRequires(option, modes): return "option '\(option)' works only with \(modes.joined(separator: " or "))"
        }
    }

    static func field(_ e: FieldError) -> String {
        "\(e.field): " + problem(e.problem, value: e.value)
    }

    /// The reason alone, for messages that name the place themselves (CSV rows).
    static func problem(_ problem: FieldProblem, value: String) -> String {
        switch problem {
        case .money(let error): return money(error)
        case .date(let error): return date(error)
        case .stage(let error): return stage(error)
        case .invalid(let reason): return "\(quoted(value)): \(reason)"
        }
    }

    static func money(_ e: MoneyError) -> String {
        switch e {
        case .empty: return "an amount is required"
        case .invalid(let text) where negativeAfterTheFact(text):
            // "100-" (SAP, some ledgers) and "(100)" (accounting): a sign read from there
            // would be a guess about the writer's convention, so it is refused, with the form
            // that is read.
            return "\(quoted(text)) is not an amount: a negative amount starts with - (-100, -100 EUR); a minus after the number or parentheses around it are not read"
        case .invalid(let text): return "\(quoted(text)) is not an amount (examples: 12500, 12500.50, 12.500,50, 12,500.50 EUR)"
        case let .ambiguous(text, thousands, decimal):
            // The forms to write are ones MoneyParser reads as meant: the decimal reading
            // with four decimals where it has three ("7.1250", not the refused "7.125").
            return "\(quoted(text)) is ambiguous: \(thousands.canonical) if the separator groups thousands, \(decimal.canonical) if it is the decimal point; write \(thousands.formatted()) or \(decimal.formatted(unambiguous: true)) (import-csv: use --decimal . or --decimal ,; for every command: \"decimal\" in config.json)"
        case let .againstCurrencyConvention(text, currency, separator, decimal):
            let (mark, other, word) = separator == .comma ? (",", UInt8(ascii: "."), "commas") : (".", UInt8(ascii: ","), "points")
            return "\(quoted(text)) is ambiguous: \(currency) amounts use '\(mark)' only between thousands, and this one groups none; "
                + "\(decimal.canonical) \(currency) if it is the decimal separator: write \(decimal.formatted(decimalSeparator: other)), or use --decimal \(mark) if the file writes decimal \(word)"
        case .tooManyFractionDigits(let text): return "\(quoted(text)) has more than \(Amount.fractionDigits) decimal places; amounts are never rounded"
        case let .beyondMinorUnits(text, currency, minorUnits):
            let places = minorUnits == 0 ? "no decimal places" : minorUnits == 1 ? "1 decimal place" : "\(minorUnits) decimal places"
            return "\(quoted(text)) is finer than \(currency) counts (\(places)); amounts are never rounded or shifted"
        case .tooLarge(let text): return "\(quoted(text)) is too large"
        case .unknownCurrency(let text) where ["k", "m"].contains(text.lowercased()):
            // "€5k": a shorthand for thousands or millions is not read, so no amount is guessed.
            return "\(quoted(text)) is not a currency: shorthand for thousands (k) or millions (M) is not read; write the whole amount, e.g. 5000 or 5.000,00"
        case .unknownCurrency(let text) where text.unicodeScalars.first?.properties.generalCategory == .dashPunctuation:
            // "–100": a dash that is no minus sign (`-` and U+2212 are read) is not taken for one.
            let dash = text.unicodeScalars.first!
            return "\(quoted(text)) (U+\(String(dash.value, radix: 16, uppercase: true))\(dash.properties.name.map { " " + $0 } ?? "")) is not a minus sign; a negative amount starts with - or U+2212 MINUS SIGN"
        case .unknownCurrency(let text) where negativeAfterTheFact(text, currency: true):
            // "100 €−": the minus after the currency sign.
            return "\(quoted(text)) is not a currency: a negative amount starts with - (-100 €); a minus after the amount is not read"
        case .unknownCurrency(let text): return "unknown currency \(quoted(text)): use an ISO 4217 code such as EUR, USD or CHF"
        case .conflictingCurrency(let text): return "\(quoted(text)) names two different currencies"
        }
    }

    /// A minus after an amount or its currency (`100-`, `100 €−`), or parentheses around an
    /// amount (`(100)`).
    private static func negativeAfterTheFact(_ text: String, currency: Bool = false) -> Bool {
        let scalars = Array(text.unicodeScalars.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        guard scalars.count > 1, currency || scalars.contains(where: { $0.properties.numericType != nil }) else { return false }
        if !currency, scalars.first == "(", scalars.last == ")" { return true }
        return scalars.last == "-" || scalars.last == "\u{2212}"
    }

    static func date(_ e: DateError) -> String {
        switch e {
        case .empty: return "a date is required"
        case .invalid(let text):
            return "\(quoted(text)) is not a date (examples: 2026-12-01, 2026-12-01T14:30, 31.12.2026, today, tomorrow, +3d, +2w, +1m, monday)"
        case .outOfRange(let text): return "\(quoted(text)) does not exist in the calendar"
        case .timeNotAllowed(let text): return "\(quoted(text)) has a time of day; a date is expected here"
        case .fractionOfSecond(let text): return "\(quoted(text)) has a fraction of a second; times are kept to the second, so write it without one"
        }
    }

    static func stage(_ e: StageError) -> String {
        switch e {
        case let .unknown(text, valid):
            return "unknown stage \(quoted(text)); stages are: \(valid.joined(separator: ", "))"
                + didYouMean(Suggestion.nearest(to: text, in: valid))
        case let .ambiguous(text, candidates): return "stage \(quoted(text)) is ambiguous: it could be \(candidates.joined(separator: " or "))"
        }
    }

    static func store(_ e: StoreError) -> (String?, Int32) {
        switch e {
        case .system(let error): return (system(error), ExitStatus.failure)
        case .notARegularFile(let path):
            return ("\(path) is not a regular file (a symlink or special file); refusing to use it", ExitStatus.failure)
        case let .fileTooLarge(path, size, limit):
            return ("\(path) is \(size) bytes, over the limit of \(limit); run 'leads fsck'", ExitStatus.failure)
        case let .corrupt(path, error):
            return ("\(path):\(error.line):\(error.column): \(json(error.reason))\n" + fsckAdvice, ExitStatus.failure)
        case .leadNotFound(let id): return ("no lead \(id)", ExitStatus.failure)
        case let .mergedAway(id, into): return ("lead \(id) was merged into lead \(into) ('leads show \(into)'; 'leads unmerge \(into)' undoes it)", ExitStatus.failure)
        case .customerNotFound(let id): return ("no customer \(id)", ExitStatus.failure)
        case let .reminderNotFound(lead, number): return ("no reminder \(lead).\(number)", ExitStatus.failure)
        case let .lockTimeout(holder, seconds):
            let time = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
            return ("the store is locked by \(describe(holder)); gave up after \(time) s (LEADS_LOCK_TIMEOUT); try again later", ExitStatus.lockTimeout)
        case let .duplicate(existing, match):
            let what = match == .email ? "the same e-mail address" : "the same name and company"
            return ("lead \(existing) has \(what); use --allow-duplicate to add it anyway", ExitStatus.failure)
        case .noDataDirectory:
            return ("no data directory: HOME is not set; use --dir DIR or set LEADS_DIR", ExitStatus.usage)
        case .notADirectory(let path): return ("\(path) is not a directory", ExitStatus.failure)
        case .idSpaceExhausted(let holder):
            return ("no lead IDs left: \(holder) holds the highest ID; if it was put there by mistake, move it away and retry", ExitStatus.failure)
        case let .duplicateCheckFailed(path, error):
            let cause = store(error).0?.split(separator: "\n").first.map(String.init) ?? path
            return ("cannot check for duplicates: \(cause); mend \(path) (see 'leads fsck') or use --allow-duplicate", ExitStatus.failure)
        }
    }

    static func privacy(_ e: PrivacyError) -> String {
        switch e {
        case .invalidConfig(let reason): return "\(StoreConfig.fileName): \(reason)"
        case .suppressed(let rule): return "refused by \(rule): this person asked not to be contacted (leads suppress)"
        case .mergeWithItself(let id): return "cannot merge lead \(id) with itself"
        case let .mergeConverted(id, customer): return "lead \(id) became customer \(customer), which names it: merge the other lead into \(id) instead ('leads merge \(id) OTHER')"
        case .nothingToUnmerge(let id): return "lead \(id) has no merge to undo"
        case let .unmergeImpossible(id, reason): return "cannot unmerge lead \(id): \(reason)"
        }
    }

    static func leadFile(_ e: LeadFileError) -> String {
        let unchanged = "; nothing attached"
        switch e {
        case let .badName(source, name, problem):
            if source == name { return "file name \(quoted(name)) \(problem)" + unchanged }
            return "\(quoted(source)): the file name \(quoted(name)) \(problem); give it another with --name" + unchanged
        case let .tooLarge(source, size?, limit):
            return "\(quoted(source)) is \(size) bytes, over the file limit of \(limit) (config.json \"file_limit\")" + unchanged
        case let .tooLarge(source, nil, limit):
            return "\(quoted(source)) is over the file limit of \(limit) bytes (config.json \"file_limit\")" + unchanged
        case .empty(let source): return "\(quoted(source)) is empty" + unchanged
        case let .alreadyAttached(lead, name):
            return "lead \(lead) already has a file named \(quoted(name)); detach it first or give this one another name with --name" + unchanged
        case .sameNameTwice(let name): return "two of the files would both be named \(quoted(name)); attach one of them with --name" + unchanged
        case let .notAttached(lead, name, attached):
            if attached.isEmpty { return "lead \(lead) has no file named \(quoted(name)); it has no files" }
            return "lead \(lead) has no file named \(quoted(name)); its files: " + attached.map(quoted).joined(separator: ", ")
        case let .missingBytes(lead, name): return "files/\(lead)/\(name) is missing; run 'leads fsck'"
        case .isDirectory(let source): return "\(quoted(source)) is a directory" + unchanged
        case let .unreadable(source, code): return "cannot read \(quoted(source)): \(reason(code))" + unchanged
        }
    }

    static func system(_ e: SystemError) -> String {
        let path = e.path.isEmpty ? "the data directory" : e.path
        let verb: String
        switch e.call {
        case "open", "opendir": verb = "cannot open"
        case "create": verb = "cannot create"
        case "write": verb = "cannot write"
        case "read": verb = "cannot read"
        case "fsync", "syncfs": verb = "cannot flush to disk"
        case "rename": verb = "cannot replace"
        case "mkdir": verb = "cannot create directory"
        case "unlink", "rmdir": verb = "cannot remove"
        case "lock": verb = "cannot lock"
        case "truncate": verb = "cannot truncate"
        default: verb = "\(e.call) failed on"
        }
        return "\(verb) \(path): \(reason(e.code))"
    }

    static func json(_ reason: JSONError.Reason) -> String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of file (truncated?)"
        case .unexpectedByte(let byte):
            if byte == 0 { return "unexpected NUL byte" }
            if byte >= 0x20 && byte < 0x7F { return "unexpected character '\(Character(Unicode.Scalar(byte)))'" }
            return "unexpected byte 0x\(hex(byte))"
        case .invalidUTF8: return "invalid UTF-8"
        case .invalidEscape: return "invalid escape sequence"
        case .controlCharacterInString: return "control character in a string (must be escaped)"
        case .invalidNumber: return "invalid number"
        case .duplicateKey(let key): return "key \(quoted(key)) appears twice"
        case .tooDeep(let limit): return "nested deeper than \(limit) levels"
        case .trailingData: return "unexpected data after the end of the JSON value"
        case .typeMismatch(let expected): return "expected \(expected)"
        case .invalidValue(let text): return text
        }
    }

    static func importError(_ e: ImportError) -> String {
        let fields = ImportHeaders.knownNames.joined(separator: ", ")
        switch e {
        case .noHeader(let file): return "\(file): the file is empty; a header row naming the columns is required"
        case let .inputFillsDisk(file, copied, keep):
            return "\(file): stopped after \(copied >> 20) MiB: the copy an import keeps of standard input would leave less than \(keep >> 20) MiB free in the data directory; save the input to a file and import that"
        case let .unknownColumns(file, columns, suggestions, profiles):
            return columns.map { column in
                "\(file): unknown column \(quoted(column))" + (suggestions[column].map { " (did you mean \($0)?)" } ?? "")
                    + "; keep it with --map \(quoted(column + "=field:KEY")) or drop it with --map \(quoted(column + "=-"))"
            }.joined(separator: "\n") + (columns.count > 1 ? "\n\(file): --keep-unknown keeps all of them as custom fields, --drop-unknown drops them" : "")
                + (profiles.isEmpty ? "" : "\n\(file): " + profiles.map { "--from \($0)" }.joined(separator: " or ")
                   + " reads these columns as that system exports them (see import-csv --help)")
        case let .duplicateColumn(file, field, columns, places):
            let names = columns.map(ImportHeaders.normalise)
            guard let repeated = names.indices.dropFirst().first(where: { names[..<$0].contains(names[$0]) }), let place = places[repeated] else {
                return "\(file): columns \(columns.map(quoted).joined(separator: " and ")) both hold \(field); drop one with --map \(quoted(columns[1] + "=-"))"
            }
            // Two columns of one name: only their places tell them apart.
            let named = zip(columns, places).map { column, place in quoted(column) + (place.map { " (column \($0))" } ?? "") }
            let ordinal = names[...repeated].filter { $0 == names[repeated] }.count
            return "\(file): columns \(named.joined(separator: " and ")) both hold \(field), and their header does not say which is which; name the column by its place: "
                + "--map \(quoted("column \(place)=field:\(ColumnPlan.fieldKey(columns[repeated]))_\(ordinal)")) keeps it as a custom field, --map \(quoted("column \(place)=-")) drops it "
                + "(--keep-unknown or --drop-unknown does that for every repeated header)"
        case .noNameColumn(let file):
            return "\(file): no column holds the lead's name; name one with --map 'COLUMN=name'"
        case let .unknownMapColumn(column, header):
            return "--map: the header has no column \(quoted(column)); its columns are \(header.map(quoted).joined(separator: ", "))"
        case .badMap(let raw): return "--map \(quoted(raw)): expected COLUMN=FIELD or A+B=FIELD, FIELD being one of \(fields), field:KEY, state or -"
        case .badMapValue(let raw):
            return "--map-value \(quoted(raw)): expected FIELD:SOURCE=TARGET, FIELD being stage, state, owner or another field name (e.g. 'stage:Open - Not Contacted=new')"
        case let .unknownProfile(name, known):
            return "--from \(quoted(name)): no such profile; the built-in ones are \(known.joined(separator: ", ")) (or give your own with --profile FILE)"
        case let .badProfile(file, reason): return "\(file): not a usable profile: \(reason)"
        case .badDefault(let raw): return "--default \(quoted(raw)): expected FIELD=VALUE, FIELD being one of \(fields) or field:KEY"
        case let .invalidDefault(field, reason): return "--default \(field): \(reason)"
        case let .csv(file, error): return csv(error, file: file)
        case let .csvCell(file, error, column, place): return csvCell(error, file: file, column: column, place: place)
        case let .invalidUTF16(file, line): return "\(file):\(line): not valid UTF-16 (the file starts with a UTF-16 byte order mark); save it again as \"CSV UTF-8\""
        }
    }

    /// A CSV error inside one cell: `FILE:LINE: COLUMN: …`, as a row's problems are worded.
    static func csvCell(_ e: CSVError, file: String, column: String, place: CSVFailurePlace) -> String {
        switch e {
        case .characterAfterClosingQuote(let line):
            let what: String
            switch place.following {
            case 0x20?: what = "a space"
            case 0x09?: what = "a tab"
            case let byte? where byte > 0x20 && byte < 0x7F: what = quoted(String(Character(Unicode.Scalar(byte))))
            case let byte?: what = "the byte 0x\(hex(byte))"
            case nil: what = "a character"
            }
            let cell = place.quoted.map { " of " + quoted("\"" + $0 + "\"") } ?? ""
            let fix = place.following == 0x20 || place.following == 0x09
                ? "nothing may stand between it and the next delimiter; take the \(place.following == 0x20 ? "space" : "tab") out"
                : "a quote inside a quoted cell is written twice (\"\")"
            return "\(file):\(line): \(column): \(what) follows the closing quote\(cell): a quoted cell ends at its closing quote, so \(fix)"
        case .invalidUTF8(let line) where place.byteOrderMark:
            return "\(file):\(line): \(column): not valid UTF-8, although the file starts with a UTF-8 byte order mark; if the file comes from Excel on Windows, it is cp1252 behind a wrong mark: use --encoding cp1252"
        case .invalidUTF8(let line):
            return "\(file):\(line): \(column): not valid UTF-8; if the file comes from Excel on Windows, use --encoding cp1252"
        case .utf8DespiteCP1252(let line) where place.byteOrderMark:
            return "\(file):\(line): \(column): UTF-8 text, as the file's UTF-8 byte order mark says, but --encoding cp1252 would read it as other characters (ü as Ã¼, for example); leave out --encoding cp1252"
        case .utf8DespiteCP1252(let line):
            return "\(file):\(line): \(column): UTF-8 text, which --encoding cp1252 would read as other characters (ü as Ã¼, for example); the file is UTF-8: leave out --encoding cp1252"
        default:
            return csv(e, file: file)
        }
    }

    static func csv(_ e: CSVError, file: String) -> String {
        switch e {
        case .utf8DespiteCP1252(let line):
            return "\(file):\(line): UTF-8 text, which --encoding cp1252 would read as other characters; leave out --encoding cp1252"
        case .invalidUTF8(let line): return "\(file):\(line): not valid UTF-8; if the file comes from Excel on Windows, use --encoding cp1252"
        case .unterminatedQuote(let line): return "\(file):\(line): a quoted cell starts here and is never closed"
        case .characterAfterClosingQuote(let line):
            return "\(file):\(line): a character follows a closing quote; a quote inside a quoted cell is written twice (\"\")"
        case let .fieldTooLong(line, limit): return "\(file):\(line): a cell is longer than \(limit / 1_048_576) MiB; this does not look like a CSV file"
        case let .tooManyFields(line, limit): return "\(file):\(line): more than \(limit) cells in a row; this does not look like a CSV file"
        case .nulByte(let line): return "\(file):\(line): NUL byte; this is not a text file"
        case let .undefinedInCP1252(line, byte):
            return "\(file):\(line): byte 0x\(String(byte, radix: 16, uppercase: true)) has no character in cp1252, so the file is not cp1252; save it again as \"CSV UTF-8\""
        case .readFailed(let code): return "cannot read \(file): \(reason(code))"
        }
    }

    static func command(_ e: CommandError) -> String {
        switch e {
        case let .closedLeadNeedsForce(id, stage): return "lead \(id) is \(stage); use --force to convert it anyway"
        case .reminderDone(let ref): return "reminder \(ref) is done; add a new one with 'leads remind'"
        case let .alreadyConverted(id, customer): return "lead \(id) was converted to customer \(customer); convert it again without --customer to add projects"
        case .confirmationRequired(let command): return "\(command): not on a terminal; add --yes to confirm"
        case .declined: return "nothing changed"
        case let .convertedLeadHasCustomer(id, customer):
            return "lead #\(id) was converted: customer #\(customer) holds the same person's contact data; add --with-customer to erase it too"
        case let .customerHasOtherLeads(customer, leads):
            return "customer #\(customer) also belongs to " + (leads.count == 1 ? "lead " : "leads ") + leads.map { "#\($0)" }.joined(separator: ", ") + "; delete those with it, or keep the customer"
        case .unknownHelpTopic(let topic): return "no help for \(quoted(topic))"
        case let .childFailed(command, reason, _): return "cannot run \(quoted(command)): \(reason)"
        case .nothingToChange(let command): return "\(command): nothing to change; give at least one option"
        case .mailFromMissing:
            return "config.json has no mail.from: set it to the sender of the reminder mails, e.g. \"mail\": {\"from\": \"Leads <crm@example.com>\"} (Docs/mail.md); nothing was sent"
        case .mailSendmailEmpty(let source): return "\(source) names no program; nothing was sent"
        }
    }

    /// One line per owner `remind --due --mail` could not mail, then the broken files.
    static func mailFailures(_ e: MailDeliveryFailures) -> (String, Int32) {
        var lines: [String] = []
        for failure in e.failures {
            let count = Confirmation.count(failure.reminders, "reminder")
            let kept = e.once ? "\(count) not mailed, left unannounced" : "\(count) not mailed"
            let who = failure.address.map { "\(failure.owner) <\($0)>" } ?? failure.owner
            switch failure.reason {
            case .notAUser:
                lines.append("\(who): not in the users table, so no address to mail to (leads users add \(failure.owner) --email ADDRESS); \(kept)")
            case .noAddress:
                lines.append("\(who): user has no e-mail address (add \"email\" to their entry in config.json users); \(kept)")
            case .badAddress(let error):
                lines.append("\(who): " + MailError.describe(error) + "; \(kept)")
            case .sendmail(let sendmail):
                lines.append("\(who): \(quoted(sendmail.program)) \(sendmail.what); \(kept)")
            }
        }
        if !e.problems.isEmpty, let corrupt = render(CorruptFiles(problems: e.problems)).0 { lines.append(corrupt) }
        let temporary = !e.failures.isEmpty && e.problems.isEmpty && e.failures.allSatisfy(\.temporary)
        return (lines.joined(separator: "\n"), temporary ? ExitStatus.temporaryFailure : ExitStatus.failure)
    }

    static func report(_ e: ReportError) -> String {
        switch e {
        case let .amountTooLarge(lead, currency):
            return "lead \(lead): its \(currency) value takes a sum beyond the exact range of amounts (±922337203685477.5807); check the value"
        }
    }

    static let fsckAdvice = "run 'leads fsck' to check the store"

    /// The command whose help to point at: "remind --snooze" has remind's.
    static func helpName(_ command: String) -> String {
        String(command.prefix { $0 != " " })
    }

    static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }

    static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }

    /// Echoed values are cut to this many characters: a 130 KB argument is named by its
    /// start and its size, not repeated whole.
    static let echoLimit = 80

    static func quoted(_ text: String) -> String {
        // Control characters (a NUL in an ID, a newline) are shown escaped; format
        // controls are escaped on the way out (Output.standardError).
        var out = "'"
        var shown = 0
        for scalar in text.unicodeScalars {
            if shown == echoLimit {
                let size = text.utf8.count
                return out + "…' (\(size) bytes, cut to \(echoLimit) characters)"
            }
            shown += 1
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + hex(UInt8(scalar.value))
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

/// "pid 123 on host (leads add), user bob, since 09:30:00Z" — as much as is known.
func describe(_ holder: LockHolder?) -> String {
    guard let holder else { return "another process" }
    // The holder's command line (`python3 -c SCRIPT`) and the lock file's words are
    // someone else's text: one line, no control characters, a bounded length.
    func oneLine(_ text: String, limit: Int = 60) -> String {
        let flat = printable(text).split(separator: " ").joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
    }
    var parts: [String] = []
    if let pid = holder.pid { parts.append("pid \(pid)" + (holder.host.map { " on \(oneLine($0))" } ?? "")) }
    if let command = holder.command { parts.append("(\(oneLine(command)))") }
    if let user = holder.user { parts.append("user \(oneLine(user))") }
    if let since = holder.since { parts.append("since \(oneLine(since))") }
    if parts.isEmpty { return holder.shared ? "a reader (shared lock)" : "another process" }
    return parts.joined(separator: " ") + (holder.shared ? " (shared)" : "")
}
