import ArgumentParser
import SluiceCore
import SluiceEngine

struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a file's schema, row count and first rows; with --stats, per-column statistics.",
        discussion: """
            The row count and statistics come from parsing every value with the schema shown, on all
            cores, so this is also the quickest way to check a whole file loads and to time a full parse.
            Examples:
              sluice inspect data/telecom.csv
              sluice inspect --stats --columns internet data/telecom.csv      (reads one column)
              sluice inspect --stats --delimiter tab --no-header --schema square_id:int32,... sms-call-internet-mi-2013-11-01.txt
            """)

    @Argument(help: "The file to inspect (CSV, TSV, optionally gzip-compressed).")
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

    func run() async throws {
        do {
            var table = try FileTable(paths: [file], options: try reader.csvOptions(for: file))
            if let c = columns { table = try table.selecting(c.split(separator: ",").map { String($0).trimmingSpaces() }) }
            let schema = table.schema
            let t0 = Clock.now()
            let schemaForStats = schema
            let result = try await table.scan(
                workers: workers ?? ProcessorCount.value, initial: { ColumnStatistics(schema: schemaForStats) },
                fold: { $0.add($1) })
            var statistics = ColumnStatistics(schema: schema)
            for p in result.partials { statistics.merge(p) }
            let secs = Clock.seconds(since: t0)
            var out = "file: \(file)\n"
            out += "format: \(table.options.delimiter == 9 ? "tsv" : "csv") (delimiter \(printable(table.options.delimiter)), header: \(table.options.header))\n"
            out += "rows: \(statistics.rows)" + (result.rejected > 0 ? " (+\(result.rejected) rejected)" : "") + "\n"
            out += "parsed: \(ByteSize.format(result.bytes)) in \(String(Double(Int(secs * 1000)) / 1000)) s\n\n"
            out += "schema:\n" + table.fileSchema.fields.map { "  \($0.name): \($0.type)" }.joined(separator: "\n") + "\n"
            if stats {
                var rows: [[String]] = [["column", "type", "count", "nulls", "min", "max", "sum"]]
                for e in statistics.entries {
                    rows.append([e.name, e.type.description, "\(e.count)", "\(e.nulls)", show(e.min), show(e.max), e.sumText])
                }
                out += "\nstatistics:\n" + BatchPrinter.table(rows, headerRows: 1)
            }
            if rows > 0 {
                let head = try table.head(rows)
                out += "\nfirst \(min(rows, statistics.rows)) rows:\n" + BatchPrinter.render(head.batches, schema: schema, format: .table)
            }
            if !result.rejects.isEmpty {
                out += "\nrejected rows (first \(result.rejects.count) of \(result.rejected)):\n"
                out += result.rejects.map { "  \($0.file):\($0.line ?? 0): \($0.column.map { "column '\($0)': " } ?? "")\($0.reason)" }.joined(separator: "\n") + "\n"
            }
            FileHandleLite.standardOutput.write(out)
        } catch let e as ValidationError {
            throw e
        } catch {
            throw Failure.exit(error)
        }
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
