import SluiceCore

/// One output column of an API source: where its value is in a record (a JSON key or dotted
/// path, or a CSV header name), its type, and for times the format the API writes.
public struct FieldSpec: Sendable, Equatable {
    public var name: String
    /// The JSON key path (`["value"]`, `["meta", "id"]`) or, for CSV, the header name as one element.
    public var path: [String]
    public var type: DataType
    /// How times are written; nil means ISO 8601 for timestamps and dates.
    public var format: APITimeFormat?

    public init(_ name: String, path: [String]? = nil, type: DataType, format: APITimeFormat? = nil) {
        self.name = name
        self.path = path ?? [name]
        self.type = type
        self.format = format
    }

    /// Converts one value as text. Strings that hold numbers (EIA's `"value": "123.45"`) are
    /// numbers; an empty string is null for every type but string.
    func append(_ text: String?, to b: ColumnBuilder) -> Bool {
        guard let text else { b.appendNull(); return true }
        if text.isEmpty, type != .string, type != .dictionary { b.appendNull(); return true }
        switch b {
        case .string(let s): s.append(text)
        case .dictionary(let d): d.append(text)
        case .float64(let f):
            guard let v = Double(text) else { return false }
            f.append(v)
        case .float32(let f):
            guard let v = Float(text) else { return false }
            f.append(v)
        case .int64(let i):
            guard let v = Int64(text) ?? Self.integralDouble(text) else { return false }
            i.append(v)
        case .int32(let i):
            guard let w = Int64(text) ?? Self.integralDouble(text), let v = Int32(exactly: w) else { return false }
            i.append(v)
        case .bool(let x):
            switch text.lowercased() {
            case "true", "1", "t", "yes", "y": x.append(true)
            case "false", "0", "f", "no", "n": x.append(false)
            default: return false
            }
        case .date(let d):
            guard let s = (format ?? .date).parse(text) else { return false }
            d.append(Int32(truncatingIfNeeded: CivilTime.floorDiv(s, 86_400)))
        case .timestamp(let t):
            guard case .timestamp(let unit) = type, let v = timestamp(text, unit) else { return false }
            t.append(v)
        }
        return true
    }

    func timestamp(_ text: String, _ unit: TimeUnit) -> Int64? {
        switch format ?? .iso8601 {
        case .iso8601: return CivilTime.parseTimestamp(text, unit: unit)
        case .epochMillis:
            guard let ms = Int64(text) else { return nil }
            return unit.perSecond >= 1000 ? ms * (unit.perSecond / 1000) : CivilTime.floorDiv(ms, 1000)
        case let f:
            guard let s = f.parse(text) else { return nil }
            let (v, o) = s.multipliedReportingOverflow(by: unit.perSecond)
            return o ? nil : v
        }
    }

    static func integralDouble(_ text: String) -> Int64? {
        guard let d = Double(text), d == d.rounded(), abs(d) < 9e18 else { return nil }
        return Int64(d)
    }

    /// What the type expects, for reject reasons.
    var expectation: String {
        switch type {
        case .timestamp, .date: "a \(type) in format \((format ?? (type == .date ? .date : .iso8601)).rawValue)"
        default: "a \(type)"
        }
    }
}

/// Turns API records (JSON objects or CSV rows) into one `RecordBatch`: typed columns by the
/// field map, rows whose natural key was already seen dropped (pages can overlap when data
/// shifts between requests), and rows with a value that does not convert rejected with a reason.
public final class RecordAccumulator {
    public let fields: [FieldSpec]
    /// Key paths (in the record, not output names) of the natural key; empty means no dedup.
    public let keyPaths: [[String]]
    let builders: [ColumnBuilder]
    var seen = Set<String>()
    public private(set) var rejects: [RejectedRow] = []
    public private(set) var duplicates = 0
    public private(set) var count = 0

    public init(fields: [FieldSpec], keyPaths: [[String]] = [], capacity: Int = 1024) {
        self.fields = fields
        self.keyPaths = keyPaths
        builders = fields.map { ColumnBuilder($0.type, capacity: capacity) }
    }

    public var schema: Schema { Schema(fields.map { Field($0.name, $0.type) }) }

    /// Adds one JSON record; `source` and `index` name it in rejects (URL, record number).
    public func append(json record: JSONValue, source: String, index: Int) {
        if !keyPaths.isEmpty {
            let key = keyPaths.map { record.at($0)?.text ?? "\u{0}" }.joined(separator: "\u{1F}")
            guard seen.insert(key).inserted else { duplicates += 1; return }
        }
        appendRow(
            fields.map { f in
                guard let v = record.at(f.path), !v.isNull else { return nil }
                return v.text ?? Self.compact(v)
            }, source: source, index: index)
    }

    /// Adds one CSV row; `columnOf` maps a field's header name to its position in `row`.
    public func append(row: [String], columnOf: [Int?], keyColumns: [Int], source: String, line: Int) {
        if !keyColumns.isEmpty {
            let key = keyColumns.map { $0 < row.count ? row[$0] : "\u{0}" }.joined(separator: "\u{1F}")
            guard seen.insert(key).inserted else { duplicates += 1; return }
        }
        appendRow(
            columnOf.map { c in
                guard let c, c < row.count else { return nil }
                return row[c]
            }, source: source, index: line)
    }

    func appendRow(_ texts: [String?], source: String, index: Int) {
        for (j, f) in fields.enumerated() where !f.append(texts[j], to: builders[j]) {
            for b in builders[0..<j] { b.removeLast() }
            rejects.append(
                RejectedRow(
                    file: source, line: index, stage: "parse", column: f.name, rule: "type",
                    reason: "'\(texts[j] ?? "")' is not \(f.expectation)", values: Array(zip(fields.map(\.name), texts))))
            return
        }
        count += 1
    }

    /// The rows so far as one batch.
    public func finish() -> RecordBatch {
        RecordBatch(schema: schema, columns: builders.map { $0.finish() }, count: count)
    }

    /// Objects and arrays kept as compact JSON text, for string fields that hold structure.
    static func compact(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        case .array(let a): return "[" + a.map(compact).joined(separator: ",") + "]"
        case .object(let m): return "{" + m.map { compact(.string($0.0)) + ":" + compact($0.1) }.joined(separator: ",") + "}"
        }
    }
}
