#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A kernel from one column to another, chosen at bind time.
typealias ColumnKernel = @Sendable (Column) throws(SluiceError) -> Column

/// Conversions between types, for `cast(x, 'type')` and for bringing values to a common type.
///
/// A value that has no counterpart becomes null rather than an error: text that does not parse,
/// a float that is NaN or out of the integer's range, an int64 out of int32's range, a date or
/// timestamp that does not fit the finer unit. Floats become integers rounded half away from zero.
enum CastKernels {
    /// The kernel converting `from` to `to`, or nil when no conversion exists.
    static func kernel(from: DataType, to: DataType) -> ColumnKernel? {
        if from == to { return { c throws(SluiceError) in c } }
        switch (from, to) {
        case (_, .string):
            return { c throws(SluiceError) in try TextFormatting.format(c) }
        case (_, .dictionary):
            guard let text = kernel(from: from, to: .string) else { return nil }
            return { c throws(SluiceError) in encodeDictionary(try text(c)) }
        case (.dictionary, _):
            guard let parse = kernel(from: .string, to: to) else { return nil }
            return { c throws(SluiceError) in try mapDictionary(c, parse) }
        case (.string, _):
            return parser(to)
        default:
            return fixedConversion(from, to)
        }
    }

    /// A `.dictionary` column from a `.string` column (each distinct string stored once).
    static func encodeDictionary(_ c: Column) -> Column {
        let b = DictionaryBuilder(capacity: c.count)
        let input = StringColumnInput(c)
        let validity = Validity(of: c)
        for i in 0..<c.count {
            if validity.isValid(i) { b.append(input.bytes(i)) } else { b.appendNull() }
        }
        withExtendedLifetime(c) {}
        return b.finish()
    }

    // MARK: Between fixed-width types

    private static func fixedConversion(_ from: DataType, _ to: DataType) -> ColumnKernel? {
        switch (from, to) {
        case (.bool, _) where to.isNumeric:
            return { c throws(SluiceError) in fromBool(c, to) }
        case (_, .bool) where from.isNumeric:
            return { c throws(SluiceError) in
                let bits: Buffer
                switch from {
                case .int32: bits = nonZero(c, Int32.self)
                case .int64: bits = nonZero(c, Int64.self)
                case .float32: bits = nonZero(c, Float.self)
                default: bits = nonZero(c, Double.self)
                }
                return makeBoolColumn(bits, Validity(of: c), count: c.count)
            }
        case (.int32, .int64), (.date, .int64), (.int32, .timestamp), (.date, .int32), (.int32, .date):
            return { c throws(SluiceError) in
                to.byteWidth == 8
                    ? mapValues(c, Int32.self, to: to, Int64.self) { Int64($0) }
                    : mapValues(c, Int32.self, to: to, Int32.self) { $0 }
            }
        case (.int64, .int32), (.int64, .date), (.timestamp, .int32):
            return { c throws(SluiceError) in mapValuesOrNull(c, Int64.self, to: to, Int32.self) { Int32(exactly: $0) } }
        case (.int64, .timestamp), (.timestamp, .int64):
            return { c throws(SluiceError) in reinterpret(c, as: to) }
        case (.int32, _) where to.isFloatingPoint:
            return { c throws(SluiceError) in toFloat(c, Int32.self, to) }
        case (.int64, _) where to.isFloatingPoint:
            return { c throws(SluiceError) in toFloat(c, Int64.self, to) }
        case (.float32, .float64):
            return { c throws(SluiceError) in mapValues(c, Float.self, to: .float64, Double.self) { Double($0) } }
        case (.float64, .float32):
            return { c throws(SluiceError) in mapValues(c, Double.self, to: .float32, Float.self) { Float($0) } }
        case (.float32, _), (.float64, _):
            guard to.isInteger || to.isTemporal else { return nil }
            // To a timestamp or date a float is a count of units and floors; to an integer it rounds.
            let rule: FloatingPointRoundingRule = to.isTemporal ? .down : .toNearestOrAwayFromZero
            return { c throws(SluiceError) in
                let wide = from == .float32 ? mapValues(c, Float.self, to: .float64, Double.self) { Double($0) } : c
                return to.byteWidth == 8
                    ? mapValuesOrNull(wide, Double.self, to: to, Int64.self) { Int64(exactly: $0.rounded(rule)) }
                    : mapValuesOrNull(wide, Double.self, to: to, Int32.self) { Int32(exactly: $0.rounded(rule)) }
            }
        case (.date, .timestamp(let unit)):
            let perDay = 86_400 * unit.perSecond
            return { c throws(SluiceError) in
                mapValuesOrNull(c, Int32.self, to: to, Int64.self) { TimeKernels.instant(days: Int64($0), perDay: perDay) }
            }
        case (.timestamp(let unit), .date):
            let perDay = 86_400 * unit.perSecond
            return { c throws(SluiceError) in
                var memo = IntervalMemo()
                return mapValuesOrNull(c, Int64.self, to: .date, Int32.self) { Int32(exactly: memo.interval($0, step: perDay)) }
            }
        case (.timestamp(let a), .timestamp(let b)):
            if b.perSecond >= a.perSecond {
                let factor = b.perSecond / a.perSecond
                return { c throws(SluiceError) in
                    mapValuesOrNull(c, Int64.self, to: to, Int64.self) { v in
                        let (r, o) = v.multipliedReportingOverflow(by: factor)
                        return o ? nil : r
                    }
                }
            }
            let divisor = a.perSecond / b.perSecond
            return { c throws(SluiceError) in
                mapValues(c, Int64.self, to: to, Int64.self) { CivilTime.floorDiv($0, divisor) }
            }
        default:
            return nil
        }
    }

