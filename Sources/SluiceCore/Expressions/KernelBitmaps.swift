/// Reads a bitmap 64 bits at a time from any bit offset (sliced columns), or stands in for a
/// constant bitmap (a column without nulls, a constant boolean).
///
/// Implementation note: kernels that combine validity or booleans work a word at a time, so a
/// column without nulls costs nothing per value and a sliced column costs one shift per word.
struct WordReader {
    let base: UnsafeRawPointer?
    let bitOffset: Int
    /// Bytes of the bitmap that may be read: it ends at the column's last bit.
    let byteLimit: Int
    let fill: UInt64

    init(constant: Bool) {
        base = nil
        bitOffset = 0
        byteLimit = 0
        fill = constant ? ~0 : 0
    }

    /// The validity of `c`: all ones when it has no nulls.
    init(validityOf c: Column) {
        if let v = c.validity {
            base = UnsafeRawPointer(v.base)
            bitOffset = c.offset
            byteLimit = Bitmap.byteCount(c.offset + c.count)
            fill = 0
        } else {
            self = WordReader(constant: true)
        }
    }

    /// The value bits of a `.bool` column.
    init(valuesOf c: Column) {
        base = UnsafeRawPointer(c.values.base)
        bitOffset = c.offset
        byteLimit = Bitmap.byteCount(c.offset + c.count)
        fill = 0
    }

    var isConstant: Bool { base == nil }

    /// Bits `64 * w ..< 64 * w + 64` relative to the column start; bits past the end are unspecified.
    @inline(__always) func word(_ w: Int) -> UInt64 {
        guard let base else { return fill }
        let bit = bitOffset + (w << 6)
        let byte = bit >> 3
        let shift = UInt64(bit & 7)
        if byte + 9 <= byteLimit {
            let lo = base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
            if shift == 0 { return lo }
            let hi = UInt64(base.load(fromByteOffset: byte + 8, as: UInt8.self))
            return (lo >> shift) | (hi << (64 - shift))
        }
        var lo: UInt64 = 0
        for k in 0..<8 where byte + k < byteLimit {
            lo |= UInt64(base.load(fromByteOffset: byte + k, as: UInt8.self)) << UInt64(8 * k)
        }
        if shift == 0 { return lo }
        let hi: UInt64 = byte + 8 < byteLimit ? UInt64(base.load(fromByteOffset: byte + 8, as: UInt8.self)) : 0
        return (lo >> shift) | (hi << (64 - shift))
    }
}

/// A validity bitmap starting at bit 0 (nil when every value is valid) and its count of nulls.
///
/// Implementation note: `base` caches the bitmap's address, because reading it from the `Buffer`
/// (a class) in a per-row loop would cost a dynamic exclusivity check per row. Immutable, and
/// the bitmap is never written once a column holds it, hence `@unchecked Sendable`.
struct Validity: @unchecked Sendable {
    let bits: Buffer?
    let nullCount: Int
    private let base: UnsafeRawPointer?

    static let allValid = Validity(bits: nil, nullCount: 0)

    /// A bitmap built by `Bits`, dropped if it has no zero bit.
    init(_ bits: Buffer, count n: Int) {
        let zeros = Bitmap.countZeros(bits.base, offset: 0, count: n)
        self.init(bits: bits, nullCount: zeros)
    }

    init(bits: Buffer?, nullCount: Int) {
        self.bits = nullCount == 0 ? nil : bits
        self.nullCount = nullCount
        self.base = self.bits.map { UnsafeRawPointer($0.base) }
    }

    @inline(__always) func isValid(_ i: Int) -> Bool {
        guard let base else { return true }
        return Bitmap.get(base, i)
    }

    /// The validity of `c`, re-based to bit 0; shares the buffer when `c` is not sliced.
    init(of c: Column) {
        guard let v = c.validity, c.nullCount > 0 else {
            self = .allValid
            return
        }
        if c.offset == 0 {
            self.init(bits: v, nullCount: c.nullCount)
        } else {
            let r = WordReader(validityOf: c)
            self.init(bits: Bits.make(count: c.count) { r.word($0) }, nullCount: c.nullCount)
        }
    }

