import PostgresNIO
import Synchronization

/// An await on the server that made no progress for its limit.
struct DeadlineExceeded: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "no answer from the server for \(limit); the connection was closed" }
}

/// Awaits `body`, but at most `limit`: then closes `connection` (when given) and throws
/// `DeadlineExceeded`, which the loader treats as a lost connection and retries.
///
/// Implementation note: the body runs in its own task and the caller waits on a one-shot
/// handoff, not on that task, because postgres-nio 1.33.2 was seen to leave an operation on a
/// connection that died under it suspended forever (its continuation leaked): closing the
/// connection does not wake such a task, so nothing that awaits it directly can be rescued.
func withDeadline<T: Sendable>(
    _ limit: Duration, closing connection: PostgresConnection?, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = OneShot<T>()
    let work = Task {
        do { once.settle(.success(try await body())) } catch { once.settle(.failure(error)) }
    }
    let watchdog = Task {
        do { try await Task.sleep(for: limit) } catch { return }
        once.settle(.failure(DeadlineExceeded(limit: limit)))
        try? await connection?.close()
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
