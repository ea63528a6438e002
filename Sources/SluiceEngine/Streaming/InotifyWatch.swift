import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Linux inotify on a set of folders: events are read on a dispatch queue as they arrive, kept in
/// an inbox, and the streaming loop is woken. Only names are reported; the watcher decides what a
/// name means by looking at the file.
final class InotifyWatch: @unchecked Sendable {
    // @unchecked: `source` is set once in init and only cancelled in `close`; everything the
    // event handler and the loop share sits behind the two mutexes.

    /// What happened to a name in a watched folder.
    struct Event: Sendable {
        var path: String
        var mask: UInt32
        /// Wall-clock nanoseconds when the event was read.
        var at: Int64

        var isDirectory: Bool { mask & InotifyWatch.isDir != 0 }
        /// The name was renamed into the folder: the file is complete by convention.
        var movedIn: Bool { mask & InotifyWatch.movedTo != 0 }
        var overflow: Bool { mask & InotifyWatch.queueOverflow != 0 }
    }

    static let modify: UInt32 = 0x2
    static let closeWrite: UInt32 = 0x8
    static let movedTo: UInt32 = 0x80
    static let create: UInt32 = 0x100
    static let queueOverflow: UInt32 = 0x4000
    static let isDir: UInt32 = 0x4000_0000

    private let fd: Int32
    private let folders = Mutex<[Int32: String]>([:])
    private let inbox = Mutex<[Event]>([])
    private var source: (any DispatchSourceRead)?

    /// Nil when the kernel offers no inotify (or the limit of instances is reached).
    init?(wake: WakeSignal) {
        let f = inotify_init1(O_NONBLOCK | O_CLOEXEC)
        guard f >= 0 else { return nil }
        fd = f
        let s = DispatchSource.makeReadSource(fileDescriptor: f, queue: DispatchQueue(label: "sluice.inotify"))
        s.setEventHandler { [weak self] in
            guard let self else { return }
            if self.drain() > 0 { wake.fire() }
        }
        s.setCancelHandler { Glibc.close(f) }
        s.resume()
        source = s
    }

    /// Watches `folder` (not its subfolders: the watcher adds those). False when it cannot.
    @discardableResult
    func add(folder: String) -> Bool {
        let mask = Self.modify | Self.closeWrite | Self.movedTo | Self.create
        let wd = inotify_add_watch(fd, folder, mask)
        guard wd >= 0 else { return false }
        folders.withLock { $0[wd] = folder }
        return true
    }

    /// Takes the events received so far.
    func take() -> [Event] {
        inbox.withLock { e in
            defer { e.removeAll(keepingCapacity: true) }
            return e
        }
    }

    /// Reads what the kernel has queued; returns how many events were added to the inbox.
    private func drain() -> Int {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var added = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            let now = WallClock.nanos()
            var events: [Event] = []
            buffer.withUnsafeBytes { raw in
                var off = 0
                // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[len]; }
                while off + 16 <= n {
                    let wd = raw.loadUnaligned(fromByteOffset: off, as: Int32.self)
                    let mask = raw.loadUnaligned(fromByteOffset: off + 4, as: UInt32.self)
                    let len = Int(raw.loadUnaligned(fromByteOffset: off + 12, as: UInt32.self))
                    let nameBytes = raw[(off + 16)..<min(off + 16 + len, n)].prefix { $0 != 0 }
                    off += 16 + len
                    if mask & Self.queueOverflow != 0 {
                        events.append(Event(path: "", mask: mask, at: now))
                        continue
                    }
                    guard let folder = folders.withLock({ $0[wd] }), !nameBytes.isEmpty else { continue }
                    let name = String(decoding: nameBytes, as: UTF8.self)
                    events.append(Event(path: folder == "." ? name : folder + "/" + name, mask: mask, at: now))
                }
            }
            added += events.count
            inbox.withLock { $0.append(contentsOf: events) }
        }
        return added
    }

    /// Stops reading; the descriptor is closed once the queue is done with it.
    func close() {
        source?.cancel()
        source = nil
    }
}
