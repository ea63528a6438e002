import SluiceCore

/// Renders rows for `cat` and `inspect`: CSV, JSON lines, or an aligned table.
enum BatchPrinter {
    enum Format: String, CaseIterable { case table, csv, jsonl }

    static func render(_ batches: [RecordBatch], schema: Schema, format: Format) -> String {
        switch format {
        case .csv:
            var out = schema.names.map(csvField).joined(separator: ",") + "\n"
            for b in batches {
                for r in 0..<b.count {
                    out += b.columns.map { $0.isValid(r) ? csvField($0.scalar(at: r).description) : "" }.joined(separator: ",") + "\n"
                }
            }
            return out
        case .jsonl:
            var out = ""
            for b in batches {
                for r in 0..<b.count {
                    let fields = zip(schema.fields, b.columns).map { f, c -> String in
                        let v: String
                        switch c.scalar(at: r) {
                        case .null: v = "null"
                        case .bool(let x): v = x ? "true" : "false"
                        case .int(let x): v = String(x)
                        case .double(let x): v = x.isFinite ? "\(x)" : "null"
                        case let s: v = JSON.quote(s.description)
                        }
                        return JSON.quote(f.name) + ":" + v
                    }
                    out += "{" + fields.joined(separator: ",") + "}\n"
                }
            }
            return out
        case .table:
            var rows: [[String]] = [schema.names, schema.fields.map { $0.type.description }]
            for b in batches {
                for r in 0..<b.count { rows.append(b.columns.map { $0.isValid(r) ? clip($0.scalar(at: r).description) : "null" }) }
            }
            return table(rows, headerRows: 2)
        }
    }

    /// Aligns cells in columns, numbers to the right, with a rule under the header rows.
    static func table(_ rows: [[String]], headerRows: Int) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for row in rows { for (i, c) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for (k, row) in rows.enumerated() {
            let cells = row.enumerated().map { i, c -> String in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return k >= headerRows && isNumber(c) ? pad + c : c + pad
            }
            out += cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
            if k == headerRows - 1 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }

    static func isNumber(_ s: String) -> Bool { Double(s) != nil }

    static func clip(_ s: String) -> String { s.count > 60 ? String(s.prefix(57)) + "..." : s }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" : s
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
