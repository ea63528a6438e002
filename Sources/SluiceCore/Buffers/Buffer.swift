#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 64-byte-aligned heap allocation (Arrow's alignment), owned by builders while they append and
/// shared read-only by columns once finished.
///
/// Implementation note: this is the one place that owns raw column memory. Builders grow it;
/// after `Column` takes it, nothing writes to it again, which is what makes sharing it across
/// threads (and slicing without copying) safe.
public final class Buffer: @unchecked Sendable {
    // A buffer has one writer (its builder) and, once finished, only readers, so the dynamic
    // exclusivity checks Swift would make on every read of `base` (per value in loops that call
    // `Column.isValid`, from other modules) guard nothing.
    @exclusivity(unchecked) public private(set) var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) public private(set) var capacity: Int
    /// Bytes written so far.
    @exclusivity(unchecked) public var length: Int

    public init(capacity: Int) {
        let cap = Swift.max(64, (capacity + 63) & ~63)
        self.base = Buffer.allocate(cap)
        self.capacity = cap
        self.length = 0
    }

    /// A buffer holding a copy of `bytes`.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(capacity: bytes.count)
        if let src = bytes.baseAddress, bytes.count > 0 { base.copyMemory(from: src, byteCount: bytes.count) }
        length = bytes.count
    }

    deinit { free(base) }

    @usableFromInline static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        var p: UnsafeMutableRawPointer? = nil
        if posix_memalign(&p, 64, bytes) != 0 || p == nil {
            // Out of memory is not an input error; there is nothing sensible to continue with.
            preconditionFailure("out of memory allocating \(bytes) bytes")
        }
        return p.unsafelyUnwrapped
    }

    /// Makes room for at least `bytes` more bytes past `length`, doubling to amortize.
    @inlinable public func reserve(additional bytes: Int) {
        if length + bytes > capacity { grow(to: length + bytes) }
    }

    @usableFromInline func grow(to needed: Int) {
        var cap = Swift.max(capacity * 2, 64)
        while cap < needed { cap *= 2 }
        let p = Buffer.allocate(cap)
        p.copyMemory(from: base, byteCount: length)
        free(base)
        base = p
        capacity = cap
    }

    /// Appends raw bytes.
    @inlinable public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(additional: bytes.count)
        (base + length).copyMemory(from: src, byteCount: bytes.count)
        length += bytes.count
    }

    /// Appends one fixed-width value.
    @inlinable public func append<T: BitwiseCopyable>(_ value: T) {
        let w = MemoryLayout<T>.stride
        reserve(additional: w)
        (base + length).storeBytes(of: value, as: T.self)
        length += w
    }

    /// Sets `count` bytes past `length` to zero and advances over them.
    public func appendZeros(_ count: Int) {
        reserve(additional: count)
        (base + length).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        length += count
    }

    @inlinable public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }
}
