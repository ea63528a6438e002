import SluiceCore
import SluiceParquet

#if canImport(Glibc)
import Glibc
#endif

/// Parquet files opened for the file commands and pipelines: their readers (opened on demand,
/// see `ParquetReaderSet`), the schema every file shares, and the row groups as splits.
struct ParquetSource: Sendable {
    /// One row group of one file: the unit of parallel reading.
    struct Split: Sendable, Hashable {
        /// Index into `files` and `readers`.
        let file: Int
        let rowGroup: Int
        let rows: Int
    }

    let files: [String]
    let readers: ParquetReaderSet
    /// Every row group of every file, in file order, read from the footers once, at `open`.
    let splits: [Split]
    /// The readable top-level columns, the same in every file; nested ones are left out.
    let schema: Schema
    /// Columns read, in file order; nil means every readable column.
    private(set) var projection: [String]? = nil

    /// The schema of the batches this source produces.
    var readSchema: Schema {
        guard let projection else { return schema }
        return Schema(projection.compactMap { n in schema.index(of: n).map { schema[$0] } })
    }

    /// Every top-level column name of the first file, nested ones included.
    var allColumnNames: [String] { readers.first.columnNames }

    /// Opens every file and checks that they agree on the readable columns and their types.
    ///
    /// Implementation note: a reader produces `.dictionary` for a string column only when every
    /// row group of *its* file is dictionary-encoded, so two files can disagree on that alone;
    /// then all files are reopened reading plain strings, because every batch of one table must
    /// have the same types (statistics and printers rely on it).
    static func open(_ files: [String]) throws(SluiceError) -> ParquetSource {
        var options = ParquetReadOptions()
        var first = try ParquetReaderSet.open(files[0], options: options)
        var mixedDictionaries = false
        var splits = groups(first, file: 0)
        for (k, f) in files.enumerated().dropFirst() {
            let r = try ParquetReaderSet.open(f, options: options)
            splits += groups(r, file: k)
            if r.schema == first.schema { continue }
            if plainStrings(r.schema) == plainStrings(first.schema) {
                mixedDictionaries = true
                continue
            }
            throw SluiceError.invalidArgument(
                "\(f) has columns (\(r.schema)), \(files[0]) has (\(first.schema)): the files of one table must have the same columns")
        }
        if mixedDictionaries {
            options = ParquetReadOptions(dictionaryStrings: false)
            first = try ParquetReaderSet.open(files[0], options: options)
        }
        return ParquetSource(
            files: files, readers: ParquetReaderSet(files: files, options: options, first: first), splits: splits, schema: first.schema)
    }

    private static func groups(_ r: ParquetFileReader, file: Int) -> [Split] {
        (0..<r.rowGroupCount).map { Split(file: file, rowGroup: $0, rows: r.rowCount(ofRowGroup: $0)) }
    }

    private static func plainStrings(_ s: Schema) -> Schema {
        Schema(s.fields.map { Field($0.name, $0.type == .dictionary ? .string : $0.type) })
    }

    /// The same source reading only `names` (returned in file order). A name of a nested or
    /// otherwise unreadable column is an error that says why; unknown names list the columns.
    func projected(to names: [String]) throws(SluiceError) -> ParquetSource {
        let all = allColumnNames
        for n in names where !all.contains(n) {
            throw SluiceError.invalidArgument(
                "unknown column '\(n)'\(Suggest.didYouMean(n, all)) (columns: \(all.joined(separator: ", ")))")
        }
        let chosen = all.filter { names.contains($0) }
        // `open` checked that every file has the first one's columns and types.
        do throws(ParquetError) {
            _ = try readers.first.schema(columns: chosen)
        } catch {
            throw SluiceError(error)
        }
        var s = self
        s.projection = chosen
        return s
    }

    /// Rows in all files, from their footers.
    var rowCount: Int { splits.reduce(0) { $0 + $1.rows } }

    /// Reads one row group with the chosen columns.
    func read(_ split: Split) throws(SluiceError) -> RecordBatch {
        let reader = try readers.reader(split.file)
        do throws(ParquetError) {
            return try reader.readRowGroup(split.rowGroup, columns: projection ?? schema.names)
        } catch {
            throw SluiceError(error)
        }
    }

    /// Compressed bytes of the column chunks `read(split)` reads.
    func bytes(of split: Split) throws(SluiceError) -> Int {
        let reader = try readers.reader(split.file)
        let chosen = Set(projection ?? schema.names)
        let group = reader.metadata.rowGroups[split.rowGroup]
        var total = 0
        for leaf in reader.parquetSchema.leaves where chosen.contains(leaf.path.first ?? "") {
            total += Int(clamping: group.columns[leaf.index].metaData?.totalCompressedSize ?? 0)
        }
        return total
    }

    /// Whether `path` holds Parquet: by its name (`.parquet`, `.parq`, `.pq`), or else by the
    /// `PAR1` magic its first four bytes carry.
    static func isParquet(path: String) -> Bool {
        let lower = path.lowercased()
        if lower.hasSuffix(".parquet") || lower.hasSuffix(".parq") || lower.hasSuffix(".pq") { return true }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var head: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        let n = withUnsafeMutableBytes(of: &head) { pread(fd, $0.baseAddress, 4, 0) }
        return n == 4 && [head.0, head.1, head.2, head.3] == Parquet.magic
    }
}

extension SluiceError {
    /// A Parquet error as the CLI prints it: the file, the column when known, and what is wrong.
    init(_ error: ParquetError) {
        self = .io(path: error.file, message: error.column.map { "column '\($0)': \(error.message)" } ?? error.message)
    }
}
