import SluiceCore
import Testing
@testable import SluiceParquet

func rleEncode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
    let out = Buffer(capacity: 16)
    values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: bitWidth, into: out) }
    return Array(out.bytes)
}

@Suite struct RLEHybridTests {
    private func decode(_ bytes: [UInt8], bitWidth: Int, count: Int) throws -> [UInt32] {
        var out = [UInt32](repeating: 0xffff_ffff, count: count)
        try bytes.withUnsafeBytes { b in
            var d = try RLEHybridDecoder(b, bitWidth: bitWidth)
            try out.withUnsafeMutableBufferPointer { (o) in try d.decode(into: o.baseAddress!, count: count) }
        }
        return out
    }

    @Test func handBuiltRLERun() throws {
        // varint(5 << 1) = 10, then the value 3 in one byte (bit width 3).
        #expect(try decode([0x0a, 0x03], bitWidth: 3, count: 5) == [3, 3, 3, 3, 3])
        // Bit width 17 stores the value in 3 bytes, little-endian.
        #expect(try decode([0x04, 0x01, 0x00, 0x01], bitWidth: 17, count: 2) == [65537, 65537])
        // A run value wider than the bit width is corrupt.
        #expect(throws: ParquetError.self) { try decode([0x04, 0x09], bitWidth: 3, count: 2) }
    }

    @Test func handBuiltBitPackedRun() throws {
        // The example from the Parquet spec: values 0..7 at bit width 3, one group:
        // header varint(1 << 1 | 1) = 3, then 0b10001000 0b11000110 0b11111010.
        #expect(try decode([0x03, 0x88, 0xc6, 0xfa], bitWidth: 3, count: 8) == [0, 1, 2, 3, 4, 5, 6, 7])
        // Fewer values requested than the group holds: the rest is padding.
        #expect(try decode([0x03, 0x88, 0xc6, 0xfa], bitWidth: 3, count: 5) == [0, 1, 2, 3, 4])
    }

    @Test func mixedRunsAndRunningOutOfData() throws {
        // RLE run of 3 × 1, then a bit-packed group of 8 values at width 1: 1,0,1,0,0,0,0,1.
        #expect(try decode([0x06, 0x01, 0x03, 0b1000_0101], bitWidth: 1, count: 11) == [1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1])
        #expect(throws: ParquetError.self) { try decode([0x06, 0x01], bitWidth: 1, count: 4) }
        #expect(throws: ParquetError.self) { try decode([0x06, 0x01], bitWidth: 33, count: 1) }
    }

    @Test func encoderUsesRLEForLongRunsAndKeepsGroupsWhole() throws {
        // 3 distinct values then 20 × 7: the first group is completed from the run (5 values),
        // the remaining 15 become one RLE run.
        let values: [UInt32] = [1, 2, 3] + [UInt32](repeating: 7, count: 20)
        let bytes = rleEncode(values, bitWidth: 3)
        #expect(bytes[0] == 0x03)  // one bit-packed group
        #expect(bytes[4] == 15 << 1 && bytes[5] == 7)  // RLE run of 15 × 7
        #expect(bytes.count == 6)
        #expect(try decode(bytes, bitWidth: 3, count: values.count) == values)
    }

    @Test func bitWidthZeroIsAllZeros() throws {
        #expect(try decode([0x08], bitWidth: 0, count: 4) == [0, 0, 0, 0])
        #expect(try decode([0x03], bitWidth: 0, count: 8) == [UInt32](repeating: 0, count: 8))
    }

    @Test func encoderRoundTripsEveryBitWidth() throws {
        for width in 0...32 {
            let mask: UInt64 = width == 0 ? 0 : (1 << UInt64(width)) - 1
            var values: [UInt32] = []
            var x: UInt64 = 0x9e37_79b9_7f4a_7c15
            for i in 0..<1000 {
                x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                // Long runs, short runs and noise, so both run kinds and group completion are hit.
                if i % 100 < 30 { values.append(UInt32(mask & 5)) } else if i % 7 == 0 { values.append(UInt32(mask)) } else { values.append(UInt32((x >> 20) & mask)) }
            }
            let bytes = rleEncode(values, bitWidth: width)
            #expect(try decode(bytes, bitWidth: width, count: values.count) == values, "bit width \(width)")
        }
    }

