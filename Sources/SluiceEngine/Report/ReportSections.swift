import SluiceCore

/// The figures of each report section as table rows, shared by the Markdown and HTML renderings.
enum ReportSections {
    static func summary(_ d: ReportDocument) -> [[String]] {
        var rows = [
            ["Rows read", ReportFormat.count(d.rowsIn)],
            ["Rows committed", ReportFormat.count(d.rowsOut)],
            ["Average throughput", ReportFormat.rate(d.streaming?.overallRowsPerSecond ?? d.rowsPerSecond)],
        ]
        if let s = d.streaming {
            rows.append(["Average end-to-end latency", ReportFormat.ms(s.endToEnd.mean)])
            rows.append(["P99 end-to-end latency", ReportFormat.ms(s.endToEnd.p99)])
            rows.append(["Micro-batches", ReportFormat.count(s.batches)])
        }
        rows.append(["Validation success rate", ReportFormat.percent(d.validationSuccessRate)])
        rows.append(["Data loss (valid rows not committed)", d.integrityHolds ? "0 (0%)" : ReportFormat.count(d.rowsIn - d.rowsRejected - d.rowsOut)])
        return rows
    }

    static func configuration(_ d: ReportDocument) -> [[String]] {
        var rows = [["Pipeline", d.pipeline], ["Sink", d.sink], ["Workers", String(d.workers)]]
        for (k, v) in d.streaming?.config ?? [] { rows.append([k, v]) }
        return rows
    }

    static func throughput(_ d: ReportDocument) -> [[String]] {
        var rows = [["Total records processed", ReportFormat.count(d.rowsIn)]]
        if let s = d.streaming {
            rows.append(["Total batches", ReportFormat.count(s.batches)])
            rows.append(["Files", ReportFormat.count(s.files)])
            rows.append(["Average records per batch", s.batches > 0 ? ReportFormat.count(d.rowsIn / s.batches) : "0"])
            rows.append(["Average throughput (over the run)", ReportFormat.rate(s.overallRowsPerSecond)])
            rows.append(["Throughput while busy (rows / batch time)", ReportFormat.rate(s.busyRowsPerSecond)])
            rows.append(["Peak throughput (best second)", ReportFormat.rate(s.peakRowsPerSecond)])
        } else {
            rows.append(["Average throughput", ReportFormat.rate(d.rowsPerSecond)])
            rows.append(["Splits committed", ReportFormat.count(d.splitsCommitted)])
        }
        rows.append(["Bytes read", ByteSize.format(d.bytesRead)])
        return rows
    }

    static func batchRows(_ d: ReportDocument) -> [[String]] {
        let shown = d.batches.count <= 20 ? d.batches : Array(d.batches.prefix(10)) + Array(d.batches.suffix(10))
        return shown.map { b in
            [String(b.id), ReportFormat.fixed(b.offsetSeconds, 2), String(b.files), ReportFormat.count(b.rowsIn), ReportFormat.count(b.rowsValid),
             ReportFormat.count(b.rowsInvalid), ReportFormat.fixed(b.stages["total"] ?? 0, 1), ReportFormat.count(Int(b.rowsPerSecond)),
             ReportFormat.fixed(b.latencyMax, 1)]
        }
    }

    static let stageNames = [
        "discovery": "Discovery", "read_parse": "CSV read & parse", "validate": "Validation (+ COPY encoding)",
        "write": "PostgreSQL write (COPY)", "commit": "Commit (merge, ledger, COMMIT)", "total": "Total",
    ]

    static func stageRows(_ s: ReportDocument.Streaming) -> [[String]] {
        let total = s.stages.first { $0.0 == "total" }?.1.mean ?? 0
        return s.stages.map { name, l in
            [stageNames[name] ?? name, ReportFormat.ms(l.mean), ReportFormat.ms(l.p50), ReportFormat.ms(l.p95), ReportFormat.ms(l.p99),
             ReportFormat.ms(l.max), total > 0 ? ReportFormat.percent(l.mean / total * 100) : "-"]
        }
    }

