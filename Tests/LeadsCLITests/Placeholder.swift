import Testing
@testable import LeadsCLI

@Test func runReturnsStatus() {
    #expect(LeadsMain.run(["leads"]) == 0)
}
