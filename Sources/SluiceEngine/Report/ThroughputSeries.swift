/// Rows per second over time, from the batches of a run: each batch's rows are spread evenly
/// over the seconds it ran, so a long batch does not make a spike and many short ones add up.
public enum ThroughputSeries {
    /// One batch: start (seconds since the run started), duration in seconds, rows.
    public struct Batch: Sendable, Equatable {
        public var start: Double
        public var seconds: Double
        public var rows: Int

        public init(start: Double, seconds: Double, rows: Int) {
            self.start = start
            self.seconds = seconds
            self.rows = rows
        }
    }

    /// Rows per second in consecutive buckets of `width` seconds from 0 to the end of the last batch.
    public static func buckets(_ batches: [Batch], width: Double = 1) -> [Double] {
        guard width > 0, let end = batches.map({ $0.start + $0.seconds }).max(), end > 0 else { return [] }
        let n = Int((end / width).rounded(.up))
        guard n > 0, n < 10_000_000 else { return [] }
        var rows = [Double](repeating: 0, count: n)
        for b in batches where b.rows > 0 {
            let s = max(b.start, 0)
            let e = max(s + b.seconds, s + 1e-6)
            let perSecond = Double(b.rows) / (e - s)
            var k = Int(s / width)
            while k < n, Double(k) * width < e {
                let lo = max(s, Double(k) * width)
                let hi = min(e, Double(k + 1) * width)
                if hi > lo { rows[k] += perSecond * (hi - lo) }
                k += 1
            }
        }
        return rows.map { $0 / width }
    }

    /// The highest one-second rate.
    public static func peak(_ batches: [Batch]) -> Double {
        buckets(batches).max() ?? 0
    }
}
