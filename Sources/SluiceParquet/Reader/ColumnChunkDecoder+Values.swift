import SluiceCore

extension ColumnChunkDecoder {
    /// Decodes `count` non-null values of one page densely at row `rowsDone`.
    func decodeValues(_ src: UnsafeRawBufferPointer, count: Int, encoding: Encoding) throws(ParquetError) {
        switch plan.physical {
        case .boolean: try decodeBooleans(src, count: count, encoding: encoding)
        case .byteArray: try decodeByteArrays(src, count: count, encoding: encoding)
        default: try decodeFixed(src, count: count, encoding: encoding)
        }
    }

    private func unsupported(_ encoding: Encoding) -> ParquetError {
        corrupt("encoding \(encoding) is not supported for \(plan.physical) values")
    }

    private func decodeBooleans(_ src: UnsafeRawBufferPointer, count: Int, encoding: Encoding) throws(ParquetError) {
        switch encoding {
        case .plain:
            try ValueDecoding.plainBooleans(src, count: count, into: values.base, bitOffset: rowsDone)
        case .rle:
            guard src.count >= 4 else { throw corrupt("RLE boolean page is too short") }
            let len = Int(UInt32(littleEndian: src.loadUnaligned(as: UInt32.self)))
            guard len <= src.count - 4 else { throw corrupt("RLE boolean run of \(len) bytes runs past the end of the page") }
            var dec = try RLEHybridDecoder(UnsafeRawBufferPointer(rebasing: src[4..<(4 + len)]), bitWidth: 1)
            let idx = indexScratch(count)
            try dec.decode(into: idx, count: count)
            for i in 0..<count { Bitmap.setBit(values.base, rowsDone + i, idx[i] != 0) }
        default:
            throw unsupported(encoding)
        }
    }

    private func decodeFixed(_ src: UnsafeRawBufferPointer, count: Int, encoding: Encoding) throws(ParquetError) {
        let w = plan.width
        let direct = plan.conversion == .identity
        // With nulls, identity values are decoded aside and then placed at their rows in one pass;
        // PLAIN values are placed straight from the page.
        let spread = direct && !placedAtRows && (w == 4 || w == 8)
        if spread && encoding == .plain {
            guard w * count <= src.count else { throw corrupt("PLAIN page holds \(src.count / w) values of \(w) bytes, \(count) expected") }
            placeAtRows(UnsafeRawPointer(src.baseAddress ?? UnsafeRawPointer(values.base)), width: w, present: count)
            return
        }
        let dst: UnsafeMutableRawPointer = direct && !spread ? values.base + rowsDone * w : scratch(bytes: count * w)
        switch encoding {
        case .plain:
            try ValueDecoding.plainFixed(src, width: w, count: count, into: dst)
        case .byteStreamSplit:
            try ValueDecoding.byteStreamSplit(src, width: w, count: count, into: dst)
        case .deltaBinaryPacked:
            var dec = try DeltaBinaryPackedDecoder(src)
            if plan.physical == .int32 {
                try dec.decode(into: dst.assumingMemoryBound(to: Int32.self), count: count)
            } else if plan.physical == .int64 {
                try dec.decode(into: dst.assumingMemoryBound(to: Int64.self), count: count)
            } else {
                throw unsupported(encoding)
            }
        case .plainDictionary, .rleDictionary:
            let idx = try decodeIndices(src, count: count)
            if count > 0 {
                guard let dict = dictFixed else { throw corrupt("dictionary-encoded page without a dictionary page") }
                gather(dict.base, idx, count: count, width: w, into: dst)
            }
        default:
            throw unsupported(encoding)
        }
        if spread {
            placeAtRows(UnsafeRawPointer(dst), width: w, present: count)
        } else if !direct {
            try convertFixed(dst, count: count)
        }
    }

