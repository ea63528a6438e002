/// Appends fixed-width values (ints, floats, dates, timestamps) into a new column.
public final class PrimitiveBuilder<T: BitwiseCopyable> {
    public let type: DataType
    @usableFromInline var values: Buffer
    @usableFromInline var validity = ValidityBuilder()
    @usableFromInline var _count = 0
    public var count: Int { _count }
    @usableFromInline let initialCapacity: Int

    public init(_ type: DataType, capacity: Int = 1024) {
        precondition(type.byteWidth == MemoryLayout<T>.stride, "\(T.self) does not store \(type)")
        self.type = type
        self.initialCapacity = capacity
        self.values = Buffer(capacity: capacity * MemoryLayout<T>.stride)
    }

    @inlinable public func append(_ v: T) {
        values.append(v)
        validity.appendValid()
        _count += 1
    }

    public func appendNull() {
        values.appendZeros(MemoryLayout<T>.stride)
        validity.appendNull()
        _count += 1
    }

    public func removeLast() {
        values.length -= MemoryLayout<T>.stride
        validity.removeLast()
        _count -= 1
    }

    /// Hands over the column and starts a new one with the same capacity.
    public func finish() -> Column {
        let (bits, nulls) = validity.finish()
        let col = Column(type: type, count: _count, nullCount: nulls, validity: bits, values: values)
        values = Buffer(capacity: initialCapacity * MemoryLayout<T>.stride)
        _count = 0
        return col
    }
}

/// Appends booleans, bit-packed.
public final class BoolBuilder {
    var values: Buffer
    var validity = ValidityBuilder()
    @usableFromInline var _count = 0
    public var count: Int { _count }

    public init(capacity: Int = 1024) {
        values = Buffer(capacity: Bitmap.byteCount(capacity))
    }

    public func append(_ v: Bool) {
        if Bitmap.byteCount(_count + 1) > values.length { values.appendZeros(1) }
        Bitmap.set(values.base, _count, v)
        validity.appendValid()
        _count += 1
    }

    public func appendNull() {
        if Bitmap.byteCount(_count + 1) > values.length { values.appendZeros(1) }
        Bitmap.set(values.base, _count, false)
        validity.appendNull()
        _count += 1
    }

    public func removeLast() {
        validity.removeLast()
        _count -= 1
        values.length = Bitmap.byteCount(_count)
    }

    public func finish() -> Column {
        let (bits, nulls) = validity.finish()
        let col = Column(type: .bool, count: _count, nullCount: nulls, validity: bits, values: values)
        values = Buffer(capacity: 128)
        _count = 0
        return col
    }
}

/// Appends UTF-8 strings as Int32 offsets plus bytes.
public final class StringBuilder {
    @usableFromInline var offsets: Buffer
    @usableFromInline var data: Buffer
    @usableFromInline var validity = ValidityBuilder()
    @usableFromInline var _count = 0
    public var count: Int { _count }
    let initialCapacity: Int

    public init(capacity: Int = 1024, bytesCapacity: Int? = nil) {
        initialCapacity = capacity
        offsets = Buffer(capacity: (capacity + 1) * 4)
        data = Buffer(capacity: bytesCapacity ?? capacity * 16)
        offsets.append(Int32(0))
    }

    @inlinable public func append(_ bytes: UnsafeRawBufferPointer) {
        data.append(bytes)
        offsets.append(Int32(truncatingIfNeeded: data.length))
        validity.appendValid()
        _count += 1
    }

    public func append(_ s: String) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public func appendNull() {
        offsets.append(Int32(truncatingIfNeeded: data.length))
        validity.appendNull()
        _count += 1
    }

    public func removeLast() {
        offsets.length -= 4
        data.length = Int(offsets.base.load(fromByteOffset: offsets.length - 4, as: Int32.self))
        validity.removeLast()
        _count -= 1
    }

    /// Bytes of string data appended so far (a batch is cut when this grows large).
    public var byteCount: Int { data.length }

    public func finish() -> Column {
        let (bits, nulls) = validity.finish()
        let col = Column(type: .string, count: _count, nullCount: nulls, validity: bits, values: offsets, data: data)
        offsets = Buffer(capacity: (initialCapacity + 1) * 4)
        data = Buffer(capacity: Swift.max(data.length, 1024))
        offsets.append(Int32(0))
        _count = 0
        return col
    }
}

/// Appends strings into a dictionary-encoded column: each distinct string is stored once and rows
/// hold Int32 indices. The dictionary is rebuilt per batch, so memory stays bounded.
public final class DictionaryBuilder {
    var indices: PrimitiveBuilder<Int32>
    var table = StringInterner()
    public var count: Int { indices.count }

    public init(capacity: Int = 1024) {
        indices = PrimitiveBuilder<Int32>(.dictionary, capacity: capacity)
    }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        indices.append(table.intern(bytes))
    }

    public func append(_ s: String) {
        var s = s
        s.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public func appendNull() { indices.appendNull() }

    public func removeLast() { indices.removeLast() }

    public func finish() -> Column {
        let idx = indices.finish()
        let dict = DictionaryValues(table.finish())
        return Column(
            type: .dictionary, count: idx.count, nullCount: idx.nullCount, validity: idx.validity,
            values: idx.values, dictionary: dict)
    }
}

