/// The profiles `--from SYSTEM` reads, kept as the same JSON a team writes for
/// `--profile FILE` (`import-csv --from X --show-profile` prints one). Built from public
/// facts only: the field labels and default status values each system documents.
/// Stage targets are the default stages (new, contacted, qualified, proposal,
/// negotiation) and the closed ones; a store with other stages maps them with
/// `--map-value`, which wins over the profile.
public enum BuiltinProfiles {
    public static let names = ["erpnext", "excel", "hubspot", "moco", "odoo", "perfex", "pipedrive", "pipedrive-persons", "salesforce", "zoho"]

    public static func text(_ name: String) -> String? {
        switch name.lowercased() {
        case "erpnext": return erpnext
        case "excel": return excel
        case "hubspot": return hubspot
        case "moco": return moco
        case "odoo": return odoo
        case "perfex": return perfex
        case "pipedrive": return pipedrive
        case "pipedrive-persons": return pipedrivePersons
        case "salesforce": return salesforce
        case "zoho": return zoho
        default: return nil
        }
    }

    /// The parsed profile; the texts are checked by a test, so parsing cannot fail here.
    public static func profile(_ name: String) -> ImportProfile? {
        guard let text = text(name) else { return nil }
        return try? ImportProfile.parse(Array(text.utf8), file: "--from " + name)
    }

    /// The built-in profile that reads the most of these headers, when that is at least
    /// two and three in four of them (two of `Kunde, Größe, Intern` are MOCO's words and
    /// also anyone's): a file refused for its unknown columns names the `--from` that reads them
    /// instead of a `--map` per column. Two when two tie; none when more do (First Name
    /// and Last Name alone are five systems' headers, which says nothing).
    public static func reading(_ headers: [String]) -> [String] {
        let wanted = Set(headers.map(ImportHeaders.normalise))
        var best: (count: Int, names: [String]) = (1, [])
        for name in names {
            guard let profile = profile(name) else { continue }
            let known = Set(profile.headers.keys).union(profile.compositions.flatMap { $0.columns.map(ImportHeaders.normalise) })
            let count = wanted.intersection(known).count
            if count > best.count { best = (count, [name]) } else if count == best.count { best.names.append(name) }
        }
        return best.names.count <= 2 && best.count * 4 >= wanted.count * 3 ? best.names : []
    }

