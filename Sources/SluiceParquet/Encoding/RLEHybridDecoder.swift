import SluiceCore

/// Decodes the RLE/bit-packed hybrid encoding used for definition and repetition levels,
/// dictionary indices and RLE booleans: a sequence of runs, each either `varint(n << 1)` followed by
/// one value in `ceil(bitWidth / 8)` bytes repeated n times, or `varint(groups << 1 | 1)` followed by
/// `groups * 8` bit-packed values.
@usableFromInline struct RLEHybridDecoder {
    @usableFromInline let data: UnsafeRawBufferPointer
    @usableFromInline var position: Int
    @usableFromInline let bitWidth: Int
    @usableFromInline var rleLeft = 0
    @usableFromInline var rleValue: UInt32 = 0
    @usableFromInline var packedLeft = 0
    /// Bit position of the next bit-packed value within `data`.
    @usableFromInline var packedBit = 0

    /// - Parameter bitWidth: 0...32.
    @usableFromInline init(_ data: UnsafeRawBufferPointer, bitWidth: Int) throws(ParquetError) {
        guard (0...32).contains(bitWidth) else { throw corrupt("RLE bit width \(bitWidth) is not in 0...32") }
        self.data = data
        self.position = 0
        self.bitWidth = bitWidth
    }

    @usableFromInline mutating func readVarint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < data.count else { throw corrupt("RLE run header runs past the end of the data") }
            let b = data[position]
            position += 1
            if shift >= 64 { throw corrupt("RLE run header varint too long") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    @usableFromInline mutating func nextRun() throws(ParquetError) {
        let header = try readVarint()
        if header & 1 == 0 {
            let n = header >> 1
            guard n <= UInt64(Int32.max) else { throw corrupt("RLE run of \(n) values is too long") }
            let width = (bitWidth + 7) >> 3
            guard position + width <= data.count else { throw corrupt("RLE run value runs past the end of the data") }
            var v: UInt32 = 0
            for k in 0..<width { v |= UInt32(data[position + k]) << UInt32(8 * k) }
            position += width
            if bitWidth < 32, v >> UInt32(bitWidth) != 0 {
                throw corrupt("RLE run value \(v) does not fit in \(bitWidth) bits")
            }
            rleValue = v
            rleLeft = Int(n)
        } else {
            let groups = header >> 1
            let bytes = UInt64(bitWidth) * groups
            // A writer may end a page with a group it did not fill; tolerate a short last group.
            let available = UInt64(data.count - position)
            let usable = Swift.min(bytes, available)
            guard groups <= UInt64(Int32.max) else { throw corrupt("bit-packed run of \(groups) groups is too long") }
            packedBit = position * 8
            packedLeft = bitWidth == 0 ? Int(groups) * 8 : Int(usable * 8) / bitWidth
            position += Int(usable)
        }
    }

    /// Fills `count` values into `dst`; throws if the data ends first.
    @inlinable mutating func decode(into dst: UnsafeMutablePointer<UInt32>, count: Int) throws(ParquetError) {
        var i = 0
        while i < count {
            if rleLeft > 0 {
                let n = Swift.min(rleLeft, count - i)
                (dst + i).update(repeating: rleValue, count: n)
                rleLeft -= n
                i += n
            } else if packedLeft > 0 {
                let n = Swift.min(packedLeft, count - i)
                BitUnpacking.unpack32(data, bitOffset: packedBit, bitWidth: bitWidth, count: n, into: dst + i)
                packedBit += n * bitWidth
                packedLeft -= n
                i += n
            } else {
                if position >= data.count {
                    throw corrupt("RLE/bit-packed data ends after \(i) of \(count) values")
                }
                try nextRun()
            }
        }
    }

    /// Reads `count` levels and writes whether each equals `maxLevel` into a validity bitmap at
    /// bit `bitOffset`; returns how many did. Long runs become range fills, not per-bit work.
    @usableFromInline mutating func decodeValidity(
        count: Int, maxLevel: UInt32, bitmap: UnsafeMutableRawPointer, bitOffset: Int,
        scratch: UnsafeMutablePointer<UInt32>, scratchCount: Int
    ) throws(ParquetError) -> Int {
        var i = 0
        var valid = 0
        while i < count {
            if rleLeft > 0 {
                let n = Swift.min(rleLeft, count - i)
                let set = rleValue == maxLevel
                BitmapFill.fill(bitmap, from: bitOffset + i, count: n, set)
                if set { valid += n }
                rleLeft -= n
                i += n
            } else if packedLeft > 0 && bitWidth == 1 && maxLevel == 1 {
                // Levels of width 1 are already a validity bitmap: copy the bits.
                let n = Swift.min(packedLeft, count - i)
                valid &+= BitmapFill.copyBits(from: data, srcBit: packedBit, to: bitmap, dstBit: bitOffset + i, count: n)
                packedBit += n
                packedLeft -= n
                i += n
            } else if packedLeft > 0 {
                let n = Swift.min(packedLeft, count - i, scratchCount)
                BitUnpacking.unpack32(data, bitOffset: packedBit, bitWidth: bitWidth, count: n, into: scratch)
                for k in 0..<n {
                    let set = scratch[k] == maxLevel
                    Bitmap.setBit(bitmap, bitOffset + i + k, set)
                    valid &+= set ? 1 : 0
                }
                packedBit += n * bitWidth
                packedLeft -= n
                i += n
            } else {
                if position >= data.count {
                    throw corrupt("definition levels end after \(i) of \(count) values")
                }
                try nextRun()
            }
        }
        return valid
    }
}
