/// Namespace for the Parquet file format: constants shared by the reader and the writer.
public enum Parquet {
    /// Every Parquet file starts and ends with these four bytes; the footer length sits just before the trailing copy.
    public static let magic: [UInt8] = Array("PAR1".utf8)
}
