import SluiceCore

extension ColumnChunkWriter {
    /// Appends the non-null values of a fixed-width page to `out` and returns the encoding used.
    /// `secondsToMillis` stores timestamp(s) as milliseconds (Parquet has no seconds unit).
    func encodeFixed<T: BitwiseCopyable & Comparable>(
        _ page: PageRows, _: T.Type, secondsToMillis: Bool = false, into out: Buffer
    ) throws(ParquetError) -> Encoding {
        let size = MemoryLayout<T>.stride
        let start = out.length
        out.reserve(additional: (page.rows + 1) * size)
        let dst = (out.base + start).assumingMemoryBound(to: T.self)
        var k = 0
        for part in page.parts {
            let c = part.column
            let src = c.unsafeValues(T.self) + part.start
            if let bits = c.validity, c.nullCount > 0 {
                // Compaction without branches: every value is written, only valid ones advance.
                let off = c.offset + part.start
                for i in 0..<part.count {
                    dst[k] = src[i]
                    k &+= Int(bits.base.load(fromByteOffset: (off + i) >> 3, as: UInt8.self) >> UInt8((off + i) & 7) & 1)
                }
            } else {
                (dst + k).update(from: src, count: part.count)
                k += part.count
            }
        }
        out.length = start + k * size
        let dense = UnsafeMutableBufferPointer(start: dst, count: k)
        if secondsToMillis {
            let ints = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Int64.self)
            for i in 0..<k {
                let (m, overflow) = ints[i].multipliedReportingOverflow(by: 1000)
                guard !overflow else { throw error("timestamp(s) value \(ints[i]) overflows when stored as milliseconds") }
                ints[i] = m
            }
        }
        updateStatistics(dense)
        let isFloat = type == .float32 || type == .float64
        if isFloat && options.floatEncoding == .byteStreamSplit {
            let copy = Array(UnsafeRawBufferPointer(dense))
            out.length = start
            out.reserve(additional: copy.count)
            let d = (out.base + start).assumingMemoryBound(to: UInt8.self)
            for i in 0..<k { for b in 0..<size { d[b * k + i] = copy[i * size + b] } }
            out.length = start + copy.count
            return .byteStreamSplit
        }
        if !isFloat && options.integerEncoding == .deltaBinaryPacked {
            var encoded: [UInt8] = []
            if size == 4 {
                DeltaBinaryPackedEncoder.encode(UnsafeBufferPointer(start: UnsafeRawPointer(dst).assumingMemoryBound(to: Int32.self), count: k), into: &encoded)
            } else {
                DeltaBinaryPackedEncoder.encode(UnsafeBufferPointer(start: UnsafeRawPointer(dst).assumingMemoryBound(to: Int64.self), count: k), into: &encoded)
            }
            out.length = start
            encoded.withUnsafeBytes { out.append($0) }
            return .deltaBinaryPacked
        }
        return .plain
    }

    /// Folds the page's min and max into the chunk statistics. NaN is never a bound, and a zero
    /// bound is written as -0.0 (min) or +0.0 (max), as the format asks.
    private func updateStatistics<T: BitwiseCopyable & Comparable>(_ dense: UnsafeMutableBufferPointer<T>) {
        var i = 0
        while i < dense.count && dense[i] != dense[i] { i += 1 }  // skip leading NaN
        guard i < dense.count else { return }
        var lo = dense[i], hi = dense[i]
        for v in dense[i...] {
            // Comparisons with NaN are false, so NaN never replaces a bound.
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        if type == .float64 {
            if let l = lo as? Double, l == 0, let z = (-0.0 as Double) as? T { lo = z }
            if let h = hi as? Double, h == 0, let z = (0.0 as Double) as? T { hi = z }
        } else if type == .float32 {
            if let l = lo as? Float, l == 0, let z = (-0.0 as Float) as? T { lo = z }
            if let h = hi as? Float, h == 0, let z = (0.0 as Float) as? T { hi = z }
        }
        stats.update(min: lo, max: hi)
    }

    func encodeBooleans(_ page: PageRows, into out: Buffer) throws(ParquetError) -> Encoding {
        var dense: [UInt8] = []
        dense.reserveCapacity(page.rows)
        for part in page.parts {
            let c = part.column
            for i in part.start..<(part.start + part.count) where c.isValid(i) { dense.append(c.bool(at: i) ? 1 : 0) }
        }
        var sawTrue = false, sawFalse = false
        for b in dense { if b != 0 { sawTrue = true } else { sawFalse = true } }
        if sawTrue || sawFalse { stats.update(min: sawFalse ? UInt8(0) : 1, max: sawTrue ? UInt8(1) : 0) }
        var packed: [UInt8] = []
        dense.withUnsafeBufferPointer { BitUnpacking.pack($0, bitWidth: 1, into: &packed) }
        packed.withUnsafeBytes { out.append($0) }
        return .plain
    }

    func encodeStrings(_ page: PageRows, into out: Buffer) throws(ParquetError) -> Encoding {
        if dictionaryMode, let dict = interner {
            var ids: [UInt32] = []
            ids.reserveCapacity(page.rows)
            var maxID: UInt32 = 0
            for part in page.parts {
                let c = part.column
                if let dv = c.dictionary {
                    let key = ObjectIdentifier(dv)
                    var remap: [Int32]
                    if let cached = remaps[key], cached.dictionary === dv {
                        remap = cached.ids
                    } else {
                        remap = [Int32](repeating: -1, count: dv.values.count)
                    }
                    for i in part.start..<(part.start + part.count) where c.isValid(i) {
                        let k = Int(c.value(i, as: Int32.self))
                        guard k >= 0, k < remap.count else { throw error("dictionary index \(k) is out of range") }
                        if remap[k] < 0 { remap[k] = try dict.intern(dv.values.stringBytes(at: k)) }
                        let id = UInt32(remap[k])
                        ids.append(id)
                        maxID = Swift.max(maxID, id)
                    }
                    remaps[key] = (dv, remap)
                } else {
                    for i in part.start..<(part.start + part.count) where c.isValid(i) {
                        let id = UInt32(try dict.intern(c.stringBytes(at: i)))
                        ids.append(id)
                        maxID = Swift.max(maxID, id)
                    }
                }
            }
            let width = Swift.max(1, BitUnpacking.bitWidth(of: UInt64(maxID)))
            out.append(UInt8(width))
            ids.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: out) }
            if dict.byteSize + 4 * dict.count > options.dictionaryPageBytes {
                // Later pages of this chunk go PLAIN; the dictionary stays as it is for the pages written so far.
                dictionaryMode = false
            }
            return .rleDictionary
        }
        for part in page.parts {
            let c = part.column
            for i in part.start..<(part.start + part.count) where c.isValid(i) {
                let b = c.stringBytes(at: i)
                out.append(UInt32(b.count).littleEndian)
                out.append(b)
                stats.update(bytes: b)
            }
        }
        return .plain
    }
}
