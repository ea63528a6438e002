import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// A file in a watched folder, as last seen.
struct WatchedFile: Sendable, Equatable {
    var path: String
    var size: Int64
    /// Modification time, wall-clock nanoseconds.
    var modified: Int64
    /// When the watcher first saw the file, and when it last saw its size or mtime change.
    var firstSeen: Int64
    var changedAt: Int64
    /// Renamed into the folder (inotify `IN_MOVED_TO`): complete by convention, no grace needed.
    var renamedIn: Bool

    /// When the file counts as arrived, for end-to-end latency: its last write when that happened
    /// while the watcher ran, else the moment the watcher first saw it (a file that was there
    /// before the run waited for the run, not for its writer).
    func arrival(watchStarted: Int64) -> Int64 {
        modified >= watchStarted ? modified : firstSeen
    }
}

/// Finds new complete files under a source's path patterns: inotify where available (events
/// name the files, so a batch costs no listing), listing the folders otherwise, and also every
/// few seconds with inotify in case events were lost.
///
/// A file is complete once renamed into the folder, or once its size and modification time have
/// been stable for the grace period. Files handed out are never offered again, unless they were
/// cleaned away and a new file appears under the same name.
final class FolderWatcher {
    let patterns: [PathPattern]
    let graceNanos: Int64
    let pollNanos: Int64
    let wake: WakeSignal
    /// `inotify` or `poll`.
    private(set) var method: String
    let started: Int64
    private var inotify: InotifyWatch?
    private var watchedFolders: Set<String> = []
    private var known: [String: WatchedFile] = [:]
    private var taken: Set<String> = []
    private var lastListing: UInt64 = 0
    /// With inotify, the folders are still listed this often, to catch what an event queue
    /// overflow (or a network file system) hid.
    static let inotifyRelistNanos: UInt64 = 2_000_000_000

    init(patterns: [String], config: StreamingConfig, wake: WakeSignal) throws(SluiceError) {
        self.patterns = patterns.map(PathPattern.init)
        graceNanos = config.graceNanos
        pollNanos = config.pollNanos
        self.wake = wake
        started = WallClock.nanos()
        for p in self.patterns where !FileIO.isDirectory(p.root) {
            do { try FileIO.makeDirectories(p.root) } catch {
                throw SluiceError.io(path: p.root, message: "cannot create the watched folder: \(error.message)")
            }
        }
        method = "poll"
        if config.discovery != .poll {
            if let w = InotifyWatch(wake: wake) {
                inotify = w
                method = "inotify"
                for p in self.patterns { watchTree(p.root, deep: p.deep) }
            } else if config.discovery == .inotify {
                throw SluiceError.io(path: self.patterns.first?.root ?? ".", message: "inotify is not available (use discovery: poll)")
            }
        }
        list()
    }

    deinit { inotify?.close() }

    /// Adds inotify watches on `folder` and, for deep patterns, its subfolders.
    private func watchTree(_ folder: String, deep: Bool) {
        guard let w = inotify, !watchedFolders.contains(folder) else { return }
        if w.add(folder: folder) { watchedFolders.insert(folder) }
        guard deep else { return }
        for name in (try? FileIO.listDirectory(folder)) ?? [] where !name.hasPrefix(".") {
            let sub = folder == "." ? name : folder + "/" + name
            if FileIO.isDirectory(sub) { watchTree(sub, deep: true) }
        }
    }

