#if canImport(Glibc)
import Glibc
#endif

/// Buffered writes to stdout/stderr without Foundation.
struct FileHandleLite {
    let fd: Int32
    static let standardOutput = FileHandleLite(fd: 1)
    static let standardError = FileHandleLite(fd: 2)

    func write(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress.unsafelyUnwrapped + off, buf.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}

enum SluiceVersion {
    static let string = "0.1.0"
}
