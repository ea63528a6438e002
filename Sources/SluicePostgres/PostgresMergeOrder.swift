import Synchronization

/// Lets the splits of one sink merge their staged rows into the table at the same time, on
/// their own connections, while they still commit in order.
///
/// A keyed merge (`insert_ignore`, `upsert`) is most of a split's time in the server, and
/// merged one after the other they keep one server core busy while the other waits. So a split
/// merges as soon as its COPY is done, before waiting for the split before it (`early merge`),
/// inside a savepoint and with a short lock timeout. That is safe until two splits in flight
/// hold the same key: if a later split inserted it first, the earlier split's merge waits for
/// the later one's transaction, which waits for the earlier one to commit. The server cannot
/// see the second wait (it is ours), so it would never break that deadlock. Here it is broken
/// by the lock timeout: the blocked split rolls back its merge and asks every split after it
/// to roll back theirs (`requestYield`); those wait for their turn and merge again after the
/// split before them committed, and so on to the last of them, as without early merges.
///
/// Another process loading the same table (a second `sluice worker`) is not told of our yields,
/// so a split also yields when its turn has not come within a few times the time its own early
/// work took: two processes whose early merges wait on each other's keys then get out of the
/// way instead of retrying forever.
///
/// With at most N splits in flight, a split waits for at most N - 1 yields before its merge
/// goes through. Rows therefore land as in commit order: with `insert_ignore` the first row
/// of a key stays, with `upsert` the last one wins.
public final class PostgresMergeOrder: Sendable {
    struct State {
        var epoch = 0
        /// The latest yields: each asks the splits after `after` to roll back merges they made
        /// before `epoch`. A merge older than all of these (never seen with a few connections)
        /// yields, to be safe.
        var yields: [(epoch: Int, after: Int)] = []
        var waiters: [Int: (index: Int, continuation: CheckedContinuation<Bool, Never>)] = [:]
        var nextToken = 0
    }

    private let state = Mutex(State())
    /// How long an early merge waits for another transaction's key before it yields.
    public let lockTimeoutMilliseconds: Int

    /// How long a split that merged early (in `worked`) waits for its turn before it yields.
    public static func turnLimit(worked: Duration) -> Duration { worked * 3 + .seconds(1) }

    public init(lockTimeoutMilliseconds: Int = 100) {
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
    }

    /// The current epoch: taken before a merge, so a later yield reaches that merge.
    public var epoch: Int { state.withLock { $0.epoch } }

    /// Asks every split after `index` that merged early to roll that merge back.
    public func requestYield(after index: Int) {
        let woken: [CheckedContinuation<Bool, Never>] = state.withLock { s in
            s.epoch += 1
            s.yields.append((s.epoch, index))
            if s.yields.count > 256 { s.yields.removeFirst(128) }
            var out: [CheckedContinuation<Bool, Never>] = []
            for (token, w) in s.waiters where w.index > index {
                out.append(w.continuation)
                s.waiters[token] = nil
            }
            return out
        }
        for c in woken { c.resume(returning: false) }
    }

    /// Waits until `gate` ends (true), or split `index`, which merged at epoch `since`, is asked
    /// to yield or has waited `limit` (false). The gate's own outcome is read from it afterwards.
    public func wait(for gate: Task<Void, any Error>, index: Int, since: Int, limit: Duration) async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let token: Int? = state.withLock { s in
                if let oldest = s.yields.first, oldest.epoch > since + 1 { return nil }
                if s.yields.contains(where: { $0.epoch > since && $0.after < index }) { return nil }
                let t = s.nextToken
                s.nextToken += 1
                s.waiters[t] = (index, c)
                return t
            }
            guard let token else {
                c.resume(returning: false)
                return
            }
            Task {
                _ = try? await gate.value
                let w = self.state.withLock { s in s.waiters.removeValue(forKey: token) }
                w?.continuation.resume(returning: true)
            }
            Task {
                try? await Task.sleep(for: limit)
                let w = self.state.withLock { s in s.waiters.removeValue(forKey: token) }
                w?.continuation.resume(returning: false)
            }
        }
    }
}