    /// Writes the page's `present` dense values of `width` bytes to their rows, zeros at nulls.
    func placeAtRows(_ src: UnsafeRawPointer, width: Int, present: Int) {
        if width == 8 {
            placeAtRows(src, UInt64.self, present: present, into: values.base.assumingMemoryBound(to: UInt64.self) + rowsDone)
        } else {
            placeAtRows(src, UInt32.self, present: present, into: values.base.assumingMemoryBound(to: UInt32.self) + rowsDone)
        }
        placedAtRows = true
    }

    /// Implementation note: branch-free per row (the value or zero is selected, the source index
    /// advances by the validity bit), because nulls scattered at random would defeat a branch.
    @inline(__always)
    private func placeAtRows<T: FixedWidthInteger>(_ src: UnsafeRawPointer, _: T.Type, present: Int, into dst: UnsafeMutablePointer<T>) {
        let n = pageRows
        guard present > 0 else {
            dst.update(repeating: 0, count: n)
            return
        }
        guard let validity else { return }
        let bits = UnsafeRawPointer(validity.base)
        let start = rowsDone
        let size = MemoryLayout<T>.size
        var k = 0
        var r = 0
        // 56 rows per validity word (the bitmap has 8 bytes of slack, so the load stays inside it).
        while r < n {
            let chunk = Swift.min(56, n - r)
            let mask = ((1 as UInt64) << UInt64(chunk)) &- 1
            var word = (UInt64(littleEndian: bits.loadUnaligned(fromByteOffset: (start + r) >> 3, as: UInt64.self)) >> UInt64((start + r) & 7)) & mask
            if word == mask && k + chunk <= present {
                UnsafeMutableRawPointer(dst + r).copyMemory(from: src + k * size, byteCount: chunk * size)
                k += chunk
            } else if word == 0 {
                (dst + r).update(repeating: 0, count: chunk)
            } else {
                // Zero the chunk, then visit only the valid rows (set bits), lowest first. The
                // number of set bits over the page equals `present`, so `k` stays in range.
                (dst + r).update(repeating: 0, count: chunk)
                while word != 0 && k < present {
                    let j = word.trailingZeroBitCount
                    dst[r &+ j] = src.loadUnaligned(fromByteOffset: k &* size, as: T.self)
                    k &+= 1
                    word &= word &- 1
                }
            }
            r += chunk
        }
    }

    private func gather(_ dict: UnsafeRawPointer, _ idx: UnsafeMutablePointer<UInt32>, count: Int, width: Int, into dst: UnsafeMutableRawPointer) {
        switch width {
        case 4:
            let d = dict.assumingMemoryBound(to: UInt32.self), o = dst.assumingMemoryBound(to: UInt32.self)
            for i in 0..<count { o[i] = d[Int(idx[i])] }
        case 8:
            let d = dict.assumingMemoryBound(to: UInt64.self), o = dst.assumingMemoryBound(to: UInt64.self)
            for i in 0..<count { o[i] = d[Int(idx[i])] }
        default:
            for i in 0..<count { (dst + i * width).copyMemory(from: dict + Int(idx[i]) * width, byteCount: width) }
        }
    }

    /// Converts `count` dense physical values at `src` into the output at row `rowsDone`.
    private func convertFixed(_ src: UnsafeMutableRawPointer, count: Int) throws(ParquetError) {
        let out = values.base
        let w = plan.width
        switch plan.conversion {
        case .identity:
            return
        case .uint32ToInt64:
            ValueConversion.uint32ToInt64(src, count: count, into: out.assumingMemoryBound(to: Int64.self) + rowsDone)
        case .uint64ToInt64:
            try ValueConversion.uint64ToInt64(src, count: count, into: out.assumingMemoryBound(to: Int64.self) + rowsDone)
        case .int96(let unit):
            try ValueConversion.int96(src, count: count, unit: unit, into: out.assumingMemoryBound(to: Int64.self) + rowsDone)
        case .float16:
            ValueConversion.float16(src, count: count, into: out.assumingMemoryBound(to: Float.self) + rowsDone)
        case .decimalToDouble(let scale):
            let o = out.assumingMemoryBound(to: Double.self) + rowsDone
            for i in 0..<count {
                let unscaled = try fixedUnscaled(src, i, width: w)
                guard let small = Int64(exactly: unscaled) else { throw corrupt("decimal value exceeds its declared precision") }
                o[i] = ValueConversion.decimalDouble(small, scale: scale)
            }
        case .decimalToString(let scale):
            guard let sink = strings else { throw corrupt("internal: decimal text output missing") }
            for i in 0..<count {
                let text = ValueConversion.decimalText(try fixedUnscaled(src, i, width: w), scale: scale)
                try appendText(text, to: sink)
            }
        case .bytes:
            guard let sink = strings else { throw corrupt("internal: byte output missing") }
            sink.reserve(count: count, bytes: count * w)
            for i in 0..<count { try sink.append(UnsafeRawBufferPointer(start: src + i * w, count: w)) }
        }
    }

