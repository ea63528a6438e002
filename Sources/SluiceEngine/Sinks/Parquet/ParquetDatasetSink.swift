import SluiceCore
import SluiceParquet

/// Writes a folder of Parquet files, hive-partitioned when `partition_by` is set
/// (`year=2024/month=3/part-….parquet`), rolling to a new file by rows or bytes.
///
/// Delivery: the rows of one split go to files under hidden temporary names
/// (`.tmp-part-…`, which pyarrow, Spark and `*.parquet` globs all skip). `commit` closes and
/// fsyncs them, renames them into place, fsyncs their folders, and only then records the split
/// and its files in the dataset's ledger (`_sluice/ledger.sqlite`, one transaction). A crash
/// before that leaves files the ledger does not know; the next `open` deletes them (and any
/// leftover temporary file) before the split is written again under the same name, so a re-run
/// neither loses nor duplicates rows.
///
/// File names are `part-<pipeline>-<sequence>-<n>.parquet`: the sequence grows by one per
/// committed split, `n` counts the split's files. Only files of this pattern and this pipeline
/// are ever deleted, so other files in the folder are left alone.
public final class ParquetDatasetSink: Sink, @unchecked Sendable {
    let config: ParquetDatasetSinkConfig
    /// Each commit replaces everything earlier runs committed (an aggregating pipeline, which
    /// recomputes its whole output every run).
    let replacing: Bool
    var ledger: DatasetLedger?
    var partitioner: DatasetPartitioner?
    var pipeline = ""
    /// Sequence number of the split being written.
    var sequence: Int64 = 1
    /// Files of the current split so far.
    var fileCount = 0
    /// The file being filled in each partition folder.
    var current: [String: OpenDatasetFile] = [:]
    /// Files of the current split already closed and synced, not yet renamed or committed.
    var finished: [OpenDatasetFile] = []
    /// Folders whose entries must be synced at commit (parents of folders created by this split).
    var foldersToSync: Set<String> = []

    /// A sink for `config`; `replacing` makes every commit replace what earlier runs wrote.
    public init(_ config: ParquetDatasetSinkConfig, replacing: Bool = false) {
        self.config = config
        self.replacing = replacing
    }

    public var label: String { "parquet \(config.path)" }

    func openLedger() throws(SluiceError) -> DatasetLedger {
        if let l = ledger { return l }
        let l = try DatasetLedger(dataset: config.path)
        ledger = l
        return l
    }

    public func open(schema: Schema, pipeline: String, recovering: Checkpoint?, fullRefresh: Bool) throws(SluiceError) {
        self.pipeline = pipeline
        partitioner = try DatasetPartitioner(config: config, output: schema)
        let l = try openLedger()
        if fullRefresh {
            for f in try l.files(pipeline: pipeline) { DurableFiles.remove(FileIO.join(config.path, f)) }
            try l.forget(pipeline: pipeline)
        }
        try removeUncommitted(ledger: l)
        sequence = try l.lastFileSequence(pipeline: pipeline) + 1
    }

    /// Deletes this pipeline's temporary files and its renamed files that no commit recorded:
    /// what a crash between writing and recording leaves behind.
    func removeUncommitted(ledger: DatasetLedger) throws(SluiceError) {
        let committed = Set(try ledger.files(pipeline: pipeline))
        var touched = Set<String>()
        for rel in DurableFiles.walk(config.path, skip: [DatasetLedger.folder]) {
            let name = FileIO.basename(rel)
            let stray: Bool
            if name.hasPrefix(".tmp-") {
                stray = DatasetFileName.parse(String(name.dropFirst(5)), pipeline: pipeline) != nil
            } else {
                stray = DatasetFileName.parse(name, pipeline: pipeline) != nil && !committed.contains(rel)
            }
            guard stray else { continue }
            let abs = FileIO.join(config.path, rel)
            DurableFiles.remove(abs)
            touched.insert(FileIO.dirname(abs))
        }
        for folder in touched { try DurableFiles.syncDirectory(folder) }
    }

