import SluiceCSV
import SluiceCore
import SluiceParquet
import Synchronization

/// A file (or files) read directly, without a pipeline file: what `inspect`, `cat` and `convert`
/// open. CSV/TSV format options come from flags or are sniffed from the first line; Parquet
/// files (by extension or by their `PAR1` magic) carry their own schema.
public struct FileTable: Sendable {
    /// How the files are stored.
    public enum Format: String, Sendable {
        case csv, parquet
    }

    enum Backing: Sendable {
        case csv(CSVSource)
        case parquet(ParquetSource)
    }

    var backing: Backing

    public var format: Format {
        switch backing {
        case .csv: .csv
        case .parquet: .parquet
        }
    }

    /// The schema of the rows this table yields (only the chosen columns after `selecting`).
    public var schema: Schema {
        switch backing {
        case .csv(let s): s.readSchema
        case .parquet(let s): s.readSchema
        }
    }

    /// The schema of the files (for Parquet: the columns Sluice can read; nested ones left out).
    public var fileSchema: Schema {
        switch backing {
        case .csv(let s): s.schema
        case .parquet(let s): s.schema
        }
    }

    public var files: [String] {
        switch backing {
        case .csv(let s): s.files
        case .parquet(let s): s.files
        }
    }

    /// The CSV settings the files are read with; the defaults for Parquet, which has none.
    public var options: CSVOptions {
        switch backing {
        case .csv(let s): s.config.options
        case .parquet: CSVOptions()
        }
    }

    /// The number of rows when the files record it without being read (Parquet footers).
    public var recordedRowCount: Int? {
        switch backing {
        case .csv: nil
        case .parquet(let s): s.rowCount
        }
    }

    /// Parquet columns left out of `fileSchema` because Sluice cannot read them yet (nested
    /// ones), with the reason; selecting one by name is an error.
    public var unreadableColumns: [(name: String, reason: String)] {
        guard case .parquet(let s) = backing else { return [] }
        let r = s.readers.first
        return zip(r.columnNames, r.fieldTypes).compactMap { name, type in
            if case .failure(let e) = type { return (name, e.message) }
            return nil
        }
    }

    /// Opens `paths` (globs allowed): Parquet when the files are Parquet, else CSV/TSV read with
    /// `options`. A missing file is an error naming it; so is a mix of Parquet and other files.
    public init(paths: [String], options: CSVOptions) throws(SluiceError) {
        for p in paths where !p.contains(where: { "*?[".contains($0) }) {
            if !FileIO.exists(p) { throw SluiceError.io(path: p, message: "file not found") }
            if FileIO.isDirectory(p) { throw SluiceError.io(path: p, message: "is a directory (give a file or a glob such as \(p)/*.csv)") }
        }
        let matched = Self.expand(paths)
        let isParquet = matched.map { ParquetSource.isParquet(path: $0) }
        if let p = isParquet.firstIndex(of: true) {
            if let other = isParquet.firstIndex(of: false) {
                throw SluiceError.invalidArgument("\(matched[other]) is not Parquet but \(matched[p]) is: one table reads files of one format")
            }
            backing = .parquet(try ParquetSource.open(matched))
            return
        }
        let loc = ConfigLocation(file: "<command line>", line: 1, column: 1, key: "input")
        do {
            backing = .csv(try CSVSource.resolve(CSVSourceConfig(paths: paths, options: options, location: loc)))
        } catch {
            if case let .config(_, _, _, _, message) = error { throw SluiceError.invalidArgument(message) }
            throw error
        }
    }

    /// The format `path` (a file or a glob) would be opened as; CSV when nothing matches.
    public static func format(of path: String) -> Format {
        guard let first = Glob.expand(path).first else { return .csv }
        return ParquetSource.isParquet(path: first) ? .parquet : .csv
    }

    private static func expand(_ paths: [String]) -> [String] {
        var files: [String] = []
        for p in paths {
            for f in Glob.expand(p) where !files.contains(f) { files.append(f) }
        }
        return files
    }

    /// Only these columns (in file order) are read and returned; unknown names are an error, and
    /// so is a Parquet column Sluice cannot read (nested), only when it is named here.
    public func selecting(_ names: [String]) throws(SluiceError) -> FileTable {
        var t = self
        switch backing {
        case .csv(let source):
            for n in names where source.schema.index(of: n) == nil {
                throw SluiceError.invalidArgument(
                    "unknown column '\(n)'\(Suggest.didYouMean(n, source.schema.names)) (columns: \(source.schema.names.joined(separator: ", ")))")
            }
            t.backing = .csv(source.projecting(Set(names)))
        case .parquet(let source):
            t.backing = .parquet(try source.projected(to: names))
        }
        return t
    }

