import CZlib
import SluiceCore

/// Streaming gzip inflation of a whole file through zlib, reading the compressed bytes in blocks.
///
/// Implementation note: zlib keeps a pointer back to its `z_stream` and checks it on every call,
/// so the stream lives in its own allocation rather than in a (movable) Swift property.
/// Concatenated gzip members (as `cat a.gz b.gz` or pigz produce) are all inflated; bytes after
/// the last member that do not start a new member are ignored, as `gzip -d` does.
final class GzipStream {
    private let file: CSVFile
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private let inputCapacity = 1 << 20
    private var fileOffset: Int64 = 0
    private var inputEOF = false
    private var finished = false

    /// Compressed bytes taken from the file so far.
    var compressedBytesRead: Int64 { fileOffset }

    init(file: CSVFile) throws(SluiceError) {
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(capacity: inputCapacity)
        // 15 + 32: the largest window, with zlib/gzip header auto-detection.
        let rc = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            input.deallocate()
            stream.deallocate()
            throw .io(path: file.path, message: "gzip: cannot initialise zlib (code \(rc))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Keeps at least `minimum` compressed bytes available when the file has them.
    private func refillInput(minimum: Int = 1) throws(SluiceError) {
        let have = Int(stream.pointee.avail_in)
        guard have < minimum, !inputEOF else { return }
        if have > 0, let next = stream.pointee.next_in, next != input {
            input.update(from: next, count: have)
        }
        let n = try file.read(into: input + have, count: inputCapacity - have, at: fileOffset)
        fileOffset += Int64(n)
        if n == 0 || fileOffset >= file.size { inputEOF = true }
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(have + n)
    }

    /// Inflates up to `count` bytes into `dst`; returns 0 only at the end of the data.
    func read(into dst: UnsafeMutableRawPointer, count: Int) throws(SluiceError) -> Int {
        guard !finished, count > 0 else { return 0 }
        let out = dst.assumingMemoryBound(to: UInt8.self)
        stream.pointee.next_out = out
        stream.pointee.avail_out = UInt32(min(count, Int(UInt32.max)))
        let capacity = Int(stream.pointee.avail_out)
        while stream.pointee.avail_out > 0 {
            try refillInput()
            let rc = inflate(stream, Z_NO_FLUSH)
            switch rc {
            case Z_OK:
                continue
            case Z_STREAM_END:
                try refillInput(minimum: 2)
                let left = Int(stream.pointee.avail_in)
                if left >= 2, let p = stream.pointee.next_in, p[0] == 0x1f, p[1] == 0x8b {
                    inflateReset(stream)
                    continue
                }
                finished = true
            case Z_BUF_ERROR:
                // No progress possible: with output space left that means the input ran out mid-member.
                if stream.pointee.avail_in == 0 && inputEOF {
                    throw .io(path: file.path, message: "gzip: unexpected end of compressed data")
                }
                continue
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "code \(rc)"
                throw .io(path: file.path, message: "gzip: corrupt data (\(detail))")
            }
            if finished { break }
        }
        return capacity - Int(stream.pointee.avail_out)
    }
}