    public func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint] {
        try openLedger().committedSplits(pipeline: pipeline)
    }

    public func write(_ batch: RecordBatch) throws(SluiceError) {
        guard let p = partitioner else { throw SluiceError.sink("\(label): write before open") }
        for (folder, rows) in try p.split(batch) where rows.count > 0 {
            try append(rows, to: folder)
        }
    }

    /// Appends to the folder's current file, starting a new one whenever `max_file_rows` or
    /// `max_file_bytes` is reached.
    func append(_ rows: RecordBatch, to folder: String) throws(SluiceError) {
        var start = 0
        while start < rows.count {
            let file = try currentFile(folder, schema: rows.schema)
            var n = rows.count - start
            if let limit = config.maxFileRows { n = min(n, limit - file.rows) }
            do {
                try file.writer.write(start == 0 && n == rows.count ? rows : rows.slice(start, n))
            } catch {
                throw SluiceError(error)
            }
            file.rows += n
            start += n
            let full = config.maxFileRows.map { file.rows >= $0 } ?? false
            let large = config.maxFileBytes.map { file.writer.bytesWritten >= $0 } ?? false
            if full || large { try finish(folder) }
        }
    }

    func currentFile(_ folder: String, schema: Schema) throws(SluiceError) -> OpenDatasetFile {
        if let f = current[folder] { return f }
        let dir = folder.isEmpty ? config.path : FileIO.join(config.path, folder)
        for parent in try DurableFiles.makeFolders(dir) { foldersToSync.insert(parent) }
        let name = DatasetFileName.make(pipeline: pipeline, sequence: sequence, file: fileCount)
        fileCount += 1
        let relative = folder.isEmpty ? name : folder + "/" + name
        let temporary = FileIO.join(dir, ".tmp-" + name)
        let fd = try DurableFiles.create(temporary)
        let writer: ParquetWriter
        do {
            writer = try ParquetWriter(fileDescriptor: fd, name: temporary, schema: schema, options: config.write)
        } catch {
            DurableFiles.closeQuietly(fd)
            DurableFiles.remove(temporary)
            throw SluiceError(error)
        }
        let f = OpenDatasetFile(writer: writer, fd: fd, temporary: temporary, final: FileIO.join(dir, name), relative: relative)
        current[folder] = f
        return f
    }

    /// Writes the footer of the folder's current file and syncs it; it is renamed at commit.
    func finish(_ folder: String) throws(SluiceError) {
        guard let f = current.removeValue(forKey: folder) else { return }
        finished.append(f)
        do {
            try f.writer.close()
        } catch {
            throw SluiceError(error)
        }
        let fd = f.fd
        f.fd = -1
        try DurableFiles.syncAndClose(fd, path: f.temporary)
    }

    public func prepareCommit() throws(SluiceError) -> [String: Int64] {
        for folder in current.keys.sorted() { try finish(folder) }
        return [:]
    }

    public func commit(_ split: SplitCommit) throws(SluiceError) {
        let l = try openLedger()
        for folder in current.keys.sorted() { try finish(folder) }
        var folders = foldersToSync
        for f in finished {
            try DurableFiles.rename(f.temporary, to: f.final)
            f.renamed = true
            folders.insert(FileIO.dirname(f.final))
        }
        // Deepest first, so a new folder's own entries are durable before its parent names it.
        for folder in folders.sorted(by: { $0.count > $1.count }) { try DurableFiles.syncDirectory(folder) }
        let replaced = try l.record(split, files: finished.map { ($0.relative, $0.rows) }, sequence: sequence, replacing: replacing)
        for r in replaced { DurableFiles.remove(FileIO.join(config.path, r)) }
        finished.removeAll()
        foldersToSync.removeAll()
        sequence += 1
        fileCount = 0
    }

    public func rollback() {
        for f in Array(current.values) + finished {
            if f.fd >= 0 { DurableFiles.closeQuietly(f.fd) }
            DurableFiles.remove(f.renamed ? f.final : f.temporary)
        }
        current.removeAll()
        finished.removeAll()
        foldersToSync.removeAll()
        fileCount = 0
    }

    public func close() throws(SluiceError) {
        rollback()
        ledger = nil
    }
}

/// A file of the split being written: its writer, descriptor and names.
final class OpenDatasetFile {
    let writer: ParquetWriter
    var fd: Int32
    let temporary: String
    let final: String
    /// The final path relative to the dataset, as the ledger records it.
    let relative: String
    var rows = 0
    var renamed = false

    init(writer: ParquetWriter, fd: Int32, temporary: String, final: String, relative: String) {
        self.writer = writer
        self.fd = fd
        self.temporary = temporary
        self.final = final
        self.relative = relative
    }
}

/// `part-<pipeline>-<sequence, 8 digits>-<file, 4 digits>.parquet`.
enum DatasetFileName {
    static func make(pipeline: String, sequence: Int64, file: Int) -> String {
        "part-\(pipeline)-\(pad(Int(sequence), 8))-\(pad(file, 4)).parquet"
    }

    /// The sequence and file number when `name` is a file of `pipeline`.
    static func parse(_ name: String, pipeline: String) -> (sequence: Int64, file: Int)? {
        let prefix = "part-\(pipeline)-"
        guard name.hasPrefix(prefix), name.hasSuffix(".parquet") else { return nil }
        let middle = name.dropFirst(prefix.count).dropLast(".parquet".count)
        let parts = middle.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigitCharacter) }),
            let s = Int64(parts[0]), let f = Int(parts[1])
        else { return nil }
        return (s, f)
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
