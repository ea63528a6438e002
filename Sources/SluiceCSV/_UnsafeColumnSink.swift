import SluiceCore

/// One column of the batch being built, appended to through raw pointers into SluiceCore
/// `Buffer`s, in Arrow layout; `finish` hands the buffers to a `Column` without copying.
///
/// Implementation note: SluiceCore's builders are classes, so every `append` pays Swift's dynamic
/// exclusivity checks and reference counting — several times the cost of parsing the value. The
/// reader keeps these sinks in one pointer-allocated array and mutates them in place, so the hot
/// loop touches only raw memory. Dictionary columns still go through `DictionaryBuilder`, which
/// owns the string interning.
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
    private var validityCapacity = 0
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
        validityCapacity = 0
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
        if validityBase != nil { setValidity(count, true) }
        count &+= 1
    }

    @inline(__always)
    mutating func appendBool(_ v: Bool) {
        if Bitmap.byteCount(count + 1) > valuesCapacity { growValues(needed: Bitmap.byteCount(count + 1)) }
        Self.setBit(valuesBase.assumingMemoryBound(to: UInt8.self), count, v)
        if validityBase != nil { setValidity(count, true) }
        count &+= 1
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
        if validityBase != nil { setValidity(count, true) }
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
        if validityBase == nil { startValidity() }
        setValidity(count, false)
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
        if let v = validityBase, v[count >> 3] & (1 << UInt8(count & 7)) == 0 { nullCount -= 1 }
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

    @inline(__always)
    private mutating func setValidity(_ i: Int, _ valid: Bool) {
        if Bitmap.byteCount(i + 1) > validityCapacity { growValidity(needed: Bitmap.byteCount(i + 1)) }
        Self.setBit(validityBase.unsafelyUnwrapped, i, valid)
    }

    /// The first null: every value before it was valid.
    private mutating func startValidity() {
        let b = Buffer(capacity: Bitmap.byteCount(max(count + 1, initialRows)))
        let bytes = b.base.assumingMemoryBound(to: UInt8.self)
        bytes.initialize(repeating: 0xFF, count: Bitmap.byteCount(count))
        validity = b
        validityBase = bytes
        validityCapacity = b.capacity
    }

    private mutating func growValues(needed: Int) {
        // Buffer.reserve copies `length` bytes: claim them all, the unused tail included.
        values.length = valuesCapacity
        values.reserve(additional: needed - valuesCapacity)
        valuesBase = values.base
        valuesCapacity = values.capacity
    }

    private mutating func growValidity(needed: Int) {
        guard let b = validity else { return }
        b.length = validityCapacity
        b.reserve(additional: needed - validityCapacity)
        validityBase = b.base.assumingMemoryBound(to: UInt8.self)
        validityCapacity = b.capacity
    }

    private mutating func growData(needed: Int) {
        guard let d = data else { return }
        d.length = dataLength
        d.reserve(additional: needed - dataLength)
        dataBase = d.base
        dataCapacity = d.capacity
    }
}
