import SluiceCore

/// Files read whole and synchronously, on the calling thread, before a run starts: a join's
/// lookup table, or the slices of an incremental run's new files.
enum FileScan {
    case csv(CSVSource)
    case parquet(ParquetPipelineSource)

    /// Resolves a file source; `role` names what it is for in the error an API source gets.
    init(_ config: SourceConfig, role: String) throws(SluiceError) {
        switch config {
        case .csv(let c): self = .csv(try CSVSource.resolve(c))
        case .parquet(let c): self = .parquet(try ParquetPipelineSource.resolve(c))
        case .http(let c): throw c.location.error("\(role) is read from files; an API source cannot be one")
        }
    }

    var schema: Schema {
        switch self {
        case .csv(let s): s.schema
        case .parquet(let s): s.schema
        }
    }

    /// The files a file source reads, listed without opening them (no schema inference, no
    /// footers). A Parquet source's filter on folder values is not applied here.
    static func files(of config: SourceConfig) throws(SluiceError) -> [String] {
        switch config {
        case .csv(let c): try CSVSource.expand(c)
        case .parquet(let c): try ParquetDatasetFiles.resolve(c).files
        case .http(let c): throw c.location.error("an incremental input is read from files; an API source cannot be one")
        }
    }

    /// The columns a scan produces, after `projected(to:)`.
    var readSchema: Schema {
        switch self {
        case .csv(let s): s.readSchema
        case .parquet(let s): s.readSchema
        }
    }

    var files: [String] {
        switch self {
        case .csv(let s): s.files
        case .parquet(let s): s.inputs
        }
    }

    /// The same files, reading only `columns`.
    func projected(to columns: Set<String>) -> FileScan {
        switch self {
        case .csv(let s): .csv(s.projecting(columns))
        case .parquet(let s): .parquet(s.projecting(columns))
        }
    }

    /// Every batch of every file, in order, with the file it came from. `rejected` hears of each
    /// CSV row that does not parse, and may throw to stop.
    func scan(
        rejected: (RejectedRow) throws(SluiceError) -> Void, _ body: (String, RecordBatch) throws(SluiceError) -> Void
    ) throws(SluiceError) {
        switch self {
        case .parquet(let s):
            for unit in try s.plan() {
                for split in unit.splits {
                    guard let reader = try s.reader(for: split, batchRows: Int.max) as? ParquetRowGroupReader else { continue }
                    try body(unit.path, try reader.load())
                }
            }
        case .csv(let source):
            for file in source.files {
                for split in try source.plan(file) {
                    let reader = try source.reader(split, batchRows: 65_536)
                    while let chunk = try reader.next() {
                        for bad in chunk.rejects { try rejected(bad) }
                        try body(file, chunk.batch)
                    }
                }
            }
        }
    }
}
