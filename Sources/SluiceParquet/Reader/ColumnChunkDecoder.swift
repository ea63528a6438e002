import SluiceCore

/// Decodes the pages of one column chunk (one leaf of one row group) into a SluiceCore `Column`.
///
/// For a repeated leaf (a list's elements) every level entry is a "row" of the output: a value
/// where the definition level is the maximum, null otherwise; the levels themselves are kept in
/// `levels` for `ListAssembly` to turn entries into lists.
///
/// Pages are decoded straight into the column's final buffers. A page without nulls lands densely
/// at its first row in one pass. With nulls, fixed-width values are placed at their rows in one
/// pass over the validity bitmap (PLAIN values straight from the page bytes); strings, booleans
/// and converted types land densely first and are then spread back to front, in place.
final class ColumnChunkDecoder {
    let plan: LeafPlan
    let leaf: ParquetLeaf
    let codec: CompressionCodec
    let rows: Int
    let verifyChecksums: Bool

    /// Fixed-width output values, bit-packed booleans, or Int32 dictionary indices.
    var values: Buffer
    /// Output of `.string` columns.
    var strings: ByteArraySink?
    var validity: Buffer?
    var nullCount = 0
    var rowsDone = 0
    /// Rows (levels) of the page being decoded; more than the values decoded when it has nulls.
    var pageRows = 0
    /// Set by a value decoder that already put the page's values at their rows.
    var placedAtRows = false

    /// The dictionary page, decoded: physical values for fixed-width types, bytes for byte arrays.
    var dictFixed: Buffer?
    var dictBytes: ByteArraySink?
    var dictCount = 0
    /// Set when a `.dictionary` column meets a page that is not dictionary-encoded.
    var interner: ByteArrayInterner?
    /// Dictionary index → interner id, when the dictionary page held duplicate values.
    var dictionaryRemap: [Int32]?

    var indexBuffer = Buffer(capacity: 4096)
    var physScratch: Buffer
    var pageBuffer: Buffer

    let pool: ScratchBufferPool?
    /// The repetition and definition level of every entry, for a repeated leaf; nil otherwise.
    var levels: LevelBuffers?

    /// - Parameter byteHint: the chunk's uncompressed size, to size string output up front.
    init(plan: LeafPlan, leaf: ParquetLeaf, codec: CompressionCodec, rows: Int, verifyChecksums: Bool, pool: ScratchBufferPool? = nil, byteHint: Int = 0) {
        self.pool = pool
        self.plan = plan
        self.leaf = leaf
        self.codec = codec
        self.rows = rows
        self.verifyChecksums = verifyChecksums
        switch plan.output {
        case .bool:
            values = Buffer(capacity: Bitmap.byteCount(rows) + 8)
            values.appendZeros(Bitmap.byteCount(rows) + 8)
        case .string:
            values = Buffer(capacity: 0)
            // PLAIN pages hold about as many string bytes as the chunk's uncompressed size; a
            // dictionary-encoded chunk can expand further, and the sink grows then.
            strings = ByteArraySink(capacity: rows, bytes: Swift.max(rows * 8, Swift.min(byteHint, 1 << 30)))
        default:
            let w = plan.output.byteWidth ?? 4
            values = Buffer(capacity: rows * w)
            values.length = rows * w
        }
        if leaf.maxDefinitionLevel > 0 {
            // 8 bytes of slack: bit copies write whole 64-bit words.
            let v = Buffer(capacity: Bitmap.byteCount(rows) + 8)
            v.appendZeros(Bitmap.byteCount(rows) + 8)
            validity = v
        }
        physScratch = Buffer(capacity: 0)
        pageBuffer = Buffer(capacity: 0)
        if leaf.maxRepetitionLevel > 0 { levels = LevelBuffers(capacity: rows) }
    }

