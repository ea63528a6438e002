/// Per-row UTF-8 bytes of a string operand: a `.string` column, a `.dictionary` column, or a
/// constant. String kernels are generic over it, like numeric kernels over `KernelInput`.
protocol StringInput {
    func bytes(_ i: Int) -> UnsafeRawBufferPointer
}

/// The rows of a `.string` column (offsets plus data).
struct StringColumnInput: StringInput {
    let offsets: UnsafePointer<Int32>
    let data: UnsafeRawPointer

    /// `c` must be a `.string` column and stay alive while this is used.
    init(_ c: Column) {
        offsets = UnsafePointer(c.values.base.assumingMemoryBound(to: Int32.self)) + c.offset
        // A column without data holds only empty strings; any valid pointer serves.
        data = UnsafeRawPointer(c.data?.base ?? c.values.base)
    }

    @inline(__always) func bytes(_ i: Int) -> UnsafeRawBufferPointer {
        let start = Int(offsets[i])
        let end = Int(offsets[i &+ 1])
        return UnsafeRawBufferPointer(start: data + start, count: Swift.max(0, end &- start))
    }
}

/// The rows of a `.dictionary` column, looked up through its indices.
struct DictionaryColumnInput: StringInput {
    let indices: UnsafePointer<Int32>
    let dictionary: StringColumnInput
    let dictionaryCount: UInt32

    init(_ c: Column) {
        indices = c.unsafeValues(Int32.self)
        let values = c.dictionary?.values ?? StringBuilder(capacity: 0).finish()
        dictionary = StringColumnInput(values)
        dictionaryCount = UInt32(values.count)
    }

    @inline(__always) func bytes(_ i: Int) -> UnsafeRawBufferPointer {
        // Null rows may hold any index; out-of-range ones read as empty instead of out of bounds.
        let k = indices[i]
        guard UInt32(bitPattern: k) < dictionaryCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return dictionary.bytes(Int(k))
    }
}

/// The same string for every row.
struct ConstantStringInput: StringInput {
    let value: UnsafeRawBufferPointer
    @inline(__always) func bytes(_ i: Int) -> UnsafeRawBufferPointer { value }
}

/// The UTF-8 bytes of a bind-time string constant, kept in a buffer with a stable address.
struct ConstantBytes: Sendable {
    let buffer: Buffer

    init(_ s: String) {
        var s = s
        buffer = s.withUTF8 { Buffer(copying: UnsafeRawBufferPointer($0)) }
    }

    var input: ConstantStringInput { ConstantStringInput(value: buffer.bytes) }
}

/// A string operand as the binder resolved it.
enum StringOperand: Sendable {
    case constant(ConstantBytes)
    case string(Evaluator)
    case dictionary(Evaluator)

    init(_ node: BoundNode) {
        switch node.form {
        case .constant(let s):
            if case .string(let v) = s { self = .constant(ConstantBytes(v)) } else { self = .constant(ConstantBytes("")) }
        case .computed(let e):
            self = node.type == .dictionary ? .dictionary(e) : .string(e)
        }
    }
}

/// Visits a string operand's input; the switch on its kind happens once per batch and `visit` is
/// generic, so the loop inside specializes per input kind.
protocol StringInputVisitor {
    associatedtype Result
    func visit<S: StringInput>(_ input: S, column: Column?) throws(SluiceError) -> Result
}

/// A string operand evaluated for one batch.
enum ResolvedString {
    case constant(ConstantBytes)
    case string(Column)
    case dictionary(Column)

    /// The column behind it (nil for a constant): validity, and the buffers to keep alive.
    var column: Column? {
        switch self {
        case .constant: nil
        case .string(let c), .dictionary(let c): c
        }
    }

    func visit<V: StringInputVisitor>(_ visitor: V) throws(SluiceError) -> V.Result {
        switch self {
        case .constant(let k):
            let r = try visitor.visit(k.input, column: nil)
            withExtendedLifetime(k) {}
            return r
        case .string(let c):
            let r = try visitor.visit(StringColumnInput(c), column: c)
            withExtendedLifetime(c) {}
            return r
        case .dictionary(let c):
            let r = try visitor.visit(DictionaryColumnInput(c), column: c)
            withExtendedLifetime(c) {}
            return r
        }
    }
}

extension StringOperand {
    func resolve(_ batch: RecordBatch) throws(SluiceError) -> ResolvedString {
        switch self {
        case .constant(let k): .constant(k)
        case .string(let e): .string(try e(batch))
        case .dictionary(let e): .dictionary(try e(batch))
        }
    }

    func visit<V: StringInputVisitor>(_ batch: RecordBatch, _ visitor: V) throws(SluiceError) -> V.Result {
        try resolve(batch).visit(visitor)
    }
}

/// A kernel over two string operands, generic over both input kinds.
protocol StringPairKernel {
    func run<A: StringInput, B: StringInput>(_ a: A, _ ac: Column?, _ b: B, _ bc: Column?, count n: Int)
        throws(SluiceError) -> Column
}

