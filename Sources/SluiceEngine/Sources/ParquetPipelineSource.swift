import SluiceCore
import SluiceParquet

/// The `parquet` source of a pipeline: files, folders and globs, hive partition folders as
/// columns, row groups as splits.
///
/// Work is cut three ways before any data page is read: partition folders whose values cannot
/// pass the filters are never opened, row groups whose statistics prove that no row can pass
/// are never planned, and only the column chunks of the columns read are fetched.
struct ParquetPipelineSource: Sendable {
    let config: ParquetSourceConfig
    let inputFiles: ParquetDatasetFiles
    /// One reader per file of `inputFiles`; nil when no file survived partition pruning.
    let table: ParquetSource?
    /// Every row group of every file; a split's `index` points here.
    let groups: [ParquetSource.Split]
    /// Every column: the files' readable columns, then the partition columns.
    let schema: Schema
    /// Columns produced, in schema order.
    var columns: [String]
    /// The source's own `filter`, applied to rows (and used for pruning).
    let rowFilter: Expr?
    /// Filters used for pruning only (the pipeline's filter transforms apply them to rows).
    let pruning: [RowGroupPruning]

    /// Resolves the files, prunes partition folders by the source filter and `pushdown`
    /// filters, and opens the footers of what is left.
    static func resolve(_ config: ParquetSourceConfig, pushdown: [Expr] = []) throws(SluiceError) -> ParquetPipelineSource {
        let all = try ParquetDatasetFiles.resolve(config)
        let pruning = ((config.filter.map { [$0] } ?? []) + pushdown).map(RowGroupPruning.init)
        let kept = all.filtered { f in
            (config.only?.contains(all.files[f]) ?? true) && pruning.allSatisfy { $0.mayMatch(rows: 1, all.statistics(file: f, rows: 1)) }
        }
        // The schema comes from the first kept file, or the first file when the filters
        // pruned every folder (the run then reads nothing).
        let opened: ParquetSource
        do throws(SluiceError) {
            opened = try ParquetSource.open(kept.files.isEmpty ? [all.files[0]] : kept.files)
        } catch {
            throw config.location.error(error.description)
        }
        for n in all.names where opened.allColumnNames.contains(n) {
            throw config.location.error("column '\(n)' is both in the files and a folder name (\(n)=…); set partitioning: none to read the files' column")
        }
        let schema = Schema(opened.schema.fields + zip(all.names, all.types).map { Field($0, $1) })
        if let f = config.filter {
            do throws(SluiceError) {
                let bound = try BoundExpression(f, schema: schema)
                guard bound.type == .bool else { throw SluiceError.expression("the filter must be true or false, '\(f)' is \(bound.type)") }
            } catch {
                throw (config.filterLocation ?? config.location).error(error.description)
            }
        }
        return ParquetPipelineSource(
            config: config, inputFiles: kept, table: kept.files.isEmpty ? nil : opened, groups: kept.files.isEmpty ? [] : opened.splits,
            schema: schema, columns: schema.names,
            rowFilter: config.filter, pruning: pruning)
    }

    /// Filters of a pipeline's transforms that may skip row groups and folders: the `filter`
    /// steps before anything that renames, recomputes, drops or reorders rows in a way the
    /// filter's outcome depends on (select, cast, aggregate, dedup, validate), and only those
    /// whose columns no earlier `derive` or `join` replaced.
    static func pushableFilters(_ transforms: [TransformConfig]) -> [Expr] {
        var out: [Expr] = []
        var derived = Set<String>()
        for t in transforms {
            switch t {
            case .filter(let e, _):
                if e.columnReferences.isDisjoint(with: derived) { out.append(e) }
            case .derive(let cols):
                for c in cols { derived.insert(c.column) }
            case .join(let j):
                // A join adds lookup columns and keeps or repeats rows by key; a filter on the
                // source's own columns answers the same for every copy. The added columns may
                // shadow source columns, so filters on them stay with the transforms.
                for c in j.columns { derived.insert(c.name) }
            default:
                return out
            }
        }
        return out
    }

    var readSchema: Schema { Schema(schema.fields.filter { columns.contains($0.name) }) }

    /// File columns a read of `wanted` must fetch (the filter's columns too).
    func fileColumns(for wanted: [String]) -> [String] {
        var need = Set(wanted)
        if let f = rowFilter { need.formUnion(f.columnReferences) }
        return (table?.schema.names ?? []).filter { need.contains($0) }
    }
}

extension ParquetPipelineSource: PipelineSource {
    var inputs: [String] { inputFiles.files }

    func projected(to columns: Set<String>) throws(SluiceError) -> any PipelineSource { projecting(columns) }

    /// The same source reading only `columns` (in schema order).
    func projecting(_ columns: Set<String>) -> ParquetPipelineSource {
        var s = self
        s.columns = schema.names.filter { columns.contains($0) }
        return s
    }

    /// A unit per file; a split per row group that may hold matching rows.
    func plan() throws(SluiceError) -> [SourceUnit] {
        guard let table else { return [] }
        var units: [SourceUnit] = []
        var index = 0
        let readColumns = Set(fileColumns(for: columns))
        try table.readers.forEach { f, reader throws(SluiceError) in
            let path = inputFiles.files[f]
            guard let ident = FileIdentity.of(path) else { throw SluiceError.io(path: path, message: "file disappeared") }
            var splits: [SourceSplit] = []
            for g in 0..<reader.rowGroupCount {
                defer { index += 1 }
                let rows = reader.rowCount(ofRowGroup: g)
                let extra = inputFiles.statistics(file: f, rows: rows)
                guard pruning.allSatisfy({ reader.mayMatch(rowGroup: g, $0, extra: extra) }) else { continue }
                var s = SourceSplit(id: "\(path)@\(ident.size)-\(ident.modified)#rg\(g)", path: path, source: "\(path)#\(ident.size)-\(ident.modified)", index: index)
                s.plannedBytes = Int64(Self.bytes(reader, rowGroup: g, columns: readColumns))
                splits.append(s)
            }
            units.append(SourceUnit(path: path, identity: (ident.size, ident.modified), splits: splits))
        }
        return units
    }

    static func bytes(_ reader: ParquetFileReader, rowGroup g: Int, columns: Set<String>) -> Int {
        let group = reader.metadata.rowGroups[g]
        var total = 0
        for leaf in reader.parquetSchema.leaves where columns.contains(leaf.path.first ?? "") {
            total += Int(clamping: group.columns[leaf.index].metaData?.totalCompressedSize ?? 0)
        }
        return total
    }

    func reader(for split: SourceSplit, batchRows: Int) throws(SluiceError) -> any SplitReader {
        guard let table else { throw SluiceError.invalidArgument("Parquet split \(split.id): no file was opened") }
        guard split.index >= 0, split.index < groups.count else {
            throw SluiceError.invalidArgument("Parquet split \(split.id) is not one of this source's row groups")
        }
        let s = groups[split.index]
        return ParquetRowGroupReader(
            table: table, split: s, files: inputFiles, fileColumns: fileColumns(for: columns), output: readSchema,
            filter: rowFilter, batchRows: max(1, batchRows), bytes: split.plannedBytes)
    }
}