    static let erpnext = #"""
    {
      "format": 1,
      "name": "erpnext",
      "description": "ERPNext / Frappe: CRM > Lead list > Menu > Export (Data Export, CSV); child-table rows continue the record above",
      "headers": {
        "ID": "field:erpnext_id",
        "Full Name": "name",
        "Lead Name": "name",
        "First Name": "field:first_name",
        "Middle Name": "field:middle_name",
        "Last Name": "field:last_name",
        "Organization Name": "company",
        "Company": "field:erpnext_company",
        "Customer": "field:erpnext_customer",
        "Email": "email",
        "Email Id": "email",
        "Mobile No": "phone",
        "Phone": "field:phone",
        "Phone Ext.": "field:phone_ext",
        "WhatsApp": "field:whatsapp",
        "Fax": "field:fax",
        "Lead Owner": "owner",
        "Status": "stage",
        "Source": "source",
        "Campaign Name": "campaign",
        "Job Title": "field:title",
        "Designation": "field:title",
        "Salutation": "field:salutation",
        "Gender": "field:gender",
        "Territory": "field:territory",
        "Market Segment": "field:market_segment",
        "Industry": "field:industry",
        "No of Employees": "field:employees",
        "Annual Revenue": "field:annual_revenue",
        "Qualification Status": "field:qualification_status",
        "Type": "field:type",
        "Request Type": "field:request_type",
        "Website": "field:website",
        "Note (Notes)": "notes",
        "Added By (Notes)": "field:note_added_by",
        "Added On (Notes)": "field:note_added_on"
      },
      "compose": {
        "name": ["First Name", "Middle Name", "Last Name"]
      },
      "values": {
        "stage": {
          "Lead": "new",
          "Open": "new",
          "Replied": "contacted",
          "Interested": "qualified",
          "Opportunity": "qualified",
          "Quotation": "proposal",
          "Lost Quotation": "lost",
          "Converted": "won",
          "Do Not Contact": "dnc"
        }
      },
      "date_order": "YMD",
      "decimal": ".",
      "probability_scale": "percent",
      "label_separators": ",",
      "continuation_column": "ID",
      "unknown_columns": "keep"
    }
    """#

    static let perfex = #"""
    {
      "format": 1,
      "name": "perfex",
      "description": "Perfex CRM: Leads > Export (or the lead import sample's columns)",
      "headers": {
        "Name": "name",
        "Position": "field:title",
        "Company": "company",
        "Description": "field:description",
        "Country": "field:country",
        "Zip": "field:zip",
        "City": "field:city",
        "State": "field:state",
        "Address": "address",
        "Status": "stage",
        "Source": "source",
        "Email": "email",
        "Website": "field:website",
        "Phonenumber": "phone",
        "Lead value": "value",
        "Tags": "labels",
        "Assigned": "owner"
      },
      "values": {
        "stage": {
          "New": "new",
          "Contacted": "contacted",
          "Working": "contacted",
          "Qualified": "qualified",
          "Proposal Sent": "proposal",
          "Customer": "won",
          "Lost": "lost",
          "Junk": "dnc"
        }
      },
      "date_order": "YMD",
      "decimal": ".",
      "probability_scale": "percent",
      "label_separators": ",",
      "unknown_columns": "keep"
    }
    """#

    static let hubspot = #"""
    {
      "format": 1,
      "name": "hubspot",
      "description": "HubSpot: Contacts or Deals > Export (CSV); contacts' lead status and deals' stages, probability 0-1",
      "headers": {
        "Record ID": "field:hubspot_id",
        "First Name": "field:first_name",
        "Last Name": "field:last_name",
        "Email": "email",
        "Phone Number": "phone",
        "Mobile Phone Number": "field:mobile",
        "Company Name": "company",
        "Associated Company": "company",
        "Associated Contact": "field:contact",
        "Job Title": "field:title",
        "Contact owner": "owner",
        "Deal owner": "owner",
        "Lead Status": "stage",
        "Deal Stage": "stage",
        "Lifecycle Stage": "field:lifecycle_stage",
        "Create Date": "created",
        "Last Modified Date": "updated",
        "Last Activity Date": "field:last_activity",
        "Street Address": "address",
        "City": "field:city",
        "State/Region": "field:state",
        "Postal Code": "field:zip",
        "Country/Region": "field:country",
        "Website URL": "field:website",
        "Industry": "field:industry",
        "Original Source": "source",
        "Deal Name": "name",
        "Amount": "value",
        "Close Date": "expected_close",
        "Pipeline": "field:pipeline",
        "Deal probability": "probability",
        "Deal Type": "field:deal_type",
        "Deal Description": "field:description"
      },
      "compose": {
        "name": ["First Name", "Last Name"]
      },
      "values": {
        "stage": {
          "New": "new",
          "Open": "new",
          "In Progress": "contacted",
          "Attempted to Contact": "contacted",
          "Connected": "contacted",
          "Open Deal": "proposal",
          "Bad Timing": "lost",
          "Unqualified": "lost",
          "IN_PROGRESS": "contacted",
          "ATTEMPTED_TO_CONTACT": "contacted",
          "OPEN_DEAL": "proposal",
          "BAD_TIMING": "lost",
          "appointmentscheduled": "contacted",
          "Appointment Scheduled": "contacted",
          "qualifiedtobuy": "qualified",
          "Qualified To Buy": "qualified",
          "presentationscheduled": "qualified",
          "Presentation Scheduled": "qualified",
          "decisionmakerboughtin": "proposal",
          "Decision Maker Bought-In": "proposal",
          "contractsent": "negotiation",
          "Contract Sent": "negotiation",
          "closedwon": "won",
          "Closed Won": "won",
          "closedlost": "lost",
          "Closed Lost": "lost"
        }
      },
      "date_order": "YMD",
      "decimal": ".",
      "probability_scale": "fraction",
      "label_separators": ";",
      "unknown_columns": "keep"
    }
    """#

    static let salesforce = #"""
    {
      "format": 1,
      "name": "salesforce",
      "description": "Salesforce: a Leads or Opportunities report > Export > Details Only, CSV (US dates; the footer lines are skipped)",
      "headers": {
        "Lead ID": "field:salesforce_id",
        "Opportunity ID": "field:salesforce_id",
        "Salutation": "field:salutation",
        "First Name": "field:first_name",
        "Last Name": "field:last_name",
        "Title": "field:title",
        "Company / Account": "company",
        "Company": "company",
        "Account Name": "company",
        "Email": "email",
        "Phone": "phone",
        "Mobile": "field:mobile",
        "Lead Status": "stage",
        "Stage": "stage",
        "Lead Source": "source",
        "Lead Owner": "owner",
        "Opportunity Owner": "owner",
        "Opportunity Name": "name",
        "Amount": "value",
        "Probability (%)": "probability",
        "Close Date": "expected_close",
        "Created Date": "created",
        "Last Modified Date": "updated",
        "Street": "address",
        "City": "field:city",
        "State/Province": "field:state",
        "Zip/Postal Code": "field:zip",
        "Country": "field:country",
        "Industry": "field:industry",
        "Rating": "field:rating",
        "Description": "field:description",
        "Type": "field:type",
        "Next Step": "field:next_step"
      },
      "compose": {
        "name": ["First Name", "Last Name"]
      },
      "values": {
        "stage": {
          "Open - Not Contacted": "new",
          "Working - Contacted": "contacted",
          "Closed - Converted": "won",
          "Closed - Not Converted": "lost",
          "Prospecting": "new",
          "Qualification": "qualified",
          "Needs Analysis": "qualified",
          "Value Proposition": "proposal",
          "Id. Decision Makers": "proposal",
          "Perception Analysis": "proposal",
          "Proposal/Price Quote": "proposal",
          "Negotiation/Review": "negotiation",
          "Closed Won": "won",
          "Closed Lost": "lost"
        }
      },
      "date_order": "MDY",
      "decimal": ".",
      "probability_scale": "percent",
      "label_separators": ";",
      "footers": ["Grand Totals", "Total", "Confidential Information", "Copyright (c)", "Copyright ©", "Generated By"],
      "unknown_columns": "keep"
    }
    """#

    static let zoho = #"""
    {
      "format": 1,
      "name": "zoho",
      "description": "Zoho CRM: Setup > Data Administration > Export, module Leads (CSV)",
      "headers": {
        "Record Id": "field:zoho_id",
        "Lead Owner": "owner",
        "Company": "company",
        "Salutation": "field:salutation",
        "First Name": "field:first_name",
        "Last Name": "field:last_name",
        "Title": "field:title",
        "Designation": "field:title",
        "Email": "email",
        "Secondary Email": "field:secondary_email",
        "Phone": "phone",
        "Mobile": "field:mobile",
        "Fax": "field:fax",
        "Website": "field:website",
        "Lead Source": "source",
        "Lead Status": "stage",
        "Industry": "field:industry",
        "No. of Employees": "field:employees",
        "Annual Revenue": "field:annual_revenue",
        "Rating": "field:rating",
        "Created Time": "created",
        "Modified Time": "updated",
        "Street": "address",
        "City": "field:city",
        "State": "field:state",
        "Zip Code": "field:zip",
        "Country": "field:country",
        "Description": "field:description",
        "Tag": "labels"
      },
      "compose": {
        "name": ["First Name", "Last Name"]
      },
      "values": {
        "stage": {
          "Not Contacted": "new",
          "Attempted to Contact": "contacted",
          "Contact in Future": "contacted",
          "Contacted": "contacted",
          "Pre-Qualified": "qualified",
          "Not Qualified": "lost",
          "Lost Lead": "lost",
          "Junk Lead": "dnc"
        }
      },
      "date_order": "YMD",
      "decimal": ".",
      "probability_scale": "percent",
      "label_separators": ",;",
      "unknown_columns": "keep"
    }
    """#

    static let odoo = #"""
    {
      "format": 1,
      "name": "odoo",
      "description": "Odoo CRM: Pipeline list view > select all > Action > Export (crm.lead, CSV); the Opportunity is the lead's name, the Customer its company",
      "headers": {
        "ID": "field:odoo_id",
        "External ID": "field:odoo_id",
        "Opportunity": "name",
        "Customer": "company",
        "Company Name": "field:company_name",
        "Company": "field:odoo_company",
        "Contact Name": "field:contact_name",
        "Email": "email",
        "Phone": "phone",
        "Mobile": "field:mobile",
        "Salesperson": "owner",
        "Sales Team": "field:sales_team",
        "Stage": "stage",
        "Expected Revenue": "value",
        "Currency": "currency",
        "Probability": "probability",
        "Expected Closing": "expected_close",
        "Tags": "labels",
        "Priority": "field:priority",
        "Street": "address",
        "City": "field:city",
        "Zip": "field:zip",
        "State": "field:state",
        "Country": "field:country",
        "Source": "source",
        "Campaign": "campaign",
        "Medium": "field:medium",
        "Lost Reason": "lost_reason",
        "Created on": "created",
        "Last Updated on": "updated",
        "Internal Notes": "notes"
      },
      "values": {
        "stage": {
          "New": "new",
          "Qualified": "qualified",
          "Proposition": "proposal",
          "Won": "won",
          "Lost": "lost"
        }
      },
      "date_order": "YMD",
      "decimal": ".",
      "probability_scale": "percent",
      "label_separators": ",",
      "unknown_columns": "keep"
    }
    """#

    static let pipedrive = #"""
    {
      "format": 1,
      "name": "pipedrive",
      "description": "Pipedrive: Deals list > ... > Export filter results (CSV); headers are 'Entity - Field', the deal's Status (won, lost) wins over its stage",
      "headers": {
        "Deal - ID": "field:pipedrive_id",
        "Deal - Title": "name",
        "Deal - Value": "value",
        "Deal - Currency": "currency",
        "Deal - Stage": "stage",
        "Deal - Status": "state",
        "Deal - Owner": "owner",
        "Deal - Expected close date": "expected_close",
        "Deal - Probability": "probability",
        "Deal - Label": "labels",
        "Deal - Deal created": "created",
        "Deal - Update time": "updated",
        "Deal - Lost reason": "lost_reason",
        "Deal - Source channel": "source",
        "Deal - Pipeline": "field:pipeline",
        "Deal - Organization": "field:deal_organization",
        "Deal - Contact person": "field:deal_contact_person",
        "Person - Name": "field:contact_name",
        "Person - Email": "email",
        "Person - Phone": "phone",
        "Organization - Name": "company",
        "Organization - Address": "address"
      },
      "values": {
        "state": {
          "open": "open",
          "won": "won",
          "lost": "lost",
          "deleted": "lost"
        },
        "stage": {
          "Qualified": "qualified",
          "Contact Made": "contacted",
          "Demo Scheduled": "qualified",
          "Needs Defined": "qualified",
          "Proposal Made": "proposal",
          "Negotiations Started": "negotiation"
        }
      },
      "date_order": "YMD",
      "decimal": ".",
      "probability_scale": "percent",
      "label_separators": ",",
      "unknown_columns": "keep"
    }
    """#

    /// Pipedrive's people list exported: one row per person, no deal, so no stage or value.
    static let pipedrivePersons = #"""
    {
      "format": 1,
      "name": "pipedrive-persons",
      "description": "Pipedrive: Contacts > People > ... > Export filter results (CSV); headers are 'Person - Field', one row per person, every lead new",
      "headers": {
        "Person - ID": "field:pipedrive_person_id",
        "Person - Name": "name",
        "Person - First name": "field:first_name",
        "Person - Last name": "field:last_name",
        "Person - Organization": "company",
        "Organization - Name": "company",
        "Person - Email": "email",
        "Person - Email - Work": "email",
        "Person - Email - Home": "field:email_home",
        "Person - Email - Other": "field:email_other",
        "Person - Phone": "phone",
        "Person - Phone - Work": "phone",
        "Person - Phone - Mobile": "field:mobile",
        "Person - Phone - Home": "field:phone_home",
        "Person - Phone - Other": "field:phone_other",
        "Person - Owner": "owner",
        "Person - Label": "labels",
        "Person - Person created": "created",
        "Person - Update time": "updated",
        "Person - Next activity date": "next_reminder",
        "Person - Last activity date": "field:last_activity",
        "Person - Postal address": "address",
        "Person - Job title": "field:title",
        "Person - Notes": "notes",
        "Person - Open deals": "field:open_deals",
        "Person - Won deals": "field:won_deals",
        "Person - Lost deals": "field:lost_deals",
        "Person - Visible to": "-",
        "Person - Marketing status": "field:marketing_status"
      },
      "compose": {
        "name": ["Person - First name", "Person - Last name"]
      },
      "date_order": "YMD",
      "decimal": ".",
      "probability_scale": "percent",
      "label_separators": ",",
      "unknown_columns": "keep"
    }
    """#

    static let moco = #"""
    {
      "format": 1,
      "name": "moco",
      "description": "MOCO: Akquise (Leads) > Export (Excel, saved as CSV); Status decides won and lost, Stufe the open stage",
      "headers": {
        "ID": "field:moco_id",
        "Titel": "name",
        "Firma": "company",
        "Kunde": "company",
        "Ansprechpartner": "field:contact_name",
        "Kontakt": "field:contact_name",
        "Person": "field:contact_name",
        "Betrag": "value",
        "Volumen": "value",
        "Währung": "currency",
        "Status": "state",
        "Stufe": "stage",
        "Wahrscheinlichkeit": "probability",
        "Verantwortlich": "owner",
        "Zuständig": "owner",
        "Erwartetes Datum": "expected_close",
        "Abschlussdatum": "expected_close",
        "Tags": "labels",
        "Info": "notes",
        "Beschreibung": "field:description",
        "Nächste Aktion": "field:next_action",
        "Erstellt am": "created",
        "Quelle": "source"
      },
      "values": {
        "state": {
          "Laufend": "open",
          "Kontaktpotenzial": "new",
          "Gewonnen": "won",
          "Verloren": "lost",
          "Abgesagt": "lost"
        },
        "stage": {
          "Erstkontakt": "contacted",
          "Vorstellung": "qualified",
          "Angebot": "proposal",
          "Verhandlung": "negotiation",
          "Verhandlungen": "negotiation"
        }
      },
      "date_order": "DMY",
      "decimal": ",",
      "probability_scale": "percent",
      "label_separators": ",;",
      "unknown_columns": "keep"
    }
    """#

    static let excel = #"""
    {
      "format": 1,
      "name": "excel",
      "description": "German Excel, LibreOffice or Google Sheets: File > Save as / Download > CSV (decimal comma, day.month.year, two-digit years in 20xx)",
      "headers": {
        "Vorname": "field:first_name",
        "Nachname": "field:last_name",
        "First Name": "field:first_name",
        "Last Name": "field:last_name"
      },
      "compose": {
        "name": ["Vorname", "Nachname", "First Name", "Last Name"]
      },
      "values": {
        "stage": {
          "Neu": "new",
          "Kontaktiert": "contacted",
          "Qualifiziert": "qualified",
          "Angebot": "proposal",
          "Verhandlung": "negotiation",
          "Gewonnen": "won",
          "Verloren": "lost",
          "Nicht kontaktieren": "dnc"
        }
      },
      "date_order": "DMY",
      "century": 2000,
      "decimal": ",",
      "probability_scale": "percent",
      "label_separators": ",;"
    }
    """#
}
