import SluiceCore
import SluiceParquet

extension PipelineConfig {
    static let parquetSinkKeys = [
        "type", "path", "file", "partition_by", "compression", "compression_level", "row_group_rows", "max_file_rows",
        "max_file_bytes", "data_page_version",
    ]
    static let parquetSourceKeys = ["type", "path", "paths", "filter", "partitioning"]

    /// `sink: {type: parquet, path, partition_by, compression, row_group_rows, max_file_rows, max_file_bytes}`,
    /// or `{type: parquet, file, compression, row_group_rows}` for one file.
    static func parseParquetSink(_ node: ConfigNode) throws(SluiceError) -> ParquetDatasetSinkConfig {
        let m = try node.mapping(allowed: parquetSinkKeys)
        var c: ParquetDatasetSinkConfig
        if let f = m["file"] {
            if let p = m["path"] { throw p.error("give either path (a dataset folder) or file (one Parquet file), not both") }
            c = ParquetDatasetSinkConfig(path: try f.string(), location: node.location)
            c.singleFile = true
            for key in ["partition_by", "max_file_rows", "max_file_bytes"] {
                if let n = m[key] { throw n.error("\(key) applies to a dataset folder (path), not to one file") }
            }
        } else {
            c = ParquetDatasetSinkConfig(
                path: try m.required("path", "the dataset folder (or file: for one Parquet file)").string(), location: node.location)
        }
        if let n = m["partition_by"] { c.partitionBy = try parsePartitions(n) }
        if let n = m["compression"] {
            let s = try n.string()
            guard let codec = ParquetCodecName.parse(s) else {
                let names = ParquetCodecName.names
                throw n.error("unknown compression '\(s)'\(Suggest.didYouMean(s, names)) (expected one of: \(names.joined(separator: ", ")))")
            }
            c.write.compression = codec
        }
        if let n = m["compression_level"] { c.write.compressionLevel = Int32(clamping: try n.int(min: 1)) }
        if let n = m["row_group_rows"] { c.write.rowGroupRows = try n.int(min: 1) }
        if let n = m["max_file_rows"] { c.maxFileRows = try n.int(min: 1) }
        if let n = m["max_file_bytes"] { c.maxFileBytes = max(try n.byteSize(), 1) }
        if let n = m["data_page_version"] {
            let v = try n.int(min: 1)
            guard v == 1 || v == 2 else { throw n.error("expected 1 or 2, found \(v)") }
            c.write.dataPageVersion = v
        }
        return c
    }

    /// `partition_by`: a list of columns, `fn(column)` (named after the function), or
    /// `{name: expression}` entries; or one mapping of name to expression.
    static func parsePartitions(_ node: ConfigNode) throws(SluiceError) -> [DatasetPartition] {
        if case .mapping = node.node {
            var out: [DatasetPartition] = []
            for (name, n) in try node.anyMapping(expecting: "name: expression").entries {
                out.append(DatasetPartition(name: name, expression: try parseExpression(n), location: n.location))
            }
            return out
        }
        var out: [DatasetPartition] = []
        for item in try node.sequence(expecting: "partition columns or name: expression") {
            if case .mapping = item.node {
                let entries = try item.anyMapping(expecting: "name: expression").entries
                guard entries.count == 1, let (name, n) = entries.first else {
                    throw item.error("expected one 'name: expression' per list item")
                }
                out.append(DatasetPartition(name: name, expression: try parseExpression(n), location: n.location))
                continue
            }
            out.append(try ParquetDatasetSinkConfig.partition(expression: try parseExpression(item), location: item.location))
        }
        return out
    }

    /// `source: {type: parquet, paths, filter, partitioning}`.
    static func parseParquetSource(_ node: ConfigNode) throws(SluiceError) -> ParquetSourceConfig {
        let m = try node.mapping(allowed: parquetSourceKeys)
        let paths: [String]
        if let p = m["paths"] {
            paths = try p.stringList(expecting: "files, folders or glob patterns")
        } else if let p = m["path"] {
            paths = [try p.string()]
        } else {
            throw node.error("missing required key 'paths' (a list of files, folders or glob patterns)")
        }
        if paths.isEmpty { throw (m["paths"] ?? node).error("paths is empty (expected at least one file, folder or glob pattern)") }
        var c = ParquetSourceConfig(paths: paths, location: (m["paths"] ?? m["path"] ?? node).location)
        if let n = m["filter"] {
            c.filter = try parseExpression(n)
            c.filterLocation = n.location
        }
        if let n = m["partitioning"] {
            let s = try n.string()
            guard let p = ParquetSourceConfig.Partitioning(rawValue: s) else {
                throw n.error("expected hive or none, found '\(s)'")
            }
            c.partitioning = p
        }
        return c
    }
}