extension StringPairKernel {
    /// Resolves both operands for `batch` (two switches per batch) and runs the kernel.
    func run(_ l: StringOperand, _ r: StringOperand, _ batch: RecordBatch) throws(SluiceError) -> Column {
        try l.visit(batch, PairLeft(kernel: self, right: r, batch: batch))
    }
}

private struct PairLeft<K: StringPairKernel>: StringInputVisitor {
    let kernel: K
    let right: StringOperand
    let batch: RecordBatch

    func visit<A: StringInput>(_ a: A, column ac: Column?) throws(SluiceError) -> Column {
        try right.visit(batch, PairRight(kernel: kernel, a: a, ac: ac, count: batch.count))
    }
}

private struct PairRight<K: StringPairKernel, A: StringInput>: StringInputVisitor {
    let kernel: K
    let a: A
    let ac: Column?
    let count: Int

    func visit<B: StringInput>(_ b: B, column bc: Column?) throws(SluiceError) -> Column {
        try kernel.run(a, ac, b, bc, count: count)
    }
}

/// Writes a `.string` column: offsets and bytes straight into buffers, validity given at the end.
///
/// Implementation note: the write position and capacity live here, not in the `Buffer` (a class,
/// whose every property access costs a dynamic exclusivity check); the buffer is touched only to
/// grow and to finish.
struct StringOutput {
    let offsets: Buffer
    let data: Buffer
    private let offsetBase: UnsafeMutablePointer<Int32>
    private var bytes: UnsafeMutablePointer<UInt8>
    private var length = 0
    private var capacity: Int
    private(set) var count = 0

    init(count n: Int, byteCapacity: Int) {
        offsets = Buffer(capacity: (n + 1) * 4)
        offsets.length = (n + 1) * 4
        offsetBase = offsets.base.assumingMemoryBound(to: Int32.self)
        offsetBase[0] = 0
        data = Buffer(capacity: Swift.max(byteCapacity, 64))
        bytes = data.base.assumingMemoryBound(to: UInt8.self)
        capacity = data.capacity
    }

    @inline(__always) private mutating func reserve(_ more: Int) {
        if length + more > capacity { grow(length + more) }
    }

    private mutating func grow(_ needed: Int) {
        data.length = length
        data.reserve(additional: needed - length)
        bytes = data.base.assumingMemoryBound(to: UInt8.self)
        capacity = data.capacity
    }

    @inline(__always) mutating func append(_ s: UnsafeRawBufferPointer) {
        if s.count > 0 {
            reserve(s.count)
            copyBytes(to: UnsafeMutableRawPointer(bytes + length), from: s)
            length += s.count
        }
        count += 1
        offsetBase[count] = Int32(truncatingIfNeeded: length)
    }

    /// An empty string (the slot of a null row).
    @inline(__always) mutating func appendEmpty() {
        count += 1
        offsetBase[count] = Int32(truncatingIfNeeded: length)
    }

    /// Reserves `maxBytes`, lets `write` fill them and return how many it wrote.
    @inline(__always) mutating func append(reserving maxBytes: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(maxBytes)
        length += write(bytes + length)
        count += 1
        offsetBase[count] = Int32(truncatingIfNeeded: length)
    }

    func finish(_ validity: Validity) throws(SluiceError) -> Column {
        guard length <= Int(Int32.max) else {
            throw .expression("string result of \(length) bytes exceeds the 2 GiB a column holds; use smaller batches")
        }
        data.length = length
        return Column(
            type: .string, count: count, nullCount: validity.nullCount, validity: validity.bits, values: offsets,
            data: data)
    }
}

/// Calls `body` over the UTF-8 bytes of a Swift string without copying.
@inline(__always) func withBytes<R>(_ s: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    var s = s
    return s.withUTF8 { body(UnsafeRawBufferPointer($0)) }
}

/// Copies `s` to `dst`. Short strings, the usual case in a column, are copied inline: a call to
/// `memcpy` per value would cost more than the copy.
@inline(__always) func copyBytes(to dst: UnsafeMutableRawPointer, from s: UnsafeRawBufferPointer) {
    guard let src = s.baseAddress else { return }
    let n = s.count
    if n > 16 {
        dst.copyMemory(from: src, byteCount: n)
        return
    }
    if n >= 8 {
        dst.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
        (dst + n - 8).storeBytes(of: src.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), as: UInt64.self)
        return
    }
    for k in 0..<n { dst.storeBytes(of: src.load(fromByteOffset: k, as: UInt8.self), toByteOffset: k, as: UInt8.self) }
}

/// Byte-wise comparison (UTF-8 code point order): negative, zero or positive.
@inline(__always) func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = Swift.min(a.count, b.count)
    if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
        let c = memcmp(pa, pb, n)
        if c != 0 { return Int(c) }
    }
    return a.count - b.count
}

@inline(__always) func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    guard a.count > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return true }
    return memcmp(pa, pb, a.count) == 0
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
