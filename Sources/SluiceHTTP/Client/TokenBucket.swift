import SluiceCore
import Synchronization

/// A token bucket shared by every worker of a source: `requests` per `per` seconds, up to
/// `burst` at once. Callers reserve a token and sleep until it is theirs, so waiting workers are
/// served in arrival order and the long-run rate is exact whatever the number of workers.
///
/// The bucket may go into debt: a reservation past the current tokens is a promise at a future
/// time. `pause(for:)` adds debt, which is how a `Retry-After` from one worker slows all of them.
public final class TokenBucket: Sendable {
    /// Tokens per second.
    public let rate: Double
    /// Most tokens held at once.
    public let burst: Double

    struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
        /// While before this instant, the rate is capped at `slowRate` (from `X-RateLimit-*` headers).
        var slowUntil: ContinuousClock.Instant
        var slowRate: Double
    }

    let state: Mutex<State>

    /// - Parameters: requests per `per` seconds; `burst` of at least 1 (1 spaces requests evenly).
    public init(requests: Int, per seconds: Double, burst: Int = 1) {
        rate = Double(max(requests, 1)) / max(seconds, 1e-9)
        self.burst = Double(max(burst, 1))
        let now = ContinuousClock.now
        state = Mutex(State(tokens: Double(max(burst, 1)), last: now, slowUntil: now, slowRate: rate))
    }

    /// Waits until a token is this caller's. Throws `.cancelled` when the task is cancelled while waiting.
    public func acquire() async throws(SluiceError) {
        let wait = reserve(at: .now)
        guard wait > .zero else { return }
        do { try await Task.sleep(for: wait) } catch { throw .cancelled }
    }

    /// Takes a token and returns how long the caller must wait before using it.
    func reserve(at now: ContinuousClock.Instant) -> Duration {
        state.withLock { s in
            refill(&s, now)
            s.tokens -= 1
            if s.tokens >= 0 { return .zero }
            return Self.seconds(-s.tokens / effectiveRate(s, now))
        }
    }

    /// Stops everyone for `d` (a `Retry-After`): the bucket goes `d` worth of tokens into debt.
    public func pause(for d: Duration) {
        let now = ContinuousClock.now
        state.withLock { s in
            refill(&s, now)
            s.tokens = min(s.tokens, -Self.toSeconds(d) * effectiveRate(s, now))
        }
    }

    /// Reads the server's view of the budget: with `remaining` requests left until `reset`
    /// seconds from now, caps the rate at what spreads the remainder over that time, so the
    /// client slows down before the server has to say 429.
    public func observe(remaining: Int, resetIn: Double?) {
        let now = ContinuousClock.now
        if remaining <= 0 {
            pause(for: Self.seconds(resetIn ?? (1 / rate)))
            return
        }
        guard let reset = resetIn, reset > 0 else { return }
        let sustainable = Double(remaining) / reset
        guard sustainable < rate else { return }
        state.withLock { s in
            refill(&s, now)
            s.slowRate = max(sustainable, rate / 100)
            s.slowUntil = now + Self.seconds(reset)
        }
    }

    func effectiveRate(_ s: State, _ now: ContinuousClock.Instant) -> Double {
        now < s.slowUntil ? min(rate, s.slowRate) : rate
    }

    func refill(_ s: inout State, _ now: ContinuousClock.Instant) {
        guard now > s.last else { return }
        s.tokens = min(burst, s.tokens + Self.toSeconds(now - s.last) * effectiveRate(s, now))
        s.last = now
    }

    static func seconds(_ s: Double) -> Duration { .nanoseconds(Int64((s * 1e9).rounded(.up))) }

    static func toSeconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
