import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// `clean_source`: what happens to a file once every row of it is committed. Archived files keep
/// their path below the watched folder, so two `day1/a.csv` and `day2/a.csv` never collide.
struct SourceCleaner {
    let mode: StreamingConfig.CleanSource
    let archiveDirectory: String?
    let roots: [String]

    init(_ config: StreamingConfig, roots: [String]) {
        mode = config.cleanSource
        archiveDirectory = config.archiveDirectory
        self.roots = roots
    }

    /// Cleans `path`; returns an error message instead of failing the run (the rows are in).
    func clean(_ path: String) -> String? {
        switch mode {
        case .off:
            return nil
        case .delete:
            return unlink(path) == 0 || errno == ENOENT ? nil : "cannot delete \(path): \(SystemError("unlink").message)"
        case .archive:
            let target = archivePath(path)
            do { try FileIO.makeDirectories(FileIO.dirname(target)) } catch { return "cannot archive \(path): \(error.message)" }
            if rename(path, target) == 0 || errno == ENOENT { return nil }
            return "cannot archive \(path) to \(target): \(SystemError("rename").message)"
        }
    }

    /// `<archive>/<path below its root>`; the default archive is `<root>-archive` beside the root.
    func archivePath(_ path: String) -> String {
        let root = roots.filter { path.hasPrefix($0 == "." ? "" : $0 + "/") }.max { $0.count < $1.count } ?? FileIO.dirname(path)
        let relative = root == "." ? path : String(path.dropFirst(root.count + 1))
        let base = archiveDirectory ?? (root == "." ? "archive" : root + "-archive")
        return FileIO.join(base, relative)
    }
}
