import ArgumentParser
import SluiceCore
import SluiceEngine

struct Cat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a file's rows as CSV, JSON lines or an aligned table, typed by its schema.",
        discussion: """
            Examples:
              sluice cat --limit 10 data/events/events.csv
              sluice cat --format jsonl --columns event_id,price data/events/events.csv
              sluice cat --rows 5 --columns namespace,pod data/ocp/pod_usage.parquet
            """)

    @Argument(help: "The file to print: CSV, TSV (optionally gzip-compressed) or Parquet; a quoted glob reads several.")
    var file: String

    @OptionGroup var reader: ReaderOptions

    @Option(help: "Output format: table, csv or jsonl.")
    var format: String = "table"

    @Option(help: "Comma-separated columns to print, in this order (default: all).")
    var columns: String?

    @Option(name: [.customLong("limit"), .customLong("rows")], help: "At most this many rows (default: all for csv/jsonl, 20 for table).")
    var limit: Int?

    func run() async throws {
        guard let fmt = BatchPrinter.Format(rawValue: format) else {
            throw ValidationError("--format must be one of table, csv, jsonl")
        }
        try await Failure.reporting {
            var table = try reader.table(file)
            if columns == nil, !table.unreadableColumns.isEmpty {
                let names = table.unreadableColumns.map(\.name).joined(separator: ", ")
                FileHandleLite.standardError.write("note: not printing \(names): nested columns are not supported yet\n")
            }
            var picks: [Int]? = nil
            var schema = table.schema
            if let cols = columns {
                // Read only the named columns, then put them in the order asked for.
                let names = cols.split(separator: ",").map { String($0).trimmingSpaces() }
                table = try table.selecting(names)
                picks = names.compactMap { table.schema.index(of: $0) }
                schema = Schema(names.compactMap { n in table.schema.index(of: n).map { table.schema[$0] } })
            }
            let n = limit ?? (fmt == .table ? 20 : Int.max)
            let project = { (b: RecordBatch) -> RecordBatch in
                picks.map { p in RecordBatch(schema: schema, columns: p.map { b.columns[$0] }, count: b.count) } ?? b
            }
            var shownRejects = 0
            let report = { (r: [RejectedRow]) in
                for x in r where shownRejects < 20 {
                    shownRejects += 1
                    FileHandleLite.standardError.write("rejected: \(x.file):\(x.line ?? 0): \(x.column.map { "column '\($0)': " } ?? "")\(x.reason)\n")
                }
            }
            if fmt == .table {
                // A table needs every row to align the columns, so it is limited.
                let head = try table.head(n)
                FileHandleLite.standardOutput.write(BatchPrinter.render(head.batches.map(project), schema: schema, format: fmt))
                report(head.rejects)
            } else {
                var first = true
                try table.forEachBatch(limit: n) { b, r in
                    var text = BatchPrinter.render([project(b)], schema: schema, format: fmt)
                    if fmt == .csv, !first, let nl = text.firstIndex(of: "\n") { text = String(text[text.index(after: nl)...]) }
                    first = false
                    FileHandleLite.standardOutput.write(text)
                    report(r)
                }
            }
        }
    }
}
