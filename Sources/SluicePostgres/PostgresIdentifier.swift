/// A PostgreSQL identifier, always emitted double-quoted so that table and column names taken from
/// configuration or input can never be read as SQL.
public struct PostgresIdentifier: Hashable, Sendable {
    /// The name as the user wrote it (case preserved).
    public let name: String

    public init(_ name: String) { self.name = name }

    /// The quoted form: embedded double quotes are doubled, as the SQL standard requires.
    public var quoted: String {
        var out = "\""
        for ch in name {
            if ch == "\"" { out.append("\"") }
            out.append(ch)
        }
        out.append("\"")
        return out
    }
}
