import SluiceCore

/// Reads a Parquet file: its footer once at open, then row groups on demand, each with a chosen
/// subset of columns. Only the byte ranges of the chosen column chunks are read.
///
/// A reader is immutable after `init` and safe to share between tasks: row groups are independent
/// splits, and `readRowGroup` may run for several of them at once.
///
/// Type mapping: see `LeafConversion` — in short, BOOLEAN/INT32/INT64/FLOAT/DOUBLE map to the
/// same-named core types; DATE → date; TIMESTAMP(unit) → timestamp(unit); INT96 → timestamp(ns);
/// UINT_32 → int64; UINT_64 → int64 (larger values are an error); DECIMAL(p ≤ 15) → float64 and
/// DECIMAL(p > 15) → string with the exact decimal text; FLOAT16 → float32; strings and binary →
/// string, or dictionary when dictionary-encoded throughout; other fixed-length bytes → string.
/// A list of primitives (LIST-annotated, 3-level or legacy 2-level, or a bare repeated field) →
/// string holding the list as compact JSON text (see `ListAssembly`), null for a null list.
/// Structs, maps and lists of anything but primitives are unsupported: an error when selected.
public final class ParquetFileReader: Sendable {
    /// The path (or name) the reader was opened with; used in error messages.
    public let name: String
    public let metadata: FileMetaData
    public let parquetSchema: ParquetSchema
    public let options: ParquetReadOptions
    /// The output type of every top-level field, or the reason it cannot be read.
    public let fieldTypes: [Result<DataType, ParquetError>]
    /// For a list of primitives (read as a JSON text string): the type its elements read as.
    public let listElementTypes: [DataType?]
    let plans: [Result<LeafPlan, ParquetError>]
    let source: ParquetByteSource
    /// One pool for every reader: a dataset of many small files opens a reader per file, and a
    /// pool per reader kept each file's buffers alive for the whole run (1.3 GB over 720 files).
    var scratch: ScratchBufferPool { ScratchBufferPool.shared }

    /// Opens `path` and reads its footer.
    public convenience init(path: String, options: ParquetReadOptions = .init()) throws(ParquetError) {
        try self.init(source: ParquetByteSource(path: path), options: options)
    }

    /// Reads a file held in memory (tests, small objects fetched over the network).
    public convenience init(bytes: [UInt8], name: String = "<memory>", options: ParquetReadOptions = .init()) throws(ParquetError) {
        try self.init(source: ParquetByteSource(bytes: bytes, name: name), options: options)
    }

