/// A request URL kept as parts, so that the text sent on the wire and the text shown in logs and
/// errors can differ: values of secret parameters (`api_key`) are masked in `redacted`.
public struct RequestURL: Sendable, Hashable, CustomStringConvertible {
    /// `http://host:port` or `https://host`, without a trailing slash.
    public var base: String
    /// The path, starting with `/`.
    public var path: String
    /// Query parameters in order; a key may repeat (`facets[respondent][]`).
    public var query: [QueryItem]
    /// Parameter names whose values never appear in `redacted`.
    public var secretKeys: Set<String>

    public init(base: String, path: String, query: [QueryItem] = [], secretKeys: Set<String> = []) {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        self.base = b
        self.path = path.hasPrefix("/") ? path : "/" + path
        self.query = query
        self.secretKeys = secretKeys
    }

    /// Parses an absolute URL (a next-page link); nil when it is not `scheme://host/...`.
    public init?(absolute text: String, secretKeys: Set<String> = []) {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let afterScheme = text[schemeEnd.upperBound...]
        let pathStart = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
        let base = String(text[..<pathStart])
        var rest = text[pathStart...]
        var path = "/"
        if let q = rest.firstIndex(of: "?") {
            if q > rest.startIndex { path = String(rest[..<q]) }
            rest = rest[rest.index(after: q)...]
            self.init(base: base, path: path, query: QueryItem.parse(String(rest)), secretKeys: secretKeys)
        } else {
            if !rest.isEmpty { path = String(rest) }
            self.init(base: base, path: path, query: [], secretKeys: secretKeys)
        }
    }

    /// The URL as sent.
    public var string: String { render(redacting: false) }

    /// The URL as logged: secret values replaced by `***`.
    public var redacted: String { render(redacting: true) }

    public var description: String { redacted }

    /// The values of secret parameters, so that messages quoting a body can be scrubbed too.
    public var secretValues: [String] {
        query.filter { secretKeys.contains($0.name) && !$0.value.isEmpty }.map(\.value)
    }

    func render(redacting: Bool) -> String {
        guard !query.isEmpty else { return base + path }
        let q = query.map { item in
            let v = redacting && secretKeys.contains(item.name) ? "***" : QueryItem.encode(item.value)
            return QueryItem.encode(item.name) + "=" + v
        }
        return base + path + "?" + q.joined(separator: "&")
    }

    /// The same URL with `items` replacing every parameter of the same names, added at the end.
    public func setting(_ items: [QueryItem]) -> RequestURL {
        let names = Set(items.map(\.name))
        var u = self
        u.query = query.filter { !names.contains($0.name) } + items
        return u
    }

    /// `text` with every secret value masked, for quoting response bodies in errors.
    public func scrub(_ text: String) -> String {
        var out = text
        for v in secretValues { out = out.replacing(v, with: "***") }
        return out
    }
}

/// One `name=value` pair of a query string (unencoded).
public struct QueryItem: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters; brackets are encoded
    /// too (`facets%5Brespondent%5D%5B%5D`), which servers decode back to `facets[respondent][]`.
    public static func encode(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 15)]))
            }
        }
        return out
    }

    /// Percent-decodes `s`, with `+` as a space (form encoding); invalid escapes stay as written.
    public static func decode(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            let b = u[i]
            if b == UInt8(ascii: "%"), i + 2 < u.count, let h = hexValue(u[i + 1]), let l = hexValue(u[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Parses `a=1&b=2&b=3` keeping order and repeats.
    public static func parse(_ query: String) -> [QueryItem] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let eq = pair.firstIndex(of: "=") {
                return QueryItem(decode(pair[..<eq]), decode(pair[pair.index(after: eq)...]))
            }
            return QueryItem(decode(pair), "")
        }
    }
}

extension Array where Element == QueryItem {
    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] { filter { $0.name == name }.map(\.value) }
    /// The first value of `name`.
    public func first(_ name: String) -> String? { first { $0.name == name }?.value }
}
