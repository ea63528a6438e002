import SluiceCore

/// `aggregate:` — group keys (a column name, or `name: expression`) and computed aggregates.
public struct AggregateConfig: Sendable {
    public var groupBy: [(name: String, expression: Expr, location: ConfigLocation)]
    public var compute: [(name: String, expression: Expr, location: ConfigLocation)]
    public var location: ConfigLocation
}

/// `join:` — a lookup table read by its own source and transforms, the key columns matched
/// (input column, lookup column), and the lookup columns added (output name, lookup column).
public struct JoinConfig: Sendable {
    public var lookupSource: SourceConfig
    public var lookupTransforms: [TransformConfig]
    public var on: [(input: String, lookup: String)]
    public var columns: [(name: String, lookup: String)]
    public var kind: JoinOperator.Kind
    public var location: ConfigLocation
    /// The lookup's rows belong to the pipeline's incremental slices too (`incremental: true`):
    /// a run reads only its files and rows of the slices being recomputed.
    public var sliced = false
}

extension PipelineConfig {
    /// ```yaml
    /// aggregate:
    ///   group_by: [namespace, node, {usage_start: "date(substr(interval_start, 1, 10))"}]
    ///   compute:
    ///     cpu_core_hours: sum(pod_usage_cpu_core_seconds) / 3600
    /// ```
    static func parseAggregate(_ node: ConfigNode) throws(SluiceError) -> AggregateConfig {
        let m = try node.mapping(allowed: ["group_by", "compute"])
        var groupBy: [(String, Expr, ConfigLocation)] = []
        if let g = m["group_by"] {
            for item in try g.sequence(expecting: "group keys (a column, or name: expression)") {
                if case .mapping = item.node {
                    for (name, e) in try item.anyMapping(expecting: "name: expression").entries {
                        groupBy.append((name, try parseExpression(e), e.location))
                    }
                } else {
                    let name = try item.string()
                    groupBy.append((name, .column(name), item.location))
                }
            }
        }
        var compute: [(String, Expr, ConfigLocation)] = []
        for (name, e) in try m.required("compute", "the aggregates, as name: expression").anyMapping(expecting: "name: expression").entries {
            compute.append((name, try parseExpression(e), e.location))
        }
        let names = groupBy.map(\.0) + compute.map(\.0)
        if let dup = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
            throw node.error("column '\(dup)' is produced twice by this aggregate")
        }
        return AggregateConfig(groupBy: groupBy, compute: compute, location: node.location)
    }

    /// ```yaml
    /// join:
    ///   lookup:
    ///     source: {type: csv, path: "data/node_labels/*.csv"}
    ///     transforms: [...]
    ///   on: [node, usage_start]          # or {input_column: lookup_column}
    ///   columns: [node_labels]           # or {new_name: lookup_column}
    ///   kind: left                       # or inner
    /// ```
    static func parseJoin(_ node: ConfigNode) throws(SluiceError) -> JoinConfig {
        let m = try node.mapping(allowed: ["lookup", "on", "columns", "kind"])
        let lookup = try m.required("lookup", "the table to look up: source and transforms").mapping(allowed: ["source", "transforms", "incremental"])
        let source = try parseSource(lookup.required("source", "where the lookup table is read from"), batchRows: 65_536)
        var transforms: [TransformConfig] = []
        if let t = lookup["transforms"], !t.isNull {
            for item in try t.sequence(expecting: "transforms") { transforms.append(try parseTransform(item)) }
        }
        let on = try pairs(m.required("on", "the key columns"), what: "key columns")
        guard !on.isEmpty else { throw node.error("join needs at least one key column in 'on'") }
        let columns = try m["columns"].map { n throws(SluiceError) in try pairs(n, what: "lookup columns to add") } ?? []
        var kind = JoinOperator.Kind.left
        if let k = m["kind"] {
            let text = try k.string()
            guard let parsed = JoinOperator.Kind(rawValue: text) else {
                throw k.error("kind must be left or inner, found '\(text)'")
            }
            kind = parsed
        }
        var join = JoinConfig(
            lookupSource: source, lookupTransforms: transforms, on: on, columns: columns.map { ($0.0, $0.1) }, kind: kind,
            location: node.location)
        if let n = lookup["incremental"] { join.sliced = try n.bool() }
        return join
    }

    /// A list of names (each paired with itself) or a mapping `a: b`.
    private static func pairs(_ node: ConfigNode, what: String) throws(SluiceError) -> [(String, String)] {
        if case .mapping = node.node {
            var out: [(String, String)] = []
            for (a, b) in try node.anyMapping(expecting: what).entries { out.append((a, try b.string())) }
            return out
        }
        var out: [(String, String)] = []
        for n in try node.sequence(expecting: what) {
            let s = try n.string()
            out.append((s, s))
        }
        return out
    }

    /// `dedup: [event_id]` or `dedup: {key: [event_id]}`.
    static func parseDedup(_ node: ConfigNode) throws(SluiceError) -> [String] {
        let list: ConfigNode
        if case .mapping = node.node {
            list = try node.mapping(allowed: ["key"]).required("key", "the columns that identify a row")
        } else {
            list = node
        }
        let keys = try list.stringList(expecting: "key columns")
        guard !keys.isEmpty else { throw node.error("dedup needs at least one key column") }
        return keys
    }
}