    @Test func validityFromLevels() throws {
        // Levels 1,1,0,1 then 8 × 0 (RLE): validity bits and the present count.
        let levels: [UInt32] = [1, 1, 0, 1] + [UInt32](repeating: 0, count: 8) + [1, 1]
        let bytes = rleEncode(levels, bitWidth: 1)
        let bitmap = Buffer(capacity: 8)
        bitmap.appendZeros(8)
        var scratch = [UInt32](repeating: 0, count: 3)  // small, to exercise chunking
        let present = try bytes.withUnsafeBytes { b in
            var d = try RLEHybridDecoder(b, bitWidth: 1)
            return try scratch.withUnsafeMutableBufferPointer { (s) in
                try d.decodeValidity(count: levels.count, maxLevel: 1, bitmap: bitmap.base, bitOffset: 5, scratch: s.baseAddress!, scratchCount: s.count)
            }
        }
        #expect(present == 5)
        for (i, l) in levels.enumerated() { #expect(Bitmap.get(bitmap.base, 5 + i) == (l == 1)) }
    }
}

@Suite struct DeltaBinaryPackedTests {
    private func decode<T: FixedWidthInteger>(_ bytes: [UInt8], _: T.Type, count: Int) throws -> ([T], Int) {
        var out = [T](repeating: 0, count: count)
        let end = try bytes.withUnsafeBytes { b in
            var d = try DeltaBinaryPackedDecoder(b)
            try out.withUnsafeMutableBufferPointer { (o) in try d.decode(into: o.baseAddress!, count: count) }
            return d.endPosition
        }
        return (out, end)
    }

    private func encode<T: FixedWidthInteger & SignedInteger>(_ values: [T]) -> [UInt8] {
        var out: [UInt8] = []
        values.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: &out) }
        return out
    }

    @Test func handBuiltSpecExample() throws {
        // Values 7, 5, 3, 1, 2, 3, 4, 5 (the spec's second example): deltas -2,-2,-2,1,1,1,1;
        // min delta -2, so packed deltas 0,0,0,3,3,3,3 at bit width 2 in the first miniblock.
        var b: [UInt8] = [0x80, 0x01, 0x04, 0x08, 0x0e]  // block 128, 4 miniblocks, 8 values, first 7 (zigzag 14)
        b.append(0x03)  // min delta -2 zigzag
        b += [2, 0, 0, 0]  // widths: only the first miniblock is used
        // 32 values at width 2 = 8 bytes: 0,0,0,3 | 3,3,3,0 ...
        b += [0b1100_0000, 0b0011_1111, 0, 0, 0, 0, 0, 0]
        b.append(0xEE)  // a byte after the run
        let (values, end) = try decode(b, Int32.self, count: 8)
        #expect(values == [7, 5, 3, 1, 2, 3, 4, 5])
        #expect(end == b.count - 1)
    }

    @Test func singleValueHasNoBlocks() throws {
        let (v, end) = try decode([0x80, 0x01, 0x04, 0x01, 0x09, 0xAA], Int64.self, count: 1)
        #expect(v == [-5])
        #expect(end == 5)
    }

    @Test func negativeDeltasAndExtremesRoundTrip() throws {
        var values: [Int64] = [0, -1, 5, -1000, Int64.max, Int64.min, 0, Int64.min, Int64.max, 3]
        for i in 0..<300 { values.append(Int64(i * i) * (i % 2 == 0 ? -1 : 1)) }
        let bytes = encode(values)
        let (back, end) = try decode(bytes, Int64.self, count: values.count)
        #expect(back == values)
        #expect(end == bytes.count)
    }

    @Test func int32DeltasWrapIn32Bits() throws {
        let values: [Int32] = [Int32.max, Int32.min, Int32.max, -1, 0, Int32.min, 12, 12, 12]
        let bytes = encode(values)
        // Every miniblock width stays within 32 bits because deltas wrap in the column's width.
        let (back, _) = try decode(bytes, Int32.self, count: values.count)
        #expect(back == values)
    }

    @Test func minDeltaOverflowWrapsAsTheFormatRequires() throws {
        // first = Int64.max, min delta = Int64.min (zigzag 2^64-1), one delta packed as 1 at width 1:
        // max + (min + 1) wraps to 0.
        var b: [UInt8] = [0x80, 0x01, 0x04, 0x02]
        b += [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]  // zigzag(Int64.max)
        b += [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]  // zigzag(Int64.min)
        b += [1, 0, 0, 0]
        b += [0x01, 0, 0, 0]  // 32 values at width 1 = 4 bytes
        let (v, _) = try decode(b, Int64.self, count: 2)
        #expect(v == [Int64.max, 0])
    }

    @Test func everyMiniblockWidthUpTo64() throws {
        for width in 0...63 {
            let step: Int64 = width == 0 ? 0 : Int64.max >> Int64(63 - width)
            var values: [Int64] = [0]
            for i in 1..<130 { values.append(values[i - 1] &+ (i % 2 == 0 ? step : 0)) }
            let (back, _) = try decode(encode(values), Int64.self, count: values.count)
            #expect(back == values, "width \(width)")
        }
    }

    @Test func corruptHeadersThrow() {
        #expect(throws: ParquetError.self) { try decode([0x81, 0x01, 0x04, 0x02, 0x00], Int32.self, count: 2) }  // block 129
        #expect(throws: ParquetError.self) { try decode([0x80, 0x01, 0x03, 0x02, 0x00], Int32.self, count: 2) }  // 128/3
        #expect(throws: ParquetError.self) { try decode([0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 65, 0, 0, 0], Int64.self, count: 2) }  // width 65
        #expect(throws: ParquetError.self) { try decode([0x80, 0x01, 0x04, 0x05, 0x00, 0x00, 8, 0, 0, 0, 1], Int32.self, count: 5) }  // truncated
        #expect(throws: ParquetError.self) { try decode([0x80, 0x01, 0x04, 0x01, 0x00], Int32.self, count: 2) }  // asks for more than stored
    }
}

