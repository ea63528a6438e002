import PostgresNIO
import Synchronization

/// An await on the server that made no progress for its limit.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no answer from the server for \(limit); the connection was closed" }
}

/// The connection closed under an await (a terminated backend, a restart): seen by polling
/// `isClosed`, because the await itself may never be woken.
struct ConnectionClosedUnderAwait: Error, CustomStringConvertible {
    var description: String { "the connection closed while waiting for the server" }
}

/// Why a watch ended.
enum WatchOutcome {
    case limitPassed
    case connectionClosed
}

/// How often a watch looks at the connection.
let connectionPollInterval: Duration = .milliseconds(200)

/// Sleeps until `limit` passes or `connection` is seen closed, whichever comes first; nil when
/// the watching task is cancelled (the guarded await finished).
func watch(_ connection: PostgresConnection?, for limit: Duration) async -> WatchOutcome? {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: limit)
    while true {
        let left = clock.now.duration(to: end)
        if left <= .zero { return .limitPassed }
        do { try await Task.sleep(for: min(left, connectionPollInterval)) } catch { return nil }
        if connection?.isClosed == true { return .connectionClosed }
    }
}

/// Awaits `body`, but at most `limit`, and no longer than `connection` stays open: past the
/// limit it closes `connection` and throws `DeadlineExceeded`; if the connection closes first it
/// throws `ConnectionClosedUnderAwait` at once. The loader treats both as a lost connection and
/// retries.
///
/// Implementation note: the body runs in its own task and the caller waits on a one-shot
/// handoff, not on that task, because postgres-nio 1.33.2 was seen to leave an operation on a
/// connection that died under it suspended forever (its continuation leaked): closing the
/// connection does not wake such a task, so nothing that awaits it directly can be rescued.
/// Before the connection was polled, such an await after `pg_terminate_backend` held a load up
/// for the whole 120 s statement limit.
func withDeadline<T: Sendable>(
    _ limit: Duration, closing connection: PostgresConnection?, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = OneShot<T>()
    let work = Task {
        do { once.settle(.success(try await body())) } catch { once.settle(.failure(error)) }
    }
    let watchdog = Task {
        guard let why = await watch(connection, for: limit) else { return }
        switch why {
        case .connectionClosed:
            once.settle(.failure(ConnectionClosedUnderAwait()))
        case .limitPassed:
            once.settle(.failure(DeadlineExceeded(limit: limit)))
            try? await connection?.close()
        }
        work.cancel()
    }
    defer { watchdog.cancel() }
    return try await once.value()
}

/// A result delivered once, to one waiter, whichever side comes first.
final class OneShot<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }
    private let state = Mutex(State())

    func settle(_ r: Result<T, any Error>) {
        let w = state.withLock { s -> CheckedContinuation<T, any Error>? in
            guard s.result == nil else { return nil }
            s.result = r
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume(with: r)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            let done = state.withLock { s -> Result<T, any Error>? in
                if let r = s.result { return r }
                s.waiter = c
                return nil
            }
            if let d = done { c.resume(with: d) }
        }
    }
}
