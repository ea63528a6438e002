import SluiceCore

/// How a split's rows meet the rows already in the table.
public enum PostgresWriteMode: String, Sendable, CaseIterable {
    /// COPY every row straight into the table.
    case append
    /// Insert rows whose key is new; keep the existing row (and the first of duplicates in a split).
    case insertIgnore = "insert_ignore"
    /// Insert, or overwrite the row with the same key (the last of duplicates in a split wins).
    case upsert
    /// Delete the rows whose partition-key values occur in the split, then insert the split's rows.
    case replace
}

/// A column of an existing table, as the catalog describes it.
public struct PostgresExistingColumn: Sendable, Equatable {
    public var name: String
    /// `format_type(atttypid, atttypmod)`, e.g. `bigint`, `character varying(20)`, `timestamp with time zone`.
    public var type: String
    public var notNull: Bool
    public var hasDefault: Bool

    public init(name: String, type: String, notNull: Bool, hasDefault: Bool) {
        self.name = name
        self.type = type
        self.notNull = notNull
        self.hasDefault = hasDefault
    }
}

/// Column types for Sluice types, DDL for a new table, and the check of an existing one.
public enum PostgresTableDefinition {
    /// The column type a new table gets for a Sluice type. Timestamps are UTC instants, hence
    /// `timestamptz`.
    public static func sqlType(_ t: DataType) -> String {
        switch t {
        case .bool: "boolean"
        case .int32: "integer"
        case .int64: "bigint"
        case .float32: "real"
        case .float64: "double precision"
        case .string, .dictionary: "text"
        case .date: "date"
        case .timestamp: "timestamp with time zone"
        }
    }

    /// Whether a column of catalog type `existing` takes the COPY text of a `t` value without
    /// loss or a parse error.
    public static func accepts(_ existing: String, _ t: DataType) -> Bool {
        let base = existing.split(separator: "(").first.map { String($0).trimmingSpaces() } ?? existing
        if base.hasSuffix("[]") { return false }
        switch t {
        case .string, .dictionary:
            return true  // text input: the server parses it as the column's type (uuid, json, ...)
        case .bool:
            return ["boolean", "text", "character varying", "character"].contains(base)
        case .int32:
            return ["integer", "bigint", "numeric", "double precision", "real", "text", "character varying"].contains(base)
        case .int64:
            return ["bigint", "numeric", "double precision", "text", "character varying"].contains(base)
        case .float32, .float64:
            return ["double precision", "real", "numeric", "text", "character varying"].contains(base)
        case .date:
            return ["date", "timestamp without time zone", "timestamp with time zone", "text", "character varying"].contains(base)
        case .timestamp:
            return ["timestamp without time zone", "timestamp with time zone", "text", "character varying"].contains(base)
        }
    }

    /// `CREATE TABLE` for `schema`, with a primary key when `primaryKey` is not empty.
    public static func createTable(_ table: PostgresTableName, schema: Schema, primaryKey: [String]) -> String {
        var cols = schema.fields.map { f in
            "\(PostgresIdentifier(f.name).quoted) \(sqlType(f.type))" + (primaryKey.contains(f.name) ? " NOT NULL" : "")
        }
        if !primaryKey.isEmpty {
            cols.append("PRIMARY KEY (\(primaryKey.map { PostgresIdentifier($0).quoted }.joined(separator: ", ")))")
        }
        return "CREATE TABLE \(table.quoted) (\(cols.joined(separator: ", ")))"
    }

    /// What stops `schema` from being written into an existing table with `existing` columns,
    /// one line per problem (empty when it fits).
    public static func problems(table: PostgresTableName, existing: [PostgresExistingColumn], schema: Schema) -> [String] {
        var out: [String] = []
        let names = existing.map(\.name)
        for f in schema.fields {
            guard let c = existing.first(where: { $0.name == f.name }) else {
                let near = names.min { distance($0, f.name) < distance($1, f.name) }
                let hint = near.map { distance($0, f.name) <= 2 ? " (did you mean '\($0)'?)" : "" } ?? ""
                out.append("table \(table) has no column '\(f.name)'\(hint); the output has \(f.name) \(f.type)")
                continue
            }
            if !accepts(c.type, f.type) {
                out.append(
                    "column '\(f.name)' of table \(table) is \(c.type), but the output's \(f.name) is \(f.type) (expected \(sqlType(f.type)))")
            }
        }
        for c in existing where c.notNull && !c.hasDefault && schema.index(of: c.name) == nil {
            out.append("column '\(c.name)' of table \(table) is NOT NULL without a default, and the output has no such column")
        }
        return out
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().utf8), y = Array(b.lowercased().utf8)
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var prev = Array(0...y.count)
        for i in 1...x.count {
            var cur = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[y.count]
    }
}