    /// Valid where every one of `columns` is valid (nil entries are constants, always valid).
    init(combining columns: [Column?], count n: Int) {
        let nullable = columns.compactMap { $0 }.filter { $0.validity != nil && $0.nullCount > 0 }
        switch nullable.count {
        case 0: self = .allValid
        case 1: self.init(of: nullable[0])
        default:
            let readers = nullable.map(WordReader.init(validityOf:))
            self.init(
                Bits.make(count: n) { w in
                    var x = ~UInt64(0)
                    for r in readers { x &= r.word(w) }
                    return x
                }, count: n)
        }
    }

    init(_ a: Column?, _ b: Column?, count n: Int) {
        switch (a?.validity != nil && (a?.nullCount ?? 0) > 0, b?.validity != nil && (b?.nullCount ?? 0) > 0) {
        case (false, false): self = .allValid
        case (true, false): self.init(of: a.unsafelyUnwrapped)
        case (false, true): self.init(of: b.unsafelyUnwrapped)
        case (true, true):
            let ra = WordReader(validityOf: a.unsafelyUnwrapped)
            let rb = WordReader(validityOf: b.unsafelyUnwrapped)
            self.init(Bits.make(count: n) { ra.word($0) & rb.word($0) }, count: n)
        }
    }

    /// Also null where `mask` (a bitmap from bit 0) has a zero bit.
    func and(_ mask: Buffer, count n: Int) -> Validity {
        guard let bits else { return Validity(mask, count: n) }
        let a = bits.base.assumingMemoryBound(to: UInt64.self)
        let b = mask.base.assumingMemoryBound(to: UInt64.self)
        return Validity(Bits.make(count: n) { a[$0] & b[$0] }, count: n)
    }

    /// A reader over this validity (all ones when there are no nulls).
    var reader: WordReader {
        guard let bits else { return WordReader(constant: true) }
        return WordReader(bits: bits)
    }
}

extension WordReader {
    /// Reads a bitmap that starts at bit 0 of `bits` and spans whole words (made by `Bits`).
    init(bits: Buffer) {
        base = UnsafeRawPointer(bits.base)
        bitOffset = 0
        byteLimit = bits.capacity
        fill = 0
    }
}

/// Builds bitmaps that start at bit 0, a 64-bit word at a time.
enum Bits {
    @inline(__always) static func wordCount(_ n: Int) -> Int { (n + 63) >> 6 }

    /// A bitmap of `n` bits whose word `w` is `word(w)`, called for `w` in increasing order;
    /// bits past `n` are cleared.
    @inline(__always) static func make(count n: Int, _ word: (Int) -> UInt64) -> Buffer {
        let words = wordCount(n)
        let buffer = Buffer(capacity: Swift.max(words, 1) * 8)
        buffer.length = Bitmap.byteCount(n)
        let dst = buffer.base.assumingMemoryBound(to: UInt64.self)
        for w in 0..<words { dst[w] = word(w) }
        if n & 63 != 0 { dst[words - 1] &= (UInt64(1) << UInt64(n & 63)) &- 1 }
        return buffer
    }

    /// A bitmap whose bit `i` is `predicate(i)`, packed 64 at a time without branches. Whole
    /// words run a fixed 64-step loop, which the compiler unrolls and vectorizes (about twice as
    /// fast as one loop with a bound per word).
    @inline(__always) static func fromPredicate(count n: Int, _ predicate: (Int) -> Bool) -> Buffer {
        let words = wordCount(n)
        let buffer = Buffer(capacity: Swift.max(words, 1) * 8)
        buffer.length = Bitmap.byteCount(n)
        let dst = buffer.base.assumingMemoryBound(to: UInt64.self)
        let full = n >> 6
        for w in 0..<full {
            let start = w << 6
            var word: UInt64 = 0
            for j in 0..<64 { word |= UInt64(predicate(start &+ j) ? 1 : 0) << UInt64(j) }
            dst[w] = word
        }
        if full < words {
            let start = full << 6
            var word: UInt64 = 0
            for i in start..<n { word |= UInt64(predicate(i) ? 1 : 0) << UInt64(i &- start) }
            dst[full] = word
        }
        return buffer
    }

