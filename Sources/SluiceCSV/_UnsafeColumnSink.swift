import SluiceCore

/// One column of the batch being built, appended to through raw pointers into SluiceCore
/// `Buffer`s, in Arrow layout; `finish` hands the buffers to a `Column` without copying.
///
/// Implementation note: SluiceCore's builders are classes, so every `append` pays Swift's dynamic
/// exclusivity checks and reference counting — several times the cost of parsing the value. The
/// reader keeps these sinks in one pointer-allocated array and mutates them in place, so the hot
/// loop touches only raw memory. Dictionary columns still go through `DictionaryBuilder`, which
/// owns the string interning.
///
/// The validity bitmap, once a column has a null, is kept zeroed past `count`: a valid value ORs
/// its bit in and a null writes nothing, so neither branches on the bit's position in its byte.
struct _UnsafeColumnSink {
    enum Kind {
        case bool, int32, int64, float32, float64, string, dictionary, date, timestamp
    }

    let type: DataType
    let kind: Kind
    /// The unit of a timestamp column (unused otherwise).
    let unit: TimeUnit
    /// Bytes per value in `values`; offsets (4) for strings, 0 for bit-packed booleans.
    private let width: Int
    private let initialRows: Int
    private(set) var count = 0

    private var values: Buffer
    private var valuesBase: UnsafeMutableRawPointer
    private var valuesCapacity: Int

    private var validity: Buffer?
    private var validityBase: UnsafeMutablePointer<UInt8>?
    /// Bits the validity buffer holds (a multiple of 8).
    private var validityRows = 0
    private(set) var nullCount = 0

    private var data: Buffer?
    private var dataBase: UnsafeMutableRawPointer?
    private var dataCapacity = 0
    private var dataLength = 0

    private let dictionary: DictionaryBuilder?

    init(_ type: DataType, rows: Int) {
        self.type = type
        initialRows = max(rows, 16)
        switch type {
        case .bool: kind = .bool
        case .int32: kind = .int32
        case .int64: kind = .int64
        case .float32: kind = .float32
        case .float64: kind = .float64
        case .string: kind = .string
        case .dictionary: kind = .dictionary
        case .date: kind = .date
        case .timestamp: kind = .timestamp
        }
        if case .timestamp(let u) = type { unit = u } else { unit = .us }
        width = type == .bool ? 0 : (type.byteWidth ?? 0)
        values = Buffer(capacity: 0)
        valuesBase = values.base
        valuesCapacity = values.capacity
        dictionary = kind == .dictionary ? DictionaryBuilder(capacity: initialRows) : nil
        startBatch()
    }

    /// Fresh buffers for the next batch.
    private mutating func startBatch() {
        count = 0
        nullCount = 0
        validity = nil
        validityBase = nil
        validityRows = 0
        switch kind {
        case .bool:
            values = Buffer(capacity: Bitmap.byteCount(initialRows))
        case .string:
            values = Buffer(capacity: (initialRows + 1) * 4)
            values.base.storeBytes(of: Int32(0), as: Int32.self)
            let d = Buffer(capacity: initialRows * 16)
            data = d
            dataBase = d.base
            dataCapacity = d.capacity
            dataLength = 0
        case .dictionary:
            values = Buffer(capacity: 0)
        default:
            values = Buffer(capacity: initialRows * width)
        }
        valuesBase = values.base
        valuesCapacity = values.capacity
    }

    // MARK: Appending

    @inline(__always)
    mutating func append<T: BitwiseCopyable>(_ v: T) {
        let offset = count &* MemoryLayout<T>.stride
        if offset &+ MemoryLayout<T>.stride > valuesCapacity { growValues(needed: offset + MemoryLayout<T>.stride) }
        valuesBase.storeBytes(of: v, toByteOffset: offset, as: T.self)
        if validityBase != nil { markValid(count) }
        count &+= 1
    }

    @inline(__always)
    mutating func appendBool(_ v: Bool) {
        if Bitmap.byteCount(count + 1) > valuesCapacity { growValues(needed: Bitmap.byteCount(count + 1)) }
        Self.setBit(valuesBase.assumingMemoryBound(to: UInt8.self), count, v)
        if validityBase != nil { markValid(count) }
        count &+= 1
    }

    // MARK: Runs of values written directly (fixed-width columns)

