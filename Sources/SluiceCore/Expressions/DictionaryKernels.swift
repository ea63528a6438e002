/// Kernels that work on a dictionary column's distinct strings once instead of on every row.
///
/// Implementation note: a batch of 64K rows of a low-cardinality column may have a few dozen
/// distinct strings; comparing, lower-casing or matching those and then spreading the answer
/// through the Int32 indices costs one gather per row instead of one string operation per row.

/// The distinct strings of a dictionary column (empty if it has none).
private func dictionaryValues(_ c: Column) -> Column {
    c.dictionary?.values ?? StringBuilder(capacity: 0).finish()
}

/// A bool column: `test` applied to each distinct string once, then looked up per row.
func dictionaryPredicate(_ c: Column, _ test: (UnsafeRawBufferPointer) -> Bool) -> Column {
    let values = dictionaryValues(c)
    let m = values.count
    let strings = StringColumnInput(values)
    let (table, answers) = allocateValues(Bool.self, m)
    for k in 0..<m { answers[k] = test(strings.bytes(k)) }
    let indices = c.unsafeValues(Int32.self)
    let bits = Bits.fromPredicate(count: c.count) { i in
        let k = indices[i]
        return UInt32(bitPattern: k) < UInt32(m) && answers[Int(k)]
    }
    withExtendedLifetime((c, values, table)) {}
    return makeBoolColumn(bits, Validity(of: c), count: c.count)
}

/// Applies `transform`, a kernel over a `.string` column, to the dictionary once and spreads the
/// result to the rows. A string result stays dictionary-encoded, keeping the very same indices
/// when the results are still distinct (re-interned otherwise, so the dictionary stays free of
/// duplicates); any other result is gathered through the indices.
func mapDictionary(_ c: Column, _ transform: (Column) throws(SluiceError) -> Column) throws(SluiceError) -> Column {
    let result = try transform(dictionaryValues(c))
    guard result.type == .string, result.nullCount == 0 else { return try gather(result, by: c) }
    let builder = DictionaryBuilder(capacity: result.count)
    for k in 0..<result.count { builder.append(result.stringBytes(at: k)) }
    let encoded = builder.finish()
    guard let dictionary = encoded.dictionary else { return try gather(result, by: c) }
    if dictionary.values.count == result.count {
        return Column(
            type: .dictionary, count: c.count, offset: c.offset, nullCount: c.nullCount, validity: c.validity,
            values: c.values, dictionary: dictionary)
    }
    let remap = encoded.unsafeValues(Int32.self)
    let m = UInt32(encoded.count)
    let indices = c.unsafeValues(Int32.self)
    let (buffer, dst) = allocateValues(Int32.self, c.count)
    for i in 0..<c.count {
        let k = indices[i]
        dst[i] = UInt32(bitPattern: k) < m ? remap[Int(k)] : 0
    }
    withExtendedLifetime((c, encoded)) {}
    let validity = Validity(of: c)
    return Column(
        type: .dictionary, count: c.count, nullCount: validity.nullCount, validity: validity.bits, values: buffer,
        dictionary: dictionary)
}

/// Row `i` of the result is `values[indices[i]]`, null where the index is null or out of range.
func gather(_ values: Column, by c: Column) throws(SluiceError) -> Column {
    let n = c.count
    let m = values.count
    let indices = c.unsafeValues(Int32.self)
    var inRange = true
    for i in 0..<n where UInt32(bitPattern: indices[i]) >= UInt32(m) { inRange = false }
    var validity = Validity(of: c)
    if values.nullCount > 0 || !inRange {
        let vm = WordReader(validityOf: values)
        validity = validity.and(
            Bits.fromPredicate(count: n) { i in
                let k = indices[i]
                guard UInt32(bitPattern: k) < UInt32(m) else { return false }
                return (vm.word(Int(k) >> 6) >> UInt64(Int(k) & 63)) & 1 != 0
            }, count: n)
    }
    @inline(__always) func index(_ i: Int) -> Int {
        let k = indices[i]
        return UInt32(bitPattern: k) < UInt32(m) ? Int(k) : 0
    }
    func fixed<T: BitwiseCopyable>(_: T.Type) -> Column {
        let (buffer, dst) = allocateValues(T.self, n)
        if m > 0 {
            let src = values.unsafeValues(T.self)
            for i in 0..<n { dst[i] = src[index(i)] }
        } else {
            UnsafeMutableRawPointer(dst).initializeMemory(as: UInt8.self, repeating: 0, count: n * MemoryLayout<T>.stride)
        }
        return makeColumn(values.type, buffer, validity, count: n)
    }
    defer { withExtendedLifetime((c, values)) {} }
    switch values.type {
    case .int32, .date: return fixed(Int32.self)
    case .dictionary:
        let idx = fixed(Int32.self)
        return Column(
            type: .dictionary, count: n, nullCount: idx.nullCount, validity: idx.validity, values: idx.values,
            dictionary: values.dictionary)
    case .int64, .timestamp: return fixed(Int64.self)
    case .float32: return fixed(Float.self)
    case .float64: return fixed(Double.self)
    case .bool:
        let bools = WordReader(valuesOf: values)
        let bits = Bits.fromPredicate(count: n) { i in
            let k = index(i)
            return m > 0 && (bools.word(k >> 6) >> UInt64(k & 63)) & 1 != 0
        }
        return makeBoolColumn(bits, validity, count: n)
    case .string:
        let strings = StringColumnInput(values)
        var out = StringOutput(count: n, byteCapacity: n * 8)
        for i in 0..<n {
            if m > 0 && validity.isValid(i) { out.append(strings.bytes(index(i))) } else { out.appendEmpty() }
        }
        return try out.finish(validity)
    }
}
