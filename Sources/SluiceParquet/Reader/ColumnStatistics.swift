import SluiceCore

/// The statistics of one column chunk, decoded into the column's output values, for skipping row
/// groups: a predicate that is false over `[min, max]`, or `IS NOT NULL` when `nullCount == rows`,
/// means the row group holds no matching row.
public struct ColumnStatistics: Sendable, Hashable {
    public var nullCount: Int?
    public var distinctCount: Int?
    /// Lower bound of the non-null values, in the column's output type; nil when unknown.
    public var min: Scalar?
    public var max: Scalar?
    /// False when a writer truncated the bound (it is then still a bound, just not a value).
    public var isMinExact: Bool
    public var isMaxExact: Bool

    public init(nullCount: Int? = nil, distinctCount: Int? = nil, min: Scalar? = nil, max: Scalar? = nil, isMinExact: Bool = true, isMaxExact: Bool = true) {
        self.nullCount = nullCount
        self.distinctCount = distinctCount
        self.min = min
        self.max = max
        self.isMinExact = isMinExact
        self.isMaxExact = isMaxExact
    }
}

extension ColumnStatistics {
    /// False only when no non-null value of the column can lie in `[lower, upper]` (either bound
    /// nil for unbounded): the row group can then be skipped for a range or equality filter.
    /// Bounds of another kind than the statistics (say a string against numbers) never skip.
    public func mayContain(lower: Scalar?, upper: Scalar?) -> Bool {
        if let lower, let max, let c = Self.compare(max, lower), c < 0 { return false }
        if let upper, let min, let c = Self.compare(min, upper), c > 0 { return false }
        return true
    }

    /// True when the statistics prove every one of `rows` values is null (an `IS NOT NULL`
    /// filter skips the row group).
    public func isAllNull(rows: Int) -> Bool { nullCount == rows && rows > 0 }

    /// Orders two scalars of comparable kinds (numbers with numbers, strings by UTF-8 bytes,
    /// dates, timestamps of the same unit, booleans); nil when they cannot be compared.
    static func compare(_ a: Scalar, _ b: Scalar) -> Int? {
        func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
        switch (a, b) {
        case let (.int(x), .int(y)): return cmp(x, y)
        case let (.double(x), .double(y)): return x.isNaN || y.isNaN ? nil : cmp(x, y)
        case let (.int(x), .double(y)): return y.isNaN ? nil : cmp(Double(x), y)
        case let (.double(x), .int(y)): return x.isNaN ? nil : cmp(x, Double(y))
        case let (.string(x), .string(y)): return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : (x == y ? 0 : 1)
        case let (.date(x), .date(y)): return cmp(x, y)
        case let (.timestamp(x, u), .timestamp(y, v)) where u == v: return cmp(x, y)
        case let (.bool(x), .bool(y)): return cmp(x ? 1 : 0, y ? 1 : 0)
        default: return nil
        }
    }
}

extension ParquetFileReader {
    /// Statistics of top-level column `column` in row group `rowGroup`, or nil when the writer
    /// stored none. Bounds are dropped where they cannot be trusted: NaN float bounds, legacy
    /// `min`/`max` of columns whose order is not signed, and columns without TYPE_ORDER.
    public func statistics(rowGroup: Int, column: String) throws(ParquetError) -> ColumnStatistics? {
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count else {
            throw ParquetError(file: name, "row group \(rowGroup) does not exist (the file has \(metadata.rowGroups.count))")
        }
        guard let f = parquetSchema.fields.first(where: { $0.name == column }) else {
            throw ParquetError(file: name, column: column, "no such column")
        }
        guard f.isFlat, let leafIndex = f.leaves.first else { return nil }
        guard let stats = metadata.rowGroups[rowGroup].columns[leafIndex].metaData?.statistics else { return nil }
        guard case .success(let plan) = plans[leafIndex] else { return nil }
        var out = ColumnStatistics(
            nullCount: stats.nullCount.map { Int($0) }, distinctCount: stats.distinctCount.map { Int($0) },
            isMinExact: stats.isMinValueExact ?? true, isMaxExact: stats.isMaxValueExact ?? true)
        let typeOrder = metadata.columnOrders.map { leafIndex < $0.count && $0[leafIndex] } ?? true
        var minBytes: [UInt8]? = nil, maxBytes: [UInt8]? = nil
        if typeOrder, stats.minValue != nil || stats.maxValue != nil {
            minBytes = stats.minValue
            maxBytes = stats.maxValue
        } else if Self.legacyOrderIsSigned(plan) {
            minBytes = stats.min
            maxBytes = stats.max
        }
        out.min = minBytes.flatMap { Self.decodeBound($0, plan) }
        out.max = maxBytes.flatMap { Self.decodeBound($0, plan) }
        return out
    }

