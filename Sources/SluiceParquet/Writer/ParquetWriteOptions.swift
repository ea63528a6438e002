import SluiceCore

/// How a `ParquetWriter` lays out and compresses a file.
public struct ParquetWriteOptions: Sendable, Hashable {
    /// Codec for every page: `.zstd` (default), `.snappy`, `.gzip`, `.lz4Raw` or `.uncompressed`.
    public var compression: CompressionCodec = .zstd
    /// Level for zstd and gzip; nil picks 3 for zstd and 6 for gzip.
    public var compressionLevel: Int32? = nil
    /// Rows per row group: the unit readers parallelise over and skip by statistics.
    public var rowGroupRows: Int = 1 << 20
    /// Target size of a data page before compression.
    public var pageBytes: Int = 1 << 20
    /// 1 (DATA_PAGE, the most widely read) or 2 (DATA_PAGE_V2).
    public var dataPageVersion: Int = 1
    /// Dictionary-encode string columns, falling back to PLAIN for the rest of a column chunk once
    /// the dictionary exceeds `dictionaryPageBytes`.
    public var dictionary: Bool = true
    public var dictionaryPageBytes: Int = 1 << 20
    /// Encoding of int32/int64/date/timestamp columns: `.plain` or `.deltaBinaryPacked`.
    public var integerEncoding: Encoding = .plain
    /// Encoding of float32/float64 columns: `.plain` or `.byteStreamSplit`.
    public var floatEncoding: Encoding = .plain
    /// Columns written REQUIRED (no definition levels); a null in one of them is an error.
    /// Every other column is OPTIONAL.
    public var requiredColumns: Set<String> = []
    /// Store a CRC-32 in every page header.
    public var pageChecksums: Bool = true
    /// Extra key/value pairs for the footer.
    public var keyValueMetadata: [String: String] = [:]

    public init() {}

    var effectiveLevel: Int32 {
        if let l = compressionLevel { return l }
        return compression == .gzip ? 6 : 3
    }
}
