import SluiceCore

/// Builds one JSON object as text, keys in the order added; the CLI has no Foundation.
struct JSONObject {
    private var fields: [String] = []

    var text: String { "{" + fields.joined(separator: ",") + "}" }

    /// Adds `raw`, which must already be JSON text.
    mutating func add(_ key: String, raw: String) { fields.append(JSON.quote(key) + ":" + raw) }
    mutating func add(_ key: String, string: String?) { add(key, raw: string.map(JSON.quote) ?? "null") }
    mutating func add(_ key: String, int: Int?) { add(key, raw: int.map { String($0) } ?? "null") }
    mutating func add(_ key: String, double: Double) { add(key, raw: Self.value(.double(double))) }
    mutating func add(_ key: String, bool: Bool) { add(key, raw: bool ? "true" : "false") }
    mutating func add(_ key: String, _ scalar: Scalar?) { add(key, raw: scalar.map(Self.value) ?? "null") }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// Numbers as JSON numbers (doubles in shortest round-trip form); NaN and infinities, which
    /// JSON cannot spell, as the strings "NaN", "inf" and "-inf"; dates and timestamps as ISO text.
    static func value(_ s: Scalar) -> String {
        switch s {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let v): String(v)
        case .double(let v): v.isFinite ? "\(v)" : JSON.quote(formatDouble(v))
        case .string(let t): JSON.quote(t)
        case .date, .timestamp: JSON.quote(s.description)
        }
    }
}
