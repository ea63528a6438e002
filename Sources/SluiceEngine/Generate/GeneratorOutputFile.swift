import SluiceCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A generated file: text is formatted into one reused 1 MiB buffer and handed to `write(2)`;
/// the file is created under a hidden temporary name in the target directory and renamed into
/// place by `commit()`, so a folder watcher (the streaming workload watches exactly such a folder)
/// never sees a half-written file. Dropping the value without committing removes the temporary file.
///
/// Implementation note: this is the generators' one door to raw memory. Writers call
/// `reserve(_:)` once per row with an upper bound of the row's length, then the unchecked appends.
/// It is a noncopyable struct rather than a class so that the per-byte appends on a local
/// variable need no runtime exclusivity checks.
struct GeneratorOutputFile: ~Copyable {
    static let bufferSize = 1 << 20

    /// The final path.
    let path: String
    private let temporaryPath: String
    private var fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    /// Bytes formatted but not yet written.
    private(set) var length = 0

    init(path: String) throws(SluiceError) {
        let directory = GeneratorOutputFile.directory(of: path)
        let name = GeneratorOutputFile.lastComponent(of: path)
        guard !name.isEmpty else { throw SluiceError.invalidArgument("output path '\(path)' names no file") }
        let temporary = GeneratorOutputFile.join(directory, ".\(name).\(getpid()).tmp")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GeneratorOutputFile.systemError(temporary, "cannot create") }
        self.path = path
        self.temporaryPath = temporary
        self.fd = fd
        self.buffer = .allocate(capacity: GeneratorOutputFile.bufferSize)
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporaryPath)
        }
        buffer.deallocate()
    }

    /// Makes sure `bytes` more bytes fit, writing out what is buffered if they do not.
    @inline(__always) mutating func reserve(_ bytes: Int) throws(SluiceError) {
        if GeneratorOutputFile.bufferSize - length < bytes { try flush() }
    }

    /// Where the next byte goes; valid until the next `reserve` or `flush`.
    @inline(__always) var cursor: UnsafeMutablePointer<UInt8> { buffer + length }

    /// Advances past bytes written at `cursor`.
    @inline(__always) mutating func advance(_ n: Int) { length += n }

    /// Drops bytes written since `position` (a value of `length` after the last `reserve`).
    @inline(__always) mutating func truncate(to position: Int) { length = position }

    @inline(__always) mutating func append(_ byte: UInt8) {
        buffer[length] = byte
        length += 1
    }

    @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        (buffer + length).update(from: base, count: bytes.count)
        length += bytes.count
    }

    @inline(__always) mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    @inline(__always) mutating func appendDecimal(_ v: Int) {
        if v < 0 { append(UInt8(ascii: "-")) }
        length += DecimalFormatKernel.writeDecimal(UInt64(v.magnitude), to: buffer + length)
    }

    @inline(__always) mutating func appendZeroPadded(_ v: Int, width: Int) {
        length += DecimalFormatKernel.writeZeroPadded(v, width: width, to: buffer + length)
    }

    /// Needs `DecimalFormatKernel.g15Capacity` reserved bytes.
    @inline(__always) mutating func appendG15(_ v: Double) {
        length += DecimalFormatKernel.writeG15(v, to: buffer + length)
    }

    @inline(__always) mutating func appendCents(_ cents: Int) {
        length += DecimalFormatKernel.writeCents(cents, to: buffer + length)
    }

    /// Writes the buffered bytes to the file.
    mutating func flush() throws(SluiceError) {
        var written = 0
        while written < length {
            let n = write(fd, buffer + written, length - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw GeneratorOutputFile.systemError(temporaryPath, "write failed")
            }
            written += n
        }
        length = 0
    }

    /// Writes what is left, closes the file and renames it to `path`.
    mutating func commit() throws(SluiceError) {
        try flush()
        let descriptor = fd
        fd = -1
        if close(descriptor) != 0 {
            let error = GeneratorOutputFile.systemError(temporaryPath, "close failed")
            unlink(temporaryPath)
            throw error
        }
        if rename(temporaryPath, path) != 0 {
            let error = GeneratorOutputFile.systemError(path, "cannot rename \(temporaryPath) into place")
            unlink(temporaryPath)
            throw error
        }
    }

    // MARK: Paths

    static func systemError(_ path: String, _ what: String) -> SluiceError {
        .io(path: path, message: "\(what): \(String(cString: strerror(errno)))")
    }

    static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// The directory part of `path` ("." for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func lastComponent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Creates `path` and any missing parents, like `mkdir -p`.
    static func createDirectories(_ path: String) throws(SluiceError) {
        var partial = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            partial += partial.isEmpty || partial.hasSuffix("/") ? String(component) : "/" + component
            if component == "." || component == ".." { continue }
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw systemError(partial, "cannot create directory")
            }
        }
        var info = stat()
        guard path.isEmpty || (stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR) else {
            throw SluiceError.io(path: path, message: "not a directory")
        }
    }
}