    /// The same buffers under another type of the same width (int64 ↔ timestamp).
    static func reinterpret(_ c: Column, as type: DataType) -> Column {
        Column(
            type: type, count: c.count, offset: c.offset, nullCount: c.nullCount, validity: c.validity, values: c.values)
    }

    private static func toFloat<S: KernelNumeric>(_ c: Column, _: S.Type, _ to: DataType) -> Column {
        to == .float32
            ? mapValues(c, S.self, to: to, Float.self) { Float($0.asDouble) }
            : mapValues(c, S.self, to: to, Double.self) { $0.asDouble }
    }

    private static func nonZero<S: KernelNumeric>(_ c: Column, _: S.Type) -> Buffer {
        let src = c.unsafeValues(S.self)
        let zero = S.zeroBits
        let bits = Bits.fromPredicate(count: c.count) { src[$0] != zero }
        withExtendedLifetime(c) {}
        return bits
    }

    /// 1 for true, 0 for false.
    private static func fromBool(_ c: Column, _ to: DataType) -> Column {
        let values = WordReader(valuesOf: c)
        func make<T: KernelNumeric>(_: T.Type) -> Column {
            let (buffer, dst) = allocateValues(T.self, c.count)
            let o = T.fromScalar(.int(1)) ?? .zeroBits
            let z = T.zeroBits
            for i in 0..<c.count { dst[i] = (values.word(i >> 6) >> UInt64(i & 63)) & 1 != 0 ? o : z }
            return makeColumn(to, buffer, Validity(of: c), count: c.count)
        }
        defer { withExtendedLifetime(c) {} }
        switch to {
        case .int32: return make(Int32.self)
        case .int64: return make(Int64.self)
        case .float32: return make(Float.self)
        default: return make(Double.self)
        }
    }

    // MARK: From text

    private static func parser(_ to: DataType) -> ColumnKernel? {
        switch to {
        case .bool:
            return { c throws(SluiceError) in
                let input = StringColumnInput(c)
                var ok = Validity(of: c)
                let parsed = Bits.fromPredicate(count: c.count) { parseBool(trimmed(input.bytes($0))) == true }
                let known = Bits.fromPredicate(count: c.count) { parseBool(trimmed(input.bytes($0))) != nil }
                ok = ok.and(known, count: c.count)
                withExtendedLifetime(c) {}
                return makeBoolColumn(parsed, ok, count: c.count)
            }
        case .int32:
            return { c throws(SluiceError) in parse(c, to, Int32.self) { parseInteger($0).flatMap { Int32(exactly: $0) } } }
        case .int64:
            return { c throws(SluiceError) in parse(c, to, Int64.self) { parseInteger($0) } }
        case .float32:
            return { c throws(SluiceError) in
                var scratch = CStringScratch()
                return parse(c, to, Float.self) { parseDouble($0, &scratch).map { Float($0) } }
            }
        case .float64:
            return { c throws(SluiceError) in
                var scratch = CStringScratch()
                return parse(c, to, Double.self) { parseDouble($0, &scratch) }
            }
        case .date:
            return { c throws(SluiceError) in
                parse(c, to, Int32.self) { s in
                    if let d = CivilTime.parseDate(s) { return d }
                    // A full timestamp gives its date.
                    return CivilTime.parseTimestamp(s, unit: .s).flatMap { Int32(exactly: CivilTime.floorDiv($0, 86_400)) }
                }
            }
        case .timestamp(let unit):
            return { c throws(SluiceError) in parse(c, to, Int64.self) { CivilTime.parseTimestamp($0, unit: unit) } }
        default:
            return nil
        }
    }

