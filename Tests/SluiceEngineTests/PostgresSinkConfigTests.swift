import SluiceCore
import SluicePostgres
import Testing

@testable import SluiceEngine

@Suite("PostgreSQL sink config")
struct PostgresSinkConfigTests {
    func yaml(_ sink: String) -> String {
        """
        name: t
        source:
          type: csv
          paths: [in.csv]
          schema: {id: int64, day: date, v: string}
        sink:
        \(sink)
        """
    }

    func error(_ y: String, env: [String: String] = [:]) -> String {
        do {
            _ = try PipelineConfig.parse(yaml: y, file: "p.yml", environment: env)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func parsesEveryKey() throws {
        let c = try PipelineConfig.parse(
            yaml: yaml(
                """
                  type: postgres
                  url: postgresql://loader:pw-9876@db:6000/warehouse?sslmode=disable
                  table: analytics.events
                  mode: upsert
                  key: [id, day]
                  create: false
                """), file: "p.yml")
        guard case .postgres(let p) = c.sink else { Issue.record("not postgres"); return }
        #expect(p.connection.host == "db" && p.connection.port == 6000 && p.connection.user == "loader")
        #expect(p.connection.password == "pw-9876" && p.connection.database == "warehouse" && p.connection.tls == .disable)
        #expect(p.table == PostgresTableName(schema: "analytics", table: "events"))
        #expect(p.mode == .upsert && p.key == ["id", "day"] && !p.create)
        #expect(c.sink.description == "postgres postgresql://loader:***@db:6000/warehouse#analytics.events")
    }

    @Test func urlDefaultsToDatabaseURL() throws {
        let y = yaml("  type: postgres\n  table: t\n  mode: replace\n  partition_keys: day\n")
        let c = try PipelineConfig.parse(yaml: y, file: "p.yml", environment: ["DATABASE_URL": "postgres://u:secret-1@h/d"])
        guard case .postgres(let p) = c.sink else { Issue.record("not postgres"); return }
        #expect(p.connection.host == "h" && p.connection.password == "secret-1")
        #expect(p.mode == .replace && p.partitionKeys == ["day"] && p.create)
        #expect(error(y).contains("p.yml:7:3: sink: missing 'url' and DATABASE_URL is not set"))
    }

    @Test func locatedErrors() {
        let base = "  type: postgres\n  url: postgresql://u:pw-secret@h/d\n  table: t\n"
        #expect(error(yaml(base + "  mode: upsret\n  key: [id]\n")).hasPrefix(
            "p.yml:10:9: sink.mode: unknown mode 'upsret'; did you mean 'upsert'? (expected one of: append, insert_ignore, upsert, replace)"))
        #expect(error(yaml(base + "  mode: insert_ignore\n")).hasPrefix("p.yml:10:9: sink.mode: mode insert_ignore needs 'key'"))
        #expect(error(yaml(base + "  mode: replace\n  key: [id]\n  partition_keys: [day]\n")).hasPrefix(
            "p.yml:11:8: sink.key: key applies to modes upsert and insert_ignore, not replace"))
        #expect(error(yaml(base + "  key: [id]\n")).hasPrefix("p.yml:10:8: sink.key: 'key' needs mode upsert, insert_ignore or replace"))
        #expect(error(yaml(base + "  create: perhaps\n")).hasPrefix("p.yml:10:11: sink.create: expected true or false"))
        #expect(error(yaml(base + "  mode: upsert\n  key: [id, id]\n")).hasPrefix("p.yml:11:8: sink.key: column 'id' appears twice in key"))
        #expect(error(yaml(base.replacing("table: t", with: "table: .t"))).hasPrefix("p.yml:9:10: sink.table: table '.t' is not"))
        #expect(error(yaml(base + "  tabel: x\n")).hasPrefix("p.yml:10:3: sink.tabel: unknown key 'tabel'; did you mean 'table'?"))
        #expect(error(yaml("  type: postgress\n")).hasPrefix("p.yml:7:9: sink.type: unknown sink type 'postgress'; did you mean 'postgres'?"))
    }

    @Test func urlErrorsHideThePassword() {
        let e = error(yaml("  type: postgres\n  url: postgresql://u:pw-secret@h:0/d\n  table: t\n"))
        #expect(e.hasPrefix("p.yml:8:8: sink.url: invalid PostgreSQL URL 'postgresql://u:***@h:0/d'"))
        #expect(!e.contains("pw-secret"))
        // YAML errors quote the file; a URL with a password in it is masked there too.
        let y = yaml("  type: postgres\n  url: postgresql://u:pw-secret@h/d\n  table: t\n  table: u\n")
        #expect(error(y).contains("invalid YAML") && !error(y).contains("pw-secret"))
    }

    @Test func checksumIgnoresBatchBoundaries() {
        let bytes = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37) })
        var whole = SplitChecksum()
        bytes.withUnsafeBytes { whole.update($0) }
        for cut in [1, 3, 7, 8, 9, 500, 999] {
            var parts = SplitChecksum()
            bytes.withUnsafeBytes { b in
                parts.update(UnsafeRawBufferPointer(rebasing: b[..<cut]))
                parts.update(UnsafeRawBufferPointer(rebasing: b[cut...]))
            }
            #expect(parts.hex == whole.hex, "cut at \(cut)")
        }
        var other = SplitChecksum()
        var changed = bytes
        changed[500] ^= 1
        changed.withUnsafeBytes { other.update($0) }
        #expect(other.hex != whole.hex && whole.hex.count == 16)
        var shorter = SplitChecksum()
        bytes.dropLast().withUnsafeBytes { shorter.update($0) }
        #expect(shorter.hex != whole.hex)
    }
}
