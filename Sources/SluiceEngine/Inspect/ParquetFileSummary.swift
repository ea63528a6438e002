import SluiceCore
import SluiceParquet

/// What `sluice inspect` shows of a Parquet file, taken from its footer alone (no data page is
/// read): the schema as Parquet stores it and as Sluice reads it, and per row group the sizes,
/// codecs, encodings and statistics of every column chunk.
public struct ParquetFileSummary: Sendable {
    /// A top-level column of the file.
    public struct ColumnInfo: Sendable, Equatable {
        public var name: String
        /// The Sluice type it reads as; nil when it cannot be read (see `unsupported`).
        public var type: DataType?
        /// Why the column cannot be read (for example "nested struct"); nil when it can.
        public var unsupported: String?
        /// For a list of primitives, read as its JSON text in a `string` column: the elements' type.
        public var listElement: DataType?
        /// `INT64`, `BYTE_ARRAY`, `FIXED_LEN_BYTE_ARRAY(16)`; `group` for nested columns.
        public var physical: String
        /// The logical (or legacy converted) type: `STRING`, `TIMESTAMP(MICROS, UTC)`, `DECIMAL(9,2)`.
        public var logical: String?
        /// `required`, `optional` or `repeated`.
        public var repetition: String
    }

    /// One column chunk of one row group.
    public struct ChunkInfo: Sendable, Equatable {
        /// The leaf path, dotted for nested columns.
        public var column: String
        public var codec: String
        public var encodings: [String]
        public var compressedBytes: Int
        public var uncompressedBytes: Int
        /// Values stored, nulls included (and repeated entries for nested columns).
        public var values: Int
        public var nullCount: Int?
        public var distinctCount: Int?
        /// Bounds as the column's values; nil when the writer stored none or they cannot be
        /// trusted (NaN bounds, legacy unsigned orders).
        public var min: Scalar?
        public var max: Scalar?
        /// False when the writer truncated the bound (long strings).
        public var minExact: Bool
        public var maxExact: Bool
    }

    /// One row group.
    public struct RowGroupInfo: Sendable, Equatable {
        public var index: Int
        public var rows: Int
        public var compressedBytes: Int
        public var uncompressedBytes: Int
        public var chunks: [ChunkInfo]
    }

    public var file: String
    public var fileBytes: Int
    public var createdBy: String?
    public var formatVersion: Int
    public var rows: Int
    public var columns: [ColumnInfo]
    public var rowGroups: [RowGroupInfo]
    /// Keys of the file's key-value metadata (values can be large, such as `ARROW:schema`).
    public var metadataKeys: [String]

    /// Summarises `reader`'s footer; chunks of top-level columns outside `only` (when given)
    /// are left out.
    init(_ reader: ParquetFileReader, only: Set<String>?) {
        let meta = reader.metadata
        file = reader.name
        fileBytes = Int(clamping: FileIO.fileSize(reader.name) ?? 0)
        createdBy = meta.createdBy
        formatVersion = Int(meta.version)
        rows = Int(clamping: meta.numRows)
        metadataKeys = (meta.keyValueMetadata ?? []).map(\.key)
        let schema = reader.parquetSchema
        columns = zip(schema.fields, reader.fieldTypes).enumerated().map { i, pair in
            let (f, type) = pair
            var info = ColumnInfo(
                name: f.name, type: nil, unsupported: nil, listElement: reader.listElementTypes[i],
                physical: f.nestedKind == nil ? Self.physicalText(f.element) : "group",
                logical: Self.logicalText(f.element), repetition: Self.repetitionText(f.element.repetition))
            switch type {
            case .success(let t): info.type = t
            case .failure(let e): info.unsupported = f.nestedKind.map { $0.hasPrefix("nested") ? $0 : "nested \($0)" } ?? e.message
            }
            return info
        }
        rowGroups = meta.rowGroups.enumerated().map { g, group in
            var info = RowGroupInfo(index: g, rows: Int(clamping: group.numRows), compressedBytes: 0, uncompressedBytes: 0, chunks: [])
            for leaf in schema.leaves {
                let chunk = group.columns[leaf.index]
                let m = chunk.metaData
                info.compressedBytes += Int(clamping: m?.totalCompressedSize ?? 0)
                info.uncompressedBytes += Int(clamping: m?.totalUncompressedSize ?? 0)
                let top = schema.fields[leaf.topLevelIndex]
                if let only, !only.contains(top.name) { continue }
                var c = ChunkInfo(
                    column: leaf.dottedPath, codec: m?.codec.description ?? "?",
                    encodings: (m?.encodings ?? []).map(\.description),
                    compressedBytes: Int(clamping: m?.totalCompressedSize ?? 0),
                    uncompressedBytes: Int(clamping: m?.totalUncompressedSize ?? 0),
                    values: Int(clamping: m?.numValues ?? 0),
                    nullCount: m?.statistics?.nullCount.map { Int(clamping: $0) },
                    distinctCount: m?.statistics?.distinctCount.map { Int(clamping: $0) },
                    min: nil, max: nil, minExact: true, maxExact: true)
                if top.isFlat, let s = (try? reader.statistics(rowGroup: g, column: top.name)).flatMap({ $0 }) {
                    c.min = s.min
                    c.max = s.max
                    c.minExact = s.isMinExact
                    c.maxExact = s.isMaxExact
                }
                info.chunks.append(c)
            }
            return info
        }
    }

