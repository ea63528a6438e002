import SluiceCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Counters shared by workers and the commit loop, read by the progress line and the report.
public final class RunMetrics: Sendable {
    public let rowsRead = Atomic<Int>(0)
    public let rowsWritten = Atomic<Int>(0)
    public let rowsRejected = Atomic<Int>(0)
    public let bytesRead = Atomic<Int>(0)
    public let splitsCommitted = Atomic<Int>(0)
    public let parseNanos = Atomic<Int>(0)
    public let transformNanos = Atomic<Int>(0)
    public let sinkNanos = Atomic<Int>(0)
    /// The part of `sinkNanos` spent committing (ledger row, COMMIT), for per-stage latency.
    public let commitNanos = Atomic<Int>(0)
    public let started = Clock.now()

    public init() {}
}

/// Monotonic and process-CPU clocks.
public enum Clock {
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    public static func seconds(since start: UInt64) -> Double { Double(now() &- start) / 1e9 }

    /// User plus system CPU seconds of this process.
    public static func cpuSeconds() -> Double {
        var ru = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &ru)
        return Double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + Double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6
    }

    /// Peak resident memory of this process in bytes.
    public static func peakRSS() -> Int {
        var ru = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &ru)
        return Int(ru.ru_maxrss) * 1024
    }

    /// UTC wall-clock seconds since the epoch.
    public static func unixSeconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }

    /// UTC wall-clock time as `YYYYMMDDTHHMMSS.mmmZ` (run ids and folder names; milliseconds, so
    /// two runs in one second get different ids) or ISO-8601.
    public static func utcStamp(compact: Bool) -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let iso = CivilTime.formatTimestamp(Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec / 1_000_000), unit: .ms)
        guard compact else { return iso }
        // The ISO text drops trailing zeros of the fraction, so the milliseconds are written here.
        let ms = String(Int(ts.tv_nsec / 1_000_000) + 1000).dropFirst()
        return String(iso.prefix(19).filter { $0 != "-" && $0 != ":" }) + "." + ms + "Z"
    }
}

/// Unbuffered writes to standard error (progress line, signal notices) without touching C's
/// global `stderr`, which Swift 6 treats as shared mutable state.
public enum StandardError {
    public static func write(_ text: String) {
        var t = text
        t.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(2, buf.baseAddress.unsafelyUnwrapped + off, buf.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}
