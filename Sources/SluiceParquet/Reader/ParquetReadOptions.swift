import SluiceCore

/// How a `ParquetFileReader` maps and checks what it reads.
public struct ParquetReadOptions: Sendable, Hashable {
    /// Byte-array columns that every row group stores dictionary-encoded become `.dictionary`
    /// columns (indices plus the dictionary page, no per-row strings); false gives `.string` always.
    public var dictionaryStrings: Bool = true
    /// Verify the CRC-32 of pages that carry one.
    public var verifyChecksums: Bool = true
    /// The unit INT96 timestamps are read in; `.ns` overflows outside 1677...2262, so use `.us` for
    /// Spark files with dates outside that range.
    public var int96Unit: TimeUnit = .ns

    public init(dictionaryStrings: Bool = true, verifyChecksums: Bool = true, int96Unit: TimeUnit = .ns) {
        self.dictionaryStrings = dictionaryStrings
        self.verifyChecksums = verifyChecksums
        self.int96Unit = int96Unit
    }
}