    /// Hands the page and value scratch buffers back to the pool.
    func returnScratch() {
        guard let pool else { return }
        if pageBuffer.capacity > 64 { pool.give(pageBuffer) }
        if physScratch.capacity > 64 { pool.give(physScratch) }
        pageBuffer = Buffer(capacity: 0)
        physScratch = Buffer(capacity: 0)
    }

    /// Decodes every page in `chunk` (the chunk's bytes, from its first page header on).
    func decode(_ chunk: UnsafeRawBufferPointer) throws(ParquetError) -> Column {
        var pos = 0
        while rowsDone < rows {
            guard pos < chunk.count else {
                throw corrupt("column chunk ends after \(rowsDone) of \(rows) rows")
            }
            var r = ThriftCompactReader(chunk, position: pos)
            let header = try PageHeader(thrift: &r)
            let size = Int(header.compressedPageSize)
            guard size >= 0, size <= chunk.count - r.position else {
                throw corrupt("page of \(size) bytes at chunk offset \(pos) runs past the end of the column chunk")
            }
            let body = UnsafeRawBufferPointer(rebasing: chunk[r.position..<(r.position + size)])
            pos = r.position + size
            if verifyChecksums, let crc = header.crc {
                let actual = PageCodec.crc32(body)
                guard actual == crc else {
                    throw corrupt("page checksum mismatch at chunk offset \(pos - size): stored \(crc), computed \(actual)")
                }
            }
            let uncompressed = Int(header.uncompressedPageSize)
            guard uncompressed >= 0, uncompressed <= 1 << 30 else { throw corrupt("page claims \(uncompressed) uncompressed bytes") }
            switch header.type {
            case .dictionaryPage:
                guard let dh = header.dictionaryPageHeader else { throw corrupt("dictionary page without its header") }
                let bytes = try decompressed(body, size: uncompressed)
                try decodeDictionary(bytes, count: Int(dh.numValues), encoding: dh.encoding)
            case .dataPage:
                guard let dh = header.dataPageHeader else { throw corrupt("data page without its header") }
                let bytes = try decompressed(body, size: uncompressed)
                try decodeV1(bytes, header: dh)
            case .dataPageV2:
                guard let dh = header.dataPageHeaderV2 else { throw corrupt("data page v2 without its header") }
                try decodeV2(body, uncompressed: uncompressed, header: dh)
            default:
                continue  // index pages and unknown page types carry no values
            }
        }
        return try finish()
    }

    /// The page body after decompression; the body itself when it is stored uncompressed.
    private func decompressed(_ body: UnsafeRawBufferPointer, size: Int) throws(ParquetError) -> UnsafeRawBufferPointer {
        if codec == .uncompressed {
            guard body.count == size else { throw corrupt("uncompressed page has \(body.count) bytes, header says \(size)") }
            return body
        }
        if pageBuffer.capacity < size {
            if let pool {
                if pageBuffer.capacity > 64 { pool.give(pageBuffer) }
                pageBuffer = pool.take(capacity: size)
            } else {
                pageBuffer = Buffer(capacity: size)
            }
        }
        let dst = UnsafeMutableRawBufferPointer(start: pageBuffer.base, count: size)
        try PageCodec.decompress(codec, body, into: dst)
        return UnsafeRawBufferPointer(dst)
    }