    /// Statistics of every readable top-level column of row group `rowGroup` that has them, by name.
    public func statistics(rowGroup: Int) throws(ParquetError) -> [String: ColumnStatistics] {
        var out: [String: ColumnStatistics] = [:]
        for f in parquetSchema.fields where f.isFlat {
            if let s = try statistics(rowGroup: rowGroup, column: f.name) { out[f.name] = s }
        }
        return out
    }

    /// Old writers compared everything as signed values (bytes as signed chars), so their
    /// `min`/`max` are only usable for signed numbers and booleans.
    static func legacyOrderIsSigned(_ plan: LeafPlan) -> Bool {
        switch plan.physical {
        case .boolean, .float, .double: return true
        case .int32, .int64:
            switch plan.conversion {
            case .identity, .decimalToDouble, .decimalToString: return true
            default: return false
            }
        default: return false
        }
    }

    /// A PLAIN-encoded bound (byte arrays without their length prefix) as a typed value.
    static func decodeBound(_ bytes: [UInt8], _ plan: LeafPlan) -> Scalar? {
        bytes.withUnsafeBytes { b -> Scalar? in
            func load<T: BitwiseCopyable>(_: T.Type) -> T? {
                b.count >= MemoryLayout<T>.size ? b.loadUnaligned(as: T.self) : nil
            }
            switch (plan.physical, plan.conversion) {
            case (.boolean, _): return b.first.map { .bool($0 != 0) }
            case (.int32, .identity):
                guard let v = load(Int32.self) else { return nil }
                return plan.output == .date ? .date(v) : .int(Int64(v))
            case (.int32, .uint32ToInt64): return load(UInt32.self).map { .int(Int64($0)) }
            case (.int32, .decimalToDouble(let s)): return load(Int32.self).map { .double(ValueConversion.decimalDouble(Int64($0), scale: s)) }
            case (.int64, .identity):
                guard let v = load(Int64.self) else { return nil }
                if case .timestamp(let u) = plan.output { return .timestamp(v, u) }
                return .int(v)
            case (.int64, .uint64ToInt64): return load(UInt64.self).flatMap { Int64(exactly: $0) }.map { .int($0) }
            case (.int64, .decimalToDouble(let s)): return load(Int64.self).map { .double(ValueConversion.decimalDouble($0, scale: s)) }
            case (.float, _):
                guard let v = load(Float.self), !v.isNaN else { return nil }
                return .double(Double(v))
            case (.double, _):
                guard let v = load(Double.self), !v.isNaN else { return nil }
                return .double(v)
            case (.fixedLenByteArray, .float16):
                guard let h = load(UInt16.self) else { return nil }
                let v = ValueConversion.halfToFloat(h)
                return v.isNaN ? nil : .double(Double(v))
            case (_, .decimalToDouble(let s)):
                guard let v = try? ValueConversion.bigEndianInt128(b), let small = Int64(exactly: v) else { return nil }
                return .double(ValueConversion.decimalDouble(small, scale: s))
            case (.int32, .decimalToString(let s)): return load(Int32.self).map { .string(ValueConversion.decimalText(Int128($0), scale: s)) }
            case (.int64, .decimalToString(let s)): return load(Int64.self).map { .string(ValueConversion.decimalText(Int128($0), scale: s)) }
            case (_, .decimalToString(let s)):
                guard let v = try? ValueConversion.bigEndianInt128(b) else { return nil }
                return .string(ValueConversion.decimalText(v, scale: s))
            case (.byteArray, _), (.fixedLenByteArray, _):
                return .string(String(decoding: b, as: UTF8.self))
            default:
                return nil
            }
        }
    }
}
