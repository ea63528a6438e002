import SluiceCSV
import SluiceCore
import Synchronization

/// A file (or files) read directly, without a pipeline file: what `inspect`, `cat` and `convert`
/// open. Format options come from flags or are sniffed from the first line.
public struct FileTable: Sendable {
    var source: CSVSource
    /// The schema of the rows this table yields (only the chosen columns after `selecting`).
    public var schema: Schema { source.readSchema }
    /// The schema of the files.
    public var fileSchema: Schema { source.schema }
    public var files: [String] { source.files }
    public var options: CSVOptions { source.config.options }

    /// Opens `paths` (globs allowed) as CSV/TSV. A missing file is an error naming it.
    public init(paths: [String], options: CSVOptions) throws(SluiceError) {
        for p in paths where !p.contains(where: { "*?[".contains($0) }) {
            if !FileIO.exists(p) { throw SluiceError.io(path: p, message: "file not found") }
            if FileIO.isDirectory(p) { throw SluiceError.io(path: p, message: "is a directory (give a file or a glob such as \(p)/*.csv)") }
        }
        let loc = ConfigLocation(file: "<command line>", line: 1, column: 1, key: "input")
        do {
            source = try CSVSource.resolve(CSVSourceConfig(paths: paths, options: options, location: loc))
        } catch {
            if case let .config(_, _, _, _, message) = error { throw SluiceError.invalidArgument(message) }
            throw error
        }
    }

    /// Only these columns (in file order) are parsed and returned; unknown names are an error.
    public func selecting(_ names: [String]) throws(SluiceError) -> FileTable {
        for n in names where source.schema.index(of: n) == nil {
            throw SluiceError.invalidArgument(
                "unknown column '\(n)'\(Suggest.didYouMean(n, source.schema.names)) (columns: \(source.schema.names.joined(separator: ", ")))")
        }
        var t = self
        t.source = source.projected(to: Set(names))
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

    /// Streams rows in file order, up to `limit`, one batch at a time (memory stays bounded).
    public func forEachBatch(
        limit: Int = Int.max, batchRows: Int = 8192, _ body: (RecordBatch, [RejectedRow]) throws(SluiceError) -> Void
    ) throws(SluiceError) {
        var have = 0
        for f in files {
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
    }

    /// Reads every row on `workers` workers; each folds its batches into its own partial result
    /// (no locks on the data path), and the partials come back for the caller to merge.
    public func scan<Partial: Sendable>(
        workers: Int, batchRows: Int = 65_536, initial: @escaping @Sendable () -> Partial,
        fold: @escaping @Sendable (inout Partial, RecordBatch) -> Void
    ) async throws -> (partials: [Partial], rejects: [RejectedRow], rejected: Int, bytes: Int) {
        var splits: [CSVSplit] = []
        for f in files { splits += try source.plan(f) }
        let all = splits
        let queue = SplitQueue()
        let src = source
        return try await withThrowingTaskGroup(of: (Partial, [RejectedRow], Int, Int).self) { group in
            for _ in 0..<max(1, min(workers, all.count)) {
                group.addTask {
                    var partial = initial()
                    var rejects: [RejectedRow] = []
                    var rejected = 0
                    var bytes = 0
                    while true {
                        try Task.checkCancellation()
                        let k = queue.next.add(1, ordering: .relaxed).oldValue
                        guard k < all.count else { break }
                        let reader = try src.reader(all[k], batchRows: batchRows)
                        while let chunk = try reader.next() {
                            fold(&partial, chunk.batch)
                            rejected += chunk.rejects.count
                            if rejects.count < 100 { rejects += chunk.rejects.prefix(100 - rejects.count) }
                        }
                        bytes += Int(reader.bytesRead)
                    }
                    return (partial, rejects, rejected, bytes)
                }
            }
            var partials: [Partial] = []
            var rejects: [RejectedRow] = []
            var rejected = 0
            var bytes = 0
            for try await (p, r, n, b) in group {
                partials.append(p)
                rejects += r
                rejected += n
                bytes += b
            }
            rejects.sort { ($0.file, $0.line ?? 0) < ($1.file, $1.line ?? 0) }
            return (partials, rejects, rejected, bytes)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
