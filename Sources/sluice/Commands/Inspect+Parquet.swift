import SluiceCore
import SluiceEngine

extension Inspect {
    /// How many row groups of one file the text output details; `--json` lists them all.
    static let rowGroupsShown = 20

    /// Parquet: everything the footers say, then with `--stats` a read of every row.
    func inspectParquet(_ table: FileTable) async throws {
        let summaries = try table.parquetSummaries() ?? []
        let measured = stats ? try await measure(table) : nil
        if json {
            var o = JSONObject()
            o.add("format", string: "parquet")
            o.add("rows", int: table.recordedRowCount)
            o.add("files", raw: JSONObject.array(summaries.map(Self.summaryJSON)))
            if let m = measured {
                o.add("rows_read", int: m.statistics.rows)
                o.add("bytes_read", int: m.scan.bytes)
                o.add("seconds", double: m.seconds)
                o.add("statistics", raw: Self.statisticsJSON(m.statistics))
            }
            FileHandleLite.standardOutput.write(o.text + "\n")
            return
        }
        var out = summaries.map(Self.summaryText).joined(separator: "\n")
        if summaries.count > 1 {
            out += "\ntotal: \(table.recordedRowCount ?? 0) rows in \(summaries.count) files\n"
        }
        if let m = measured {
            let rate = m.seconds > 0 ? Int(Double(m.statistics.rows) / m.seconds) : 0
            out += "\nread: \(m.statistics.rows) rows, \(ByteSize.format(m.scan.bytes)) of column chunks, "
                + "in \(String(Double(Int(m.seconds * 1000)) / 1000)) s (\(rate) rows/s)\n"
            out += "\nstatistics:\n" + statisticsTable(m.statistics)
        }
        if rows > 0 {
            let head = try table.head(rows)
            let shown = head.batches.reduce(0) { $0 + $1.count }
            out += "\nfirst \(shown) rows:\n" + BatchPrinter.render(head.batches, schema: table.schema, format: .table)
        }
        FileHandleLite.standardOutput.write(out)
    }

    static func summaryText(_ s: ParquetFileSummary) -> String {
        var out = "file: \(s.file)\n"
        out += "format: parquet (version \(s.formatVersion)\(s.createdBy.map { ", created by \($0)" } ?? ""))\n"
        out += "size: \(ByteSize.format(s.fileBytes))\n"
        out += "rows: \(s.rows) in \(s.rowGroups.count) row group\(s.rowGroups.count == 1 ? "" : "s")\n"
        var schema: [[String]] = [["column", "type", "physical", "logical", "repetition"]]
        for c in s.columns {
            schema.append([
                c.name, typeText(c), c.physical, c.logical ?? "", c.repetition,
            ])
        }
        out += "\nschema:\n" + indent(BatchPrinter.table(schema, headerRows: 1))
        for g in s.rowGroups.prefix(rowGroupsShown) {
            out += "\nrow group \(g.index): \(g.rows) rows, \(ByteSize.format(g.compressedBytes)) compressed, "
                + "\(ByteSize.format(g.uncompressedBytes)) uncompressed\n"
            var chunks: [[String]] = [["column", "codec", "encodings", "compressed", "uncompressed", "nulls", "min", "max"]]
            for c in g.chunks {
                chunks.append([
                    c.column, c.codec, c.encodings.joined(separator: ","), "\(c.compressedBytes)", "\(c.uncompressedBytes)",
                    c.nullCount.map { "\($0)" } ?? "", bound(c.min, exact: c.minExact), bound(c.max, exact: c.maxExact),
                ])
            }
            out += indent(BatchPrinter.table(chunks, headerRows: 1))
        }
        if s.rowGroups.count > rowGroupsShown {
            out += "\n… \(s.rowGroups.count - rowGroupsShown) more row groups (--json lists them all)\n"
        }
        return out
    }

    /// The type a column reads as; a list names its elements, since its values are JSON text.
    static func typeText(_ c: ParquetFileSummary.ColumnInfo) -> String {
        guard let type = c.type else { return "unsupported (\(c.unsupported ?? "?"))" }
        guard let element = c.listElement else { return type.description }
        return "\(type) (list<\(element)> as JSON)"
    }

    static func bound(_ s: Scalar?, exact: Bool) -> String {
        guard let s, !s.isNull else { return "" }
        return BatchPrinter.clip(s.description) + (exact ? "" : " (inexact)")
    }

    static func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }

    static func summaryJSON(_ s: ParquetFileSummary) -> String {
        var o = JSONObject()
        o.add("file", string: s.file)
        o.add("bytes", int: s.fileBytes)
        o.add("format_version", int: s.formatVersion)
        o.add("created_by", string: s.createdBy)
        o.add("rows", int: s.rows)
        o.add("metadata_keys", raw: JSONObject.array(s.metadataKeys.map(JSON.quote)))
        o.add("columns", raw: JSONObject.array(s.columns.map { c in
            var j = JSONObject()
            j.add("name", string: c.name)
            j.add("type", string: c.type?.description)
            j.add("unsupported", string: c.unsupported)
            j.add("list_element", string: c.listElement?.description)
            j.add("physical", string: c.physical)
            j.add("logical", string: c.logical)
            j.add("repetition", string: c.repetition)
            return j.text
        }))
        o.add("row_groups", raw: JSONObject.array(s.rowGroups.map { g in
            var j = JSONObject()
            j.add("index", int: g.index)
            j.add("rows", int: g.rows)
            j.add("compressed_bytes", int: g.compressedBytes)
            j.add("uncompressed_bytes", int: g.uncompressedBytes)
            j.add("columns", raw: JSONObject.array(g.chunks.map { c in
                var k = JSONObject()
                k.add("column", string: c.column)
                k.add("codec", string: c.codec)
                k.add("encodings", raw: JSONObject.array(c.encodings.map(JSON.quote)))
                k.add("compressed_bytes", int: c.compressedBytes)
                k.add("uncompressed_bytes", int: c.uncompressedBytes)
                k.add("values", int: c.values)
                k.add("null_count", int: c.nullCount)
                k.add("distinct_count", int: c.distinctCount)
                k.add("min", c.min)
                k.add("max", c.max)
                k.add("min_exact", bool: c.minExact)
                k.add("max_exact", bool: c.maxExact)
                return k.text
            }))
            return j.text
        }))
        return o.text
    }
}
