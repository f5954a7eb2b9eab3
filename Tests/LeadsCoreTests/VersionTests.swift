import Testing
@testable import LeadsCore

@Test func versionIsSemantic() {
    #expect(leadsVersion.split(separator: ".").count == 3)
}
