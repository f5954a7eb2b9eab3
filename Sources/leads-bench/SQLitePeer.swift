/// SQLite as a peer (issue 21): the database a user who picked SQLite for speed would
/// keep, built by the benchmark from the very lead files `leads` wrote, and the SQL that
/// answers the questions `leads` is timed on. Debian's `sqlite3` shell runs it, one whole
/// process per question, as `leads` is timed.
///
/// The database holds the fields the questions need as columns and the whole lead file
/// as a JSON column (last, so a scan that needs only the report fields never decodes
/// it). Money is kept in integer cents so the sums are exact, as `leads` sums them; the
/// weighted value is rounded to the cent per lead, half away from zero, like `leads`.
enum SQLitePeer {
    /// Open stages and their default probabilities, as in `DataSet.openStages`.
    static var probabilityCase: String {
        "CASE stage " + DataSet.openStages.map { "WHEN '\($0.0)' THEN \($0.1) " }.joined() + "ELSE 0 END"
    }

    static let closed = "('won','lost','dnc')"

    /// The schema and the load, read from the lead files through the shell's `fsdir`
    /// table and SQLite's JSON functions. A rollback journal (SQLite's default), so the
    /// database is one file.
    static func buildSQL(leadsDirectory: String) -> String {
        let directory = leadsDirectory.replacingOccurrences(of: "'", with: "''")
        return """
        PRAGMA journal_mode=DELETE;
        CREATE TABLE leads(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL, company TEXT, email TEXT, owner TEXT, stage TEXT NOT NULL,
            currency TEXT, value_cents INTEGER, probability INTEGER, expected_close TEXT,
            source TEXT, campaign TEXT, last_contact TEXT, created_at TEXT, updated_at TEXT,
            json TEXT NOT NULL);
        CREATE TABLE reminders(
            lead INTEGER NOT NULL REFERENCES leads(id), n INTEGER NOT NULL, owner TEXT,
            due INTEGER NOT NULL, text TEXT, done_at TEXT,
            PRIMARY KEY(lead, n)) WITHOUT ROWID;
        BEGIN;
        INSERT INTO leads
            SELECT json_extract(j, '$.id'), json_extract(j, '$.name'), json_extract(j, '$.company'),
                   json_extract(j, '$.email'), json_extract(j, '$.owner'), json_extract(j, '$.stage'),
                   json_extract(j, '$.currency'), CAST(round(json_extract(j, '$.value') * 100) AS INTEGER),
                   json_extract(j, '$.probability'), json_extract(j, '$.expected_close'),
                   json_extract(j, '$.source'), json_extract(j, '$.campaign'), json_extract(j, '$.last_contact.at'),
                   json_extract(j, '$.created_at'), json_extract(j, '$.updated_at'), j
            FROM (SELECT CAST(data AS TEXT) AS j FROM fsdir('\(directory)') WHERE name GLOB '*.json' AND data IS NOT NULL);
        INSERT INTO reminders
            SELECT l.id, json_extract(r.value, '$.n'), json_extract(r.value, '$.owner'),
                   unixepoch(json_extract(r.value, '$.due')), json_extract(r.value, '$.text'), json_extract(r.value, '$.done_at')
            FROM leads l, json_each(l.json, '$.reminders') r;
        COMMIT;
        -- What `leads add` checks before it writes (a second lead with the same e-mail is refused).
        CREATE UNIQUE INDEX leads_email ON leads(email COLLATE NOCASE);
        CREATE INDEX reminders_open_due ON reminders(due) WHERE done_at IS NULL;
        ANALYZE;
        SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM reminders);
        """
    }

    /// Per currency and open stage: count, value, weighted value (the issue's
    /// `select currency, stage, count(*), sum(value), sum(value*prob/100) … group by`),
    /// in cents.
    static var pipelineSQL: String {
        """
        SELECT coalesce(currency, '-'), stage, count(*), coalesce(sum(value_cents), 0),
               coalesce(sum((value_cents * coalesce(probability, \(probabilityCase)) + 50) / 100), 0)
        FROM leads WHERE stage NOT IN \(closed) GROUP BY 1, 2;
        """
    }

    /// `remind --due`: open reminders due at or before now on open leads, oldest first,
    /// with the lead, owner and days overdue.
    static func dueSQL(now: Int) -> String {
        """
        SELECT r.lead || '.' || r.n, date(r.due, 'unixepoch'), (\(now) - r.due) / 86400, r.owner, l.id, l.name, r.text
        FROM reminders r JOIN leads l ON l.id = r.lead
        WHERE r.done_at IS NULL AND r.due <= \(now) AND l.stage NOT IN \(closed)
        ORDER BY r.due, r.lead, r.n;
        """
    }

    /// `list`: the open leads by ID with the columns of its table, the next open reminder
    /// and the last contact.
    static var listSQL: String {
        """
        SELECT l.id, l.name, l.company, l.stage, l.value_cents, l.currency, l.owner,
               (SELECT date(min(r.due), 'unixepoch') FROM reminders r WHERE r.lead = l.id AND r.done_at IS NULL), l.last_contact
        FROM leads l WHERE l.stage NOT IN \(closed) ORDER BY l.id;
        """
    }

    /// `show ID`: the whole lead.
    static func showSQL(id: Int) -> String { "SELECT json FROM leads WHERE id = \(id);" }

    /// `add`: one new lead and its follow-up in one durable transaction, with the fields
    /// and the size of the lead `leads add` writes in the same round.
    static func insertSQL(round: Int, now: Int) -> String {
        let json = """
        {"company":"Prüfstand \(round) GmbH","created_at":"\(DataSet.nowText)","created_by":"alice","currency":"EUR",\
        "email":"zoe.bench.\(round)@pruefstand.example","format":1,"labels":["hot"],"name":"Zoë Bench-Jäger \(round)",\
        "notes":[{"at":"\(DataSet.nowText)","by":"alice","text":"Erstkontakt auf der Messe, Rückruf vereinbart"}],\
        "organization":false,"owner":"bob","phone":"+49 89 555 \(round)",\
        "reminders":[{"created_at":"\(DataSet.nowText)","due":"\(UTC.instant(now + 3 * 86_400))","n":1,"owner":"bob"}],\
        "stage":"new","updated_at":"\(DataSet.nowText)","updated_by":"alice","value":"12500.50"}
        """
        return """
        PRAGMA synchronous=FULL;
        BEGIN;
        INSERT INTO leads(name, company, email, owner, stage, currency, value_cents, created_at, updated_at, json)
            VALUES ('Zoë Bench-Jäger \(round)', 'Prüfstand \(round) GmbH', 'zoe.bench.\(round)@pruefstand.example', 'bob', 'new',
                    'EUR', 1250050, '\(DataSet.nowText)', '\(DataSet.nowText)', '\(json)');
        INSERT INTO reminders(lead, n, owner, due) VALUES (last_insert_rowid(), 1, 'bob', \(now + 3 * 86_400));
        COMMIT;
        """
    }

    /// The pipeline query's rows as `CURRENCY STAGE COUNT VALUE WEIGHTED` with decimal
    /// amounts, for the comparison with `leads pipeline --json`.
    static func pipelineLines(_ output: String) -> [String] {
        output.split(separator: "\n").map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard cells.count == 5, let value = Int(cells[3]), let weighted = Int(cells[4]) else { return String(line) }
            return "\(cells[0]) \(cells[1]) \(cells[2]) \(decimal(cents: value)) \(decimal(cents: weighted))"
        }
    }

    static func decimal(cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        return "\(sign)\(abs(cents) / 100).\(UTC.two(abs(cents) % 100))"
    }
}