    static func physicalText(_ e: SchemaElement) -> String {
        guard let t = e.type else { return "group" }
        if t == .fixedLenByteArray, let n = e.typeLength { return "\(t)(\(n))" }
        return t.description
    }

    static func repetitionText(_ r: Repetition?) -> String {
        switch r ?? .required {
        case .optional: "optional"
        case .repeated: "repeated"
        default: "required"
        }
    }

    /// The logical type as the Parquet specification spells it, or the legacy converted type
    /// when the writer stored only that.
    static func logicalText(_ e: SchemaElement) -> String? {
        if let l = e.logicalType {
            func unit(_ u: LogicalType.Unit) -> String {
                switch u {
                case .millis: "MILLIS"
                case .micros: "MICROS"
                case .nanos: "NANOS"
                }
            }
            switch l {
            case .string: return "STRING"
            case .map: return "MAP"
            case .list: return "LIST"
            case .enumType: return "ENUM"
            case let .decimal(scale, precision): return "DECIMAL(\(precision),\(scale))"
            case .date: return "DATE"
            case let .time(utc, u): return "TIME(\(unit(u))\(utc ? ", UTC" : ""))"
            case let .timestamp(utc, u): return "TIMESTAMP(\(unit(u))\(utc ? ", UTC" : ""))"
            case let .integer(bits, signed): return "\(signed ? "INT" : "UINT")(\(bits))"
            case .unknown: return "UNKNOWN"
            case .json: return "JSON"
            case .bson: return "BSON"
            case .uuid: return "UUID"
            case .float16: return "FLOAT16"
            case .other(let id): return "LogicalType(\(id))"
            }
        }
        guard let c = e.convertedType else { return nil }
        let names = [
            "UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS", "TIME_MICROS",
            "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16",
            "INT_32", "INT_64", "JSON", "BSON", "INTERVAL",
        ]
        let name = c.rawValue >= 0 && Int(c.rawValue) < names.count ? names[Int(c.rawValue)] : "ConvertedType(\(c.rawValue))"
        if c == .decimal, let p = e.precision { return "DECIMAL(\(p),\(e.scale ?? 0))" }
        return name
    }
}

extension FileTable {
    /// The footers of the files when they are Parquet (nil for CSV), with chunks limited to the
    /// columns chosen by `selecting`.
    public func parquetSummaries() throws(SluiceError) -> [ParquetFileSummary]? {
        guard case .parquet(let source) = backing else { return nil }
        let only = source.projection.map(Set.init)
        var out: [ParquetFileSummary] = []
        try source.readers.forEach { _, r throws(SluiceError) in out.append(ParquetFileSummary(r, only: only)) }
        return out
    }
}
