import SluiceCore
import CLZ4
import CSnappy
import CZlib
import CZstd

/// Compression and decompression of page bodies with the C libraries from the system.
///
/// Implementation note: the uncompressed size is always known from the page header, so every
/// decompressor writes into an exactly sized buffer and a result of any other size is an error
/// (that is what catches most corrupt pages before the decoders see them).
public enum PageCodec {
    /// Decompresses `src` into exactly `uncompressedSize` bytes in `dst`.
    public static func decompress(
        _ codec: CompressionCodec, _ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer
    ) throws(ParquetError) {
        let expected = dst.count
        if expected == 0 { return }
        guard let s = src.baseAddress, src.count > 0 else {
            throw corrupt("\(codec) page of 0 bytes cannot hold \(expected) bytes")
        }
        let d = dst.baseAddress.unsafelyUnwrapped
        switch codec {
        case .uncompressed:
            guard src.count == expected else { throw corrupt("uncompressed page has \(src.count) bytes, header says \(expected)") }
            d.copyMemory(from: s, byteCount: expected)
        case .snappy:
            var outLen = 0
            guard snappy_uncompressed_length(s.assumingMemoryBound(to: CChar.self), src.count, &outLen) == SNAPPY_OK,
                outLen == expected
            else { throw corrupt("snappy page does not decompress to the \(expected) bytes its header says") }
            var len = expected
            let rc = snappy_uncompress(s.assumingMemoryBound(to: CChar.self), src.count, d.assumingMemoryBound(to: CChar.self), &len)
            guard rc == SNAPPY_OK, len == expected else { throw corrupt("snappy page is corrupt") }
        case .zstd:
            let n = ZSTD_decompress(d, expected, s, src.count)
            if ZSTD_isError(n) != 0 {
                throw corrupt("zstd page is corrupt: \(String(cString: ZSTD_getErrorName(n)))")
            }
            guard n == expected else { throw corrupt("zstd page decompressed to \(n) bytes, header says \(expected)") }
        case .lz4Raw:
            let n = LZ4_decompress_safe(s.assumingMemoryBound(to: CChar.self), d.assumingMemoryBound(to: CChar.self), Int32(clamping: src.count), Int32(clamping: expected))
            guard n == Int32(clamping: expected) else { throw corrupt("LZ4_RAW page is corrupt (got \(n) of \(expected) bytes)") }
        case .lz4:
            try decompressHadoopLZ4(src, into: dst)
        case .gzip:
            try inflateGzip(src, into: dst)
        default:
            throw corrupt("compression codec \(codec) is not supported")
        }
    }