    /// The levels of a v1 page at `offset`: a 4-byte length, then that many RLE/bit-packed bytes.
    private static func lengthPrefixedLevels(
        _ page: UnsafeRawBufferPointer, at offset: Int, encoding: Encoding, what: String
    ) throws(ParquetError) -> UnsafeRawBufferPointer {
        guard encoding == .rle else { throw corrupt("\(what) levels encoded as \(encoding) are not supported") }
        guard page.count - offset >= 4 else { throw corrupt("data page too short for its \(what) levels") }
        let len = Int(UInt32(littleEndian: page.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        guard len <= page.count - offset - 4 else { throw corrupt("\(what) levels of \(len) bytes run past the end of the page") }
        return UnsafeRawBufferPointer(rebasing: page[(offset + 4)..<(offset + 4 + len)])
    }

    private var levelBitWidth: Int { BitUnpacking.bitWidth(of: UInt64(leaf.maxDefinitionLevel)) }

    private func decodeV1(_ page: UnsafeRawBufferPointer, header: DataPageHeader) throws(ParquetError) {
        let n = Int(header.numValues)
        var p = 0
        var repetition: UnsafeRawBufferPointer? = nil
        if leaf.maxRepetitionLevel > 0 {
            let rep = try Self.lengthPrefixedLevels(page, at: 0, encoding: header.repetitionLevelEncoding, what: "repetition")
            repetition = rep
            p = 4 + rep.count
        }
        var levels: UnsafeRawBufferPointer? = nil
        if leaf.maxDefinitionLevel > 0 {
            let def = try Self.lengthPrefixedLevels(page, at: p, encoding: header.definitionLevelEncoding, what: "definition")
            levels = def
            p += 4 + def.count
        }
        try decodePage(levels: levels, repetition: repetition, values: UnsafeRawBufferPointer(rebasing: page[p...]), count: n, encoding: header.encoding)
    }

    private func decodeV2(_ body: UnsafeRawBufferPointer, uncompressed: Int, header: DataPageHeaderV2) throws(ParquetError) {
        let n = Int(header.numValues)
        let repLen = Int(header.repetitionLevelsByteLength)
        let defLen = Int(header.definitionLevelsByteLength)
        guard repLen >= 0, defLen >= 0, repLen + defLen <= body.count, repLen + defLen <= uncompressed else {
            throw corrupt("data page v2 level lengths (\(repLen) + \(defLen)) exceed the page")
        }
        let levels = leaf.maxDefinitionLevel > 0 ? UnsafeRawBufferPointer(rebasing: body[repLen..<(repLen + defLen)]) : nil
        let repetition = leaf.maxRepetitionLevel > 0 ? UnsafeRawBufferPointer(rebasing: body[0..<repLen]) : nil
        let stored = UnsafeRawBufferPointer(rebasing: body[(repLen + defLen)...])
        let valuesSize = uncompressed - repLen - defLen
        let valueBytes: UnsafeRawBufferPointer
        if header.isCompressed && codec != .uncompressed && valuesSize > 0 {
            valueBytes = try decompressed(stored, size: valuesSize)
        } else {
            valueBytes = stored
        }
        if leaf.maxDefinitionLevel == 0 && header.numNulls > 0 {
            throw corrupt("required column has a page with \(header.numNulls) nulls")
        }
        try decodePage(levels: levels, repetition: repetition, values: valueBytes, count: n, encoding: header.encoding)
    }

    private func decodePage(
        levels: UnsafeRawBufferPointer?, repetition: UnsafeRawBufferPointer?, values src: UnsafeRawBufferPointer, count n: Int, encoding: Encoding
    ) throws(ParquetError) {
        guard n >= 0, n <= rows - rowsDone else {
            throw corrupt("page holds \(n) values but only \(rows - rowsDone) of the row group's \(rows) rows remain")
        }
        var present = n
        if let store = self.levels, let validity {
            guard let repetition, let levels else { throw corrupt("data page of a repeated column without its levels") }
            present = try store.append(
                repetition: repetition, definition: levels, count: n, maxRepetition: leaf.maxRepetitionLevel,
                maxDefinition: leaf.maxDefinitionLevel, scratch: indexScratch(n), validity: validity.base, bitOffset: rowsDone)
        } else if let levels, let validity {
            var dec = try RLEHybridDecoder(levels, bitWidth: levelBitWidth)
            present = try dec.decodeValidity(
                count: n, maxLevel: UInt32(leaf.maxDefinitionLevel), bitmap: validity.base, bitOffset: rowsDone,
                scratch: indexScratch(1024), scratchCount: 1024)
        }
        pageRows = n
        placedAtRows = present == n
        try decodeValues(src, count: present, encoding: encoding)
        if !placedAtRows { spreadNulls(present: present, count: n) }
        nullCount += n - present
        rowsDone += n
    }

    private func decodeDictionary(_ bytes: UnsafeRawBufferPointer, count: Int, encoding: Encoding) throws(ParquetError) {
        guard encoding == .plain || encoding == .plainDictionary else {
            throw corrupt("dictionary page encoded as \(encoding) is not supported")
        }
        guard count >= 0 else { throw corrupt("dictionary page has a negative value count") }
        guard dictFixed == nil && dictBytes == nil else { throw corrupt("column chunk has more than one dictionary page") }
        switch plan.physical {
        case .byteArray:
            let sink = ByteArraySink(capacity: count, bytes: bytes.count)
            _ = try ValueDecoding.plainByteArrays(bytes, count: count, into: sink)
            dictBytes = sink
        case .boolean:
            throw corrupt("BOOLEAN columns cannot be dictionary-encoded")
        default:
            let buf = Buffer(capacity: count * plan.width)
            try ValueDecoding.plainFixed(bytes, width: plan.width, count: count, into: buf.base)
            buf.length = count * plan.width
            dictFixed = buf
        }
        dictCount = count
    }

    /// Reads the 1-byte bit width and the hybrid-encoded indices of a dictionary-encoded page,
    /// checking every index against the dictionary size.
    func decodeIndices(_ src: UnsafeRawBufferPointer, count: Int) throws(ParquetError) -> UnsafeMutablePointer<UInt32> {
        let p = indexScratch(count)
        // A page of nulls only carries no indices and may come without a dictionary page.
        if count == 0 { return p }
        guard dictFixed != nil || dictBytes != nil else { throw corrupt("dictionary-encoded page without a dictionary page") }
        guard src.count >= 1 else { throw corrupt("dictionary-encoded page is empty") }
        var dec = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: src[1...]), bitWidth: Int(src[0]))
        try dec.decode(into: p, count: count)
        var maxIndex: UInt32 = 0
        for i in 0..<count { maxIndex = Swift.max(maxIndex, p[i]) }
        guard maxIndex < UInt32(dictCount) else {
            throw corrupt("dictionary index \(maxIndex) is out of range for a dictionary of \(dictCount) values")
        }
        return p
    }

