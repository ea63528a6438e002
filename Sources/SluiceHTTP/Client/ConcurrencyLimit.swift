import Synchronization

/// At most `limit` holders at once; the rest wait in arrival order. Bounds the requests in
/// flight across all workers, independently of the rate.
public final class ConcurrencyLimit: Sendable {
    public let limit: Int

    struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    let state: Mutex<State>

    public init(_ limit: Int) {
        self.limit = max(limit, 1)
        state = Mutex(State(available: max(limit, 1)))
    }

    /// Waits for a slot.
    public func acquire() async {
        let got = state.withLock { s -> Bool in
            guard s.available > 0 else { return false }
            s.available -= 1
            return true
        }
        if got { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.available > 0 {
                    s.available -= 1
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    public func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.head < s.waiters.count {
                let c = s.waiters[s.head]
                s.head += 1
                if s.head > 64, s.head * 2 > s.waiters.count {
                    s.waiters.removeFirst(s.head)
                    s.head = 0
                }
                return c
            }
            s.available += 1
            return nil
        }
        next?.resume()
    }
}
