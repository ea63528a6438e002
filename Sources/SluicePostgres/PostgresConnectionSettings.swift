import SluiceCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where and how to connect, parsed from a libpq-style URL
/// (`postgres[ql]://user:password@host:port/database?sslmode=disable`).
///
/// The password is kept out of every textual form: `description` shows `***` in its place, and
/// `redact(_:)` scrubs it from any message (server errors, wrapped library errors) before that
/// message can reach a log, a report or the terminal.
public struct PostgresConnectionSettings: Sendable, Equatable, CustomStringConvertible {
    /// How TLS is negotiated; the names and meanings follow libpq's `sslmode`.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, user: String, password: String?, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses a URL. `environment` supplies libpq's fallbacks (`PGPASSWORD`, `PGUSER`) for parts the
    /// URL leaves out. Errors never contain the password.
    public init(url: String, environment: [String: String] = [:]) throws(SluiceError) {
        let scrubbed = PostgresConnectionSettings.redactURLs(in: url)
        func fail(_ why: String) -> SluiceError {
            .invalidArgument("invalid PostgreSQL URL '\(scrubbed)': \(why) (expected postgresql://user:password@host:port/database)")
        }
        var rest = Substring(url.trimmingSpaces())
        if rest.hasPrefix("postgresql://") {
            rest = rest.dropFirst("postgresql://".count)
        } else if rest.hasPrefix("postgres://") {
            rest = rest.dropFirst("postgres://".count)
        } else {
            throw fail("it must start with postgresql:// or postgres://")
        }
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var user: String? = nil
        var password: String? = nil
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let userPart = info.firstIndex(of: ":").map { info[..<$0] } ?? info
            guard let u = Self.percentDecoded(userPart) else { throw fail("bad %-escape in the user name") }
            user = u
            if let colon = info.firstIndex(of: ":") {
                guard let p = Self.percentDecoded(info[info.index(after: colon)...]) else { throw fail("bad %-escape in the password") }
                password = p
            }
        }
        var host = String(rest)
        var port = 5432
        if host.hasPrefix("[") {
            // IPv6 literal: [::1]:5432
            guard let close = host.firstIndex(of: "]") else { throw fail("unterminated [ in the host") }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw fail("the port must be a number from 1 to 65535") }
                port = p
            } else if !after.isEmpty {
                throw fail("unexpected text after the host")
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else {
                throw fail("the port must be a number from 1 to 65535")
            }
            port = p
            host = String(host[..<colon])
        }
        if host.isEmpty { host = "localhost" }
        guard var database = Self.percentDecoded(path) else { throw fail("bad %-escape in the database name") }
        var tls = TLSMode.prefer
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(kv[0])
            let value = kv.count > 1 ? (Self.percentDecoded(kv[1]) ?? String(kv[1])) : ""
            switch key {
            case "sslmode":
                switch value {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require", "verify-ca", "verify-full": tls = .require
                default: throw fail("unknown sslmode '\(value)' (expected disable, prefer or require)")
                }
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "port":
                guard let p = Int(value), (1...65535).contains(p) else { throw fail("the port must be a number from 1 to 65535") }
                port = p
            case "application_name", "connect_timeout": break
            default: throw fail("unknown parameter '\(key)' (known: sslmode, user, password, dbname, port)")
            }
        }
        let finalUser = user ?? environment["PGUSER"] ?? Self.osUser ?? "postgres"
        if database.isEmpty { database = environment["PGDATABASE"] ?? finalUser }
        self.init(
            host: host, port: port, user: finalUser, password: password ?? environment["PGPASSWORD"],
            database: database, tls: tls)
    }

    /// Whether `host` is an IPv4 or IPv6 address rather than a name: TLS sends a name, never an
    /// address, as the server name (SNI).
    var hostIsAddress: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        let secret = password == nil ? "" : ":***"
        return "postgresql://\(user)\(secret)@\(h):\(port)/\(database)"
    }

    /// `text` with this connection's password, and the password part of any URL in it, replaced by `***`.
    public func redact(_ text: String) -> String {
        var out = Self.redactURLs(in: text)
        if let p = password, p.count >= 3 {
            out = out.replacing(p, with: "***")
            if let encoded = Self.percentEncoded(p), encoded != p { out = out.replacing(encoded, with: "***") }
        }
        return out
    }

    /// Replaces the password of every `scheme://user:password@` in `text` with `***`.
    public static func redactURLs(in text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let r = rest.firstRange(of: "://") {
            out += rest[..<r.upperBound]
            rest = rest[r.upperBound...]
            // The authority ends at the first '/', '?', '#' or whitespace; the userinfo at its last '@'.
            let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" || $0 == " " || $0 == "\n" || $0 == "'" || $0 == "\"" } ?? rest.endIndex
            let authority = rest[..<end]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                out += authority[..<colon] + ":***"
                rest = rest[at...]
            }
        }
        return out + rest
    }

    static func percentDecoded(_ s: Substring) -> String? {
        guard s.contains("%") else { return String(s) }
        var bytes: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let b = it.first {
            it = it.dropFirst()
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard it.count >= 2, let hi = hexValue(it[it.startIndex]), let lo = hexValue(it[it.startIndex + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
            it = it.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    static func percentEncoded(_ s: String) -> String? {
        var out = ""
        var changed = false
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if b < 0x80, c.isLetter || c.isNumber || "-._~".contains(c) {
                out.append(c)
            } else {
                changed = true
                let digits = Array("0123456789ABCDEF")
                out += "%" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 15)])
            }
        }
        return changed ? out : nil
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    static var osUser: String? {
        guard let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}