    /// Makes room for `rows` more values, in the values buffer and in the validity bitmap if
    /// there is one.
    mutating func reserve(rows: Int) {
        let needed = (count + rows) * width
        if needed > valuesCapacity { growValues(needed: needed) }
        // `commitPending` may touch the byte after the last one it fills.
        if validityBase != nil, count + rows + 16 > validityRows { growValidity(rows: count + rows + 16) }
    }

    /// Where the next `rows` values of a fixed-width column of `T` go: the fused parser writes
    /// them directly, then calls `commitPending`.
    mutating func pendingValues<T: BitwiseCopyable>(rows: Int, as _: T.Type) -> UnsafeMutablePointer<T> {
        reserve(rows: rows)
        return (valuesBase + count &* MemoryLayout<T>.stride).assumingMemoryBound(to: T.self)
    }

    /// Takes `rows` values written through `pendingValues` (nulls written as zero). `valid` holds
    /// one byte per row, 1 for a value and 0 for a null; the bytes after the last row, up to a
    /// multiple of 8, are cleared here.
    mutating func commitPending(rows: Int, valid: UnsafeMutablePointer<UInt8>) {
        (valid + rows).update(repeating: 0, count: 8)
        // Eight flags at a time: one multiplication sums them (for the null count), another
        // gathers them into a byte (flag i to bit i).
        var present = 0
        var k = 0
        while k < rows {
            let flags = UnsafeRawPointer(valid + k).loadUnaligned(as: UInt64.self)
            present &+= Int((flags &* 0x0101_0101_0101_0101) >> 56)
            k &+= 8
        }
        let nulls = rows - present
        if nulls > 0 && validityBase == nil { startValidity() }
        if validityBase != nil {
            if count + rows + 16 > validityRows { growValidity(rows: count + rows + 16) }
            let bitmap = validityBase.unsafelyUnwrapped
            // Each gathered byte is ORed in at the bit offset of `count`; the bitmap is zero past it.
            let shift = UInt16(count & 7)
            var byte = count >> 3
            k = 0
            while k < rows {
                let flags = UnsafeRawPointer(valid + k).loadUnaligned(as: UInt64.self)
                let packed = UInt16((flags &* 0x0102_0408_1020_4080) >> 56) << shift
                bitmap[byte] |= UInt8(truncatingIfNeeded: packed)
                bitmap[byte + 1] |= UInt8(truncatingIfNeeded: packed >> 8)
                byte += 1
                k += 8
            }
        }
        nullCount += nulls
        count += rows
    }

    /// Appends `first, first + 1, …` (`n` values) to an Int64 column.
    mutating func appendSequence(from first: Int64, count n: Int) {
        reserve(rows: n)
        let values = (valuesBase + count * 8).assumingMemoryBound(to: Int64.self)
        for i in 0..<n { values[i] = first &+ Int64(i) }
        if let bits = validityBase {
            for i in count..<(count + n) { bits[i &>> 3] |= UInt8(1) &<< UInt8(truncatingIfNeeded: i & 7) }
        }
        count += n
    }

    /// Appends UTF-8 bytes to a string column.
    @inline(__always)
    mutating func appendBytes(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if dataLength &+ n > dataCapacity { growData(needed: dataLength + n) }
        if n > 0 { (dataBase.unsafelyUnwrapped + dataLength).copyMemory(from: p, byteCount: n) }
        dataLength &+= n
        let offset = (count &+ 1) &* 4
        if offset &+ 4 > valuesCapacity { growValues(needed: offset + 4) }
        valuesBase.storeBytes(of: Int32(truncatingIfNeeded: dataLength), toByteOffset: offset, as: Int32.self)
        if validityBase != nil { markValid(count) }
        count &+= 1
    }

    /// Interns UTF-8 bytes into a dictionary column.
    mutating func appendDictionary(_ p: UnsafePointer<UInt8>, _ n: Int) {
        dictionary?.append(UnsafeRawBufferPointer(start: p, count: n))
        count += 1
    }