    init(source: ParquetByteSource, options: ParquetReadOptions) throws(ParquetError) {
        self.source = source
        self.name = source.name
        self.options = options
        let size = source.size
        guard size >= 12 else { throw ParquetError(file: name, "not a Parquet file: \(size) bytes is shorter than the 12-byte minimum") }
        let head = try source.read(offset: 0, count: 4)
        let tail = try source.read(offset: size - 8, count: 8)
        guard Array(head.bytes) == Parquet.magic else { throw ParquetError(file: name, "not a Parquet file: it does not start with PAR1") }
        guard Array(tail.bytes[4..<8]) == Parquet.magic else {
            if Array(tail.bytes[4..<8]) == Array("PARE".utf8) {
                throw ParquetError(file: name, "the file uses Parquet modular encryption, which is not supported")
            }
            throw ParquetError(file: name, "not a Parquet file or truncated: it does not end with PAR1")
        }
        let footerLength = Int(UInt32(littleEndian: tail.bytes.loadUnaligned(as: UInt32.self)))
        guard footerLength > 0, footerLength <= size - 12 else {
            throw ParquetError(file: name, "footer length \(footerLength) does not fit in a file of \(size) bytes (truncated?)")
        }
        let footer = try source.read(offset: size - 8 - footerLength, count: footerLength)
        let meta: FileMetaData
        do {
            meta = try FileMetaData(thrift: footer.bytes)
        } catch {
            throw ParquetError(file: name, "footer is corrupt: \(error.message)")
        }
        self.metadata = meta
        let schema: ParquetSchema
        do {
            schema = try ParquetSchema(meta.schema)
        } catch {
            throw ParquetError(file: name, "schema is invalid: \(error.message)")
        }
        self.parquetSchema = schema
        for (g, group) in meta.rowGroups.enumerated() {
            guard group.columns.count == schema.leaves.count else {
                throw ParquetError(file: name, "row group \(g) has \(group.columns.count) column chunks, the schema has \(schema.leaves.count) leaves")
            }
            guard group.numRows >= 0, group.numRows <= Int64(Int32.max) else {
                throw ParquetError(file: name, "row group \(g) claims \(group.numRows) rows")
            }
        }
        var plans: [Result<LeafPlan, ParquetError>] = []
        for leaf in schema.leaves {
            // Strings become a dictionary column only when every row group keeps them
            // dictionary-encoded throughout: folding PLAIN fallback pages (high-cardinality
            // values) into a dictionary would cost a hash lookup per value for nothing.
            // List elements are written into JSON text, so they stay plain strings.
            let dictionaryEverywhere = options.dictionaryStrings && !meta.rowGroups.isEmpty && leaf.maxRepetitionLevel == 0
                && meta.rowGroups.allSatisfy { g in g.columns[leaf.index].metaData?.isFullyDictionaryEncoded ?? false }
            do {
                plans.append(.success(try LeafPlan.make(leaf, dictionaryStrings: dictionaryEverywhere, int96Unit: options.int96Unit)))
            } catch {
                plans.append(.failure(error.located(file: name, column: leaf.dottedPath)))
            }
        }
        self.plans = plans
        self.fieldTypes = schema.fields.map { f in
            if let kind = f.nestedKind {
                return .failure(ParquetError(file: source.name, column: f.name, "unsupported column \(f.name) (\(kind)): the core has no nested types yet"))
            }
            guard let leaf = f.leaves.first else {
                return .failure(ParquetError(file: source.name, column: f.name, "column \(f.name) has no values"))
            }
            return plans[leaf].map { f.list == nil ? $0.output : .string }
        }
        self.listElementTypes = schema.fields.map { f in
            guard f.list != nil, let leaf = f.leaves.first, case .success(let plan) = plans[leaf] else { return nil }
            return plan.output
        }
    }

    /// Rows in the whole file.
    public var rowCount: Int { Int(metadata.numRows) }
    public var rowGroupCount: Int { metadata.rowGroups.count }
    public func rowCount(ofRowGroup i: Int) -> Int { Int(metadata.rowGroups[i].numRows) }

    /// Names of the top-level columns, readable or not.
    public var columnNames: [String] { parquetSchema.fields.map(\.name) }

    /// The schema of the columns this reader can produce (nested and unsupported columns left out).
    public var schema: Schema {
        Schema(zip(parquetSchema.fields, fieldTypes).compactMap { f, t in (try? t.get()).map { Field(f.name, $0) } })
    }

    /// The schema a read of `columns` (nil: every column) produces, or the error such a read throws.
    public func schema(columns: [String]?) throws(ParquetError) -> Schema {
        Schema(try resolve(columns).map { i throws(ParquetError) in Field(parquetSchema.fields[i].name, try fieldTypes[i].get()) })
    }

    private func resolve(_ columns: [String]?) throws(ParquetError) -> [Int] {
        guard let columns else { return Array(parquetSchema.fields.indices) }
        var out: [Int] = []
        for c in columns {
            guard !out.contains(where: { parquetSchema.fields[$0].name == c }) else {
                throw ParquetError(file: name, column: c, "column selected twice")
            }
            guard let i = parquetSchema.fields.firstIndex(where: { $0.name == c }) else {
                throw ParquetError(file: name, column: c, "no such column (the file has: \(columnNames.joined(separator: ", ")))")
            }
            out.append(i)
        }
        return out
    }