    private func fixedUnscaled(_ src: UnsafeRawPointer, _ i: Int, width: Int) throws(ParquetError) -> Int128 {
        switch plan.physical {
        case .int32: return Int128(src.load(fromByteOffset: i * 4, as: Int32.self))
        case .int64: return Int128(src.load(fromByteOffset: i * 8, as: Int64.self))
        default: return try ValueConversion.bigEndianInt128(UnsafeRawBufferPointer(start: src + i * width, count: width))
        }
    }

    private func appendText(_ text: String, to sink: ByteArraySink) throws(ParquetError) {
        var t = text
        try typedThrows { try t.withUTF8 { b in try sink.append(UnsafeRawBufferPointer(b)) } }
    }

    private func decodeByteArraysInto(_ sink: ByteArraySink, _ src: UnsafeRawBufferPointer, count: Int, encoding: Encoding) throws(ParquetError) {
        switch encoding {
        case .plain: _ = try ValueDecoding.plainByteArrays(src, count: count, into: sink)
        case .deltaLengthByteArray: _ = try ValueDecoding.deltaLengthByteArrays(src, count: count, into: sink)
        case .deltaByteArray: try ValueDecoding.deltaByteArrays(src, count: count, into: sink)
        default: throw unsupported(encoding)
        }
    }

    private func decodeByteArrays(_ src: UnsafeRawBufferPointer, count: Int, encoding: Encoding) throws(ParquetError) {
        let isDict = encoding.isDictionary
        switch (plan.output, plan.conversion) {
        case (.string, .bytes):
            guard let sink = strings else { throw corrupt("internal: string output missing") }
            if isDict {
                let idx = try decodeIndices(src, count: count)
                if count > 0 {
                    guard let dict = dictBytes else { throw corrupt("dictionary-encoded page without a dictionary page") }
                    try sink.appendGathered(from: dict, indices: idx, count: count)
                }
            } else {
                try decodeByteArraysInto(sink, src, count: count, encoding: encoding)
            }
        case (.dictionary, _):
            let out = values.base.assumingMemoryBound(to: Int32.self) + rowsDone
            if isDict {
                let idx = try decodeIndices(src, count: count)
                if let remap = dictionaryRemap {
                    for i in 0..<count { idx[i] = UInt32(bitPattern: remap[Int(idx[i])]) }
                }
                if placedAtRows {
                    UnsafeMutableRawPointer(out).copyMemory(from: idx, byteCount: count * 4)
                } else {
                    placeAtRows(UnsafeRawPointer(idx), width: 4, present: count)
                }
            } else {
                let temp = ByteArraySink(capacity: count, bytes: src.count)
                try decodeByteArraysInto(temp, src, count: count, encoding: encoding)
                let table = try fallbackInterner()
                for i in 0..<count { out[i] = try table.intern(temp.bytes(at: i)) }
            }
        default:
            // Decimals stored as byte arrays.
            let temp = ByteArraySink(capacity: count, bytes: src.count)
            if isDict {
                let idx = try decodeIndices(src, count: count)
                if count > 0 {
                    guard let dict = dictBytes else { throw corrupt("dictionary-encoded page without a dictionary page") }
                    try temp.appendGathered(from: dict, indices: idx, count: count)
                }
            } else {
                try decodeByteArraysInto(temp, src, count: count, encoding: encoding)
            }
            try convertDecimalBytes(temp, count: count)
        }
    }

