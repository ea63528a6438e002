import SluiceCore

/// Cuts a batch into the rows of each partition folder: evaluates the partition expressions,
/// groups rows by their values, and drops the partition columns from what goes into the files.
struct DatasetPartitioner: Sendable {
    let names: [String]
    let expressions: [BoundExpression]
    let output: Schema
    let fileSchema: Schema
    /// Index in the output of each file column.
    let fileColumns: [Int]

    init(config: ParquetDatasetSinkConfig, output: Schema) throws(SluiceError) {
        names = config.partitionBy.map(\.name)
        expressions = try config.bindPartitions(output: output)
        self.output = output
        fileSchema = config.fileSchema(output: output)
        fileColumns = fileSchema.names.compactMap { output.index(of: $0) }
    }

    /// The rows of `batch` per partition folder (`a=1/b=x`, or "" when not partitioned), in
    /// the order each folder first appears. Null and the empty string share Hive's default
    /// folder, so one folder may come twice; the sink appends both to the same file.
    func split(_ batch: RecordBatch) throws(SluiceError) -> [(folder: String, rows: RecordBatch)] {
        let files = RecordBatch(schema: fileSchema, columns: fileColumns.map { batch.columns[$0] }, count: batch.count, origin: batch.origin)
        if expressions.isEmpty || batch.count == 0 { return [("", files)] }
        var keys: [Column] = []
        for e in expressions { keys.append(try e.evaluate(batch)) }
        var codes: [[Int32]] = []
        var texts: [[String?]] = []
        for k in keys {
            let (c, t) = Self.codes(k)
            codes.append(c)
            texts.append(t)
        }
        // One code per row across all levels, renumbered densely after each level so that
        // `key * radix + code` stays below rows² and cannot overflow.
        var rowKey = codes[0].map(Int.init)
        for level in 1..<codes.count {
            let radix = texts[level].count
            var dense: [Int: Int] = [:]
            for r in 0..<batch.count {
                let k = rowKey[r] * radix + Int(codes[level][r])
                if let d = dense[k] {
                    rowKey[r] = d
                } else {
                    rowKey[r] = dense.count
                    dense[k] = dense.count
                }
            }
        }
        var groupOf: [Int: Int] = [:]
        var groups: [[Int32]] = []
        var firstRow: [Int] = []
        for r in 0..<batch.count {
            if let g = groupOf[rowKey[r]] {
                groups[g].append(Int32(r))
            } else {
                groupOf[rowKey[r]] = groups.count
                groups.append([Int32(r)])
                firstRow.append(r)
            }
        }
        var out: [(String, RecordBatch)] = []
        out.reserveCapacity(groups.count)
        for (g, rows) in groups.enumerated() {
            let r = firstRow[g]
            var segments: [String] = []
            for level in 0..<names.count {
                segments.append(HivePath.segment(key: names[level], value: texts[level][Int(codes[level][r])]))
            }
            let folder = segments.joined(separator: "/")
            out.append((folder, groups.count == 1 ? files : files.take(rows)))
        }
        return out
    }

    /// Per row, the index of its value among the column's distinct values, and those values'
    /// folder texts (nil for null).
    static func codes(_ column: Column) -> ([Int32], [String?]) {
        var codes = [Int32](repeating: 0, count: column.count)
        var texts: [String?] = []
        var index: [String?: Int32] = [:]
        switch column.type {
        case .int32, .date:
            // Integers map through their value, so the text is made once per distinct value.
            assignCodes(column, &codes, &texts, &index) { column.value($0, as: Int32.self) }
        case .int64, .timestamp:
            assignCodes(column, &codes, &texts, &index) { column.value($0, as: Int64.self) }
        case .dictionary:
            assignCodes(column, &codes, &texts, &index) { column.value($0, as: Int32.self) }
        default:
            for r in 0..<column.count {
                let t = HivePath.text(of: column, at: r)
                if let c = index[t] { codes[r] = c; continue }
                let c = Int32(texts.count)
                index[t] = c
                texts.append(t)
                codes[r] = c
            }
        }
        return (codes, texts)
    }

    /// Codes rows through a cheap per-row key (an integer, a dictionary index): the folder text
    /// is made once per distinct key. Keys with the same text (two dictionary entries holding
    /// the same string) share a code.
    @inline(__always)
    private static func assignCodes<Key: Hashable>(
        _ column: Column, _ codes: inout [Int32], _ texts: inout [String?], _ index: inout [String?: Int32],
        key: (Int) -> Key
    ) {
        var byKey: [Key: Int32] = [:]
        var nullCode: Int32? = nil
        for r in 0..<column.count {
            if column.isNull(r) {
                if nullCode == nil { nullCode = Int32(texts.count); texts.append(nil) }
                codes[r] = nullCode ?? 0
                continue
            }
            let k = key(r)
            if let c = byKey[k] { codes[r] = c; continue }
            let t = HivePath.text(of: column, at: r)
            let c: Int32
            if let e = index[t] {
                c = e
            } else {
                c = Int32(texts.count)
                index[t] = c
                texts.append(t)
            }
            byKey[k] = c
            codes[r] = c
        }
    }
}
