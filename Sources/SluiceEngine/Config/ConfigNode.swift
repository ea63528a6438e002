import SluiceCore
import SluicePostgres
import Yams

/// Where something was written in a pipeline file, so later errors (binding an expression, a
/// missing input file) can still point at the line.
public struct ConfigLocation: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var column: Int
    /// The key path, e.g. `transforms[1].derive.day`.
    public var key: String

    public init(file: String, line: Int, column: Int, key: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
    }

    /// A config error here. Passwords inside URLs (`scheme://user:password@`) are masked, since
    /// messages quote values and YAML snippets.
    public func error(_ message: String) -> SluiceError {
        .config(file: file, line: line, column: column, key: key, message: PostgresConnectionSettings.redactURLs(in: message))
    }
}

/// A YAML node plus its position and key path: typed reads that fail with the file, line and
/// key, and what was expected.
struct ConfigNode {
    let node: Yams.Node
    let location: ConfigLocation
    let environment: [String: String]

    init(node: Yams.Node, file: String, key: String, environment: [String: String], parent: ConfigLocation? = nil) {
        self.node = node
        let mark = node.mark
        self.location = ConfigLocation(
            file: file, line: mark?.line ?? parent?.line ?? 1, column: mark?.column ?? parent?.column ?? 1, key: key)
        self.environment = environment
    }

    func error(_ message: String) -> SluiceError { location.error(message) }

    var kindName: String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    func child(_ node: Yams.Node, key: String) -> ConfigNode {
        ConfigNode(node: node, file: location.file, key: key, environment: environment, parent: location)
    }

    /// The node as a mapping whose keys must all be in `allowed`.
    func mapping(allowed: [String]) throws(SluiceError) -> ConfigMapping {
        guard case .mapping(let m) = node else {
            throw error("expected a mapping with keys \(allowed.joined(separator: ", ")), found \(kindName)")
        }
        var entries: [(String, ConfigNode)] = []
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw error("mapping keys must be plain names") }
            let name = ks.string
            let path = location.key.isEmpty ? name : "\(location.key).\(name)"
            let keyNode = ConfigNode(node: k, file: location.file, key: path, environment: environment, parent: location)
            if !allowed.isEmpty, !allowed.contains(name) {
                throw keyNode.error(
                    "unknown key '\(name)'\(Suggest.didYouMean(name, allowed)) (expected one of: \(allowed.joined(separator: ", ")))")
            }
            if entries.contains(where: { $0.0 == name }) { throw keyNode.error("duplicate key '\(name)'") }
            entries.append((name, child(v, key: path)))
        }
        return ConfigMapping(node: self, entries: entries)
    }

    /// Any mapping (keys are user data such as column names), in file order.
    func anyMapping(expecting what: String) throws(SluiceError) -> ConfigMapping {
        guard case .mapping = node else { throw error("expected \(what), found \(kindName)") }
        return try mapping(allowed: [])
    }

    func sequence(expecting what: String) throws(SluiceError) -> [ConfigNode] {
        guard case .sequence(let s) = node else { throw error("expected a list of \(what), found \(kindName)") }
        return s.enumerated().map { child($1, key: "\(location.key)[\($0)]") }
    }

    var isNull: Bool {
        if case .scalar(let s) = node { return s.tag.description == Tag.Name.null.rawValue || (s.style == .plain && (s.string == "null" || s.string == "~")) }
        return false
    }

    /// The scalar as text, with `${VAR}` and `${VAR:-default}` substituted.
    func string() throws(SluiceError) -> String {
        guard case .scalar(let s) = node else { throw error("expected a text value, found \(kindName)") }
        return try EnvSubstitution.apply(s.string, environment: environment, at: location)
    }

    func bool() throws(SluiceError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let s: throw error("expected true or false, found '\(s)'")
        }
    }

    func int(min: Int = Int.min) throws(SluiceError) -> Int {
        let s = try string()
        guard let v = Int(s.replacingAll("_", with: "")) else { throw error("expected a whole number, found '\(s)'") }
        guard v >= min else { throw error("expected a number of at least \(min), found \(v)") }
        return v
    }

    func double() throws(SluiceError) -> Double {
        let s = try string()
        guard let v = Double(s) else { throw error("expected a number, found '\(s)'") }
        return v
    }

    /// A size such as `64MB`, `2GiB`, `512k` or a plain byte count.
    func byteSize() throws(SluiceError) -> Int {
        let s = try string()
        guard let v = ByteSize.parse(s) else {
            throw error("expected a size such as 512MB or 2GiB, found '\(s)'")
        }
        return v
    }

    /// A single string or a list of strings.
    func stringList(expecting what: String) throws(SluiceError) -> [String] {
        if case .scalar = node { return [try string()] }
        var out: [String] = []
        for n in try sequence(expecting: what) { out.append(try n.string()) }
        return out
    }

    /// A single delimiter byte: a one-byte string, or `tab`, `\t`, `comma`, `pipe`, `semicolon`.
    func delimiterByte() throws(SluiceError) -> UInt8 {
        let s = try string()
        switch s {
        case "\t", "\\t", "tab", "TAB": return 9
        case "comma": return UInt8(ascii: ",")
        case "pipe": return UInt8(ascii: "|")
        case "semicolon": return UInt8(ascii: ";")
        default:
            guard s.utf8.count == 1, let b = s.utf8.first else {
                throw error("expected a single character (or tab, comma, pipe, semicolon), found '\(s)'")
            }
            return b
        }
    }
}

/// A mapping read from a pipeline file, in file order.
struct ConfigMapping {
    let node: ConfigNode
    let entries: [(key: String, node: ConfigNode)]

    subscript(_ key: String) -> ConfigNode? { entries.first { $0.key == key }?.node }

    func required(_ key: String, _ what: String) throws(SluiceError) -> ConfigNode {
        guard let n = self[key] else { throw node.error("missing required key '\(key)' (\(what))") }
        return n
    }
}

/// "Did you mean" suggestions by edit distance.
enum Suggest {
    static func didYouMean(_ word: String, _ candidates: [String]) -> String {
        let best = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let (name, d) = best, d <= max(2, word.count / 3) else { return "" }
        return "; did you mean '\(name)'?"
    }

    /// Optimal-string-alignment distance: edits plus adjacent transpositions (`int46` → `int64` is one).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}

/// Parses human byte sizes.
public enum ByteSize {
    public static func parse(_ text: String) -> Int? {
        let s = text.trimmingSpaces().lowercased().replacingAll(" ", with: "")
        var digits = ""
        var rest = Substring(s)
        while let c = rest.first, c.isNumber || c == "." { digits.append(c); rest = rest.dropFirst() }
        guard let v = Double(digits), v >= 0 else { return nil }
        let mult: Double
        switch rest {
        case "", "b": mult = 1
        case "k", "kb", "kib": mult = 1024
        case "m", "mb", "mib": mult = 1024 * 1024
        case "g", "gb", "gib": mult = 1024 * 1024 * 1024
        case "t", "tb", "tib": mult = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        return Int(v * mult)
    }

    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes)
        var u = 0
        while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(bytes) B" : String(Int(v * 10) / 10) + "." + String(Int(v * 10) % 10) + " " + units[u]
    }
}