    /// Guesses the delimiter from the first line: the most frequent of tab, comma, semicolon and
    /// pipe outside quotes; comma when none occurs. Gzip files are judged by their name (`.tsv.gz`).
    public static func sniffDelimiter(path: String) -> UInt8 {
        let lower = path.lowercased()
        if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") || lower.hasSuffix(".tsv.gz") { return 9 }
        if lower.hasSuffix(".gz") { return UInt8(ascii: ",") }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return UInt8(ascii: ",") }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
        guard n > 0 else { return UInt8(ascii: ",") }
        var counts: [UInt8: Int] = [9: 0, 44: 0, 59: 0, 124: 0]
        var quoted = false
        for b in buf[0..<n] {
            if b == 34 { quoted.toggle(); continue }
            if quoted { continue }
            if b == 10 { break }
            if counts[b] != nil { counts[b, default: 0] += 1 }
        }
        let best = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }
        return (best?.value ?? 0) > 0 ? (best?.key ?? 44) : 44
    }

    /// The first rows (up to `limit`) in file order, with the rows rejected on the way.
    public func head(_ limit: Int, batchRows: Int = 8192) throws(SluiceError) -> (batches: [RecordBatch], rejects: [RejectedRow]) {
        var out: [RecordBatch] = []
        var rejects: [RejectedRow] = []
        try forEachBatch(limit: limit, batchRows: batchRows) { b, r in
            if b.count > 0 { out.append(b) }
            rejects += r
        }
        return (out, rejects)
    }

    /// Streams rows in file order, up to `limit`, one batch at a time (memory stays bounded: for
    /// Parquet, by one row group).
    public func forEachBatch(
        limit: Int = Int.max, batchRows: Int = 8192, _ body: (RecordBatch, [RejectedRow]) throws(SluiceError) -> Void
    ) throws(SluiceError) {
        var have = 0
        switch backing {
        case .csv(let source):
            for f in source.files {
                for split in try source.plan(f) {
                    let reader = try source.reader(split, batchRows: min(batchRows, max(limit, 1)))
                    while have < limit, let chunk = try reader.next() {
                        let take = min(chunk.batch.count, limit - have)
                        try body(take == chunk.batch.count ? chunk.batch : chunk.batch.slice(0, take), chunk.rejects)
                        have += take
                    }
                    if have >= limit { return }
                }
            }
        case .parquet(let source):
            let step = max(batchRows, 1)
            for split in source.splits where split.rows > 0 {
                if have >= limit { return }
                let group = try source.read(split)
                var start = 0
                while start < group.count, have < limit {
                    let take = min(step, group.count - start, limit - have)
                    try body(take == group.count ? group : group.slice(start, take), [])
                    start += take
                    have += take
                }
            }
        }
    }

    /// Reads every row on `workers` workers; each folds its batches into its own partial result
    /// (no locks on the data path), and the partials come back for the caller to merge. The units
    /// of work are CSV byte ranges or Parquet row groups; `bytes` counts what was read (for
    /// Parquet: the compressed column chunks).
    public func scan<Partial: Sendable>(
        workers: Int, batchRows: Int = 65_536, initial: @escaping @Sendable () -> Partial,
        fold: @escaping @Sendable (inout Partial, RecordBatch) -> Void
    ) async throws -> (partials: [Partial], rejects: [RejectedRow], rejected: Int, bytes: Int) {
        switch backing {
        case .csv(let source):
            var splits: [CSVSplit] = []
            for f in source.files { splits += try source.plan(f) }
            let all = splits
            return try await Self.runWorkers(units: all.count, workers: workers, initial: initial) { k, partial, tally in
                let reader = try source.reader(all[k], batchRows: batchRows)
                while let chunk = try reader.next() {
                    fold(&partial, chunk.batch)
                    tally.rejected += chunk.rejects.count
                    if tally.rejects.count < 100 { tally.rejects += chunk.rejects.prefix(100 - tally.rejects.count) }
                }
                tally.bytes += Int(reader.bytesRead)
            }
        case .parquet(let source):
            // An empty row group has nothing to read, and writers lay out its chunks oddly
            // (pyarrow gives a data page offset of 0), so it is not read at all.
            let all = source.splits.filter { $0.rows > 0 }
            return try await Self.runWorkers(units: all.count, workers: workers, initial: initial) { k, partial, tally in
                fold(&partial, try source.read(all[k]))
                tally.bytes += try source.bytes(of: all[k])
            }
        }
    }

    /// What one scan worker collects besides its partial.
    struct WorkerTally: Sendable {
        var rejects: [RejectedRow] = []
        var rejected = 0
        var bytes = 0
    }

    /// Runs `min(workers, units)` workers that take units `0..<units` in order from a shared
    /// counter until none is left, then merges their tallies.
    private static func runWorkers<Partial: Sendable>(
        units: Int, workers: Int, initial: @escaping @Sendable () -> Partial,
        work: @escaping @Sendable (Int, inout Partial, inout WorkerTally) throws -> Void
    ) async throws -> (partials: [Partial], rejects: [RejectedRow], rejected: Int, bytes: Int) {
        let queue = SplitQueue()
        return try await withThrowingTaskGroup(of: (Partial, WorkerTally).self) { group in
            for _ in 0..<max(1, min(workers, units)) {
                group.addTask {
                    var partial = initial()
                    var tally = WorkerTally()
                    while true {
                        try Task.checkCancellation()
                        let k = queue.next.add(1, ordering: .relaxed).oldValue
                        guard k < units else { break }
                        try work(k, &partial, &tally)
                    }
                    return (partial, tally)
                }
            }
            var partials: [Partial] = []
            var rejects: [RejectedRow] = []
            var rejected = 0
            var bytes = 0
            for try await (p, t) in group {
                partials.append(p)
                rejects += t.rejects
                rejected += t.rejected
                bytes += t.bytes
            }
            rejects.sort { ($0.file, $0.line ?? 0) < ($1.file, $1.line ?? 0) }
            return (partials, rejects, rejected, bytes)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