    /// Parses each row (spaces and tabs around it ignored); what does not parse is null.
    @inline(__always) private static func parse<T: BitwiseCopyable>(
        _ c: Column, _ type: DataType, _: T.Type, _ f: (UnsafeRawBufferPointer) -> T?
    ) -> Column {
        let n = c.count
        let input = StringColumnInput(c)
        let (buffer, dst) = allocateValues(T.self, n)
        let ok = Bits.fromPredicate(count: n) { i in
            if let v = f(trimmed(input.bytes(i))) {
                dst[i] = v
                return true
            }
            UnsafeMutableRawPointer(dst + i).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<T>.stride)
            return false
        }
        withExtendedLifetime(c) {}
        return makeColumn(type, buffer, Validity(of: c).and(ok, count: n), count: n)
    }

    @inline(__always) static func trimmed(_ s: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var a = 0
        var b = s.count
        while a < b, StringKernels.isSpace(s[a]) { a += 1 }
        while b > a, StringKernels.isSpace(s[b - 1]) { b -= 1 }
        return UnsafeRawBufferPointer(rebasing: s[a..<b])
    }

    /// `[+-]digits`, nil on anything else or on overflow.
    static func parseInteger(_ s: UnsafeRawBufferPointer) -> Int64? {
        guard !s.isEmpty else { return nil }
        var i = 0
        let negative = s[0] == UInt8(ascii: "-")
        if negative || s[0] == UInt8(ascii: "+") { i = 1 }
        guard i < s.count else { return nil }
        var v: Int64 = 0
        while i < s.count {
            let d = Int64(s[i]) - 48
            guard d >= 0 && d <= 9 else { return nil }
            // Accumulate negatively so that Int64.min parses.
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (r, o2) = m.subtractingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            v = r
            i += 1
        }
        if negative { return v }
        let (p, o) = Int64(0).subtractingReportingOverflow(v)
        return o ? nil : p
    }

    /// A decimal number (`1`, `-2.5`, `1e-3`, `inf`, `nan`); hexadecimal floats are refused.
    static func parseDouble(_ s: UnsafeRawBufferPointer, _ scratch: inout CStringScratch) -> Double? {
        guard !s.isEmpty, !s.contains(UInt8(ascii: "x")), !s.contains(UInt8(ascii: "X")) else { return nil }
        let text = scratch.terminated(s)
        var end: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(text, &end)
        guard let end, end == UnsafeMutablePointer(mutating: text) + s.count else { return nil }
        return v
    }

    /// true/t/yes/y/1 and false/f/no/n/0, in any case.
    static func parseBool(_ s: UnsafeRawBufferPointer) -> Bool? {
        guard s.count <= 5 else { return nil }
        var word: UInt64 = 0
        for b in s { word = word << 8 | UInt64(b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
        switch word {
        case 0x7472_7565, 0x74, 0x79_6573, 0x79, 0x31: return true
        case 0x66_616c_7365, 0x66, 0x6e6f, 0x6e, 0x30: return false
        default: return nil
        }
    }
}

extension ExpressionBinder {
    /// `cast(x, 'type')` with the type spellings of `DataType(parsing:)`.
    func bindCast(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("cast", args, 2...2, e)
        let name = try literalString(args[1], "the type", of: "cast", e)
        guard let type = DataType(parsing: name) else {
            throw .expression(
                "unknown type '\(name)' in '\(e)'; expected one of: \(DataType.spellings.joined(separator: ", "))")
        }
        return try converted(args[0], to: type, e)
    }

    /// `x` through the cast kernel to `type`, folded when constant.
    func converted(_ x: BoundNode, to type: DataType, _ e: Expr) throws(SluiceError) -> BoundNode {
        guard let from = x.type, from != type else { return BoundNode(type: type, form: x.form, expr: e) }
        if let null = nullIfAnyNull(type, e, [x]) { return null }
        guard let kernel = CastKernels.kernel(from: from, to: type) else {
            throw .expression("cannot convert \(from) to \(type) in '\(e)'")
        }
        let inner = x.evaluator
        return try node(type, e, inputs: [x]) { batch throws(SluiceError) in try kernel(try inner(batch)) }
    }
}
