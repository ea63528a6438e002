/// One typed column of a `RecordBatch`, laid out as Arrow lays it out: a values buffer
/// (fixed-width values, bit-packed booleans, Int32 string offsets, or Int32 dictionary indices),
/// an optional validity bitmap (absent when there are no nulls), string bytes, and for
/// dictionary-encoded strings the dictionary itself.
///
/// Columns are immutable and cheap to copy; `slice` shares the buffers and moves `offset`.
public struct Column: @unchecked Sendable {
    public let type: DataType
    /// Number of values in this column (or slice).
    public let count: Int
    /// Index of this column's first value in its buffers; non-zero for slices.
    public let offset: Int
    public let nullCount: Int
    public let validity: Buffer?
    public let values: Buffer
    /// UTF-8 bytes of a `.string` column.
    public let data: Buffer?
    /// The strings a `.dictionary` column's indices point into.
    public let dictionary: DictionaryValues?

    public init(
        type: DataType, count: Int, offset: Int = 0, nullCount: Int, validity: Buffer?,
        values: Buffer, data: Buffer? = nil, dictionary: DictionaryValues? = nil
    ) {
        self.type = type
        self.count = count
        self.offset = offset
        self.nullCount = nullCount
        self.validity = nullCount > 0 ? validity : nil
        self.values = values
        self.data = data
        self.dictionary = dictionary
    }

    @inlinable public func isValid(_ i: Int) -> Bool {
        guard let v = validity else { return true }
        return Bitmap.get(v.base, offset + i)
    }

    @inlinable public func isNull(_ i: Int) -> Bool { !isValid(i) }

    /// A typed pointer to the first value of this column (after `offset`).
    ///
    /// The pointer is valid while this column (or another holder of its buffers) is alive;
    /// hot loops use it inside `withExtendedLifetime` or while holding the column.
    @inlinable public func unsafeValues<T: BitwiseCopyable>(_: T.Type) -> UnsafePointer<T> {
        UnsafePointer(values.base.assumingMemoryBound(to: T.self)) + offset
    }

    /// Runs `body` over the fixed-width values of this column.
    @inlinable public func withValues<T: BitwiseCopyable, R>(
        as: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
    ) rethrows -> R {
        try withExtendedLifetime(values) {
            try body(UnsafeBufferPointer(start: unsafeValues(T.self), count: count))
        }
    }

    @inlinable public func value<T: BitwiseCopyable>(_ i: Int, as: T.Type) -> T {
        values.base.load(fromByteOffset: (offset + i) * MemoryLayout<T>.stride, as: T.self)
    }

    /// The boolean at `i` of a `.bool` column (false for nulls).
    @inlinable public func bool(at i: Int) -> Bool { Bitmap.get(values.base, offset + i) }

    /// The UTF-8 bytes at `i` of a `.string` or `.dictionary` column (empty for nulls).
    @inlinable public func stringBytes(at i: Int) -> UnsafeRawBufferPointer {
        if let dict = dictionary {
            let k = Int(value(i, as: Int32.self))
            return dict.values.stringBytes(at: k)
        }
        let offs = values.base.assumingMemoryBound(to: Int32.self)
        let start = Int(offs[offset + i])
        let end = Int(offs[offset + i + 1])
        return UnsafeRawBufferPointer(start: data.unsafelyUnwrapped.base + start, count: end - start)
    }

    /// The string at `i`, or nil for a null. Allocates: not for hot loops.
    public func string(at i: Int) -> String? {
        guard isValid(i) else { return nil }
        return String(decoding: stringBytes(at: i), as: UTF8.self)
    }

    /// A view of `count` values starting at `start`, sharing the buffers.
    public func slice(_ start: Int, _ length: Int) -> Column {
        precondition(start >= 0 && length >= 0 && start + length <= count, "slice out of range")
        let nulls: Int
        if let v = validity { nulls = Bitmap.countZeros(v.base, offset: offset + start, count: length) } else { nulls = 0 }
        return Column(
            type: type, count: length, offset: offset + start, nullCount: nulls, validity: validity,
            values: values, data: data, dictionary: dictionary)
    }

    /// Bytes held by this column's buffers (shared buffers counted in full).
    public var byteSize: Int {
        values.capacity + (validity?.capacity ?? 0) + (data?.capacity ?? 0) + (dictionary?.values.byteSize ?? 0)
    }
}

/// The string dictionary of a `.dictionary` column, shared by reference between slices and batches.
public final class DictionaryValues: Sendable {
    public let values: Column

    public init(_ values: Column) {
        precondition(values.type == .string)
        self.values = values
    }
}