@Suite struct ByteArrayAndSplitEncodingTests {
    private func strings(_ sink: ByteArraySink) -> [String] {
        (0..<sink.count).map { String(decoding: sink.bytes(at: $0), as: UTF8.self) }
    }

    @Test func plainByteArrays() throws {
        let bytes: [UInt8] = [3, 0, 0, 0] + Array("abc".utf8) + [0, 0, 0, 0] + [2, 0, 0, 0] + Array("é".utf8)
        let sink = ByteArraySink()
        let used = try bytes.withUnsafeBytes { try ValueDecoding.plainByteArrays($0, count: 3, into: sink) }
        #expect(strings(sink) == ["abc", "", "é"])
        #expect(used == bytes.count)
        #expect(throws: ParquetError.self) {
            try ([9, 0, 0, 0, 65] as [UInt8]).withUnsafeBytes { try ValueDecoding.plainByteArrays($0, count: 1, into: ByteArraySink()) }
        }
    }

    @Test func deltaLengthByteArray() throws {
        var bytes: [UInt8] = []
        let lengths: [Int32] = [5, 5, 0, 6]
        lengths.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: &bytes) }
        bytes += Array("HelloWorldFoobar".utf8)
        let sink = ByteArraySink()
        _ = try bytes.withUnsafeBytes { try ValueDecoding.deltaLengthByteArrays($0, count: 4, into: sink) }
        #expect(strings(sink) == ["Hello", "World", "", "Foobar"])
    }

    @Test func deltaByteArray() throws {
        // The spec's example: axis, axle, babble, babyhood → prefixes 0,2,0,3; suffixes axis, le, babble, yhood.
        var bytes: [UInt8] = []
        let prefixes: [Int32] = [0, 2, 0, 3]
        prefixes.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: &bytes) }
        let suffixLengths: [Int32] = [4, 2, 6, 5]
        suffixLengths.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: &bytes) }
        bytes += Array("axislebabbleyhood".utf8)
        let sink = ByteArraySink()
        try bytes.withUnsafeBytes { try ValueDecoding.deltaByteArrays($0, count: 4, into: sink) }
        #expect(strings(sink) == ["axis", "axle", "babble", "babyhood"])
        // A prefix longer than the previous value is corrupt.
        var bad: [UInt8] = []
        let badPrefixes: [Int32] = [0, 9]
        badPrefixes.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: &bad) }
        let badLengths: [Int32] = [1, 1]
        badLengths.withUnsafeBufferPointer { DeltaBinaryPackedEncoder.encode($0, into: &bad) }
        bad += Array("ab".utf8)
        #expect(throws: ParquetError.self) {
            try bad.withUnsafeBytes { try ValueDecoding.deltaByteArrays($0, count: 2, into: ByteArraySink()) }
        }
    }

    @Test func byteStreamSplit() throws {
        let values: [Float] = [1.5, -2.25, 1e-30, .infinity]
        var split = [UInt8](repeating: 0, count: 16)
        values.withUnsafeBytes { raw in
            for i in 0..<4 { for k in 0..<4 { split[k * 4 + i] = raw[i * 4 + k] } }
        }
        var out = [Float](repeating: 0, count: 4)
        try split.withUnsafeBytes { s in
            try out.withUnsafeMutableBytes { (o) in try ValueDecoding.byteStreamSplit(s, width: 4, count: 4, into: o.baseAddress!) }
        }
        #expect(out == values)
    }

    @Test func plainBooleansAtAnyBitOffset() throws {
        let bitmap = Buffer(capacity: 4)
        bitmap.appendZeros(4)
        try ([0b1010_0110, 0b1] as [UInt8]).withUnsafeBytes { (s: UnsafeRawBufferPointer) in
            try ValueDecoding.plainBooleans(s, count: 9, into: bitmap.base, bitOffset: 3)
        }
        let expected = [false, true, true, false, false, true, false, true, true]
        for (i, e) in expected.enumerated() { #expect(Bitmap.get(bitmap.base, 3 + i) == e) }
    }

    @Test func bitPackingRoundTripsAtEveryWidth() {
        for width in 1...64 {
            let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
            let values: [UInt64] = (0..<77).map { UInt64($0) &* 0x9e37_79b9_7f4a_7c15 & mask }
            var packed: [UInt8] = []
            values.withUnsafeBufferPointer { BitUnpacking.pack($0, bitWidth: width, into: &packed) }
            #expect(packed.count == BitUnpacking.byteCount(count: 77, bitWidth: width))
            var back = [UInt64](repeating: 0, count: 77)
            packed.withUnsafeBytes { p in
                back.withUnsafeMutableBufferPointer { BitUnpacking.unpack64(p, bitOffset: 0, bitWidth: width, count: 77, into: $0.baseAddress!) }
            }
            #expect(back == values, "width \(width)")
        }
    }
}

