import SluiceCore

/// A table name as written in a pipeline (`events` or `analytics.events`), always emitted quoted.
public struct PostgresTableName: Sendable, Hashable, CustomStringConvertible {
    /// nil: resolved through the connection's `search_path`.
    public var schema: String?
    public var table: String

    public init(schema: String?, table: String) {
        self.schema = schema
        self.table = table
    }

    /// `table` or `schema.table`; the first `.` separates the schema.
    public init(parsing text: String) throws(SluiceError) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        if parts.count == 2 {
            guard !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .invalidArgument("table '\(text)' is not 'name' or 'schema.name'")
            }
            self.init(schema: parts[0], table: parts[1])
        } else {
            guard !text.isEmpty else { throw .invalidArgument("the table name is empty") }
            self.init(schema: nil, table: text)
        }
    }

    public var description: String { schema.map { "\($0).\(table)" } ?? table }

    /// `"schema"."table"`, safe to splice into SQL.
    public var quoted: String {
        (schema.map { PostgresIdentifier($0).quoted + "." } ?? "") + PostgresIdentifier(table).quoted
    }

    /// The same text as `quoted` without its outermost quotes: postgres-nio's `copyFrom` wraps
    /// the table name in quotes without escaping it, so this is what it must be given.
    public var copyFromName: String { String(quoted.dropFirst().dropLast()) }

    /// Another table in the same schema (the ledger lives beside the table it guards).
    public func sibling(_ name: String) -> PostgresTableName { PostgresTableName(schema: schema, table: name) }

    /// The text `to_regclass` takes to find this table.
    public var regclassText: String { quoted }
}

extension PostgresIdentifier {
    /// The quoted form without its outer quotes, for postgres-nio's `copyFrom` column list.
    public var copyFromName: String { String(quoted.dropFirst().dropLast()) }
}
