import SluiceCore
import SluiceParquet

/// Writes one Parquet file (`sink: {type: parquet, file: out.parquet}`, `sluice convert … out.parquet`).
///
/// A Parquet file cannot be appended to after its footer, so the file is rebuilt on every run:
/// rows go to a hidden temporary file beside the target, and only `close` after a run without
/// errors writes the footer, syncs, and renames it into place. Its ledger is always empty, so a
/// re-run reads all input again and a failed run leaves the previous file untouched.
public final class ParquetFileSink: Sink, @unchecked Sendable {
    let config: ParquetDatasetSinkConfig
    var file: OpenDatasetFile?
    var failed = false

    /// A sink writing the single file `config.path`.
    public init(_ config: ParquetDatasetSinkConfig) {
        self.config = config
    }

    public var label: String { "parquet \(config.path)" }

    public func open(schema: Schema, pipeline: String, recovering: Checkpoint?, fullRefresh: Bool) throws(SluiceError) {
        let dir = FileIO.dirname(config.path)
        _ = try DurableFiles.makeFolders(dir)
        let name = FileIO.basename(config.path)
        let temporary = FileIO.join(dir, ".tmp-" + name)
        let fd = try DurableFiles.create(temporary)
        do {
            let writer = try ParquetWriter(fileDescriptor: fd, name: temporary, schema: schema, options: config.write)
            file = OpenDatasetFile(writer: writer, fd: fd, temporary: temporary, final: config.path, relative: name)
        } catch {
            DurableFiles.closeQuietly(fd)
            DurableFiles.remove(temporary)
            throw SluiceError(error)
        }
    }

    public func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint] { [:] }

    public func write(_ batch: RecordBatch) throws(SluiceError) {
        guard let f = file else { throw SluiceError.sink("\(label): write before open") }
        do {
            try f.writer.write(batch)
        } catch {
            throw SluiceError(error)
        }
        f.rows += batch.count
    }

    public func prepareCommit() throws(SluiceError) -> [String: Int64] { [:] }

    public func commit(_ split: SplitCommit) throws(SluiceError) {}

    public func rollback() {
        failed = true
    }

    public func close() throws(SluiceError) {
        guard let f = file else { return }
        file = nil
        if failed || Task.isCancelled {
            DurableFiles.closeQuietly(f.fd)
            DurableFiles.remove(f.temporary)
            return
        }
        do {
            try f.writer.close()
        } catch {
            DurableFiles.closeQuietly(f.fd)
            DurableFiles.remove(f.temporary)
            throw SluiceError(error)
        }
        do {
            try DurableFiles.syncAndClose(f.fd, path: f.temporary)
            try DurableFiles.rename(f.temporary, to: f.final)
            try DurableFiles.syncDirectory(FileIO.dirname(f.final))
        } catch {
            DurableFiles.remove(f.temporary)
            throw error
        }
    }
}