    /// Parquet's deprecated LZ4 codec is Hadoop's framing (big-endian sizes around LZ4 blocks); some
    /// writers put a bare LZ4 block there instead, which is tried when the framing does not fit.
    static func decompressHadoopLZ4(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        func be32(_ p: Int) -> Int {
            Int(src[p]) << 24 | Int(src[p + 1]) << 16 | Int(src[p + 2]) << 8 | Int(src[p + 3])
        }
        var sp = 0, dp = 0
        var framed = true
        outer: while sp < src.count {
            guard sp + 8 <= src.count else { framed = false; break }
            let total = be32(sp)
            sp += 4
            var produced = 0
            while produced < total {
                guard sp + 4 <= src.count else { framed = false; break outer }
                let clen = be32(sp)
                sp += 4
                guard clen <= src.count - sp, dp + (total - produced) <= dst.count else { framed = false; break outer }
                let n = LZ4_decompress_safe(
                    (src.baseAddress.unsafelyUnwrapped + sp).assumingMemoryBound(to: CChar.self),
                    (dst.baseAddress.unsafelyUnwrapped + dp).assumingMemoryBound(to: CChar.self),
                    Int32(clen), Int32(dst.count - dp))
                guard n >= 0 else { framed = false; break outer }
                sp += clen
                dp += Int(n)
                produced += Int(n)
            }
        }
        if framed && dp == dst.count { return }
        let n = LZ4_decompress_safe(
            src.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: CChar.self),
            dst.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: CChar.self),
            Int32(clamping: src.count), Int32(clamping: dst.count))
        guard n == Int32(clamping: dst.count) else { throw corrupt("LZ4 page is corrupt (neither Hadoop-framed nor a raw block)") }
    }

    /// GZIP with any number of concatenated members (some writers emit several).
    static func inflateGzip(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) throws(ParquetError) {
        var stream = z_stream()
        // 15 + 32: accept gzip or zlib headers.
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw corrupt("zlib could not be initialised")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(clamping: src.count)
        stream.next_out = dst.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(clamping: dst.count)
        while true {
            let rc = inflate(&stream, Z_FINISH)
            if rc == Z_STREAM_END {
                guard stream.avail_in > 0 else { break }
                // Another gzip member follows.
                guard stream.avail_out > 0 else { throw corrupt("gzip page decompresses to more bytes than its header says") }
                guard inflateReset(&stream) == Z_OK else { throw corrupt("gzip page is corrupt") }
                continue
            }
            if stream.avail_out == 0 && (rc == Z_OK || rc == Z_BUF_ERROR) {
                throw corrupt("gzip page decompresses to more bytes than its header says")
            }
            throw corrupt("gzip page is corrupt (zlib error \(rc))")
        }
        guard stream.avail_out == 0 else {
            throw corrupt("gzip page decompressed to \(dst.count - Int(stream.avail_out)) bytes, header says \(dst.count)")
        }
    }

    /// Compresses `src`, appending to `out`. `level` applies to zstd and gzip.
    public static func compress(_ codec: CompressionCodec, _ src: UnsafeRawBufferPointer, level: Int32, into out: inout [UInt8]) throws(ParquetError) {
        let buffer = Buffer(capacity: src.count / 2 + 64)
        try compress(codec, src, level: level, into: buffer)
        out.append(contentsOf: buffer.bytes)
    }

    /// Compresses `src`, appending to `out` (which grows by at most the codec's bound).
    public static func compress(_ codec: CompressionCodec, _ src: UnsafeRawBufferPointer, level: Int32, into out: Buffer) throws(ParquetError) {
        let n = src.count
        let s = src.baseAddress ?? UnsafeRawPointer(out.base)
        switch codec {
        case .uncompressed:
            out.append(src)
        case .zstd:
            let bound = ZSTD_compressBound(n)
            out.reserve(additional: bound)
            let written = ZSTD_compress(out.base + out.length, bound, s, n, level)
            guard ZSTD_isError(written) == 0 else { throw corrupt("zstd compression failed") }
            out.length += written
        case .snappy:
            let bound = snappy_max_compressed_length(n)
            out.reserve(additional: bound)
            var len = bound
            let rc = snappy_compress(s.assumingMemoryBound(to: CChar.self), n, (out.base + out.length).assumingMemoryBound(to: CChar.self), &len)
            guard rc == SNAPPY_OK else { throw corrupt("snappy compression failed") }
            out.length += len
        case .lz4Raw:
            let bound = Int(LZ4_compressBound(Int32(clamping: n)))
            out.reserve(additional: bound)
            let written = LZ4_compress_default(
                s.assumingMemoryBound(to: CChar.self), (out.base + out.length).assumingMemoryBound(to: CChar.self),
                Int32(clamping: n), Int32(clamping: bound))
            guard written > 0 || n == 0 else { throw corrupt("LZ4 compression failed") }
            out.length += Int(written)
        case .gzip:
            var stream = z_stream()
            guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw corrupt("zlib could not be initialised")
            }
            defer { deflateEnd(&stream) }
            let bound = Int(deflateBound(&stream, UInt(n))) + 32
            out.reserve(additional: bound)
            stream.next_in = UnsafeMutablePointer(mutating: s.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(n)
            stream.next_out = (out.base + out.length).assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(bound)
            let rc = deflate(&stream, Z_FINISH)
            guard rc == Z_STREAM_END else { throw corrupt("gzip compression failed (zlib error \(rc))") }
            out.length += Int(stream.total_out)
        default:
            throw corrupt("compression codec \(codec) is not supported for writing")
        }
    }

    /// CRC-32 (the zlib polynomial) of page bytes, as stored in `PageHeader.crc`.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let b = bytes.baseAddress, bytes.count > 0 else { return 0 }
        var crc: UInt = CZlib.crc32(0, nil, 0)
        var p = b.assumingMemoryBound(to: UInt8.self)
        var left = bytes.count
        while left > 0 {
            let n = Swift.min(left, 1 << 30)
            crc = CZlib.crc32(crc, p, UInt32(n))
            p += n
            left -= n
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
