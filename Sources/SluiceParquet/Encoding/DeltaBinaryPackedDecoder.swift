/// Decodes DELTA_BINARY_PACKED: a header (block size, miniblocks per block, total count, first
/// value), then blocks of `<zigzag min delta> <bit width per miniblock> <bit-packed miniblocks>`.
///
/// Arithmetic wraps (the format relies on it for deltas that overflow), and values are produced in
/// 64 bits and truncated to the column's width, which is the same modulo 2^32 for INT32 columns.
@usableFromInline struct DeltaBinaryPackedDecoder {
    @usableFromInline let data: UnsafeRawBufferPointer
    @usableFromInline var position: Int
    let blockSize: Int
    let miniblocksPerBlock: Int
    let valuesPerMiniblock: Int
    /// Values in the whole encoded run, the first value included.
    @usableFromInline let totalCount: Int
    var produced = 0
    var last: Int64
    var minDelta: Int64 = 0
    var widths: [UInt8]
    var miniblock = 0
    var leftInMiniblock = 0
    var miniblockBit = 0
    var miniblockWidth = 0
    var scratch: [UInt64]
    /// Byte position just past the last miniblock that holds values, known once all values are read.
    var endOfData: Int

    @usableFromInline init(_ data: UnsafeRawBufferPointer) throws(ParquetError) {
        self.data = data
        self.position = 0
        var p = 0
        func varint() throws(ParquetError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard p < data.count else { throw corrupt("DELTA_BINARY_PACKED header runs past the end of the data") }
                let b = data[p]
                p += 1
                if shift >= 64 { throw corrupt("DELTA_BINARY_PACKED varint too long") }
                result |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        let block = try varint()
        let minis = try varint()
        let total = try varint()
        let firstRaw = try varint()
        guard block > 0, block % 128 == 0, block <= 1 << 20 else {
            throw corrupt("DELTA_BINARY_PACKED block size \(block) is not a positive multiple of 128")
        }
        guard minis > 0, block % minis == 0, (block / minis) % 32 == 0 else {
            throw corrupt("DELTA_BINARY_PACKED has \(minis) miniblocks per block of \(block), not multiples of 32 values")
        }
        guard total <= UInt64(Int32.max) else { throw corrupt("DELTA_BINARY_PACKED count \(total) is too large") }
        blockSize = Int(block)
        miniblocksPerBlock = Int(minis)
        valuesPerMiniblock = Int(block / minis)
        totalCount = Int(total)
        last = Int64(bitPattern: (firstRaw >> 1) ^ (0 &- (firstRaw & 1)))
        widths = Array(repeating: 0, count: miniblocksPerBlock)
        miniblock = miniblocksPerBlock
        scratch = Array(repeating: 0, count: valuesPerMiniblock)
        position = p
        endOfData = p
    }

    private mutating func varint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < data.count else { throw corrupt("DELTA_BINARY_PACKED block header runs past the end of the data") }
            let b = data[position]
            position += 1
            if shift >= 64 { throw corrupt("DELTA_BINARY_PACKED varint too long") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func nextMiniblock() throws(ParquetError) {
        if miniblock == miniblocksPerBlock {
            let raw = try varint()
            minDelta = Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
            guard position + miniblocksPerBlock <= data.count else {
                throw corrupt("DELTA_BINARY_PACKED miniblock widths run past the end of the data")
            }
            for k in 0..<miniblocksPerBlock { widths[k] = data[position + k] }
            position += miniblocksPerBlock
            miniblock = 0
        }
        let w = Int(widths[miniblock])
        guard w <= 64 else { throw corrupt("DELTA_BINARY_PACKED miniblock bit width \(w) exceeds 64") }
        let remaining = totalCount - produced
        let needed = BitUnpacking.byteCount(count: Swift.min(valuesPerMiniblock, remaining), bitWidth: w)
        guard position + needed <= data.count else {
            throw corrupt("DELTA_BINARY_PACKED miniblock of width \(w) runs past the end of the data")
        }
        miniblockWidth = w
        miniblockBit = position * 8
        leftInMiniblock = valuesPerMiniblock
        let full = valuesPerMiniblock * w / 8
        position = Swift.min(position + full, data.count)
        endOfData = position
        miniblock += 1
    }

    /// Decodes the next `count` values into `dst`.
    @usableFromInline mutating func decode<T: FixedWidthInteger>(into dst: UnsafeMutablePointer<T>, count: Int) throws(ParquetError) {
        guard count <= totalCount - produced else {
            throw corrupt("DELTA_BINARY_PACKED holds \(totalCount - produced) more values, \(count) were expected")
        }
        var i = 0
        if produced == 0 && count > 0 {
            dst[0] = T(truncatingIfNeeded: last)
            produced = 1
            i = 1
        }
        while i < count {
            if leftInMiniblock == 0 { try nextMiniblock() }
            let n = Swift.min(leftInMiniblock, count - i)
            var cur = last
            let md = minDelta
            let width = miniblockWidth
            let bitStart = miniblockBit
            let src = data
            scratch.withUnsafeMutableBufferPointer { s in
                BitUnpacking.unpack64(src, bitOffset: bitStart, bitWidth: width, count: n, into: s.baseAddress.unsafelyUnwrapped)
                for k in 0..<n {
                    cur = cur &+ md &+ Int64(bitPattern: s[k])
                    dst[i + k] = T(truncatingIfNeeded: cur)
                }
            }
            last = cur
            miniblockBit += n * width
            leftInMiniblock -= n
            produced += n
            i += n
        }
    }

    /// Where the bytes after this encoded run start; valid once every value has been decoded.
    @usableFromInline var endPosition: Int { endOfData }
}