    /// Reads row group `index` with the top-level columns named in `columns` (in that order; nil
    /// for all). Selecting a nested or otherwise unsupported column throws an error naming it.
    public func readRowGroup(_ index: Int, columns: [String]? = nil) throws(ParquetError) -> RecordBatch {
        guard index >= 0, index < metadata.rowGroups.count else {
            throw ParquetError(file: name, "row group \(index) does not exist (the file has \(metadata.rowGroups.count))")
        }
        let fields = try resolve(columns)
        let group = metadata.rowGroups[index]
        let rows = Int(group.numRows)
        var schemaFields: [Field] = []
        var cols: [Column] = []
        for f in fields {
            let top = parquetSchema.fields[f]
            let type = try fieldTypes[f].get()
            let leaf = parquetSchema.leaves[top.leaves[0]]
            let col = try readLeaf(leaf, list: top.list, chunk: group.columns[leaf.index], rows: rows, rowGroup: index)
            schemaFields.append(Field(top.name, type))
            cols.append(col)
        }
        return RecordBatch(schema: Schema(schemaFields), columns: cols, count: rows, origin: RowOrigin(source: name, lines: nil))
    }

    /// Reads one leaf's chunk; for a list, its entries (one per level) assembled into JSON text.
    private func readLeaf(_ leaf: ParquetLeaf, list: ParquetListLayout?, chunk: ColumnChunk, rows: Int, rowGroup: Int) throws(ParquetError) -> Column {
        let column = leaf.dottedPath
        let plan = try plans[leaf.index].get()
        guard chunk.filePath == nil else {
            throw ParquetError(file: name, column: column, "row group \(rowGroup) stores this column in another file (\(chunk.filePath ?? "")), which is not supported")
        }
        guard let meta = chunk.metaData else {
            throw ParquetError(file: name, column: column, "row group \(rowGroup) has no metadata for this column")
        }
        guard meta.type == leaf.physicalType else {
            throw ParquetError(file: name, column: column, "row group \(rowGroup) stores \(meta.type), the schema says \(leaf.physicalType)")
        }
        // A list's chunk holds one value (level entry) per element, and one per null or empty list.
        let entries = list == nil ? rows : Int(clamping: meta.numValues)
        guard list == nil ? meta.numValues == Int64(rows) : (meta.numValues >= Int64(rows) && meta.numValues <= Int64(Int32.max)) else {
            throw ParquetError(file: name, column: column, "row group \(rowGroup): column chunk holds \(meta.numValues) values for \(rows) rows")
        }
        // pyarrow writes an empty row group with data_page_offset 0 and only a dictionary page:
        // there is no byte range worth reading, and nothing to decode.
        if rows == 0 { return Column.make(list == nil ? plan.output : .string, []) }
        var start = Int(meta.dataPageOffset)
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = Int(d) }
        let length = Int(meta.totalCompressedSize)
        guard start >= 4, length >= 0, start <= source.size, length <= source.size - start else {
            throw ParquetError(file: name, column: column, "row group \(rowGroup): column chunk range \(start)+\(length) lies outside the file of \(source.size) bytes")
        }
        let bytes = try source.read(offset: start, count: length, into: scratch.take(capacity: length))
        let decoder = ColumnChunkDecoder(plan: plan, leaf: leaf, codec: meta.codec, rows: entries, verifyChecksums: options.verifyChecksums, pool: scratch,
            byteHint: Int(clamping: meta.totalUncompressedSize))
        defer {
            scratch.give(bytes)
            decoder.returnScratch()
        }
        do throws(ParquetError) {
            let decoded = try withExtendedLifetime(bytes) { () throws(ParquetError) -> Column in try decoder.decode(bytes.bytes) }
            guard let list else { return decoded }
            guard let levels = decoder.levels else { throw corrupt("internal: list levels missing") }
            return try ListAssembly.assemble(
                entries: decoded, levels: levels, rows: rows, emptyLevel: list.emptyLevel, maxDefinition: leaf.maxDefinitionLevel)
        } catch {
            throw ParquetError(file: name, column: column, "row group \(rowGroup): \(error.message)")
        }
    }
}
