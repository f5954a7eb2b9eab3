/// How `leads merge KEEP OTHER` folds one duplicate lead into another, field by field:
///
/// - name, stage, owner and every single-valued field: KEEP's value, unless KEEP has none
///   and OTHER has one, which is then taken (`organization` is true if either is);
/// - labels: KEEP's, then OTHER's that KEEP lacks; custom fields and unknown keys: KEEP's,
///   plus OTHER's keys that KEEP lacks;
/// - notes: both, in time order; reminders: OTHER's follow KEEP's, renumbered after
///   KEEP's highest number (40.1 becomes 12.3); the last contact: the later one;
/// - files: KEEP's, then OTHER's in their order, a name KEEP already has numbered
///   ("offer.pdf" becomes "offer (2).pdf"); the store moves the bytes (MergedLeadFiles.swift).
///
/// KEEP keeps its ID, creation and conversion. A converted OTHER is refused by the
/// command: its customer record names it. Pure: the command writes what this returns.
public struct LeadMerge: Sendable {
    public enum Outcome: String, Sendable {
        /// KEEP's value stays (OTHER's differs, or OTHER has none).
        case kept
        /// KEEP had none; OTHER's is taken.
        case taken
        /// Both are kept (labels, notes, reminders, custom fields).
        case combined
    }

    public struct Step: Sendable, Equatable {
        public var field: String
        public var keep: String
        public var other: String
        public var outcome: Outcome
    }

    public let merged: Lead
    /// One step per field where the two leads differ; fields both hold alike are left out.
    public let steps: [Step]
    /// OTHER's reminder numbers and the numbers they have on KEEP.
    public let renumbered: [(from: Int, to: Int)]
    /// OTHER's files whose names were taken on KEEP, and the names they have there.
    public let renamedFiles: [(from: String, to: String)]

    public init(keep: Lead, other: Lead, at time: Timestamp, by user: String) {
        var merged = keep
        var steps: [Step] = []
        func single<T: Equatable>(_ name: String, _ path: WritableKeyPath<Lead, T?>, _ text: (T) -> String) {
            let mine = keep[keyPath: path], theirs = other[keyPath: path]
            guard mine != theirs, let theirs else { return }
            if let mine {
                steps.append(Step(field: name, keep: text(mine), other: text(theirs), outcome: .kept))
            } else {
                merged[keyPath: path] = theirs
                steps.append(Step(field: name, keep: "", other: text(theirs), outcome: .taken))
            }
        }
        if keep.name != other.name { steps.append(Step(field: "name", keep: keep.name, other: other.name, outcome: .kept)) }
        if keep.stage != other.stage { steps.append(Step(field: "stage", keep: keep.stage, other: other.stage, outcome: .kept)) }
        if other.organization && !keep.organization {
            merged.organization = true
            steps.append(Step(field: "organization", keep: "no", other: "yes", outcome: .taken))
        }
        single("company", \.company) { $0 }
        single("email", \.email) { $0 }
        single("phone", \.phone) { $0 }
        single("address", \.address) { $0 }
        single("owner", \.owner) { $0 }
        single("source", \.source) { $0 }
        single("campaign", \.campaign) { $0 }
        single("value", \.value) { $0.amount.canonical + " " + $0.currency }
        single("probability", \.probability) { $0.description }
        single("close", \.expectedClose) { $0.iso }
        single("lost reason", \.lostReason) { $0 }

        let newLabels = other.labels.filter { !keep.labels.contains($0) }
        if !newLabels.isEmpty {
            merged.labels += newLabels
            steps.append(Step(field: "labels", keep: keep.labels.joined(separator: ", "), other: other.labels.joined(separator: ", "), outcome: .combined))
        }
        for key in other.fields.keys.sorted() where keep.fields[key] != other.fields[key] {
            let mine = keep.fields[key]
            if mine == nil { merged.fields[key] = other.fields[key] }
            steps.append(Step(field: "field:" + key, keep: mine ?? "", other: other.fields[key]!, outcome: mine == nil ? .taken : .kept))
        }
        for key in other.extra.keys.sorted() where keep.extra[key] == nil { merged.extra[key] = other.extra[key] }

        if !other.notes.isEmpty {
            // Stable: at equal times KEEP's notes come first.
            let tagged = keep.notes.enumerated().map { (0, $0.offset, $0.element) } + other.notes.enumerated().map { (1, $0.offset, $0.element) }
            merged.notes = tagged.sorted { ($0.2.at, $0.0, $0.1) < ($1.2.at, $1.0, $1.1) }.map(\.2)
            steps.append(Step(field: "notes", keep: String(keep.notes.count), other: String(other.notes.count), outcome: .combined))
        }
        var renumbered: [(Int, Int)] = []
        if !other.reminders.isEmpty {
            var next = (keep.reminders.map(\.number).max() ?? 0) + 1
            for reminder in other.reminders.sorted(by: { $0.number < $1.number }) {
                var moved = reminder
                moved.number = next
                renumbered.append((reminder.number, next))
                merged.reminders.append(moved)
                next += 1
            }
            steps.append(Step(field: "reminders", keep: String(keep.reminders.count), other: String(other.reminders.count), outcome: .combined))
        }
        var renamedFiles: [(String, String)] = []
        if !other.files.isEmpty {
            for file in other.files {
                var moved = file
                moved.name = LeadFileName.numbered(file.name) { name in merged.files.contains { $0.name == name } }
                if moved.name != file.name { renamedFiles.append((file.name, moved.name)) }
                merged.files.append(moved)
            }
            steps.append(Step(field: "files", keep: String(keep.files.count), other: String(other.files.count), outcome: .combined))
        }
        if let theirs = other.lastContact, theirs.at > (keep.lastContact?.at ?? Timestamp(seconds: .min)) {
            merged.lastContact = theirs
            steps.append(Step(field: "last contact", keep: keep.lastContact.map { $0.at.iso8601 } ?? "", other: theirs.at.iso8601, outcome: .taken))
        }
        merged.updatedAt = time
        merged.updatedBy = user
        self.merged = merged
        self.steps = steps
        self.renumbered = renumbered
        self.renamedFiles = renamedFiles
    }
}
