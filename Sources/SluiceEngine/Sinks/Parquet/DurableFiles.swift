import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// The POSIX steps that make a written file survive a crash: fsync the file, rename it into
/// place, fsync the folder that holds the new name.
enum DurableFiles {
    /// Creates (or truncates) `path` for writing.
    static func create(_ path: String) throws(SluiceError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SluiceError.io(path: path, message: SystemError("create").message) }
        return fd
    }

    /// Flushes `fd` to disk and closes it.
    static func syncAndClose(_ fd: Int32, path: String) throws(SluiceError) {
        if fsync(fd) != 0 {
            let e = SystemError("fsync")
            _ = close(fd)
            throw SluiceError.io(path: path, message: e.message)
        }
        guard close(fd) == 0 else { throw SluiceError.io(path: path, message: SystemError("close").message) }
    }

    static func closeQuietly(_ fd: Int32) { _ = close(fd) }

    /// Atomically replaces `to` with `from`.
    static func rename(_ from: String, to: String) throws(SluiceError) {
        guard Glibc.rename(from, to) == 0 else { throw SluiceError.io(path: to, message: SystemError("rename from \(from)").message) }
    }

    /// Makes the entries of `folder` (new names, removed names) durable.
    static func syncDirectory(_ folder: String) throws(SluiceError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SluiceError.io(path: folder, message: SystemError("open folder").message) }
        defer { _ = close(fd) }
        // EINVAL: a file system that cannot sync folders; there is nothing more to make durable.
        if fsync(fd) != 0, errno != EINVAL { throw SluiceError.io(path: folder, message: SystemError("fsync folder").message) }
    }

    static func remove(_ path: String) { _ = unlink(path) }

    /// Creates `folder` (and missing parents); returns the parents whose entries changed, which
    /// must be synced for the new folders to survive a crash.
    static func makeFolders(_ folder: String) throws(SluiceError) -> [String] {
        if folder.isEmpty || FileIO.isDirectory(folder) { return [] }
        let parent = FileIO.dirname(folder)
        var changed = parent != folder ? try makeFolders(parent) : []
        if mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw SluiceError.io(path: folder, message: SystemError("mkdir").message)
        }
        changed.append(parent)
        return changed
    }

    /// Every regular file under `root`, as paths relative to it, skipping folders named in `skip`.
    static func walk(_ root: String, skip: Set<String>) -> [String] {
        var out: [String] = []
        func visit(_ rel: String) {
            let abs = rel.isEmpty ? root : FileIO.join(root, rel)
            guard let names = try? FileIO.listDirectory(abs) else { return }
            for n in names {
                let child = rel.isEmpty ? n : rel + "/" + n
                if FileIO.isDirectory(FileIO.join(root, child)) {
                    if !skip.contains(n) { visit(child) }
                } else {
                    out.append(child)
                }
            }
        }
        visit("")
        return out
    }
}
