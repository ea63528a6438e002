#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// An open, regular file, closed when the last reference goes.
final class CSVFile {
    let path: String
    let fd: Int32
    let size: Int64
    /// mtime in nanoseconds.
    let modified: Int64

    init(path: String) throws(SluiceError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: path, message: "cannot open: \(errnoText())") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let message = errnoText()
            close(fd)
            throw .io(path: path, message: "cannot stat: \(message)")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw .io(path: path, message: "not a regular file")
        }
        self.path = path
        self.fd = fd
        self.size = Int64(st.st_size)
        #if os(Linux)
        self.modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #else
        self.modified = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #endif
    }

    deinit { close(fd) }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(into dst: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws(SluiceError) -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, dst + done, count - done, off_t(offset + Int64(done)))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw .io(path: path, message: "read failed: \(errnoText())")
            }
        }
        return done
    }

    /// Whether the file should be inflated, per `compression`.
    func isGzip(_ compression: CSVCompression) throws(SluiceError) -> Bool {
        switch compression {
        case .none: return false
        case .gzip: return true
        case .auto:
            if path.hasSuffix(".gz") { return true }
            var magic: (UInt8, UInt8) = (0, 0)
            let n = try withUnsafeMutableBytes(of: &magic) { (raw) throws(SluiceError) -> Int in
                try read(into: raw.baseAddress.unsafelyUnwrapped, count: 2, at: 0)
            }
            return n == 2 && magic.0 == 0x1f && magic.1 == 0x8b
        }
    }
}

/// The bytes of one split: a plain byte range read with `pread`, or the inflated stream of a gzip file.
final class CSVByteSource {
    private let file: CSVFile
    private var offset: Int64
    private let end: Int64
    private let gzip: GzipStream?

    /// Input bytes taken from the file so far (compressed bytes for gzip).
    var bytesRead: Int64 { gzip?.compressedBytesRead ?? (offset - startOffset) }
    private let startOffset: Int64

    /// Reads `[start, end)` of `file` as is.
    init(file: CSVFile, start: Int64, end: Int64) {
        self.file = file
        self.offset = start
        self.startOffset = start
        self.end = min(end, file.size)
        self.gzip = nil
    }

    /// Inflates the whole of `file`.
    init(gzipFile file: CSVFile) throws(SluiceError) {
        self.file = file
        self.offset = 0
        self.startOffset = 0
        self.end = file.size
        self.gzip = try GzipStream(file: file)
    }

    /// Fills `dst` with up to `count` bytes; returns 0 only at the end of the input.
    func read(into dst: UnsafeMutableRawPointer, count: Int) throws(SluiceError) -> Int {
        if let gzip { return try gzip.read(into: dst, count: count) }
        let want = Int(min(Int64(count), end - offset))
        guard want > 0 else { return 0 }
        let n = try file.read(into: dst, count: want, at: offset)
        offset += Int64(n)
        return n
    }
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
