import SluiceCore

/// `${VAR}`, `${VAR:-default}` and `$$` (a literal `$`) in pipeline values.
enum EnvSubstitution {
    static func apply(_ text: String, environment: [String: String], at location: ConfigLocation) throws(SluiceError) -> String {
        guard text.contains("$") else { return text }
        var out = ""
        var chars = Substring(text)
        while let c = chars.first {
            chars = chars.dropFirst()
            guard c == "$" else { out.append(c); continue }
            if chars.first == "$" { out.append("$"); chars = chars.dropFirst(); continue }
            guard chars.first == "{" else { out.append("$"); continue }
            guard let close = chars.firstIndex(of: "}") else {
                throw location.error("unterminated '${' in '\(text)'")
            }
            let body = chars[chars.index(after: chars.startIndex)..<close]
            chars = chars[chars.index(after: close)...]
            var name = String(body)
            var fallback: String? = nil
            if let r = body.range(of: ":-") {
                name = String(body[..<r.lowerBound])
                fallback = String(body[r.upperBound...])
            }
            guard !name.isEmpty, name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
                throw location.error("'${\(body)}' is not a valid variable reference (expected ${NAME} or ${NAME:-default})")
            }
            if let v = environment[name], !(v.isEmpty && fallback != nil) {
                out += v
            } else if let f = fallback {
                out += f
            } else {
                throw location.error("environment variable \(name) is not set (write ${\(name):-default} to give a default)")
            }
        }
        return out
    }
}
