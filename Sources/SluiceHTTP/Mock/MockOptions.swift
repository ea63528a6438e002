import SluiceCore

/// A fault the emulator can inject into a response.
public enum MockFault: String, Sendable, CaseIterable {
    /// HTTP 500 with a JSON error body.
    case http500 = "500"
    /// HTTP 503.
    case http503 = "503"
    /// No answer for `hangSeconds` (longer than the client's timeout), then the normal response.
    case timeout
    /// The connection is closed without a response.
    case reset
    /// `Content-Length` of the whole body, half the body, then the connection closes.
    case truncated
    /// HTTP 200 with a body cut in the middle and padded (broken JSON, a corrupt zip).
    case malformed

    /// Parses `500,503,timeout` (or `all`).
    public static func parseList(_ text: String) throws(SluiceError) -> [MockFault] {
        if text == "all" { return allCases }
        var out: [MockFault] = []
        for part in text.split(separator: ",") {
            let s = String(part).trimmingSpaces()
            guard let f = MockFault(rawValue: s) else {
                throw .invalidArgument("unknown fault '\(s)' (expected some of: \(allCases.map(\.rawValue).joined(separator: ", ")), or all)")
            }
            out.append(f)
        }
        return out
    }
}

/// Which API the emulator speaks.
public enum MockAPI: String, Sendable, CaseIterable {
    case eia
    case caiso
}

/// How the emulator behaves.
public struct MockOptions: Sendable {
    public var api: MockAPI
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 0
    /// Server-side limit: `requests` per `per` seconds, as a token bucket holding `requests`
    /// (so a client spreading its requests evenly never trips it); nil means unlimited.
    public var rateLimit: (requests: Int, per: Double)?
    /// Probability that a request (past the rate limit) gets a fault.
    public var faultRate = 0.0
    public var faults: [MockFault] = MockFault.allCases
    /// Seeds the fault dice, so a run's faults can be reproduced.
    public var seed: UInt64 = 42
    /// How long a `timeout` fault hangs.
    public var hangSeconds = 30.0
    /// JSONL file of every request (time, path, query, status, fault); nil keeps none.
    public var requestLog: String?
    /// Required `api_key` for EIA (any non-empty key when nil).
    public var apiKey: String?
    /// Artificial latency added to every response, to model a remote server.
    public var latencySeconds = 0.0

    public init(api: MockAPI) {
        self.api = api
    }
}
