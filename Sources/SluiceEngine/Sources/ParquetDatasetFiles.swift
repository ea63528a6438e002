import SluiceCore
import SluiceParquet

/// The Parquet files a source reads and the values their `key=value` folders give them.
///
/// Paths may be files, folders (every Parquet file below, skipping names that start with `.` or
/// `_`, as pyarrow and Spark do) or glob patterns. Folder names below the folder given, or below
/// the fixed part of a pattern, are the partition columns: int32 when every value is one, else
/// int64 when every value is one, else string; `__HIVE_DEFAULT_PARTITION__` is null.
struct ParquetDatasetFiles: Sendable {
    var files: [String]
    /// Partition column names, outermost folder first.
    var names: [String]
    var types: [DataType]
    /// Per file, the unescaped text of each partition column (nil for null).
    var values: [[String?]]

    static func resolve(_ config: ParquetSourceConfig) throws(SluiceError) -> ParquetDatasetFiles {
        var found: [(path: String, segments: [Substring])] = []
        var seen = Set<String>()
        for p in config.paths {
            let base: String
            var matched: [String]
            if FileIO.isDirectory(p) {
                base = p
                matched = DurableFiles.walk(p, skip: []).filter { rel in
                    !rel.split(separator: "/").contains { $0.hasPrefix(".") || $0.hasPrefix("_") }
                }.map { FileIO.join(p, $0) }.filter { ParquetSource.isParquet(path: $0) }
            } else if p.contains(where: { "*?[".contains($0) }) {
                let fixed = p[..<(p.firstIndex(where: { "*?[".contains($0) }) ?? p.endIndex)]
                base = fixed.contains("/") ? FileIO.dirname(String(fixed) + "x") : ""
                matched = Glob.expand(p).filter { f in !FileIO.basename(f).hasPrefix(".") && !FileIO.basename(f).hasPrefix("_") }
                if matched.isEmpty {
                    throw config.location.error("no file matches '\(p)' (relative paths are resolved from \(FileIO.currentDirectory))")
                }
            } else {
                guard FileIO.exists(p) else {
                    throw config.location.error("file not found: '\(p)' (relative paths are resolved from \(FileIO.currentDirectory))")
                }
                base = FileIO.dirname(p)
                matched = [p]
            }
            for f in matched where seen.insert(f).inserted {
                let rel = base.isEmpty || base == "." ? f : String(f.dropFirst(base.count).drop(while: { $0 == "/" }))
                let folders = rel.split(separator: "/").dropLast()
                found.append((f, config.partitioning == .hive ? Array(folders) : []))
            }
        }
        guard let first = found.first else {
            throw config.location.error("no Parquet file under \(config.paths.joined(separator: ", "))")
        }
        let keysOf = { (segments: [Substring]) -> [(String, String?)] in
            segments.compactMap { HivePath.parseSegment(String($0)) }.map { ($0.key, $0.value) }
        }
        let names = keysOf(first.segments).map(\.0)
        var values: [[String?]] = []
        for f in found {
            let kv = keysOf(f.segments)
            guard kv.map(\.0) == names else {
                throw config.location.error(
                    "\(f.path) lies in folders \(kv.map(\.0)), \(first.path) in \(names): every file of a partitioned dataset needs the same folder levels")
            }
            values.append(kv.map(\.1))
        }
        var types: [DataType] = []
        for k in names.indices {
            let column = values.compactMap { $0[k] }
            if column.allSatisfy({ Int32($0) != nil }) {
                types.append(.int32)
            } else if column.allSatisfy({ Int64($0) != nil }) {
                types.append(.int64)
            } else {
                types.append(.string)
            }
        }
        return ParquetDatasetFiles(files: found.map(\.path), names: names, types: types, values: values)
    }

    /// The value of partition column `k` of file `f`, typed.
    func scalar(file f: Int, column k: Int) -> Scalar {
        guard let text = values[f][k] else { return .null }
        switch types[k] {
        case .int32, .int64: return Int64(text).map { .int($0) } ?? .null
        default: return .string(text)
        }
    }

    /// Partition columns as statistics of one file (min = max = its value), for pruning.
    func statistics(file f: Int, rows: Int) -> (String) -> (stats: SluiceParquet.ColumnStatistics, type: DataType)? {
        { name in
            guard let k = names.firstIndex(of: name) else { return nil }
            let v = scalar(file: f, column: k)
            if v == .null { return (SluiceParquet.ColumnStatistics(nullCount: rows), types[k]) }
            return (SluiceParquet.ColumnStatistics(nullCount: 0, min: v, max: v), types[k])
        }
    }

    /// Only the files for which `keep` is true.
    func filtered(_ keep: (Int) -> Bool) -> ParquetDatasetFiles {
        let idx = files.indices.filter(keep)
        return ParquetDatasetFiles(files: idx.map { files[$0] }, names: names, types: types, values: idx.map { values[$0] })
    }
}
