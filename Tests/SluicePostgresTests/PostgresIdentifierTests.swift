import Testing
@testable import SluicePostgres

@Suite struct PostgresIdentifierTests {
    @Test func quotesAndDoublesEmbeddedQuotes() {
        #expect(PostgresIdentifier("user_events").quoted == "\"user_events\"")
        #expect(PostgresIdentifier("we\"ird; DROP").quoted == "\"we\"\"ird; DROP\"")
    }
}
