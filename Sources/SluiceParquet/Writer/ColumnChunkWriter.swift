import SluiceCore

/// A column chunk encoded in memory: its pages, and its metadata with offsets relative to the
/// chunk's first byte (the file writer shifts them to file offsets).
struct EncodedChunk {
    /// The dictionary page (header and body), when the chunk has one; it precedes the data pages.
    var head: Buffer?
    /// The data pages, headers and bodies.
    var pages: Buffer
    var meta: ColumnMetaData
}

/// Encodes the buffered pieces of one column of one row group into pages.
final class ColumnChunkWriter {
    let name: String
    let type: DataType
    let required: Bool
    let options: ParquetWriteOptions
    let physical: PhysicalType

    var stats = StatisticsAccumulator()
    /// Encoded data pages (headers and bodies) of the chunk so far.
    var dataPages = Buffer(capacity: 1 << 16)
    /// Scratch reused page after page: plain values, levels, compressed body.
    var pageValues = Buffer(capacity: 1 << 16)
    var pageLevels = Buffer(capacity: 1024)
    var compressed = Buffer(capacity: 1 << 16)
    var pageBody = Buffer(capacity: 1 << 16)
    var encodingsUsed: [Encoding] = []
    /// Data pages written per encoding, for `ColumnMetaData.encodingStats`.
    var pagesByEncoding: [Encoding: Int32] = [:]
    var uncompressedTotal = 0
    /// The chunk's dictionary (string columns with dictionary encoding on).
    var interner: ByteArrayInterner?
    /// Whether the next page is dictionary-encoded; false for good once the dictionary outgrows
    /// `dictionaryPageBytes`, and the remaining pages go PLAIN.
    var dictionaryMode: Bool
    /// Per input dictionary (of `.dictionary` columns): its index → this chunk's dictionary id, -1
    /// unknown. The dictionary itself is held too: keyed by identity alone, a freed dictionary's
    /// address could be reused by the next batch's and its stale mapping applied.
    var remaps: [ObjectIdentifier: (dictionary: DictionaryValues, ids: [Int32])] = [:]

    init(name: String, type: DataType, required: Bool, options: ParquetWriteOptions) {
        self.name = name
        self.type = type
        self.required = required
        self.options = options
        self.physical = ParquetWriter.physicalType(of: type)
        self.dictionaryMode = options.dictionary && type.isStringLike
        if dictionaryMode { interner = ByteArrayInterner() }
    }

    func error(_ message: String) -> ParquetError { ParquetError(file: "", column: name, message) }

