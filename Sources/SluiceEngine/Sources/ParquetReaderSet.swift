import SluiceCore
import SluiceParquet
import Synchronization

/// The readers of a Parquet source's files. The first stays open (its schema names the table);
/// the others are opened when a plan or a split needs them, and only the last few are kept, so
/// a dataset of thousands of small files does not hold every footer and file descriptor for the
/// whole run: 720 daily files held 46 MB of footers that way, more with every day.
final class ParquetReaderSet: Sendable {
    let files: [String]
    let options: ParquetReadOptions
    let first: ParquetFileReader
    private let recent = Mutex<[(index: Int, reader: ParquetFileReader)]>([])
    /// Readers kept besides the first: a few per worker.
    static let kept = 8

    init(files: [String], options: ParquetReadOptions, first: ParquetFileReader) {
        self.files = files
        self.options = options
        self.first = first
    }

    var count: Int { files.count }

    /// The reader of file `i`.
    func reader(_ i: Int) throws(SluiceError) -> ParquetFileReader {
        if i == 0 { return first }
        if let r = recent.withLock({ list in list.first { $0.index == i }?.reader }) { return r }
        let r = try Self.open(files[i], options: options)
        recent.withLock { list in
            list.removeAll { $0.index == i }
            list.append((i, r))
            if list.count > Self.kept { list.removeFirst(list.count - Self.kept) }
        }
        return r
    }

    /// Every file's reader in order, each opened for the call only (planning, checks).
    func forEach(_ body: (Int, ParquetFileReader) throws(SluiceError) -> Void) throws(SluiceError) {
        for i in files.indices { try body(i, try reader(i)) }
    }

    static func open(_ path: String, options: ParquetReadOptions) throws(SluiceError) -> ParquetFileReader {
        do {
            return try ParquetFileReader(path: path, options: options)
        } catch {
            throw SluiceError(error)
        }
    }
}
