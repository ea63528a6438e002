import SluiceCore
import SluicePostgres

extension PipelineConfig {
    static let postgresSinkKeys = ["type", "url", "table", "mode", "key", "partition_keys", "create", "copy_format", "connections"]

    /// `sink: {type: postgres, url, table, mode, key, partition_keys, create, copy_format, connections}`.
    static func parsePostgresSink(_ node: ConfigNode) throws(SluiceError) -> PostgresSinkConfig {
        let m = try node.mapping(allowed: postgresSinkKeys)
        let urlNode = m["url"]
        let url: String
        if let n = urlNode {
            url = try n.string()
        } else {
            guard let v = node.environment["DATABASE_URL"], !v.isEmpty else {
                throw node.error("missing 'url' and DATABASE_URL is not set (expected url: postgresql://user:password@host:port/database)")
            }
            url = v
        }
        let connection: PostgresConnectionSettings
        do {
            connection = try PostgresConnectionSettings(url: url, environment: node.environment)
        } catch {
            throw (urlNode ?? node).error(error.description)
        }
        let tableNode = try m.required("table", "the table to write, optionally schema-qualified as schema.table")
        let table: PostgresTableName
        do { table = try PostgresTableName(parsing: try tableNode.string()) } catch { throw tableNode.error(error.description) }
        var c = PostgresSinkConfig(connection: connection, table: table, location: node.location)
        if let n = m["mode"] {
            let s = try n.string()
            let modes = PostgresWriteMode.allCases.map(\.rawValue)
            guard let mode = PostgresWriteMode(rawValue: s) else {
                throw n.error("unknown mode '\(s)'\(Suggest.didYouMean(s, modes)) (expected one of: \(modes.joined(separator: ", ")))")
            }
            c.mode = mode
        }
        if let n = m["key"] { c.key = try n.stringList(expecting: "key columns") }
        if let n = m["partition_keys"] { c.partitionKeys = try n.stringList(expecting: "partition key columns") }
        if let n = m["create"] { c.create = try n.bool() }
        if let n = m["copy_format"] {
            let s = try n.string()
            let formats = PostgresCopyFormat.allCases.map(\.rawValue)
            guard let f = PostgresCopyFormat(rawValue: s) else {
                throw n.error("unknown copy_format '\(s)'\(Suggest.didYouMean(s, formats)) (expected one of: \(formats.joined(separator: ", ")))")
            }
            c.format = f
        }
        if let n = m["connections"] {
            let k = try n.int(min: 1)
            guard k <= 64 else { throw n.error("connections must be at most 64 (each is a server backend), not \(k)") }
            c.connections = k
        }
        c.keyLocation = (m["key"] ?? m["partition_keys"])?.location
        switch c.mode {
        case .upsert, .insertIgnore:
            if c.key.isEmpty {
                throw (m["mode"] ?? node).error("mode \(c.mode.rawValue) needs 'key' (the columns that identify a row)")
            }
            if let n = m["partition_keys"] { throw n.error("partition_keys applies to mode replace, not \(c.mode.rawValue)") }
        case .replace:
            if c.partitionKeys.isEmpty {
                throw (m["mode"] ?? node).error("mode replace needs 'partition_keys' (the columns whose values a split replaces)")
            }
            if let n = m["key"] { throw n.error("key applies to modes upsert and insert_ignore, not replace") }
        case .append:
            if let n = m["key"] ?? m["partition_keys"] {
                throw n.error("'\(n.location.key.split(separator: ".").last ?? "key")' needs mode upsert, insert_ignore or replace (mode is append)")
            }
        }
        for (list, what) in [(c.key, "key"), (c.partitionKeys, "partition_keys")] {
            if let dup = list.first(where: { name in list.filter { $0 == name }.count > 1 }) {
                throw (m[what] ?? node).error("column '\(dup)' appears twice in \(what)")
            }
        }
        return c
    }
}
