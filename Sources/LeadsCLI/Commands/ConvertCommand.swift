import LeadsCore

enum ConvertCommand {
    static func run(_ invocation: Invocation, _ context: CommandContext) throws -> Int32 {
        let id = try IDList.single(invocation.positionals[0])
        let customerName = try invocation.value("customer-name").map { try FieldParser.name($0, field: "--customer-name") }
        let existingCustomer = try invocation.value("customer").map { try IDList.single($0, argument: "--customer") }
        let projects = try invocation.values("project").map { try FieldParser.name($0, field: "--project") }
        let force = invocation.flag("force")
        let keepReminders = invocation.flag("keep-reminders")
        let now = try context.now()
        let store = try context.store()

        var line = ""
        let customerID = try store.write { writer -> Int in
            let before = try writer.lead(id)
            var lead = before
            let user = writer.actor.user
            if (lead.stage == Stage.lost.name || lead.stage == Stage.dnc.name) && !force {
                throw CommandError.closedLeadNeedsForce(id: id, stage: lead.stage)
            }
            var customer: Customer
            var created = false
            if let conversion = lead.conversion {
                // Converting again adds projects to the customer it already became.
                if let existingCustomer, existingCustomer != conversion.customer {
                    throw CommandError.alreadyConverted(id: id, customer: conversion.customer)
                }
                customer = try writer.customer(conversion.customer)
            } else if let existingCustomer {
                customer = try writer.customer(existingCustomer)
            } else {
                customer = Customer(id: try writer.newCustomerID(), from: lead, name: customerName, at: now, by: user)
                created = true
            }
            // Each once: neither one already recorded nor one named twice on this line.
            var newProjects: [String] = []
            for project in projects where !(lead.conversion?.projects ?? []).contains(project) && !newProjects.contains(project) {
                newProjects.append(project)
            }
            // A won deal needs no more follow-ups: left open they would still show as the
            // lead's NEXT date and, had the lead been reopened, fall due for nobody's reason.
            let closing = keepReminders ? [] : lead.reminders.indices.filter { lead.reminders[$0].isOpen }
            if !created && lead.conversion != nil && newProjects.isEmpty && closing.isEmpty {
                line = Confirmation.lead(lead, "already converted to customer #\(customer.id)")
                return customer.id  // nothing new: converting twice is harmless
            }
            for i in closing { lead.reminders[i].doneAt = now }
            let from = lead.stage
            lead.stage = Stage.won.name
            lead.probability = nil
            lead.lostReason = nil
            var conversion = lead.conversion ?? Conversion(customer: customer.id, projects: [], at: now, by: user)
            conversion.projects += newProjects
            lead.conversion = conversion
            lead.touch(at: now, by: user)
            if !customer.leads.contains(id) { customer.leads.append(id) }
            customer.projects += newProjects.map { Project(name: $0, lead: id, at: now) }
            if !created { customer.touch(at: now, by: user) }
            var details: [String: JSONValue] = ["from": .string(from), "to": .string(lead.stage)]
            if created { details["new_customer"] = .bool(true) }
            if !newProjects.isEmpty { details["projects_added"] = .number(String(newProjects.count)) }
            if !closing.isEmpty { details["reminders_closed"] = .array(closing.map { .number(String(lead.reminders[$0].number)) }) }
            var change = (from == lead.stage ? "" : "\(from) → \(lead.stage), ")
                + (created ? "new customer #\(customer.id)" : "customer #\(customer.id)")
            if !newProjects.isEmpty { change += ", " + Confirmation.count(newProjects.count, "project") + " added" }
            if !closing.isEmpty { change += ", " + Confirmation.count(closing.count, "reminder") + " closed" }
            line = Confirmation.lead(lead, change)
            try writer.save(lead, previous: before, customer: customer, log: ActivityEntry(
                time: now, user: user, action: .convert, lead: id, customer: customer.id, details: details))
            return customer.id
        }
        try context.output.line(String(customerID))
        try context.confirm(line)
        return ExitStatus.success
    }
}
