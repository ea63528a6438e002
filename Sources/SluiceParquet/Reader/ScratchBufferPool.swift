import SluiceCore
import Synchronization

/// Reuses the large scratch buffers a reader needs per column chunk (the chunk's bytes as read
/// from the file, and decompressed pages), so that reading row group after row group does not
/// fault fresh pages in from the kernel each time. Nothing a decoded column holds points into
/// these buffers, which is what makes handing them back safe.
final class ScratchBufferPool: Sendable {
    private let buffers = Mutex<[Buffer]>([])
    private let maxBuffers: Int
    private let maxBytes: Int

    /// Shared by all readers; room for a few column chunks per worker.
    static let shared = ScratchBufferPool(maxBuffers: 16, maxBytes: 128 << 20)

    init(maxBuffers: Int = 6, maxBytes: Int = 128 << 20) {
        self.maxBuffers = maxBuffers
        self.maxBytes = maxBytes
    }

    /// A buffer of at least `capacity` bytes, its `length` reset to 0.
    func take(capacity: Int) -> Buffer {
        let reused: Buffer? = buffers.withLock { list in
            guard let i = list.firstIndex(where: { $0.capacity >= capacity }) else { return nil }
            return list.remove(at: i)
        }
        if let b = reused {
            b.length = 0
            return b
        }
        return Buffer(capacity: capacity)
    }

    /// Returns a buffer for reuse; the smallest are dropped when the pool is full.
    func give(_ buffer: Buffer) {
        buffers.withLock { list in
            list.append(buffer)
            list.sort { $0.capacity > $1.capacity }
            while list.count > maxBuffers || list.reduce(0, { $0 + $1.capacity }) > maxBytes { list.removeLast() }
        }
    }
}
