import SluiceCore
import SluiceHTTP

/// Spark's offsets/commits write-ahead log, for a watched folder: before a micro-batch runs,
/// `offsets/<id>` lists its files; after its last file committed, `commits/<id>` is written. A
/// restart that finds offsets without a commit runs that batch again, with the same id and the
/// files of it not committed yet.
///
/// The destination's ledger stays the truth about what is loaded (each file commits with its
/// ledger row, and the ledger row carries the batch id); the log only makes a re-run take the
/// same files under the same id instead of whatever is in the folder by then.
struct StreamCheckpointLog {
    let directory: String
    /// Batch files kept (Spark's `minBatchesToRetain`).
    static let retain: Int64 = 100

    /// A batch whose offsets were written.
    struct Entry: Equatable {
        var batch: Int64
        var files: [String]
    }

    init(directory: String) throws(SluiceError) {
        self.directory = directory
        for sub in ["offsets", "commits"] {
            do { try FileIO.makeDirectories(FileIO.join(directory, sub)) } catch {
                throw SluiceError.io(path: directory, message: error.message)
            }
        }
    }

    private func ids(_ sub: String) -> [Int64] {
        ((try? FileIO.listDirectory(FileIO.join(directory, sub))) ?? []).compactMap { Int64($0) }.sorted()
    }

    /// The highest batch id with offsets, and that batch when it has no commit yet.
    func recover() -> (last: Int64?, unfinished: Entry?) {
        guard let last = ids("offsets").last else { return (nil, nil) }
        if FileIO.exists(FileIO.join(FileIO.join(directory, "commits"), String(last))) { return (last, nil) }
        guard let text = try? FileIO.readText(FileIO.join(FileIO.join(directory, "offsets"), String(last))) else { return (last, nil) }
        var files: [String] = []
        for line in text.split(separator: "\n").dropFirst(2) {
            if let v = try? JSONValue.parse(Array(line.utf8)), let p = v["path"]?.text { files.append(p) }
        }
        return (last, Entry(batch: last, files: files))
    }

    /// Writes `offsets/<batch>`: `v1`, the batch line, one line per file.
    func begin(batch: Int64, files: [WatchedFile]) throws(SluiceError) {
        var s = "v1\n{\"batchId\":\(batch),\"batchTimestampMs\":\(WallClock.nanos() / 1_000_000)}\n"
        for f in files {
            s += "{\"path\":\(JSON.quote(f.path)),\"size\":\(f.size),\"timestamp\":\(f.modified / 1_000_000),\"batchId\":\(batch)}\n"
        }
        try write("offsets", batch, s)
    }

    /// Writes `commits/<batch>` and drops entries older than `retain` batches.
    func commit(batch: Int64) throws(SluiceError) {
        try write("commits", batch, "v1\n{\"batchId\":\(batch),\"committedAtMs\":\(WallClock.nanos() / 1_000_000)}\n")
        if batch % 10 == 0 {
            for sub in ["offsets", "commits"] {
                for id in ids(sub) where id <= batch - Self.retain { FileIO.remove(FileIO.join(FileIO.join(directory, sub), String(id))) }
            }
        }
    }

    private func write(_ sub: String, _ batch: Int64, _ text: String) throws(SluiceError) {
        // Write-then-rename, so a crash never leaves half an entry that a restart would misread.
        let path = FileIO.join(FileIO.join(directory, sub), String(batch))
        let tmp = FileIO.join(FileIO.join(directory, sub), ".\(batch).tmp")
        do {
            try FileIO.writeText(tmp, text)
        } catch {
            throw SluiceError.io(path: tmp, message: error.message)
        }
        guard rename(tmp, path) == 0 else { throw SluiceError.io(path: path, message: SystemError("rename").message) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