    private func convertDecimalBytes(_ temp: ByteArraySink, count: Int) throws(ParquetError) {
        switch plan.conversion {
        case .decimalToDouble(let scale):
            let o = values.base.assumingMemoryBound(to: Double.self) + rowsDone
            for i in 0..<count {
                let v = try ValueConversion.bigEndianInt128(temp.bytes(at: i))
                guard let small = Int64(exactly: v) else { throw corrupt("decimal value exceeds its declared precision") }
                o[i] = ValueConversion.decimalDouble(small, scale: scale)
            }
        case .decimalToString(let scale):
            guard let sink = strings else { throw corrupt("internal: decimal text output missing") }
            for i in 0..<count {
                try appendText(ValueConversion.decimalText(try ValueConversion.bigEndianInt128(temp.bytes(at: i)), scale: scale), to: sink)
            }
        default:
            throw corrupt("internal: unexpected conversion \(plan.conversion) for BYTE_ARRAY")
        }
    }

    /// The interner that folds PLAIN fallback pages into the dictionary. Created on the first such
    /// page, seeded with the dictionary page so that indices already written stay meaningful.
    private func fallbackInterner() throws(ParquetError) -> ByteArrayInterner {
        if let t = interner { return t }
        let t = ByteArrayInterner()
        if let dict = dictBytes {
            var remap = [Int32](repeating: 0, count: dictCount)
            var identity = true
            for k in 0..<dictCount {
                remap[k] = try t.intern(dict.bytes(at: k))
                if remap[k] != Int32(k) { identity = false }
            }
            if !identity {
                // The dictionary page held duplicates: rewrite the indices already produced.
                let out = values.base.assumingMemoryBound(to: Int32.self)
                for r in 0..<rowsDone { out[r] = remap[Int(out[r])] }
                dictionaryRemap = remap
            }
        }
        interner = t
        return t
    }

    /// Moves the `present` dense values of the current page to their rows, leaving nulls zeroed.
    func spreadNulls(present: Int, count n: Int) {
        guard let validity else { return }
        let bits = UnsafeRawPointer(validity.base)
        let start = rowsDone
        switch plan.output {
        case .bool:
            let b = values.base
            var k = present - 1
            for r in stride(from: n - 1, through: 0, by: -1) {
                if Bitmap.get(bits, start + r) {
                    Bitmap.setBit(b, start + r, Bitmap.get(b, start + k))
                    k -= 1
                } else {
                    Bitmap.setBit(b, start + r, false)
                }
            }
        case .string:
            guard let sink = strings else { return }
            sink.offsets.reserve(additional: (n - present) * 4)
            let o = sink.offsets.base.assumingMemoryBound(to: Int32.self)
            // Dense offsets sit at [start, start + present]; row r ends at the offset of the last valid row up to r.
            var k = start + present
            for r in stride(from: n - 1, through: 0, by: -1) {
                o[start + r + 1] = o[k]
                if Bitmap.get(bits, start + r) { k -= 1 }
            }
            sink.offsets.length = (start + n + 1) * 4
            sink.count = start + n
        default:
            let w = plan.output.byteWidth ?? 4
            if w == 8 {
                spread(values.base.assumingMemoryBound(to: UInt64.self) + start, bits, start, present, n)
            } else {
                spread(values.base.assumingMemoryBound(to: UInt32.self) + start, bits, start, present, n)
            }
        }
    }

    private func spread<T: FixedWidthInteger>(_ p: UnsafeMutablePointer<T>, _ bits: UnsafeRawPointer, _ start: Int, _ present: Int, _ n: Int) {
        var k = present - 1
        for r in stride(from: n - 1, through: 0, by: -1) {
            if Bitmap.get(bits, start + r) {
                p[r] = p[k]
                k -= 1
            } else {
                p[r] = 0
            }
        }
    }
}