    mutating func appendNull() {
        switch kind {
        case .dictionary:
            // DictionaryBuilder keeps its own validity.
            dictionary?.appendNull()
            count += 1
            return
        case .bool:
            if Bitmap.byteCount(count + 1) > valuesCapacity { growValues(needed: Bitmap.byteCount(count + 1)) }
            Self.setBit(valuesBase.assumingMemoryBound(to: UInt8.self), count, false)
        case .string:
            let offset = (count + 1) * 4
            if offset + 4 > valuesCapacity { growValues(needed: offset + 4) }
            valuesBase.storeBytes(of: Int32(truncatingIfNeeded: dataLength), toByteOffset: offset, as: Int32.self)
        default:
            let offset = count * width
            if offset + width > valuesCapacity { growValues(needed: offset + width) }
            (valuesBase + offset).initializeMemory(as: UInt8.self, repeating: 0, count: width)
        }
        if validityBase == nil {
            startValidity()
        } else if count >= validityRows {
            growValidity(rows: count + 1)
        }
        nullCount += 1
        count += 1
    }

    /// Forgets the last value (a rejected row being rolled back).
    mutating func removeLast() {
        precondition(count > 0)
        count -= 1
        if kind == .dictionary {
            dictionary?.removeLast()
            return
        }
        if let v = validityBase {
            let mask = UInt8(1) << UInt8(count & 7)
            if v[count >> 3] & mask == 0 { nullCount -= 1 }
            // Keep the bitmap zeroed past `count`.
            v[count >> 3] &= ~mask
        }
        if kind == .string {
            dataLength = Int(valuesBase.load(fromByteOffset: count * 4, as: Int32.self))
        }
    }

    // MARK: Finishing

    /// The column of the values appended since the last `finish`; the sink starts a new batch.
    mutating func finish() -> Column {
        if let dictionary {
            count = 0
            return dictionary.finish()
        }
        switch kind {
        case .bool: values.length = Bitmap.byteCount(count)
        case .string: values.length = (count + 1) * 4
        default: values.length = count * width
        }
        validity?.length = Bitmap.byteCount(count)
        if let data { data.length = dataLength }
        let column = Column(
            type: type, count: count, nullCount: nullCount, validity: validity, values: values,
            data: kind == .string ? data : nil)
        startBatch()
        return column
    }

    // MARK: Growth and bits

    @inline(__always)
    private static func setBit(_ bits: UnsafeMutablePointer<UInt8>, _ i: Int, _ on: Bool) {
        let mask = UInt8(1) << UInt8(i & 7)
        // The first bit of a byte initializes the whole byte: buffers are not zeroed.
        if i & 7 == 0 {
            bits[i >> 3] = on ? mask : 0
        } else if on {
            bits[i >> 3] |= mask
        } else {
            bits[i >> 3] &= ~mask
        }
    }

    /// Sets bit `i`, which is zero (the bitmap is zeroed past `count`).
    @inline(__always)
    private mutating func markValid(_ i: Int) {
        if i >= validityRows { growValidity(rows: i + 1) }
        validityBase.unsafelyUnwrapped[i &>> 3] |= UInt8(1) &<< UInt8(truncatingIfNeeded: i & 7)
    }

    /// The first null: every value before it was valid; every bit from `count` on starts zeroed.
    /// Sized for as many rows as the values buffer holds.
    private mutating func startValidity() {
        let held = width > 0 ? valuesCapacity / width : valuesCapacity * 8
        let b = Buffer(capacity: Bitmap.byteCount(max(count + 1, initialRows, held)))
        let bytes = b.base.assumingMemoryBound(to: UInt8.self)
        bytes.initialize(repeating: 0, count: b.capacity)
        bytes.update(repeating: 0xFF, count: count >> 3)
        if count & 7 != 0 { bytes[count >> 3] = UInt8((1 << (count & 7)) - 1) }
        validity = b
        validityBase = bytes
        validityRows = b.capacity * 8
    }

    private mutating func growValues(needed: Int) {
        // Buffer.reserve copies `length` bytes: claim them all, the unused tail included.
        values.length = valuesCapacity
        values.reserve(additional: needed - valuesCapacity)
        valuesBase = values.base
        valuesCapacity = values.capacity
    }

    /// Room for at least `rows` bits, the new bytes zeroed.
    private mutating func growValidity(rows: Int) {
        guard let b = validity else { return }
        let old = validityRows >> 3
        b.length = old
        b.reserve(additional: Bitmap.byteCount(rows) - old)
        let bytes = b.base.assumingMemoryBound(to: UInt8.self)
        (bytes + old).initialize(repeating: 0, count: b.capacity - old)
        validityBase = bytes
        validityRows = b.capacity * 8
    }

    private mutating func growData(needed: Int) {
        guard let d = data else { return }
        d.length = dataLength
        d.reserve(additional: needed - dataLength)
        dataBase = d.base
        dataCapacity = d.capacity
    }
}
