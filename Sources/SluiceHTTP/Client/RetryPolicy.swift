/// Why a request was tried again: the buckets of the retry metrics.
public enum RetryCause: String, Sendable, CaseIterable, Hashable {
    /// HTTP 429.
    case rateLimited = "429"
    /// HTTP 5xx.
    case serverError = "5xx"
    /// No answer within the request timeout.
    case timeout
    /// The connection was refused, reset or closed before the response head.
    case connection
    /// Fewer body bytes than `Content-Length` said, or the connection closed mid-body.
    case truncated
    /// The body arrived whole but does not parse (broken JSON, a zip that is not one).
    case malformed
}

/// Exponential backoff with full jitter (a uniform delay in `[0, min(cap, base * 2^attempt)]`),
/// which spreads the retries of many workers instead of having them return in step; a server's
/// `Retry-After` is a floor under that delay.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries per request, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(maxAttempts: Int = 8, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The upper bound of the jittered delay after the `attempt`-th failure (0-based).
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let base = TokenBucket.toSeconds(baseDelay)
        let cap = TokenBucket.toSeconds(maxDelay)
        return TokenBucket.seconds(min(cap, base * Double(1 << min(attempt, 30))))
    }

    /// The delay before the next try: full jitter under the ceiling, never less than `retryAfter`.
    public func delay<R: RandomNumberGenerator>(afterAttempt attempt: Int, retryAfter: Duration?, using rng: inout R) -> Duration {
        let ceiling = TokenBucket.toSeconds(self.ceiling(afterAttempt: attempt))
        let jittered = TokenBucket.seconds(Double.random(in: 0...max(ceiling, 0), using: &rng))
        guard let floor = retryAfter else { return jittered }
        return max(jittered, floor)
    }

    /// `Retry-After` as seconds (`"3"`, `"1.5"`); HTTP dates are not sent by the APIs we target, so
    /// they read as absent and the backoff applies.
    public static func parseRetryAfter(_ text: String?) -> Duration? {
        guard let t = text?.trimmingCharacters(), let s = Double(t), s >= 0, s < 86_400 else { return nil }
        return TokenBucket.seconds(s)
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