    static func batchStageRows(_ d: ReportDocument) -> [[String]] {
        let total = d.stageSeconds.reduce(0) { $0 + $1.1 }
        return d.stageSeconds.map { [$0.0, ReportFormat.fixed($0.1, 3), total > 0 ? ReportFormat.percent($0.1 / total * 100) : "-"] }
    }

    static func validation(_ d: ReportDocument) -> [[String]] {
        [["Total records validated", ReportFormat.count(d.rowsIn)], ["Valid records", ReportFormat.count(d.rowsIn - d.rowsRejected)],
         ["Invalid records", ReportFormat.count(d.rowsRejected)], ["Validation success rate", ReportFormat.percent(d.validationSuccessRate)]]
    }

    static func ruleRows(_ d: ReportDocument) -> [[String]] {
        d.rejectedBy.sorted { $0.1 > $1.1 }.map { rule, n in
            [rule, ReportFormat.count(n), d.rowsRejected > 0 ? ReportFormat.percent(Double(n) / Double(d.rowsRejected) * 100) : "-"]
        }
    }

    static func writes(_ d: ReportDocument) -> [[String]] {
        var rows = [["Rows committed", ReportFormat.count(d.rowsOut)]]
        if let s = d.streaming {
            for name in ["write", "commit"] {
                if let l = s.stages.first(where: { $0.0 == name })?.1 {
                    rows.append(["Average \(name) time per batch", ReportFormat.ms(l.mean)])
                    rows.append(["Maximum \(name) time per batch", ReportFormat.ms(l.max)])
                }
            }
        } else if let sink = d.stageSeconds.first(where: { $0.0 == "sink" }) {
            rows.append(["Sink time", ReportFormat.seconds(sink.1)])
        }
        rows.append(["Write success", d.error == nil ? "100% (every commit succeeded)" : "failed: see errors"])
        return rows
    }

    static func integrity(_ d: ReportDocument) -> [[String]] {
        [["Rows read = valid + invalid", "\(ReportFormat.count(d.rowsIn)) = \(ReportFormat.count(d.rowsIn - d.rowsRejected)) + \(ReportFormat.count(d.rowsRejected))", "✅"],
         ["Rows committed = valid rows", "\(ReportFormat.count(d.rowsOut)) vs \(ReportFormat.count(d.rowsIn - d.rowsRejected))", d.integrityHolds ? "✅ match" : "❌ mismatch"]]
    }

    static func resources(_ d: ReportDocument) -> [[String]] {
        [["CPU time", ReportFormat.seconds(d.cpuSeconds)],
         ["CPU usage (of one core)", d.wallSeconds > 0 ? ReportFormat.percent(d.cpuSeconds / d.wallSeconds * 100) : "-"],
         ["Peak memory (RSS)", ByteSize.format(d.peakMemoryBytes)]]
    }

    /// A one-line text chart of a series.
    static func sparkline(_ values: [Double]) -> String {
        let marks = Array("▁▂▃▄▅▆▇█")
        let top = values.max() ?? 0
        guard top > 0 else { return "(no rows)" }
        let step = max(1, values.count / 120)
        return stride(from: 0, to: values.count, by: step).map { i in
            let v = values[i..<min(i + step, values.count)].max() ?? 0
            return String(marks[min(marks.count - 1, Int(v / top * Double(marks.count - 1)))])
        }.joined() + "  (max \(ReportFormat.rate(top)))"
    }
}

/// Number formatting for reports.
enum ReportFormat {
    static func count(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0, (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (v * scale).rounded() / scale
        let whole = Int(r.rounded(.towardZero))
        guard digits > 0 else { return count(Int(r)) }
        let frac = Int((abs(r - Double(whole)) * scale).rounded())
        let fracText = String(frac)
        return (r < 0 && whole == 0 ? "-" : "") + count(whole) + "." + String(repeating: "0", count: max(0, digits - fracText.count)) + fracText
    }

    static func ms(_ v: Double) -> String { fixed(v, v < 10 ? 2 : 1) + " ms" }
    static func seconds(_ v: Double) -> String { fixed(v, 2) + " s" }
    static func rate(_ v: Double) -> String { count(Int(v.rounded())) + " rows/s" }
    static func percent(_ v: Double) -> String { fixed(v, 2) + "%" }
}
