import Synchronization

/// Wakes the streaming loop when the watcher sees something, a timer expires or a stop is
/// requested. A wake that arrives while nobody waits is kept, so none is lost between a check
/// and the next wait.
final class WakeSignal: Sendable {
    private struct State: ~Copyable {
        var fired = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func fire() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.fired = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when fired, after `nanos`, or when the task is cancelled, whichever comes first.
    func wait(nanos: Int64) async {
        if state.withLock({ s in
            defer { s.fired = false }
            return s.fired
        }) {
            return
        }
        let timer = Task { [self] in
            do {
                try await Task.sleep(nanoseconds: UInt64(max(nanos, 0)))
                fire()
            } catch {}
        }
        defer { timer.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.fired {
                        s.fired = false
                        return true
                    }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            fire()
        }
    }
}

/// Wall-clock time in nanoseconds since the epoch: file modification times are on this clock, so
/// end-to-end latency (file complete → row committed) is measured on it too.
enum WallClock {
    static func nanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// ISO-8601 UTC with milliseconds.
    static func iso(_ nanos: Int64) -> String {
        CivilTime.formatTimestamp(nanos / 1_000_000, unit: .ms)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import SluiceCore
