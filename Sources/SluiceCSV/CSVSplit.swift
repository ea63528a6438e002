/// A byte range of one file that starts and ends at record boundaries: the unit of parallel
/// parsing and of checkpointing. Gzip files are one split covering the whole compressed file.
public struct CSVSplit: Sendable, Hashable {
    public let path: String
    /// Byte offset of the split's first record (past the BOM and header for the first split).
    public let start: Int64
    /// Exclusive end offset; the byte before it ends a record (or it is the end of the file).
    public let end: Int64
    /// The 1-based physical line on which the split's first record starts.
    public let firstLine: Int
    /// 0-based position of the split within its file.
    public let index: Int
    public let fileSize: Int64
    /// Modification time in nanoseconds since the epoch, so a rewritten file gets new split ids.
    public let modified: Int64

    public init(
        path: String, start: Int64, end: Int64, firstLine: Int, index: Int, fileSize: Int64, modified: Int64
    ) {
        self.path = path
        self.start = start
        self.end = end
        self.firstLine = firstLine
        self.index = index
        self.fileSize = fileSize
        self.modified = modified
    }

    /// Stable across runs for an unchanged file; changes when the file's size or mtime does.
    public var id: String { "\(path)#\(fileSize)-\(modified)#\(start)-\(end)" }

    /// Bytes of the file this split covers.
    public var length: Int64 { end - start }
}
