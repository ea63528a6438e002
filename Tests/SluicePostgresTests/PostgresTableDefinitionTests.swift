import SluiceCore
import Testing

@testable import SluicePostgres

@Suite("PostgreSQL table definitions")
struct PostgresTableDefinitionTests {
    let schema = Schema([
        Field("id", .int64), Field("n", .int32), Field("x", .float64), Field("ok", .bool), Field("name", .dictionary),
        Field("day", .date), Field("at", .timestamp(.ms)),
    ])
    let table = PostgresTableName(schema: "s", table: "t")

    @Test func createTableMapsEveryType() {
        #expect(
            PostgresTableDefinition.createTable(table, schema: schema, primaryKey: ["id"])
                == "CREATE TABLE \"s\".\"t\" (\"id\" bigint NOT NULL, \"n\" integer, \"x\" double precision, \"ok\" boolean, "
                + "\"name\" text, \"day\" date, \"at\" timestamp with time zone, PRIMARY KEY (\"id\"))")
    }

    @Test func existingTableThatFitsHasNoProblems() {
        let cols = [
            ("id", "bigint"), ("n", "bigint"), ("x", "numeric(12,4)"), ("ok", "boolean"), ("name", "character varying(20)"),
            ("day", "date"), ("at", "timestamp without time zone"), ("extra", "text"),
        ].map { PostgresExistingColumn(name: $0.0, type: $0.1, notNull: false, hasDefault: false) }
        #expect(PostgresTableDefinition.problems(table: table, existing: cols, schema: schema) == [])
    }

    @Test func saysWhichColumnDiffers() {
        let cols = [
            PostgresExistingColumn(name: "id", type: "integer", notNull: true, hasDefault: false),
            PostgresExistingColumn(name: "nn", type: "integer", notNull: false, hasDefault: false),
            PostgresExistingColumn(name: "x", type: "double precision", notNull: false, hasDefault: false),
            PostgresExistingColumn(name: "ok", type: "boolean", notNull: false, hasDefault: false),
            PostgresExistingColumn(name: "name", type: "text", notNull: false, hasDefault: false),
            PostgresExistingColumn(name: "day", type: "integer", notNull: false, hasDefault: false),
            PostgresExistingColumn(name: "at", type: "timestamp with time zone", notNull: false, hasDefault: false),
            PostgresExistingColumn(name: "owner", type: "text", notNull: true, hasDefault: false),
        ]
        #expect(
            PostgresTableDefinition.problems(table: table, existing: cols, schema: schema) == [
                "column 'id' of table s.t is integer, but the output's id is int64 (expected bigint)",
                "table s.t has no column 'n' (did you mean 'nn'?); the output has n int32",
                "column 'day' of table s.t is integer, but the output's day is date (expected date)",
                "column 'owner' of table s.t is NOT NULL without a default, and the output has no such column",
            ])
    }

    @Test func upsertStatementDeduplicatesLastWins() {
        let st = PostgresLoadStatements(table: table, columns: ["id", "v"], mode: .upsert, key: ["id"], partitionKeys: [])
        #expect(
            st.merge == """
                INSERT INTO "s"."t" ("id", "v") SELECT DISTINCT ON ("id") "id", "v" FROM "sluice_stage"
                ORDER BY "id", ctid DESC ON CONFLICT ("id") DO UPDATE SET "v" = EXCLUDED."v"
                """)
        #expect(st.ledger.quoted == "\"s\".\"sluice_ledger\"")
        #expect(st.createStage(types: ["id": "bigint", "v": "text"])
            == "CREATE TEMP TABLE IF NOT EXISTS \"sluice_stage\" (\"id\" bigint NOT NULL, \"v\" text) ON COMMIT DELETE ROWS")
        let ignore = PostgresLoadStatements(table: table, columns: ["id"], mode: .insertIgnore, key: ["id"], partitionKeys: [])
        #expect(ignore.merge?.hasSuffix("ORDER BY \"id\", ctid ON CONFLICT (\"id\") DO NOTHING") == true)
        #expect(PostgresLoadStatements(table: table, columns: ["id"], mode: .append, key: [], partitionKeys: []).merge == nil)
    }

    @Test func copyLineFromServerContext() {
        #expect(PostgresTableLoader.copyLine("COPY t, line 1234, column x: \"abc\"") == 1234)
        #expect(PostgresTableLoader.copyLine("COPY sluice_stage, line 7") == 7)
        #expect(PostgresTableLoader.copyLine("SQL statement") == nil)
    }
}
