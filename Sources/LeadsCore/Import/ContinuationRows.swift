/// Frappe's Data Export writes a record's child-table rows (a second note, a second
/// contact) as further rows whose parent cells are empty. With a profile that names the
/// key column (`continuation_column`), such a row is joined to the record before it:
/// notes become further notes, other cells are added on a new line of the cell, so
/// nothing of it is lost and no lead is made of it.
public struct ContinuationRows: Sendable {
    let key: Int?
    let notes: Set<Int>
    var pending: CSVRecord?
    /// (line of the continuation row, line of its record), in file order.
    public private(set) var joined: [(line: Int, parent: Int)] = []

    public init(plan: ColumnPlan, profile: ImportProfile?) {
        let normalised = plan.header.map(ImportHeaders.normalise)
        key = profile?.continuationColumn.flatMap { normalised.firstIndex(of: ImportHeaders.normalise($0)) }
        notes = Set(plan.fields.indices.filter { plan.fields[$0] == .notes })
    }

    /// The record that is now complete, if any.
    public mutating func add(_ record: CSVRecord) -> CSVRecord? {
        guard let key else { return record }
        let continues = key < record.fields.count ? FieldParser.trimmed(record.fields[key]).isEmpty : true
        if continues, !record.fields.allSatisfy(\.isEmpty), var parent = pending {
            for (i, cell) in record.fields.enumerated() where !cell.isEmpty {
                while parent.fields.count <= i { parent.fields.append("") }
                if parent.fields[i].isEmpty {
                    parent.fields[i] = cell
                } else {
                    parent.fields[i] += notes.contains(i) ? String(NoteCell.continuation) : "\n"
                    parent.fields[i] += cell
                }
            }
            joined.append((record.line, parent.line))
            pending = parent
            return nil
        }
        let complete = pending
        pending = record
        return complete
    }

    public mutating func finish() -> CSVRecord? {
        defer { pending = nil }
        return pending
    }
}