    func encode(_ pieces: [Column]) throws(ParquetError) -> EncodedChunk {
        let rows = pieces.reduce(0) { $0 + $1.count }
        for page in PageSlicer.pages(pieces, rowsPerPage: rowsPerPage(pieces, rows: rows)) {
            try encodePage(page)
        }
        var meta = ColumnMetaData()
        meta.type = physical
        meta.pathInSchema = [name]
        meta.codec = options.compression
        meta.numValues = Int64(rows)
        var head: Buffer? = nil
        if let dict = interner, encodingsUsed.contains(.rleDictionary) {
            let body = Buffer(capacity: dict.byteSize + 4 * dict.count + 64)
            for i in 0..<dict.count {
                let b = dict.values.bytes(at: i)
                body.append(UInt32(b.count).littleEndian)
                body.append(b)
                stats.update(bytes: b)
            }
            var header = PageHeader()
            header.type = .dictionaryPage
            var dh = DictionaryPageHeader()
            dh.numValues = Int32(dict.count)
            dh.encoding = .plain
            dh.isSorted = false
            header.dictionaryPageHeader = dh
            let out = Buffer(capacity: body.length / 2 + 256)
            try appendPage(header: header, levels: nil, values: body, into: out)
            head = out
            meta.dictionaryPageOffset = 0
            addEncoding(.plain)
        }
        meta.dataPageOffset = Int64(head?.length ?? 0)
        meta.encodings = encodingsUsed
        let pageType: PageType = options.dataPageVersion == 2 ? .dataPageV2 : .dataPage
        var encodingStats = (head != nil) ? [PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1)] : []
        for e in encodingsUsed { if let n = pagesByEncoding[e] { encodingStats.append(PageEncodingStats(pageType: pageType, encoding: e, count: n)) } }
        meta.encodingStats = encodingStats
        meta.totalCompressedSize = Int64((head?.length ?? 0) + dataPages.length)
        meta.totalUncompressedSize = Int64(uncompressedTotal)
        meta.statistics = stats.statistics()
        return EncodedChunk(head: head, pages: dataPages, meta: meta)
    }

    private func rowsPerPage(_ pieces: [Column], rows: Int) -> Int {
        let estimate: Int
        switch type {
        case .bool: estimate = 1
        case .string:
            let bytes = pieces.reduce(0) { acc, c in
                let o = c.values.base.assumingMemoryBound(to: Int32.self)
                return acc + Int(o[c.offset + c.count]) - Int(o[c.offset])
            }
            estimate = (dictionaryMode ? 2 : 4) + (dictionaryMode ? 0 : bytes / Swift.max(rows, 1))
        case .dictionary:
            estimate = 2
        default:
            estimate = type.byteWidth ?? 8
        }
        return Swift.max(1, Swift.min(options.pageBytes / Swift.max(estimate, 1), 1 << 20))
    }

    func addEncoding(_ e: Encoding) {
        if !encodingsUsed.contains(e) { encodingsUsed.append(e) }
    }

    private func encodePage(_ page: PageRows) throws(ParquetError) {
        var nulls = 0
        for part in page.parts where part.column.nullCount > 0 {
            nulls += part.column.slice(part.start, part.count).nullCount
        }
        if required && nulls > 0 {
            throw error("\(nulls) null values in a column written as REQUIRED")
        }
        stats.nullCount += nulls
        pageLevels.length = 0
        if !required {
            // Definition levels: 1 for a value, 0 for a null; at bit width 1 they are the validity bits.
            RLEHybridEncoder.encodeValidityLevels(page, nulls: nulls, into: pageLevels)
            addEncoding(.rle)
        }
        pageValues.length = 0
        let encoding: Encoding
        switch type {
        case .bool: encoding = try encodeBooleans(page, into: pageValues)
        case .int32, .date: encoding = try encodeFixed(page, Int32.self, into: pageValues)
        case .int64: encoding = try encodeFixed(page, Int64.self, into: pageValues)
        case .timestamp(let u): encoding = try encodeFixed(page, Int64.self, secondsToMillis: u == .s, into: pageValues)
        case .float32: encoding = try encodeFixed(page, Float.self, into: pageValues)
        case .float64: encoding = try encodeFixed(page, Double.self, into: pageValues)
        case .string, .dictionary: encoding = try encodeStrings(page, into: pageValues)
        }
        addEncoding(encoding)
        pagesByEncoding[encoding, default: 0] += 1
        try appendDataPage(rows: page.rows, nulls: nulls, encoding: encoding)
    }

    private func appendDataPage(rows: Int, nulls: Int, encoding: Encoding) throws(ParquetError) {
        var header = PageHeader()
        if options.dataPageVersion == 2 {
            header.type = .dataPageV2
            var dh = DataPageHeaderV2()
            dh.numValues = Int32(rows)
            dh.numNulls = Int32(nulls)
            dh.numRows = Int32(rows)
            dh.encoding = encoding
            dh.definitionLevelsByteLength = Int32(pageLevels.length)
            dh.repetitionLevelsByteLength = 0
            dh.isCompressed = options.compression != .uncompressed
            header.dataPageHeaderV2 = dh
            try appendPage(header: header, levels: pageLevels, values: pageValues, into: dataPages)
        } else {
            header.type = .dataPage
            var dh = DataPageHeader()
            dh.numValues = Int32(rows)
            dh.encoding = encoding
            dh.definitionLevelEncoding = .rle
            dh.repetitionLevelEncoding = .rle
            header.dataPageHeader = dh
            if !required {
                // v1: levels are compressed with the values, behind a 4-byte length.
                pageBody.length = 0
                pageBody.append(UInt32(pageLevels.length).littleEndian)
                pageBody.append(pageLevels.bytes)
                pageBody.append(pageValues.bytes)
                try appendPage(header: header, levels: nil, values: pageBody, into: dataPages)
            } else {
                try appendPage(header: header, levels: nil, values: pageValues, into: dataPages)
            }
        }
    }

    /// Compresses `values` (levels, for v2 pages, stay as they are), fills in the sizes and CRC,
    /// and appends header and body to `out`.
    private func appendPage(header: PageHeader, levels: Buffer?, values: Buffer, into out: Buffer) throws(ParquetError) {
        var h = header
        compressed.length = 0
        if let levels { compressed.append(levels.bytes) }
        let levelCount = levels?.length ?? 0
        try PageCodec.compress(options.compression, values.bytes, level: options.effectiveLevel, into: compressed)
        guard levelCount + values.length <= Int(Int32.max), compressed.length <= Int(Int32.max) else {
            throw error("a page exceeds 2 GiB; lower pageBytes")
        }
        h.uncompressedPageSize = Int32(levelCount + values.length)
        h.compressedPageSize = Int32(compressed.length)
        if options.pageChecksums { h.crc = PageCodec.crc32(compressed.bytes) }
        let headerBytes = h.serialized()
        headerBytes.withUnsafeBytes { out.append($0) }
        out.append(compressed.bytes)
        uncompressedTotal += headerBytes.count + levelCount + values.length
    }
}
