import SluiceCore

/// How to read (and, for the delimiter, write) a CSV or TSV file.
public struct CSVOptions: Sendable {
    /// The field separator; any byte except the quote, CR and LF. `"\t"` for TSV.
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// The byte that opens and closes a quoted field; doubled inside one to stand for itself.
    public var quote: UInt8 = UInt8(ascii: "\"")
    /// Whether the first record holds column names.
    public var header: Bool = true
    /// Unquoted fields equal to one of these are null. A quoted `""` is an empty string for string
    /// columns and null for other types; an empty field is null for non-string types regardless.
    public var nullValues: [String] = [""]
    /// An explicit schema, matched by position; with a header, the names come from the schema.
    /// `nil` infers one from the first `inferenceRows` records.
    public var schema: Schema? = nil
    /// Records sampled for schema inference.
    public var inferenceRows: Int = 1000
    /// Rows per `RecordBatch`.
    public var batchRows: Int = 65_536
    /// What a bad row does: `.reject` turns it into a `RejectedRow` and reading goes on; `.fail` throws.
    public var onError: CSVErrorPolicy = .reject
    /// Whether the input is gzip-compressed; `.auto` looks at the `.gz` suffix and the magic bytes.
    public var compression: CSVCompression = .auto
    /// Target split size for large uncompressed files.
    public var splitBytes: Int = 32 << 20
    /// The schema fields to decode, as ascending indices into the schema; nil decodes them all.
    /// The reader's batches then hold only these fields, in schema order. Other fields are still
    /// delimited (quotes and the field count are checked) but never parsed, so a bad value in
    /// one of them does not reject its row.
    public var projection: [Int]? = nil

    public init() {}

    /// Throws when the options cannot describe a CSV dialect or a sane run.
    func validate() throws(SluiceError) {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        guard delimiter != quote else {
            throw .invalidArgument("CSV delimiter and quote must differ (both are byte \(delimiter))")
        }
        guard delimiter != lf, delimiter != cr, quote != lf, quote != cr else {
            throw .invalidArgument("CSV delimiter and quote cannot be CR or LF")
        }
        guard batchRows > 0 else { throw .invalidArgument("CSV batchRows must be positive, got \(batchRows)") }
        guard splitBytes > 0 else { throw .invalidArgument("CSV splitBytes must be positive, got \(splitBytes)") }
        guard inferenceRows >= 0 else {
            throw .invalidArgument("CSV inferenceRows cannot be negative, got \(inferenceRows)")
        }
    }
}

/// What happens to a row that cannot be decoded.
public enum CSVErrorPolicy: String, Sendable {
    /// The row becomes a `RejectedRow` and reading goes on.
    case reject
    /// Reading stops with `SluiceError.data`.
    case fail
}

/// Whether a CSV file is compressed.
public enum CSVCompression: String, Sendable {
    /// gzip when the name ends in `.gz` or the file starts with the gzip magic bytes.
    case auto
    case none
    case gzip
}
