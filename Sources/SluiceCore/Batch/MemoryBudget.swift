import Synchronization

/// Accounts for the bytes of batches in flight and makes producers wait while the total is over
/// the limit, so a fast reader cannot outrun a slow sink into unbounded memory.
///
/// A single reservation larger than the whole budget is still granted when nothing else is in
/// flight, so one oversized batch slows the run down instead of deadlocking it.
public final class MemoryBudget: Sendable {
    public let limit: Int
    private struct State {
        var used = 0
        var peak = 0
        var waiters: [(id: UInt64, bytes: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())

    public init(limit: Int) {
        self.limit = Swift.max(limit, 1 << 20)
    }

    /// The default: a quarter of physical memory, at most 8 GiB.
    public static func defaultLimit() -> Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        let ram = pages > 0 && size > 0 ? pages * size : 4 << 30
        return Swift.min(ram / 4, 8 << 30)
    }

    public var used: Int { state.withLock { $0.used } }
    /// The most bytes that were ever reserved at once.
    public var peak: Int { state.withLock { $0.peak } }

    /// Waits until `bytes` fit, then reserves them. Throws `CancellationError` (reserving
    /// nothing) if the task is cancelled while waiting.
    public func acquire(_ bytes: Int) async throws {
        let granted = state.withLock { s -> Bool in
            if s.used == 0 || s.used + bytes <= limit {
                s.used += bytes
                s.peak = Swift.max(s.peak, s.used)
                return true
            }
            return false
        }
        if granted { return }
        let id = state.withLock { s -> UInt64 in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let now: Result<Void, any Error>? = state.withLock { s in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if s.used == 0 || s.used + bytes <= limit {
                        s.used += bytes
                        s.peak = Swift.max(s.peak, s.used)
                        return .success(())
                    }
                    s.waiters.append((id, bytes, c))
                    return nil
                }
                if let r = now { c.resume(with: r) }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Returns `bytes` to the budget and wakes waiters that now fit.
    public func release(_ bytes: Int) {
        let ready = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.used -= bytes
            var out: [CheckedContinuation<Void, any Error>] = []
            while let w = s.waiters.first, s.used == 0 || s.used + w.bytes <= limit {
                s.waiters.removeFirst()
                s.used += w.bytes
                s.peak = Swift.max(s.peak, s.used)
                out.append(w.continuation)
            }
            return out
        }
        for c in ready { c.resume() }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