    /// Brings the view of the folder up to date: inotify events, or a listing when one is due.
    /// With `discover` false only the files already known are looked at again (`--once`, which
    /// takes what was there when it started).
    func refresh(discover: Bool) {
        let now = WallClock.nanos()
        if !discover {
            for path in Array(known.keys) { look(at: path, renamedIn: false, at: now) }
            return
        }
        if let w = inotify {
            var paths: [String: Bool] = [:]
            var overflow = false
            for e in w.take() {
                if e.overflow {
                    overflow = true
                } else if e.isDirectory {
                    if let p = patterns.first(where: { $0.deep && e.path.hasPrefix($0.root) }) {
                        watchTree(e.path, deep: p.deep)
                        overflow = true  // files may have landed before the watch existed
                    }
                } else {
                    paths[e.path, default: false] = paths[e.path, default: false] || e.movedIn
                }
            }
            for (path, moved) in paths where accepts(path) { look(at: path, renamedIn: moved, at: now) }
            if overflow || Clock.now() &- lastListing >= Self.inotifyRelistNanos { list() }
        } else if Clock.now() &- lastListing >= UInt64(pollNanos) {
            list()
        }
        // Files still waiting for their grace period may have changed since.
        for (path, f) in known where !isComplete(f, now: now) { look(at: path, renamedIn: false, at: now) }
    }

    private func accepts(_ path: String) -> Bool {
        !taken.contains(path) && !PathPattern.isIgnoredName(path) && patterns.contains { $0.matches(path) }
    }

    /// Lists every pattern's files.
    private func list() {
        lastListing = Clock.now()
        let now = WallClock.nanos()
        var seen = Set<String>()
        for p in patterns {
            for path in Glob.expand(p.text) where !seen.contains(path) {
                seen.insert(path)
                if !taken.contains(path) && !PathPattern.isIgnoredName(path) { look(at: path, renamedIn: false, at: now) }
            }
        }
        for path in known.keys where !seen.contains(path) { known[path] = nil }
    }

    /// Records the file's current size and mtime (forgets it when it is gone).
    private func look(at path: String, renamedIn: Bool, at now: Int64) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & 0o170000) == 0o100000 else {  // a regular file
            known[path] = nil
            return
        }
        let size = Int64(st.st_size)
        let modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        if var f = known[path] {
            if f.size != size || f.modified != modified {
                f.size = size
                f.modified = modified
                f.changedAt = now
            }
            f.renamedIn = f.renamedIn || renamedIn
            known[path] = f
        } else {
            known[path] = WatchedFile(
                path: path, size: size, modified: modified, firstSeen: now, changedAt: now, renamedIn: renamedIn)
        }
    }

    private func isComplete(_ f: WatchedFile, now: Int64) -> Bool {
        f.renamedIn || (now - f.changedAt >= graceNanos && now - f.modified >= graceNanos)
    }

    /// Complete files not handed out yet.
    func ready() -> [WatchedFile] {
        let now = WallClock.nanos()
        return known.values.filter { isComplete($0, now: now) }
    }

    /// Files seen but still within their grace period.
    var waiting: Int {
        let now = WallClock.nanos()
        return known.values.filter { !isComplete($0, now: now) }.count
    }

    /// How long the loop may sleep before something can become ready without an event.
    func idleNanos() -> Int64 {
        let now = WallClock.nanos()
        var wait: Int64 = inotify == nil ? pollNanos : Int64(Self.inotifyRelistNanos)
        for f in known.values where !isComplete(f, now: now) {
            let due = max(f.changedAt, f.modified) + graceNanos - now
            wait = min(wait, max(due, 1_000_000))
        }
        return wait
    }

    /// Hands files out: they are not offered again.
    func take(_ paths: [String]) {
        for p in paths {
            taken.insert(p)
            known[p] = nil
        }
    }

    /// A taken file was cleaned away: a new file under its name is a new file.
    func forget(_ path: String) { taken.remove(path) }

    /// Files known but not taken, complete or not.
    var backlog: Int { known.count }
}

extension FolderWatcher {
    /// Takes `paths` whether or not their grace period is over (the files of a batch that was
    /// planned before a restart were complete then). Files that are gone are left out.
    func claim(_ paths: [String]) -> [WatchedFile] {
        let now = WallClock.nanos()
        var out: [WatchedFile] = []
        for p in paths {
            var st = stat()
            guard stat(p, &st) == 0 else { continue }
            let modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            let seen = known[p]?.firstSeen ?? now
            out.append(
                WatchedFile(path: p, size: Int64(st.st_size), modified: modified, firstSeen: seen, changedAt: seen, renamedIn: true))
        }
        take(out.map(\.path))
        return out
    }
}