@Suite struct PageCodecTests {
    @Test(arguments: [CompressionCodec.uncompressed, .snappy, .gzip, .zstd, .lz4Raw])
    func roundTrip(codec: CompressionCodec) throws {
        let text = Array(String(repeating: "sluice parquet page ", count: 500).utf8) + (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var compressed: [UInt8] = []
        try text.withUnsafeBytes { (t) in try PageCodec.compress(codec, t, level: 3, into: &compressed) }
        if codec != .uncompressed { #expect(compressed.count < text.count) }
        var back = [UInt8](repeating: 0, count: text.count)
        try compressed.withUnsafeBytes { c in
            try back.withUnsafeMutableBytes { (b) in try PageCodec.decompress(codec, c, into: b) }
        }
        #expect(back == text)
        // Corrupt input or a wrong size never succeeds silently.
        if codec != .uncompressed {
            var broken = compressed
            for i in stride(from: 2, to: broken.count, by: 3) { broken[i] ^= 0x5a }
            var out = [UInt8](repeating: 0, count: text.count)
            let ok = (try? broken.withUnsafeBytes { c in
                try out.withUnsafeMutableBytes { (b) in try PageCodec.decompress(codec, c, into: b) }
            }) != nil
            #expect(!ok || out != text)
        }
        var tooSmall = [UInt8](repeating: 0, count: text.count - 1)
        #expect(throws: ParquetError.self) {
            try compressed.withUnsafeBytes { c in
                try tooSmall.withUnsafeMutableBytes { (b) in try PageCodec.decompress(codec, c, into: b) }
            }
        }
    }

    @Test func hadoopFramedAndBareLZ4() throws {
        // Parquet's deprecated LZ4 codec: Hadoop framing (big-endian total size, then big-endian
        // block size + LZ4 block, per block), or from some writers a bare LZ4 block.
        let text = Array(String(repeating: "hadoop lz4 framing ", count: 300).utf8)
        var block: [UInt8] = []
        try text.withUnsafeBytes { try PageCodec.compress(.lz4Raw, $0, level: 0, into: &block) }
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
        let framed = be32(text.count) + be32(block.count) + block
        for input in [framed, block] {
            var out = [UInt8](repeating: 0, count: text.count)
            try input.withUnsafeBytes { i in try out.withUnsafeMutableBytes { try PageCodec.decompress(.lz4, i, into: $0) } }
            #expect(out == text)
        }
        var garbage = [UInt8](repeating: 0, count: text.count)
        #expect(throws: ParquetError.self) {
            try [0xff, 0xff, 0xff, 0xff, 1, 2, 3].withUnsafeBytes { (i: UnsafeRawBufferPointer) in try garbage.withUnsafeMutableBytes { try PageCodec.decompress(.lz4, i, into: $0) } }
        }
        #expect(throws: ParquetError.self) {
            try block.withUnsafeBytes { i in try garbage.withUnsafeMutableBytes { try PageCodec.decompress(.brotli, i, into: $0) } }
        }
    }

    @Test func crc32MatchesZlibCheckValue() {
        // The standard CRC-32 check value of "123456789".
        #expect(Array("123456789".utf8).withUnsafeBytes { PageCodec.crc32($0) } == 0xCBF4_3926)
    }
}