/// A builder for any `DataType`: the per-type builders behind one enum, so callers can keep an
/// array of builders and switch once per value without existentials.
public enum ColumnBuilder {
    case bool(BoolBuilder)
    case int32(PrimitiveBuilder<Int32>)
    case int64(PrimitiveBuilder<Int64>)
    case float32(PrimitiveBuilder<Float>)
    case float64(PrimitiveBuilder<Double>)
    case string(StringBuilder)
    case dictionary(DictionaryBuilder)
    case date(PrimitiveBuilder<Int32>)
    case timestamp(PrimitiveBuilder<Int64>)

    public init(_ type: DataType, capacity: Int = 1024) {
        switch type {
        case .bool: self = .bool(BoolBuilder(capacity: capacity))
        case .int32: self = .int32(PrimitiveBuilder(type, capacity: capacity))
        case .int64: self = .int64(PrimitiveBuilder(type, capacity: capacity))
        case .float32: self = .float32(PrimitiveBuilder(type, capacity: capacity))
        case .float64: self = .float64(PrimitiveBuilder(type, capacity: capacity))
        case .string: self = .string(StringBuilder(capacity: capacity))
        case .dictionary: self = .dictionary(DictionaryBuilder(capacity: capacity))
        case .date: self = .date(PrimitiveBuilder(type, capacity: capacity))
        case .timestamp: self = .timestamp(PrimitiveBuilder(type, capacity: capacity))
        }
    }

    public var count: Int {
        switch self {
        case .bool(let b): b.count
        case .int32(let b), .date(let b): b.count
        case .int64(let b), .timestamp(let b): b.count
        case .float32(let b): b.count
        case .float64(let b): b.count
        case .string(let b): b.count
        case .dictionary(let b): b.count
        }
    }

    public func appendNull() {
        switch self {
        case .bool(let b): b.appendNull()
        case .int32(let b), .date(let b): b.appendNull()
        case .int64(let b), .timestamp(let b): b.appendNull()
        case .float32(let b): b.appendNull()
        case .float64(let b): b.appendNull()
        case .string(let b): b.appendNull()
        case .dictionary(let b): b.appendNull()
        }
    }

    public func removeLast() {
        switch self {
        case .bool(let b): b.removeLast()
        case .int32(let b), .date(let b): b.removeLast()
        case .int64(let b), .timestamp(let b): b.removeLast()
        case .float32(let b): b.removeLast()
        case .float64(let b): b.removeLast()
        case .string(let b): b.removeLast()
        case .dictionary(let b): b.removeLast()
        }
    }

    public func finish() -> Column {
        switch self {
        case .bool(let b): b.finish()
        case .int32(let b), .date(let b): b.finish()
        case .int64(let b), .timestamp(let b): b.finish()
        case .float32(let b): b.finish()
        case .float64(let b): b.finish()
        case .string(let b): b.finish()
        case .dictionary(let b): b.finish()
        }
    }

    /// Appends a boxed value, converting between numeric kinds; anything that does not fit is null.
    public func append(_ s: Scalar) {
        switch (self, s) {
        case (_, .null): appendNull()
        case (.bool(let b), .bool(let v)): b.append(v)
        case (.int32(let b), .int(let v)):
            if let x = Int32(exactly: v) { b.append(x) } else { b.appendNull() }
        case (.int64(let b), .int(let v)): b.append(v)
        case (.float32(let b), .double(let v)): b.append(Float(v))
        case (.float32(let b), .int(let v)): b.append(Float(v))
        case (.float64(let b), .double(let v)): b.append(v)
        case (.float64(let b), .int(let v)): b.append(Double(v))
        case (.string(let b), .string(let v)): b.append(v)
        case (.dictionary(let b), .string(let v)): b.append(v)
        case (.date(let b), .date(let v)): b.append(v)
        case (.timestamp(let b), .timestamp(let v, _)): b.append(v)
        case (.timestamp(let b), .int(let v)): b.append(v)
        default: appendNull()
        }
    }

    /// Appends value `i` of `column`, which must have this builder's type.
    public func append(from column: Column, at i: Int) {
        guard column.isValid(i) else { appendNull(); return }
        switch self {
        case .bool(let b): b.append(column.bool(at: i))
        case .int32(let b), .date(let b): b.append(column.value(i, as: Int32.self))
        case .int64(let b), .timestamp(let b): b.append(column.value(i, as: Int64.self))
        case .float32(let b): b.append(column.value(i, as: Float.self))
        case .float64(let b): b.append(column.value(i, as: Double.self))
        case .string(let b): b.append(column.stringBytes(at: i))
        case .dictionary(let b): b.append(column.stringBytes(at: i))
        }
    }
}
