import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// An error from the operating system, with errno's text.
public struct SystemError: Error, Sendable {
    public let message: String
    init(_ what: String) { message = "\(what): \(String(cString: strerror(errno)))" }
    init(message: String) { self.message = message }
}

/// Small POSIX file helpers; no Foundation on these paths.
public enum FileIO {
    public static func readText(_ path: String) throws(SystemError) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SystemError("open") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
            if n < 0 { throw SystemError("read") }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func writeText(_ path: String, _ text: String) throws(SystemError) {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SystemError("open \(tmp)") }
        var t = text
        let ok = t.withUTF8 { buf -> Bool in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress.unsafelyUnwrapped + off, buf.count - off)
                if n <= 0 { return false }
                off += n
            }
            return true
        }
        close(fd)
        guard ok else { throw SystemError("write \(tmp)") }
        guard rename(tmp, path) == 0 else { throw SystemError("rename \(tmp)") }
    }

    /// Where temporary files go: `$TMPDIR`, or /tmp.
    public static func temporaryDirectory() -> String {
        let t = ProcessEnvironment.current["TMPDIR"] ?? ""
        return t.isEmpty ? "/tmp" : t
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    /// Creates a directory and its parents.
    public static func makeDirectories(_ path: String) throws(SystemError) {
        if path.isEmpty || isDirectory(path) { return }
        let parent = dirname(path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw SystemError("mkdir \(path)") }
    }

    public static func dirname(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return "." }
        if i == path.startIndex { return "/" }
        return String(path[..<i])
    }

    public static func basename(_ path: String) -> String {
        guard let i = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: i)...])
    }

    public static func join(_ a: String, _ b: String) -> String {
        if b.hasPrefix("/") || a.isEmpty || a == "." { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }

    /// Removes a file or a directory tree.
    public static func remove(_ path: String) {
        if isDirectory(path) {
            for name in (try? listDirectory(path)) ?? [] { remove(join(path, name)) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    public static func listDirectory(_ path: String) throws(SystemError) -> [String] {
        guard let d = opendir(path) else { throw SystemError("opendir \(path)") }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out.sorted()
    }

    public static var currentDirectory: String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { return "." }
        return String(cString: buf)
    }
}

/// A file written only by appending, whose committed length is recorded in checkpoints so that a
/// resumed run can cut off whatever a crash left past the last commit.
public final class AppendFile: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    public private(set) var length: Int64

    /// Opens `path` for appending after truncating it to `committedLength` (nil: start empty).
    public init(path: String, committedLength: Int64?) throws(SluiceError) {
        self.path = path
        do { try FileIO.makeDirectories(FileIO.dirname(path)) } catch { throw SluiceError.io(path: path, message: error.message) }
        let f = open(path, O_WRONLY | O_CREAT, 0o644)
        guard f >= 0 else { throw SluiceError.io(path: path, message: SystemError("open").message) }
        fd = f
        let keep = committedLength ?? 0
        let size = FileIO.fileSize(path) ?? 0
        if size != keep {
            guard ftruncate(fd, off_t(min(keep, size))) == 0 else { throw SluiceError.io(path: path, message: SystemError("truncate").message) }
        }
        length = min(keep, size)
        lseek(fd, off_t(length), SEEK_SET)
        buffer.reserveCapacity(1 << 20)
    }

    deinit { close(fd) }

    public func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        length += Int64(text.utf8.count)
    }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        length += Int64(bytes.count)
    }

    /// Bytes appended but not yet written.
    public var buffered: Int { buffer.count }

    /// Writes what is buffered; with `sync`, also fsyncs so the bytes survive a crash.
    public func flush(sync: Bool = false) throws(SluiceError) {
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress.unsafelyUnwrapped + off, $0.count - off) }
            if n <= 0 { throw SluiceError.io(path: path, message: SystemError("write").message) }
            off += n
        }
        buffer.removeAll(keepingCapacity: true)
        // EINVAL: the target cannot be synced (a pipe, /dev/null); there is nothing to make durable.
        if sync, fsync(fd) != 0, errno != EINVAL { throw SluiceError.io(path: path, message: SystemError("fsync").message) }
    }
}
