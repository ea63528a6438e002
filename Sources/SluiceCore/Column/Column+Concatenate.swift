extension Column {
    /// The values of `columns` (all of one type) one after another, as a new column. Dictionary
    /// columns are re-encoded over one dictionary.
    public static func concatenate(_ columns: [Column], type: DataType) -> Column {
        let n = columns.reduce(0) { $0 + $1.count }
        func primitive<T: BitwiseCopyable>(_: T.Type) -> Column {
            let b = PrimitiveBuilder<T>(type, capacity: n)
            for c in columns {
                c.withValues(as: T.self) { values in
                    for i in 0..<c.count {
                        if c.isValid(i) { b.append(values[i]) } else { b.appendNull() }
                    }
                }
            }
            return b.finish()
        }
        switch type {
        case .int32, .date: return primitive(Int32.self)
        case .int64, .timestamp: return primitive(Int64.self)
        case .float32: return primitive(Float.self)
        case .float64: return primitive(Double.self)
        case .bool:
            let b = BoolBuilder(capacity: n)
            for c in columns {
                for i in 0..<c.count {
                    if c.isValid(i) { b.append(c.bool(at: i)) } else { b.appendNull() }
                }
            }
            return b.finish()
        case .string:
            let b = StringBuilder(capacity: n, bytesCapacity: columns.reduce(0) { $0 + ($1.data?.length ?? 0) })
            for c in columns {
                for i in 0..<c.count {
                    if c.isValid(i) { b.append(c.stringBytes(at: i)) } else { b.appendNull() }
                }
                withExtendedLifetime(c) {}
            }
            return b.finish()
        case .dictionary:
            let b = DictionaryBuilder(capacity: n)
            for c in columns {
                for i in 0..<c.count {
                    if c.isValid(i) { b.append(c.stringBytes(at: i)) } else { b.appendNull() }
                }
                withExtendedLifetime(c) {}
            }
            return b.finish()
        }
    }
}
