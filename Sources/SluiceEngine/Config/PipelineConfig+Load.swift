import SluiceCSV
import SluiceCore
import Yams

#if canImport(Glibc)
import Glibc
#endif

extension PipelineConfig {
    static let topKeys = ["name", "source", "transforms", "sink", "workers", "memory", "batch_rows", "state", "dead_letter", "incremental"]
    static let sourceTypes = ["csv", "tsv", "eia", "caiso", "http", "parquet"]
    static let sinkTypes = ["sqlite", "postgres", "csv", "tsv", "jsonl", "parquet"]
    static let transformKinds = ["select", "cast", "derive", "filter", "validate", "aggregate", "join", "dedup"]

    /// Reads and checks a pipeline file. Every error names the file, line, column and key.
    public static func load(path: String, environment: [String: String] = ProcessEnvironment.current) throws(SluiceError) -> PipelineConfig {
        let text: String
        do { text = try FileIO.readText(path) } catch { throw SluiceError.io(path: path, message: "cannot read pipeline file: \(error.message)") }
        return try parse(yaml: text, file: path, environment: environment)
    }

    /// Parses pipeline YAML text; `file` is used in error messages.
    public static func parse(yaml: String, file: String, environment: [String: String] = [:]) throws(SluiceError) -> PipelineConfig {
        let root: Yams.Node
        do {
            guard let n = try Yams.compose(yaml: yaml) else {
                throw SluiceError.config(file: file, line: 1, column: 1, key: "", message: "the file is empty (expected name, source and sink)")
            }
            root = n
        } catch let e as SluiceError {
            throw e
        } catch let e as YamlError {
            throw yamlError(e, file: file)
        } catch {
            throw ConfigLocation(file: file, line: 1, column: 1, key: "").error("\(error)")
        }
        let top = ConfigNode(node: root, file: file, key: "", environment: environment)
        let m = try top.mapping(allowed: topKeys)
        let name = try m.required("name", "the pipeline's name").string()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw try m.required("name", "").error("name must be letters, digits, '-', '_' or '.', found '\(name)'")
        }
        var settings = RunSettings()
        if let n = m["workers"] { settings.workers = try n.int(min: 1) }
        if let n = m["memory"] { settings.memory = try n.byteSize() }
        if let n = m["batch_rows"] { settings.batchRows = try n.int(min: 1) }
        if let n = m["state"] { settings.stateDirectory = try n.string() }
        if let n = m["dead_letter"] { settings.deadLetter = try n.string() }
        let source = try parseSource(m.required("source", "where to read from"), batchRows: settings.batchRows)
        var transforms: [TransformConfig] = []
        if let t = m["transforms"], !t.isNull {
            for item in try t.sequence(expecting: "transforms") { transforms.append(try parseTransform(item)) }
        }
        let sink = try parseSink(m.required("sink", "where to write to"))
        var config = PipelineConfig(name: name, file: file, source: source, transforms: transforms, sink: sink, settings: settings)
        if let n = m["incremental"] {
            let inc = try parseIncremental(n)
            try inc.checkSink(config)
            config.incremental = inc
        }
        return config
    }

    static func yamlError(_ e: YamlError, file: String) -> SluiceError {
        switch e {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return ConfigLocation(file: file, line: mark.line, column: mark.column, key: "").error("invalid YAML: \(problem)")
        default:
            return ConfigLocation(file: file, line: 1, column: 1, key: "").error("invalid YAML: \(e)")
        }
    }

    static func parseSource(_ node: ConfigNode, batchRows: Int) throws(SluiceError) -> SourceConfig {
        let kind = try node.mapping(allowed: []).required("type", "one of: \(sourceTypes.joined(separator: ", "))")
        let type = try kind.string()
        switch type {
        case "eia", "caiso", "http":
            return .http(try parseHTTPSource(node, type: type))
        case "parquet":
            return .parquet(try parseParquetSource(node))
        case "csv", "tsv":
            let m = try node.mapping(allowed: [
                "type", "path", "paths", "delimiter", "header", "quote", "null_values", "schema", "infer_rows",
                "on_error", "compression", "split_size", "watch", "mode",
            ] + StreamingConfig.sourceKeys)
            var o = CSVOptions()
            o.batchRows = batchRows
            if type == "tsv" { o.delimiter = 9 }
            let paths: [String]
            if let p = m["paths"] {
                paths = try p.stringList(expecting: "paths or glob patterns")
            } else if let p = m["path"] {
                paths = [try p.string()]
            } else {
                throw node.error("missing required key 'paths' (a list of files or glob patterns)")
            }
            if paths.isEmpty { throw (m["paths"] ?? node).error("paths is empty (expected at least one file or glob pattern)") }
            if let n = m["delimiter"] { o.delimiter = try n.delimiterByte() }
            if let n = m["quote"] { o.quote = try n.delimiterByte() }
            if let n = m["header"] { o.header = try n.bool() }
            if let n = m["null_values"] { o.nullValues = try n.stringList(expecting: "null strings") }
            if let n = m["infer_rows"] { o.inferenceRows = try n.int(min: 1) }
            if let n = m["split_size"] { o.splitBytes = max(try n.byteSize(), 64 << 10) }
            if let n = m["on_error"] {
                let s = try n.string()
                guard let p = CSVErrorPolicy(rawValue: s) else { throw n.error("expected reject or fail, found '\(s)'") }
                o.onError = p
            }
            if let n = m["compression"] {
                let s = try n.string()
                guard let c = CSVCompression(rawValue: s) else { throw n.error("expected auto, none or gzip, found '\(s)'") }
                o.compression = c
            }
            if let n = m["schema"] { o.schema = try parseSchema(n) }
            let loc = (m["paths"] ?? m["path"] ?? node).location
            var csv = CSVSourceConfig(paths: paths, options: o, location: loc)
            csv.streaming = try parseStreaming(m)
            return .csv(csv)
        default:
            throw kind.error("unknown source type '\(type)'\(Suggest.didYouMean(type, sourceTypes)) (expected one of: \(sourceTypes.joined(separator: ", ")))")
        }
    }

    /// `{name: type, ...}` in column order.
    static func parseSchema(_ node: ConfigNode) throws(SluiceError) -> Schema {
        var fields: [Field] = []
        for (name, n) in try node.anyMapping(expecting: "a mapping of column name to type").entries {
            let t = try n.string()
            guard let type = DataType(parsing: t) else {
                throw n.error("unknown type '\(t)'\(Suggest.didYouMean(t, DataType.spellings)) (expected one of: \(DataType.spellings.joined(separator: ", ")))")
            }
            fields.append(Field(name, type))
        }
        return Schema(fields)
    }

    static func parseTransform(_ item: ConfigNode) throws(SluiceError) -> TransformConfig {
        let m = try item.mapping(allowed: transformKinds + ["on_invalid", "rules"])
        let kinds = m.entries.filter { transformKinds.contains($0.key) }
        guard kinds.count == 1, let (kind, body) = kinds.first else {
            throw item.error("each transform is a mapping with exactly one of: \(transformKinds.joined(separator: ", "))")
        }
        if kind != "validate", let stray = m.entries.first(where: { !transformKinds.contains($0.key) }) {
            throw stray.node.error("'\(stray.key)' belongs to validate, not \(kind)")
        }
        switch kind {
        case "select":
            var cols: [(String, String)] = []
            if case .mapping = body.node {
                for (out, n) in try body.anyMapping(expecting: "new_name: column").entries { cols.append((out, try n.string())) }
            } else {
                for n in try body.sequence(expecting: "column names ('name' or 'name as new_name')") {
                    let s = try n.string()
                    let parts = s.split(separator: " ").filter { !$0.isEmpty }
                    if parts.count == 3, parts[1].lowercased() == "as" {
                        cols.append((String(parts[2]), String(parts[0])))
                    } else if parts.count == 1 {
                        cols.append((s, s))
                    } else {
                        throw n.error("expected 'column' or 'column as new_name', found '\(s)'")
                    }
                }
            }
            return .select(cols, body.location)
        case "cast":
            var cols: [(String, DataType)] = []
            for (c, n) in try body.anyMapping(expecting: "column: type").entries {
                let t = try n.string()
                guard let type = DataType(parsing: t) else {
                    throw n.error("unknown type '\(t)'\(Suggest.didYouMean(t, DataType.spellings)) (expected one of: \(DataType.spellings.joined(separator: ", ")))")
                }
                cols.append((c, type))
            }
            return .cast(cols, body.location)
        case "derive":
            var cols: [(String, Expr, ConfigLocation)] = []
            for (c, n) in try body.anyMapping(expecting: "column: expression").entries {
                cols.append((c, try parseExpression(n), n.location))
            }
            return .derive(cols)
        case "filter":
            return .filter(try parseExpression(body), body.location)
        case "aggregate":
            return .aggregate(try parseAggregate(body))
        case "join":
            return .join(try parseJoin(body))
        case "dedup":
            return .dedup(try parseDedup(body), body.location)
        default:
            return .validate(try parseValidate(body, item: m))
        }
    }

    static func parseExpression(_ n: ConfigNode) throws(SluiceError) -> Expr {
        let text = try n.string()
        do {
            return try ExpressionParser.parse(text)
        } catch {
            throw n.error(error.description.hasPrefix("expression: ") ? String(error.description.dropFirst(12)) : error.description)
        }
    }

    static let ruleKeys = ["required", "pattern", "in", "min", "max", "uuid", "type"]

    static func parseValidate(_ body: ConfigNode, item: ConfigMapping) throws(SluiceError) -> ValidateConfig {
        // Accept both `validate: {on_invalid, rules}` and rules directly under validate.
        var config = ValidateConfig(location: body.location)
        let m = try body.anyMapping(expecting: "on_invalid and rules")
        var ruleNode: ConfigNode? = m["rules"] ?? item["rules"]
        if let p = m["on_invalid"] ?? item["on_invalid"] {
            let s = try p.string()
            guard let policy = InvalidRowPolicy(rawValue: s) else {
                throw p.error("expected one of: \(InvalidRowPolicy.allCases.map(\.rawValue).joined(separator: ", ")), found '\(s)'")
            }
            config.onInvalid = policy
        }
        if ruleNode == nil, m["on_invalid"] == nil { ruleNode = body }
        if let stray = m.entries.first(where: { $0.key != "rules" && $0.key != "on_invalid" }), m["rules"] != nil {
            throw stray.node.error("unknown key '\(stray.key)' (expected on_invalid, rules)")
        }
        guard let rn = ruleNode else { throw body.error("missing required key 'rules' (field: {rule: value})") }
        for (column, n) in try rn.anyMapping(expecting: "field: {rule: value, ...}").entries {
            var rules: [ValidationRule] = []
            for (k, v) in try n.mapping(allowed: ruleKeys).entries {
                switch k {
                case "required": if try v.bool() { rules.append(.required) }
                case "uuid": if try v.bool() { rules.append(.uuid) }
                case "pattern": rules.append(.pattern(try v.string()))
                case "in": rules.append(.oneOf(try v.stringList(expecting: "allowed values")))
                case "min", "max":
                    let s = try v.string()
                    if let d = Double(s) {
                        rules.append(k == "min" ? .min(d) : .max(d))
                    } else {
                        rules.append(k == "min" ? .minText(s) : .maxText(s))
                    }
                default:
                    let t = try v.string()
                    guard let type = DataType(parsing: t) else {
                        throw v.error("unknown type '\(t)' (expected one of: \(DataType.spellings.joined(separator: ", ")))")
                    }
                    rules.append(.type(type))
                }
            }
            config.rules.append((column, rules, n.location))
        }
        return config
    }

    static func parseSink(_ node: ConfigNode) throws(SluiceError) -> SinkConfig {
        let kind = try node.mapping(allowed: []).required("type", "one of: \(sinkTypes.joined(separator: ", "))")
        let type = try kind.string()
        switch type {
        case "sqlite":
            let m = try node.mapping(allowed: ["type", "path", "table", "mode", "key"])
            var c = SQLiteSinkConfig(
                path: try m.required("path", "the SQLite database file").string(),
                table: try m.required("table", "the table to write").string(), location: node.location)
            if let n = m["mode"] {
                let s = try n.string()
                guard let mode = SQLiteWriteMode(rawValue: s) else {
                    throw n.error("unknown mode '\(s)' (expected one of: \(SQLiteWriteMode.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                c.mode = mode
            }
            if let n = m["key"] { c.key = try n.stringList(expecting: "key columns") }
            if c.mode != .append, c.key.isEmpty {
                throw (m["mode"] ?? node).error("mode \(c.mode.rawValue) needs 'key' (the columns that identify a row)")
            }
            return .sqlite(c)
        case "postgres", "postgresql":
            return .postgres(try parsePostgresSink(node))
        case "parquet":
            return .parquet(try parseParquetSink(node))
        case "csv", "tsv", "jsonl":
            let m = try node.mapping(allowed: type == "jsonl" ? ["type", "path"] : ["type", "path", "delimiter", "header"])
            var c = FileSinkConfig(path: try m.required("path", "the output file").string(), location: node.location)
            if type == "tsv" { c.delimiter = 9 }
            if let n = m["delimiter"] { c.delimiter = try n.delimiterByte() }
            if let n = m["header"] { c.header = try n.bool() }
            return type == "jsonl" ? .jsonl(c) : .csv(c)
        default:
            throw kind.error("unknown sink type '\(type)'\(Suggest.didYouMean(type, sinkTypes)) (expected one of: \(sinkTypes.joined(separator: ", ")))")
        }
    }
}

/// The process environment as a dictionary, for `${VAR}` substitution.
public enum ProcessEnvironment {
    public static var current: [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }
}
