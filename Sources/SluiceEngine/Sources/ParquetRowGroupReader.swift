import SluiceCore
import SluiceParquet

/// Reads one row group of a `parquet` source: the chosen column chunks, the file's partition
/// values as constant columns, the source filter applied, handed out `batchRows` at a time.
final class ParquetRowGroupReader: SplitReader {
    let table: ParquetSource
    let split: ParquetSource.Split
    let files: ParquetDatasetFiles
    let fileColumns: [String]
    let output: Schema
    let filter: Expr?
    let batchRows: Int
    let plannedBytes: Int64
    private var rows: RecordBatch?
    private var offset = 0
    private var done = false
    private(set) var bytesRead: Int64 = 0

    init(
        table: ParquetSource, split: ParquetSource.Split, files: ParquetDatasetFiles, fileColumns: [String], output: Schema,
        filter: Expr?, batchRows: Int, bytes: Int64
    ) {
        self.table = table
        self.split = split
        self.files = files
        self.fileColumns = fileColumns
        self.output = output
        self.filter = filter
        self.batchRows = batchRows
        self.plannedBytes = bytes
    }

    func next() async throws(SluiceError) -> SourceChunk? {
        if rows == nil, !done {
            rows = try load()
            bytesRead = plannedBytes
        }
        guard let all = rows, offset < all.count else {
            done = true
            rows = nil
            return nil
        }
        let n = min(batchRows, all.count - offset)
        let chunk = offset == 0 && n == all.count ? all : all.slice(offset, n)
        offset += n
        return SourceChunk(batch: chunk)
    }

    /// The whole row group: file columns, partition columns, filtered, in `output` order.
    /// Synchronous, for callers outside the runner (a join's lookup table).
    func load() throws(SluiceError) -> RecordBatch {
        let reader = try table.readers.reader(split.file)
        let read: RecordBatch
        do {
            read = try reader.readRowGroup(split.rowGroup, columns: fileColumns)
        } catch {
            throw SluiceError(error)
        }
        var fields = read.schema.fields
        var columns = read.columns
        let needed = Set(output.names).union(filter?.columnReferences ?? [])
        for (k, name) in files.names.enumerated() where needed.contains(name) {
            let v = files.scalar(file: split.file, column: k)
            let one = Column.make(files.types[k], [v])
            columns.append(one.take([Int32](repeating: 0, count: read.count)))
            fields.append(Field(name, files.types[k]))
        }
        var batch = RecordBatch(schema: Schema(fields), columns: columns, count: read.count, origin: read.origin)
        if let f = filter, batch.count > 0 {
            let bound = try BoundExpression(f, schema: batch.schema)
            let keep = try bound.evaluate(batch)
            var mask = [Bool](repeating: false, count: batch.count)
            for i in 0..<batch.count where keep.isValid(i) && keep.bool(at: i) { mask[i] = true }
            batch = batch.filter(mask)
        }
        let picked = output.names.compactMap { batch.schema.index(of: $0) }
        return RecordBatch(schema: output, columns: picked.map { batch.columns[$0] }, count: batch.count, origin: batch.origin)
    }
}
