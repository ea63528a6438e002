import SluiceCore
import Testing

@testable import SluicePostgres

@Suite("PostgreSQL URLs and redaction")
struct PostgresConnectionSettingsTests {
    @Test func parsesEveryPart() throws {
        let s = try PostgresConnectionSettings(url: "postgresql://loader:s3cr%40t@db.example:6543/analytics?sslmode=require")
        #expect(s.host == "db.example" && s.port == 6543 && s.user == "loader" && s.password == "s3cr@t")
        #expect(s.database == "analytics" && s.tls == .require)
    }

    @Test func defaultsAndEnvironmentFallbacks() throws {
        let s = try PostgresConnectionSettings(url: "postgres://u@127.0.0.1", environment: ["PGPASSWORD": "fromenv"])
        #expect(s.port == 5432 && s.database == "u" && s.password == "fromenv" && s.tls == .prefer)
        let v6 = try PostgresConnectionSettings(url: "postgresql://u:p@[::1]:5433/d?sslmode=disable")
        #expect(v6.host == "::1" && v6.port == 5433 && v6.tls == .disable)
        #expect(v6.description == "postgresql://u:***@[::1]:5433/d")
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let s = try PostgresConnectionSettings(url: "postgresql://app:hunter2-long@localhost:5432/db")
        #expect(s.description == "postgresql://app:***@localhost:5432/db")
        #expect(!"\(s)".contains("hunter2"))
        let none = try PostgresConnectionSettings(url: "postgresql://app@localhost/db")
        #expect(none.description == "postgresql://app@localhost:5432/db")
    }

    @Test func errorsRedactThePassword() {
        for bad in [
            "mysql://app:topsecret99@host/db", "postgresql://app:topsecret99@host:99999/db",
            "postgresql://app:topsecret99@host/db?sslmode=maybe", "postgresql://app:topsecret99@host/db?frobnicate=1",
        ] {
            do {
                _ = try PostgresConnectionSettings(url: bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(!error.description.contains("topsecret99"), "\(error.description)")
                #expect(error.description.contains("app:***@host"), "\(error.description)")
            }
        }
    }

    @Test func redactScrubsPasswordAndURLsFromAnyText() throws {
        let s = try PostgresConnectionSettings(url: "postgresql://app:p%40ss%20word@h/db")
        #expect(s.password == "p@ss word")
        let text = "FATAL: password 'p@ss word' for postgresql://app:p%40ss%20word@h/db failed; other postgres://x:y@z/w"
        let r = s.redact(text)
        #expect(r == "FATAL: password '***' for postgresql://app:***@h/db failed; other postgres://x:***@z/w")
    }

    @Test func onlyHostNamesAreSentAsTheTLSServerName() throws {
        func isAddress(_ url: String) throws -> Bool { try PostgresConnectionSettings(url: url).hostIsAddress }
        #expect(try isAddress("postgresql://u@127.0.0.1:5432/db"))
        #expect(try isAddress("postgresql://u@[::1]:5432/db"))
        #expect(try isAddress("postgresql://u@[2001:db8::7]/db"))
        #expect(try !isAddress("postgresql://u@db.example.com/db"))
        #expect(try !isAddress("postgresql://u@localhost/db"))
        #expect(try !isAddress("postgresql://u@127.0.0.1.nip.io/db"))
    }

    @Test func tableNamesAreQuoted() throws {
        let t = try PostgresTableName(parsing: "analytics.user \"events\"")
        #expect(t.schema == "analytics" && t.table == "user \"events\"")
        #expect(t.quoted == "\"analytics\".\"user \"\"events\"\"\"")
        // postgres-nio wraps copyFrom's table name in quotes itself.
        #expect("\"" + t.copyFromName + "\"" == t.quoted)
        #expect(try PostgresTableName(parsing: "plain").quoted == "\"plain\"")
        #expect(throws: SluiceError.self) { try PostgresTableName(parsing: ".x") }
    }
}
