/// The run report as one self-contained HTML page (inline CSS and SVG, nothing fetched): the
/// Markdown report's tables plus charts of throughput over time, latency per stage, per-batch
/// latency, the validation breakdown and rows in and out. Written as well-formed XHTML so that
/// tests (and other tools) can parse it as XML.
enum ReportHTML {
    static func render(_ d: ReportDocument) -> String {
        let esc = SVGChart.esc
        var body = ""
        func section(_ title: String) { body += "<h2>\(esc(title))</h2>\n" }
        func table(_ header: [String], _ rows: [[String]]) {
            body += "<table><thead><tr>" + header.map { "<th>\(esc($0))</th>" }.joined() + "</tr></thead><tbody>"
            for r in rows { body += "<tr>" + r.map { "<td>\(esc($0))</td>" }.joined() + "</tr>" }
            body += "</tbody></table>\n"
        }
        func chart(_ svg: String) { body += "<figure>" + svg + "</figure>\n" }

        body += "<h1>Performance report: \(esc(d.pipeline))</h1>\n"
        body += "<p>Run <code>\(esc(d.runID))</code>, status <strong>\(esc(d.status))</strong>, \(esc(ReportFormat.seconds(d.wallSeconds))) wall time, sink <code>\(esc(d.sink))</code>.</p>\n"
        section("1. Executive summary")
        table(["Metric", "Value"], ReportSections.summary(d))
        section("2. Configuration")
        table(["Setting", "Value"], ReportSections.configuration(d))
        section("3. Throughput")
        table(["Metric", "Value"], ReportSections.throughput(d))
        if !d.batches.isEmpty {
            chart(SVGChart.bars(
                id: "chart-throughput", title: "Throughput over time (rows/s, one-second buckets)", values: d.throughputSeries,
                xLabel: "seconds since start", yLabel: "rows/s"))
            table(["Batch", "Start (s)", "Files", "Rows in", "Valid", "Invalid", "Total (ms)", "Rows/s", "Max latency (ms)"],
                  ReportSections.batchRows(d))
        } else {
            chart(SVGChart.horizontalBars(
                id: "chart-throughput", title: "Throughput (rows/s)", items: [("average", d.rowsPerSecond)]))
        }
        section("4. Latency")
        if let s = d.streaming {
            let e = s.endToEnd
            table(["Average", "Minimum", "Median", "P95", "P99", "Maximum", "Rows"],
                  [[ReportFormat.ms(e.mean), ReportFormat.ms(e.min), ReportFormat.ms(e.p50), ReportFormat.ms(e.p95), ReportFormat.ms(e.p99),
                    ReportFormat.ms(e.max), ReportFormat.count(e.count)]])
            let stages = [("end_to_end", e)] + s.stages
            chart(SVGChart.groupedBars(
                id: "chart-latency", title: "Latency per stage (ms): end to end per row, stages per batch",
                groups: stages.map { $0.0 }, series: [
                    ("p50", stages.map { $0.1.p50 }), ("p95", stages.map { $0.1.p95 }), ("p99", stages.map { $0.1.p99 }),
                    ("max", stages.map { $0.1.max }),
                ], yLabel: "ms"))
            table(["Stage", "Average", "P50", "P95", "P99", "Max", "% of total"], ReportSections.stageRows(s))
            if !d.batches.isEmpty {
                chart(SVGChart.lines(
                    id: "chart-batch-latency", title: "End-to-end latency per batch (ms)", x: d.batches.map(\.offsetSeconds),
                    series: [("mean", d.batches.map(\.latencyMean)), ("max", d.batches.map(\.latencyMax))],
                    xLabel: "seconds since start", yLabel: "ms"))
            }
        } else {
            chart(SVGChart.groupedBars(
                id: "chart-latency", title: "Time per stage (s, summed over workers)", groups: d.stageSeconds.map(\.0),
                series: [("seconds", d.stageSeconds.map(\.1))], yLabel: "s"))
            table(["Stage", "Seconds (summed over workers)", "% of total"], ReportSections.batchStageRows(d))
        }
        section("5. Validation")
        table(["Metric", "Value"], ReportSections.validation(d))
        let rules = d.rejectedBy.sorted { $0.1 > $1.1 }
        chart(SVGChart.horizontalBars(
            id: "chart-validation", title: "Invalid rows by rule", items: rules.isEmpty ? [("none", 0)] : rules.map { ($0.0, Double($0.1)) }))
        if !rules.isEmpty { table(["Stage/rule", "Rows", "% of invalid"], ReportSections.ruleRows(d)) }
        section("6. Rows in and out")
        chart(SVGChart.horizontalBars(
            id: "chart-rows", title: "Rows in and out",
            items: [("rows in", Double(d.rowsIn)), ("valid", Double(d.rowsIn - d.rowsRejected)), ("invalid", Double(d.rowsRejected)),
                    ("committed", Double(d.rowsOut))]))
        section("7. Database writes")
        table(["Metric", "Value"], ReportSections.writes(d))
        section("8. Errors")
        body += "<p>\(esc(d.error ?? "None: the run ended with status \(d.status)."))</p>\n"
        section("9. Data integrity")
        table(["Check", "Value", "Result"], ReportSections.integrity(d))
        section("10. Resources")
        table(["Metric", "Value"], ReportSections.resources(d))

        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>\(esc("Sluice report: \(d.pipeline) \(d.runID)"))</title>
            <style>
            body { font-family: sans-serif; max-width: 820px; margin: 2em auto; color: #0f172a; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
            th, td { border: 1px solid #cbd5e1; padding: 3px 8px; text-align: left; font-size: 13px; }
            th { background: #f1f5f9; }
            figure { margin: 0.5em 0 1.5em; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }
}
