/// Reading a row of `export-csv --full` (CSVFullLayout.swift) back into the lead it was
/// written from: every cell exactly as exported, nothing defaulted from the importing
/// user or the clock where the file says otherwise.
extension RowConverter {
    typealias Cell = (column: String, value: String)

    func readFullLayout(_ cell: (CSVColumn) -> Cell?, into lead: inout Lead, problems: inout [RowProblem], line: Int) {
        func fail(_ cell: Cell, _ reason: String) {
            problems.append(RowProblem(line: line, column: cell.column, problem: .invalid(reason), value: cell.value))
        }
        func time(_ column: CSVColumn) -> Timestamp? {
            guard let found = cell(column) else { return nil }
            guard let time = Timestamp(iso8601: found.value) else {
                fail(found, "expected a UTC time such as 2026-11-22T09:30:00Z")
                return nil
            }
            return time
        }
        func object(_ column: CSVColumn) -> [String: JSONValue] {
            guard let found = cell(column) else { return [:] }
            var reader = JSONReader(Array(found.value.utf8))
            if case .object(let object)? = try? reader.readValue(), (try? reader.finish()) != nil { return object }
            fail(found, "expected a JSON object, as the export writes it")
            return [:]
        }
        func text(_ column: CSVColumn) -> String { cell(column)?.value ?? "" }

        lead.createdBy = text(.full(.createdBy))
        lead.updatedBy = text(.full(.updatedBy))
        lead.extra = object(.full(.extra))

        if let at = time(.lastContact) {
            lead.lastContact = Contact(at: at, by: text(.full(.lastContactBy)))
        } else if let by = cell(.full(.lastContactBy)) {
            fail(by, "a last contact's author needs its time in last_contact")
        }

        let conversionCells: [CSVColumn] = [.full(.convertedAt), .full(.convertedBy), .full(.convertedProjects), .full(.convertedExtra)]
        if let customerCell = cell(.convertedCustomer) {
            let customer = Int(customerCell.value).flatMap { $0 > 0 ? $0 : nil }
            if customer == nil { fail(customerCell, "expected a customer ID") }
            let at = time(.full(.convertedAt))
            if at == nil, cell(.full(.convertedAt)) == nil { fail(customerCell, "a conversion needs its time in converted_at") }
            let projects = cell(.full(.convertedProjects)).map { $0.value.split(separator: "\n").map(String.init) } ?? []
            if let customer, let at {
                lead.conversion = Conversion(customer: customer, projects: projects, at: at, by: text(.full(.convertedBy)),
                                             extra: object(.full(.convertedExtra)))
            }
        } else if let stray = conversionCells.lazy.compactMap(cell).first {
            fail(stray, "a conversion needs its customer in converted_customer")
        }

        var reminderNumbers: [Int] = []
        var noteNumbers: [Int] = []
        for field in plan.fields {
            guard case .full(let column)? = field else { continue }
            switch column {
            case .reminder(let n, _): if !reminderNumbers.contains(n) { reminderNumbers.append(n) }
            case .note(let n, _): if !noteNumbers.contains(n) { noteNumbers.append(n) }
            default: break
            }
        }
        lead.reminders = []
        for n in reminderNumbers.sorted() {
            let parts = FullColumn.ReminderPart.allCases.map { CSVColumn.full(.reminder(n, $0)) }
            guard parts.contains(where: { cell($0) != nil }) else { continue }
            guard let dueCell = cell(.full(.reminder(n, .due))) else {
                fail(parts.lazy.compactMap(cell).first!, "reminder \(n) needs its due time in reminder_\(n)_due")
                continue
            }
            guard let due = When(stored: dueCell.value) else {
                fail(dueCell, "expected a day such as 2026-12-01 or a UTC time such as 2026-12-01T13:30:00Z")
                continue
            }
            var reminder = Reminder(number: n, due: due, text: text(.full(.reminder(n, .text))),
                                    owner: text(.full(.reminder(n, .owner))),
                                    createdAt: time(.full(.reminder(n, .created))) ?? Timestamp(seconds: 0))
            reminder.doneAt = time(.full(.reminder(n, .done)))
            reminder.announcedAt = time(.full(.reminder(n, .announced)))
            reminder.extra = object(.full(.reminder(n, .extra)))
            lead.reminders.append(reminder)
        }
        guard !noteNumbers.isEmpty else { return }
        lead.notes = []
        for n in noteNumbers.sorted() {
            let parts = FullColumn.NotePart.allCases.map { CSVColumn.full(.note(n, $0)) }
            guard parts.contains(where: { cell($0) != nil }) else { continue }
            guard let noteText = cell(.full(.note(n, .text))) else {
                fail(parts.lazy.compactMap(cell).first!, "note \(n) needs its text in note_\(n)_text")
                continue
            }
            guard let at = time(.full(.note(n, .at))) else {
                if cell(.full(.note(n, .at))) == nil { fail(noteText, "note \(n) needs its time in note_\(n)_at") }
                continue
            }
            var contacted = false
            if let flag = cell(.full(.note(n, .contacted))) {
                if flag.value == "yes" { contacted = true } else { fail(flag, "expected yes or an empty cell") }
            }
            var note = Note(at: at, by: text(.full(.note(n, .by))), text: noteText.value, contacted: contacted)
            note.extra = object(.full(.note(n, .extra)))
            lead.notes.append(note)
        }
    }
}
