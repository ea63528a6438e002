import SluiceCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The emulator's shared state: its rate limiter (which counts violations), the fault dice,
/// counters, and the request log.
final class MockState: Sendable {
    let options: MockOptions

    struct Counters {
        var tokens: Double
        var last: ContinuousClock.Instant
        var rng: UInt64
        var requests = 0
        var violations = 0
        var statuses: [Int: Int] = [:]
        var faults: [String: Int] = [:]
    }

    let counters: Mutex<Counters>
    let log: Mutex<UnsafeMutablePointer<FILE>?>

    init(_ options: MockOptions) throws(SluiceError) {
        self.options = options
        counters = Mutex(Counters(tokens: Double(options.rateLimit?.requests ?? 0), last: .now, rng: options.seed))
        if let path = options.requestLog {
            guard let f = fopen(path, "a") else { throw .io(path: path, message: "cannot open the request log for appending") }
            log = Mutex(f)
        } else {
            log = Mutex(nil)
        }
    }

    deinit {
        log.withLock { f in
            if let f { fclose(f) }
        }
    }

    /// What happens to a request: allowed (with the budget left, for `X-RateLimit-*`), or over
    /// the limit (with the seconds until a token is back); and whether a fault hits it.
    enum Admission {
        case allowed(remaining: Int, resetSeconds: Double, fault: MockFault?)
        case limited(retryAfter: Double)
    }

    func admit() -> Admission {
        counters.withLock { c in
            c.requests += 1
            if let limit = options.rateLimit {
                let rate = Double(limit.requests) / limit.per
                let now = ContinuousClock.now
                c.tokens = min(Double(limit.requests), c.tokens + TokenBucket.toSeconds(now - c.last) * rate)
                c.last = now
                if c.tokens < 1 {
                    c.violations += 1
                    return .limited(retryAfter: (1 - c.tokens) / rate)
                }
                c.tokens -= 1
            }
            var fault: MockFault? = nil
            if options.faultRate > 0, !options.faults.isEmpty {
                c.rng = c.rng &+ 0x9E37_79B9_7F4A_7C15
                let r = MockEIAData.mix(c.rng)
                if Double(r >> 11) / Double(1 << 53) < options.faultRate {
                    fault = options.faults[Int((r >> 3) % UInt64(options.faults.count))]
                }
            }
            if let f = fault { c.faults[f.rawValue, default: 0] += 1 }
            guard let limit = options.rateLimit else { return .allowed(remaining: -1, resetSeconds: 0, fault: fault) }
            let rate = Double(limit.requests) / limit.per
            return .allowed(remaining: Int(c.tokens), resetSeconds: (Double(limit.requests) - c.tokens) / rate, fault: fault)
        }
    }

    /// Records a response in the counters and the log. Secret values are masked in the log.
    func record(path: String, query: String, status: Int, fault: MockFault?, limited: Bool) {
        counters.withLock { $0.statuses[status, default: 0] += 1 }
        var masked = QueryItem.parse(query)
        for i in masked.indices where masked[i].name == "api_key" { masked[i].value = "***" }
        let q = masked.map { "\(QueryItem.encode($0.name))=\(QueryItem.encode($0.value))" }.joined(separator: "&")
        let now = Self.wallClockMillis()
        var line = "{\"time\":\"\(CivilTime.formatTimestamp(now, unit: .ms))\",\"path\":\(Self.jsonString(path)),"
        line += "\"query\":\(Self.jsonString(q)),\"status\":\(status),\"fault\":\(fault.map { "\"\($0.rawValue)\"" } ?? "null"),"
        line += "\"rate_limited\":\(limited)"
        for item in masked where ["start", "end", "startdatetime", "enddatetime", "offset", "length"].contains(item.name) {
            line += ",\(Self.jsonString(item.name)):\(Self.jsonString(item.value))"
        }
        line += "}\n"
        log.withLock { f in
            guard let f else { return }
            _ = line.withCString { fputs($0, f) }
            // Flushed per line: tests read the log while the server runs, and after killing a client.
            fflush(f)
        }
    }

    /// The counters as JSON, for `GET /__mock/stats`.
    func statsJSON() -> String {
        counters.withLock { c in
            let st = c.statuses.keys.sorted().map { "\"\($0)\":\(c.statuses[$0] ?? 0)" }.joined(separator: ",")
            let fl = c.faults.keys.sorted().map { "\"\($0)\":\(c.faults[$0] ?? 0)" }.joined(separator: ",")
            return "{\"requests\":\(c.requests),\"violations\":\(c.violations),\"statuses\":{\(st)},\"faults\":{\(fl)}}"
        }
    }

    /// Violations of the rate limit so far.
    var violations: Int { counters.withLock { $0.violations } }
    var requests: Int { counters.withLock { $0.requests } }

    static func wallClockMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 { out += "\\u00" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
