import ArgumentParser
import SluiceCore
import SluiceEngine

struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a file's schema, row count and first rows; with --stats, per-column statistics.",
        discussion: """
            For CSV the row count and statistics come from parsing every value with the schema shown, on \
            all cores, so this is also the quickest way to check a whole file loads and to time a full \
            parse. For Parquet the schema (Parquet physical and logical types beside the Sluice type), \
            row groups, codecs, encodings and the stored statistics of every column chunk come from the \
            footer; --stats reads every row (row groups spread over the workers).
            Examples:
              sluice inspect data/telecom.csv
              sluice inspect --stats --columns internet data/telecom.csv   (one column)
              sluice inspect --stats --delimiter tab --schema a:int32,b:float64 in.txt
              sluice inspect data/ocp/pod_usage.parquet
              sluice inspect --json --stats --rows 0 'data/ocp/*.parquet'
            """)

    @Argument(help: "The file to inspect: CSV, TSV (optionally gzip-compressed) or Parquet; a quoted glob reads several.")
    var file: String

    @OptionGroup var reader: ReaderOptions

    @Flag(help: "Per column: count, nulls, min, max, sum.")
    var stats = false

    @Option(help: "Comma-separated columns to read (the others are skipped, not parsed).")
    var columns: String?

    @Option(help: "How many rows to show.")
    var rows: Int = 5

    @Option(help: "Parallel workers (default: one per core).")
    var workers: Int?

    @Flag(help: "Print one JSON object instead of text (the first rows are left out).")
    var json = false

    func run() async throws {
        try await Failure.reporting {
            var table = try reader.table(file)
            if let c = columns { table = try table.selecting(c.split(separator: ",").map { String($0).trimmingSpaces() }) }
            if table.format == .parquet {
                try await inspectParquet(table)
                return
            }
            let measured = try await measure(table)
            let statistics = measured.statistics
            let result = measured.scan
            if json {
                var o = JSONObject()
                o.add("file", string: file)
                o.add("format", string: table.options.delimiter == 9 ? "tsv" : "csv")
                o.add("rows", int: statistics.rows)
                o.add("rejected", int: result.rejected)
                o.add("bytes", int: result.bytes)
                o.add("seconds", double: measured.seconds)
                o.add("schema", raw: JSONObject.array(table.fileSchema.fields.map { f in
                    var c = JSONObject()
                    c.add("name", string: f.name)
                    c.add("type", string: f.type.description)
                    return c.text
                }))
                if stats { o.add("statistics", raw: Self.statisticsJSON(statistics)) }
                FileHandleLite.standardOutput.write(o.text + "\n")
                return
            }
            var out = "file: \(file)\n"
            out += "format: \(table.options.delimiter == 9 ? "tsv" : "csv") (delimiter \(printable(table.options.delimiter)), header: \(table.options.header))\n"
            out += "rows: \(statistics.rows)" + (result.rejected > 0 ? " (+\(result.rejected) rejected)" : "") + "\n"
            out += "parsed: \(ByteSize.format(result.bytes)) in \(String(Double(Int(measured.seconds * 1000)) / 1000)) s\n\n"
            out += "schema:\n" + table.fileSchema.fields.map { "  \($0.name): \($0.type)" }.joined(separator: "\n") + "\n"
            if stats { out += "\nstatistics:\n" + statisticsTable(statistics) }
            if rows > 0 {
                let head = try table.head(rows)
                out += "\nfirst \(min(rows, statistics.rows)) rows:\n" + BatchPrinter.render(head.batches, schema: table.schema, format: .table)
            }
            if !result.rejects.isEmpty {
                out += "\nrejected rows (first \(result.rejects.count) of \(result.rejected)):\n"
                out += result.rejects.map { "  \($0.file):\($0.line ?? 0): \($0.column.map { "column '\($0)': " } ?? "")\($0.reason)" }.joined(separator: "\n") + "\n"
            }
            FileHandleLite.standardOutput.write(out)
        }
    }

    /// Reads every row of `table` on the workers and merges their statistics.
    func measure(_ table: FileTable) async throws -> (
        statistics: ColumnStatistics, scan: (partials: [ColumnStatistics], rejects: [RejectedRow], rejected: Int, bytes: Int), seconds: Double
    ) {
        let schema = table.schema
        let t0 = Clock.now()
        let result = try await table.scan(
            workers: workers ?? ProcessorCount.value, initial: { ColumnStatistics(schema: schema) }, fold: { $0.add($1) })
        var statistics = ColumnStatistics(schema: schema)
        for p in result.partials { statistics.merge(p) }
        return (statistics, result, Clock.seconds(since: t0))
    }

    func statisticsTable(_ statistics: ColumnStatistics) -> String {
        var rows: [[String]] = [["column", "type", "count", "nulls", "min", "max", "sum"]]
        for e in statistics.entries {
            rows.append([e.name, e.type.description, "\(e.count)", "\(e.nulls)", show(e.min), show(e.max), e.sumText])
        }
        return BatchPrinter.table(rows, headerRows: 1)
    }

    static func statisticsJSON(_ statistics: ColumnStatistics) -> String {
        JSONObject.array(statistics.entries.map { e in
            var c = JSONObject()
            c.add("column", string: e.name)
            c.add("type", string: e.type.description)
            c.add("count", int: e.count)
            c.add("nulls", int: e.nulls)
            c.add("min", e.min)
            c.add("max", e.max)
            if let exact = e.exactIntegerSum { c.add("sum", raw: String(exact)) } else { c.add("sum", e.sum) }
            return c.text
        })
    }

    func show(_ s: Scalar) -> String { s.isNull ? "" : BatchPrinter.clip(s.description) }
    func printable(_ b: UInt8) -> String { b == 9 ? "tab" : "'\(Character(Unicode.Scalar(b)))'" }
}

enum ProcessorCount {
    static var value: Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
    }
}

#if canImport(Glibc)
import Glibc
#endif
