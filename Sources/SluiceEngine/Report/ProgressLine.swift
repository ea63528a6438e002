import SluiceCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The live line on a terminal: rows, MB, rows/s, ETA, rejected. Redrawn in place on stderr.
final class ProgressLine: Sendable {
    let metrics: RunMetrics
    let totalBytes: Int
    private let drawn = Atomic<Bool>(false)

    init(metrics: RunMetrics, totalBytes: Int) {
        self.metrics = metrics
        self.totalBytes = totalBytes
    }

    /// Whether standard error is a terminal (progress is only drawn there).
    static var isTerminal: Bool { isatty(2) != 0 }

    func run() async {
        while !Task.isCancelled {
            do { try await Task.sleep(nanoseconds: 250_000_000) } catch { return }
            draw()
        }
    }

    func draw() {
        let secs = max(Clock.seconds(since: metrics.started), 0.001)
        let rows = metrics.rowsRead.load(ordering: .relaxed)
        let bytes = metrics.bytesRead.load(ordering: .relaxed)
        let rejected = metrics.rowsRejected.load(ordering: .relaxed)
        var line = "  \(ProgressLine.count(rows)) rows  \(bytes / 1_000_000) MB  \(ProgressLine.count(Int(Double(rows) / secs)))/s"
        if totalBytes > 0, bytes > 0 {
            let pct = min(100, bytes * 100 / totalBytes)
            let eta = Int(secs * Double(totalBytes - min(bytes, totalBytes)) / Double(bytes))
            line += "  \(pct)%  ETA \(eta / 60):\(eta % 60 < 10 ? "0" : "")\(eta % 60)"
        }
        if rejected > 0 { line += "  rejected \(rejected)" }
        StandardError.write("\r\u{1B}[K" + line)
        drawn.store(true, ordering: .relaxed)
    }

    func finish() {
        if drawn.load(ordering: .relaxed) { StandardError.write("\r\u{1B}[K") }
    }

    static func count(_ n: Int) -> String {
        if n >= 10_000_000 { return "\(n / 1_000_000)M" }
        if n >= 1_000_000 { return "\(n / 100_000 / 10).\(n / 100_000 % 10)M" }
        if n >= 10_000 { return "\(n / 1000)k" }
        return "\(n)"
    }
}