    /// A scratch array of at least `count` UInt32, owned by this decoder and reused across pages.
    func indexScratch(_ count: Int) -> UnsafeMutablePointer<UInt32> {
        if indexBuffer.capacity < count * 4 { indexBuffer = Buffer(capacity: Swift.max(count, 1024) * 4) }
        return indexBuffer.base.assumingMemoryBound(to: UInt32.self)
    }

    func scratch(bytes: Int) -> UnsafeMutableRawPointer {
        if physScratch.capacity < bytes {
            if let pool {
                if physScratch.capacity > 64 { pool.give(physScratch) }
                physScratch = pool.take(capacity: bytes)
            } else {
                physScratch = Buffer(capacity: bytes)
            }
        }
        return physScratch.base
    }

    private func finish() throws(ParquetError) -> Column {
        let v = nullCount > 0 ? validity : nil
        switch plan.output {
        case .string:
            guard let s = strings else { throw corrupt("internal: string output missing") }
            return s.finish(validity: v, nullCount: nullCount)
        case .dictionary:
            let dict: ByteArraySink = interner?.values ?? dictBytes ?? ByteArraySink(capacity: 0, bytes: 0)
            let dictColumn = dict.finish(validity: nil, nullCount: 0)
            return Column(
                type: .dictionary, count: rows, nullCount: nullCount, validity: v, values: values,
                dictionary: DictionaryValues(dictColumn))
        default:
            return Column(type: plan.output, count: rows, nullCount: nullCount, validity: v, values: values)
        }
    }
}
