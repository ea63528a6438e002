#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// Where a reader's bytes come from: an open file read with `pread` (which never moves a shared
/// file offset, so several threads may read row groups of one file at once), or memory.
final class ParquetByteSource: @unchecked Sendable {
    // Implementation note: `fd` and `memory` never change after init, which is what makes the
    // unchecked Sendable conformance true.
    private let fd: Int32
    private let memory: [UInt8]?
    let size: Int
    let name: String

    init(path: String) throws(ParquetError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ParquetError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let msg = String(cString: strerror(errno))
            close(fd)
            throw ParquetError(file: path, "cannot stat: \(msg)")
        }
        self.fd = fd
        self.memory = nil
        self.size = Int(st.st_size)
        self.name = path
    }

    init(bytes: [UInt8], name: String) {
        self.fd = -1
        self.memory = bytes
        self.size = bytes.count
        self.name = name
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Reads `count` bytes at `offset` into a new buffer, or into `into` when given (it must hold `count` bytes).
    func read(offset: Int, count: Int, into: Buffer? = nil) throws(ParquetError) -> Buffer {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw ParquetError(file: name, "byte range \(offset)..<\(offset + count) lies outside the file of \(size) bytes")
        }
        let buf = into ?? Buffer(capacity: count)
        if let memory {
            memory.withUnsafeBytes { m in
                if count > 0 { buf.base.copyMemory(from: m.baseAddress.unsafelyUnwrapped + offset, byteCount: count) }
            }
        } else {
            var done = 0
            while done < count {
                let n = pread(fd, buf.base + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ParquetError(file: name, "read failed at byte \(offset + done): \(String(cString: strerror(errno)))")
                }
                if n == 0 { throw ParquetError(file: name, "file ended at byte \(offset + done) while reading") }
                done += n
            }
        }
        buf.length = count
        return buf
    }
}