    /// `n` copies of `value`.
    static func filled(count n: Int, _ value: Bool) -> Buffer {
        make(count: n) { _ in value ? ~0 : 0 }
    }
}

// MARK: - Output columns

/// A new values buffer for `n` values of `T`, with its length already set.
@inline(__always) func allocateValues<T>(_: T.Type, _ n: Int) -> (Buffer, UnsafeMutablePointer<T>) {
    let buffer = Buffer(capacity: Swift.max(n, 1) * MemoryLayout<T>.stride)
    buffer.length = n * MemoryLayout<T>.stride
    return (buffer, buffer.base.assumingMemoryBound(to: T.self))
}

/// A fixed-width column over `values`.
func makeColumn(_ type: DataType, _ values: Buffer, _ validity: Validity, count n: Int) -> Column {
    Column(type: type, count: n, nullCount: validity.nullCount, validity: validity.bits, values: values)
}

/// A `.bool` column; value bits of null rows are cleared, so a reader that ignores validity
/// sees `false` for null (what a filter wants).
func makeBoolColumn(_ values: Buffer, _ validity: Validity, count n: Int) -> Column {
    var values = values
    if let bits = validity.bits {
        let v = values.base.assumingMemoryBound(to: UInt64.self)
        let m = bits.base.assumingMemoryBound(to: UInt64.self)
        values = Bits.make(count: n) { v[$0] & m[$0] }
    }
    return Column(type: .bool, count: n, nullCount: validity.nullCount, validity: validity.bits, values: values)
}

/// A column of `n` nulls of `type`.
func makeNullColumn(_ type: DataType, count n: Int) -> Column {
    let validity = Validity(bits: Bits.filled(count: n, false), nullCount: n)
    switch type {
    case .bool:
        return Column(type: .bool, count: n, nullCount: n, validity: validity.bits, values: Bits.filled(count: n, false))
    case .string:
        let offsets = Buffer(capacity: (n + 1) * 4)
        offsets.appendZeros((n + 1) * 4)
        return Column(
            type: .string, count: n, nullCount: n, validity: validity.bits, values: offsets, data: Buffer(capacity: 0))
    case .dictionary:
        let indices = Buffer(capacity: n * 4)
        indices.appendZeros(n * 4)
        return Column(
            type: .dictionary, count: n, nullCount: n, validity: validity.bits, values: indices,
            dictionary: DictionaryValues(StringBuilder(capacity: 0).finish()))
    default:
        let width = type.byteWidth ?? 8
        let values = Buffer(capacity: n * width)
        values.appendZeros(n * width)
        return Column(type: type, count: n, nullCount: n, validity: validity.bits, values: values)
    }
}

/// Applies `f` to every value of a fixed-width column; null rows stay null. `f` also runs on the
/// (unspecified) values behind nulls, so it must not trap on any bit pattern.
@inline(__always) func mapValues<S: BitwiseCopyable, T: BitwiseCopyable>(
    _ c: Column, _: S.Type, to type: DataType, _: T.Type, _ f: (S) -> T
) -> Column {
    let n = c.count
    let (buffer, dst) = allocateValues(T.self, n)
    let src = c.unsafeValues(S.self)
    for i in 0..<n { dst[i] = f(src[i]) }
    withExtendedLifetime(c) {}
    return makeColumn(type, buffer, Validity(of: c), count: n)
}

/// Like `mapValues`, but `f` returns nil for a value that has no result (it becomes null).
@inline(__always) func mapValuesOrNull<S: BitwiseCopyable, T: BitwiseCopyable>(
    _ c: Column, _: S.Type, to type: DataType, _: T.Type, _ f: (S) -> T?
) -> Column {
    let n = c.count
    let (buffer, dst) = allocateValues(T.self, n)
    let src = c.unsafeValues(S.self)
    let ok = Bits.fromPredicate(count: n) { i in
        if let v = f(src[i]) {
            dst[i] = v
            return true
        }
        UnsafeMutableRawPointer(dst + i).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.stride)
        return false
    }
    withExtendedLifetime(c) {}
    return makeColumn(type, buffer, Validity(of: c).and(ok, count: n), count: n)
}
