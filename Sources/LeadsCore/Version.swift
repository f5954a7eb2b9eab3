/// The version printed by `leads --version`.
public let leadsVersion = "0.1.0"
