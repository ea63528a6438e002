/// The run report as Markdown: the sections of the reference system's performance report
/// (executive summary, configuration, throughput, latency, validation, database writes, errors,
/// data integrity), with every figure filled in from the run.
enum ReportMarkdown {
    static func render(_ d: ReportDocument) -> String {
        var out: [String] = []
        func table(_ header: [String], _ rows: [[String]]) {
            out.append("| " + header.joined(separator: " | ") + " |")
            out.append("|" + header.map { _ in " --- |" }.joined())
            for r in rows { out.append("| " + r.joined(separator: " | ") + " |") }
            out.append("")
        }
        out.append("# Performance report: \(d.pipeline)")
        out.append("")
        out.append("Run `\(d.runID)`, status **\(d.status)**, \(ReportFormat.seconds(d.wallSeconds)) wall time, sink `\(d.sink)`.")
        out.append("")
        out.append("## 1. Executive summary")
        out.append("")
        table(["Metric", "Value"], ReportSections.summary(d))
        out.append("## 2. Configuration")
        out.append("")
        table(["Setting", "Value"], ReportSections.configuration(d))
        out.append("## 3. Throughput")
        out.append("")
        table(["Metric", "Value"], ReportSections.throughput(d))
        if !d.batches.isEmpty {
            out.append("### Throughput over time (rows/s, one-second buckets)")
            out.append("")
            out.append("```")
            out.append(ReportSections.sparkline(d.throughputSeries))
            out.append("```")
            out.append("")
            out.append("### Batches (first and last 10)")
            out.append("")
            table(["Batch", "Start (s)", "Files", "Rows in", "Valid", "Invalid", "Total (ms)", "Rows/s", "Max latency (ms)"],
                  ReportSections.batchRows(d))
        }
        out.append("## 4. Latency")
        out.append("")
        if let s = d.streaming {
            out.append("### End to end (file complete → row committed), per row")
            out.append("")
            table(["Average", "Minimum", "Median", "P95", "P99", "Maximum", "Rows"],
                  [[ReportFormat.ms(s.endToEnd.mean), ReportFormat.ms(s.endToEnd.min), ReportFormat.ms(s.endToEnd.p50),
                    ReportFormat.ms(s.endToEnd.p95), ReportFormat.ms(s.endToEnd.p99), ReportFormat.ms(s.endToEnd.max),
                    ReportFormat.count(s.endToEnd.count)]])
            out.append("### Per stage, per batch")
            out.append("")
            table(["Stage", "Average", "P50", "P95", "P99", "Max", "% of total"], ReportSections.stageRows(s))
            out.append("Read+parse and validate are summed over the workers; discovery, write and commit are wall time of the commit loop.")
            out.append("")
        } else {
            table(["Stage", "Seconds (summed over workers)", "% of total"], ReportSections.batchStageRows(d))
        }
        out.append("## 5. Validation")
        out.append("")
        table(["Metric", "Value"], ReportSections.validation(d))
        if !d.rejectedBy.isEmpty {
            table(["Stage/rule", "Rows", "% of invalid"], ReportSections.ruleRows(d))
        }
        if let dl = d.deadLetter { out.append("Invalid rows: `\(dl)` (JSON lines, replayable with `sluice replay`) and its `.log` companion."); out.append("") }
        out.append("## 6. Database writes")
        out.append("")
        table(["Metric", "Value"], ReportSections.writes(d))
        out.append("## 7. Errors")
        out.append("")
        out.append(d.error.map { "- \($0)" } ?? "None: the run ended with status \(d.status).")
        out.append("")
        out.append("## 8. Data integrity")
        out.append("")
        table(["Check", "Value", "Result"], ReportSections.integrity(d))
        out.append("## 9. Resources")
        out.append("")
        table(["Metric", "Value"], ReportSections.resources(d))
        return out.joined(separator: "\n")
    }
}
