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
        var waiters: [(Int, CheckedContinuation<Void, Never>)] = []
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

    /// Waits until `bytes` fit, then reserves them.
    public func acquire(_ bytes: Int) async {
        let granted = state.withLock { s -> Bool in
            if s.used == 0 || s.used + bytes <= limit {
                s.used += bytes
                s.peak = Swift.max(s.peak, s.used)
                return true
            }
            return false
        }
        if granted { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.used == 0 || s.used + bytes <= limit {
                    s.used += bytes
                    s.peak = Swift.max(s.peak, s.used)
                    return true
                }
                s.waiters.append((bytes, c))
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    /// Returns `bytes` to the budget and wakes waiters that now fit.
    public func release(_ bytes: Int) {
        let ready = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.used -= bytes
            var out: [CheckedContinuation<Void, Never>] = []
            while let (need, c) = s.waiters.first, s.used == 0 || s.used + need <= limit {
                s.waiters.removeFirst()
                s.used += need
                s.peak = Swift.max(s.peak, s.used)
                out.append(c)
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
