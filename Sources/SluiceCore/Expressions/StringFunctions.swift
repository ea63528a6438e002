/// String kernels over `.string` columns; dictionary columns reach them through `mapDictionary`,
/// which runs them once over the distinct strings.
///
/// Implementation note: lengths and positions count Unicode code points (SQL's characters), found
/// from UTF-8 lead bytes without decoding. Case mapping is done on the bytes for ASCII strings;
/// a string holding non-ASCII text goes through Swift's full Unicode mapping, the one path that
/// allocates per value.
enum StringKernels {
    /// A `.string` column from writing each row's new bytes; null rows stay null.
    @inline(__always) static func map(
        _ c: Column, _ write: (UnsafeRawBufferPointer, inout StringOutput) -> Void
    ) throws(SluiceError) -> Column {
        let n = c.count
        let validity = Validity(of: c)
        let input = StringColumnInput(c)
        var out = StringOutput(count: n, byteCapacity: (c.data?.length ?? 0) + 16)
        for i in 0..<n {
            if validity.isValid(i) { write(input.bytes(i), &out) } else { out.appendEmpty() }
        }
        withExtendedLifetime(c) {}
        return try out.finish(validity)
    }

    /// Whether every byte is below 0x80, eight bytes at a time.
    @inline(__always) static func isASCII(_ s: UnsafeRawBufferPointer) -> Bool {
        guard let base = s.baseAddress else { return true }
        var acc: UInt64 = 0
        var i = 0
        while i + 8 <= s.count {
            acc |= base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < s.count {
            acc |= UInt64(base.load(fromByteOffset: i, as: UInt8.self))
            i += 1
        }
        return acc & 0x8080_8080_8080_8080 == 0
    }

    /// Flips the case of the ASCII letters from `first` to `first + 25` in eight ASCII bytes: bit
    /// 7 of `b + (0x80 - c)` is set exactly when `b >= c`, and no byte carries into the next.
    @inline(__always) static func flipCase(_ w: UInt64, from first: UInt8) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let atLeastFirst = w &+ ones &* UInt64(0x80 - first)
        let pastLast = w &+ ones &* UInt64(0x80 - (first + 26))
        return w ^ ((atLeastFirst & ~pastLast & 0x8080_8080_8080_8080) >> 2)
    }

    static func lower(_ c: Column) throws(SluiceError) -> Column {
        try changeCase(c, upper: false)
    }

    static func upper(_ c: Column) throws(SluiceError) -> Column {
        try changeCase(c, upper: true)
    }

    private static func changeCase(_ c: Column, upper: Bool) throws(SluiceError) -> Column {
        let first: UInt8 = upper ? 0x61 : 0x41
        return try map(c) { s, out in
            guard let src = s.baseAddress, isASCII(s) else {
                let text = String(decoding: s, as: UTF8.self)
                withBytes(upper ? text.uppercased() : text.lowercased()) { out.append($0) }
                return
            }
            out.append(reserving: s.count) { p in
                var i = 0
                while i + 8 <= s.count {
                    let w = flipCase(src.loadUnaligned(fromByteOffset: i, as: UInt64.self), from: first)
                    UnsafeMutableRawPointer(p + i).storeBytes(of: w, as: UInt64.self)
                    i += 8
                }
                while i < s.count {
                    let b = src.load(fromByteOffset: i, as: UInt8.self)
                    p[i] = b &- first < 26 ? b ^ 0x20 : b
                    i += 1
                }
                return s.count
            }
        }
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// Strips spaces, tabs, CR and LF at both ends; copies bytes, never transforms them.
    static func trim(_ c: Column) throws(SluiceError) -> Column {
        try map(c) { s, out in
            var start = 0
            var end = s.count
            while start < end, isSpace(s[start]) { start += 1 }
            while end > start, isSpace(s[end - 1]) { end -= 1 }
            out.append(UnsafeRawBufferPointer(rebasing: s[start..<end]))
        }
    }

    /// Code points in `s`: every byte that is not a UTF-8 continuation byte (10xxxxxx) starts
    /// one. Eight bytes at a time: bit 7 of `w & ~(w << 1)` is set exactly in continuation bytes.
    @inline(__always) static func codePoints(_ s: UnsafeRawBufferPointer) -> Int {
        guard let base = s.baseAddress else { return 0 }
        let n = s.count
        var continuation = 0
        var i = 0
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            continuation &+= (w & ~(w << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
            i += 8
        }
        while i < n {
            continuation &+= base.load(fromByteOffset: i, as: UInt8.self) & 0xC0 == 0x80 ? 1 : 0
            i += 1
        }
        return n - continuation
    }

    static func length(_ c: Column) -> Column {
        let input = StringColumnInput(c)
        let (buffer, dst) = allocateValues(Int32.self, c.count)
        for i in 0..<c.count { dst[i] = Int32(truncatingIfNeeded: codePoints(input.bytes(i))) }
        withExtendedLifetime(c) {}
        return makeColumn(.int32, buffer, Validity(of: c), count: c.count)
    }

    /// Byte offset of the code point numbered `k` (0-based), or `s.count` past the end.
    @inline(__always) static func byteOffset(ofCodePoint k: Int, in s: UnsafeRawBufferPointer) -> Int {
        if k <= 0 { return 0 }
        var seen = 0
        for i in 0..<s.count where (s[i] & 0xC0) != 0x80 {
            if seen == k { return i }
            seen += 1
        }
        return s.count
    }

    /// SQL `substr`: code points from 1-based `start` for `length` (to the end when nil). A
    /// start before 1 still counts toward the length, as in PostgreSQL; a negative length gives ''.
    @inline(__always) static func substring(_ s: UnsafeRawBufferPointer, start: Int64, length: Int64?)
        -> UnsafeRawBufferPointer
    {
        let first = Swift.max(start, 1)
        var end = Int64.max
        if let length {
            guard length >= 0 else { return UnsafeRawBufferPointer(rebasing: s[0..<0]) }
            let (e, o) = start.addingReportingOverflow(length)
            end = o ? .max : e
        }
        guard end > first, first - 1 < Int64(s.count) else { return UnsafeRawBufferPointer(rebasing: s[0..<0]) }
        let a = byteOffset(ofCodePoint: Int(first - 1), in: s)
        let b = end == .max || end - 1 >= Int64(s.count) ? s.count : byteOffset(ofCodePoint: Int(end - 1), in: s)
        return UnsafeRawBufferPointer(rebasing: s[a..<Swift.max(a, b)])
    }
}

/// `concat` one argument at a time: a pass adds up each row's length, then a pass per argument
/// copies its bytes into place, so no row switches on argument kinds.
private struct ConcatLengths: StringInputVisitor {
    let lengths: UnsafeMutablePointer<Int>
    let count: Int

    func visit<S: StringInput>(_ input: S, column: Column?) throws(SluiceError) -> Void {
        let valid = column.map(Validity.init(of:)) ?? .allValid
        for i in 0..<count where valid.isValid(i) { lengths[i] += input.bytes(i).count }
    }
}

private struct ConcatCopy: StringInputVisitor {
    let cursors: UnsafeMutablePointer<Int>
    let data: UnsafeMutableRawPointer
    let count: Int

    func visit<S: StringInput>(_ input: S, column: Column?) throws(SluiceError) -> Void {
        let valid = column.map(Validity.init(of:)) ?? .allValid
        for i in 0..<count where valid.isValid(i) {
            let s = input.bytes(i)
            copyBytes(to: data + cursors[i], from: s)
            cursors[i] += s.count
        }
    }
}

extension ExpressionBinder {
    /// `lower`, `upper`, `trim`: string in, string out; a dictionary column stays one.
    func bindStringMap(_ name: String, _ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity(name, args, 1...1, e)
        let x = args[0]
        guard let type = x.type else { return constant(.null, .string, e) }
        guard type.isStringLike else { throw argumentError(name, expects: "a string", got: x, e) }
        if let null = nullIfAnyNull(type, e, [x]) { return null }
        let kernel: @Sendable (Column) throws(SluiceError) -> Column =
            name == "lower" ? StringKernels.lower : name == "upper" ? StringKernels.upper : StringKernels.trim
        return try stringFunction(x, type, e, kernel)
    }

    /// `length(s)`: int32 count of characters (code points).
    func bindLength(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("length", args, 1...1, e)
        let x = args[0]
        guard let type = x.type else { return constant(.null, .int32, e) }
        guard type.isStringLike else { throw argumentError("length", expects: "a string", got: x, e) }
        if let null = nullIfAnyNull(.int32, e, [x]) { return null }
        return try stringFunction(x, .int32, e) { c throws(SluiceError) in StringKernels.length(c) }
    }

    /// Runs `kernel` over a string argument, or once over a dictionary argument's strings.
    func stringFunction(
        _ x: BoundNode, _ type: DataType, _ e: Expr, _ kernel: @escaping @Sendable (Column) throws(SluiceError) -> Column
    ) throws(SluiceError) -> BoundNode {
        let inner = x.evaluator
        if x.type == .dictionary {
            return try node(type, e, inputs: [x]) { batch throws(SluiceError) in try mapDictionary(try inner(batch), kernel) }
        }
        return try node(type, e, inputs: [x]) { batch throws(SluiceError) in try kernel(try inner(batch)) }
    }

    /// `substr(s, start[, length])`, 1-based and counted in characters.
    func bindSubstr(_ name: String, _ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity(name, args, 2...3, e)
        let x = args[0]
        guard x.type?.isStringLike ?? true else { throw argumentError(name, expects: "a string", got: x, e) }
        for n in args.dropFirst() where !(n.type?.isInteger ?? true) {
            throw argumentError(name, expects: "integer positions", got: n, e)
        }
        let resultType: DataType = x.type == .dictionary ? .dictionary : .string
        if let null = nullIfAnyNull(resultType, e, args) { return null }
        let start = args[1].constant.flatMap(Int64.fromScalar)
        let length: Int64?? = args.count == 3 ? args[2].constant.map(Int64.fromScalar) : .some(nil)
        if let start, let length {
            return try stringFunction(x, resultType, e) { c throws(SluiceError) in
                try StringKernels.map(c) { s, out in out.append(StringKernels.substring(s, start: start, length: length)) }
            }
        }
        // Positions that vary by row: rare, so they are simply read as int64 columns.
        let s = StringOperand(x)
        let starts = try coerce(args[1], to: .int64).evaluator
        let lengths = try args.count == 3 ? coerce(args[2], to: .int64).evaluator : nil
        let evaluate: Evaluator = { batch throws(SluiceError) in
            let strings = try s.resolve(batch)
            let startColumn = try starts(batch)
            let lengthColumn = try lengths?(batch)
            let validity = Validity(combining: [strings.column, startColumn, lengthColumn], count: batch.count)
            return try strings.visit(
                SubstrRows(starts: startColumn, lengths: lengthColumn, validity: validity, count: batch.count))
        }
        return try node(.string, e, inputs: args, evaluate)
    }

    /// `concat(a, …)`: every argument as text, nulls skipped; never null.
    func bindConcat(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("concat", args, atLeast: 1, e)
        var operands: [StringOperand] = []
        for a in args where !a.isNullConstant {
            switch (a.type, a.form) {
            case (.string?, _), (.dictionary?, _):
                operands.append(StringOperand(a))
            case (_, .constant(let s)):
                operands.append(.constant(ConstantBytes(try TextFormatting.format(Column.make(a.type ?? .string, [s])).string(at: 0) ?? "")))
            case (_, .computed(let inner)):
                operands.append(.string { batch throws(SluiceError) in try TextFormatting.format(try inner(batch)) })
            }
        }
        let parts = operands
        let evaluate: Evaluator = { batch throws(SluiceError) in
            let n = batch.count
            var resolved: [ResolvedString] = []
            for p in parts { resolved.append(try p.resolve(batch)) }
            let lengths = UnsafeMutablePointer<Int>.allocate(capacity: n + 1)
            defer { lengths.deallocate() }
            lengths.initialize(repeating: 0, count: n + 1)
            for r in resolved { try r.visit(ConcatLengths(lengths: lengths, count: n)) }
            // Lengths become start offsets: the cursors of the copy passes.
            var total = 0
            let offsets = Buffer(capacity: (n + 1) * 4)
            offsets.length = (n + 1) * 4
            let o = offsets.base.assumingMemoryBound(to: Int32.self)
            for i in 0..<n {
                o[i] = Int32(truncatingIfNeeded: total)
                let len = lengths[i]
                lengths[i] = total
                total += len
            }
            o[n] = Int32(truncatingIfNeeded: total)
            guard total <= Int(Int32.max) else {
                throw .expression("concat result of \(total) bytes exceeds the 2 GiB a column holds in '\(e)'")
            }
            let data = Buffer(capacity: total)
            data.length = total
            for r in resolved { try r.visit(ConcatCopy(cursors: lengths, data: data.base, count: n)) }
            withExtendedLifetime(resolved) {}
            return Column(type: .string, count: n, nullCount: 0, validity: nil, values: offsets, data: data)
        }
        return try node(.string, e, inputs: args, evaluate)
    }
}

/// `substr` with per-row positions.
private struct SubstrRows: StringInputVisitor {
    let starts: Column
    let lengths: Column?
    let validity: Validity
    let count: Int

    func visit<S: StringInput>(_ input: S, column: Column?) throws(SluiceError) -> Column {
        let st = starts.unsafeValues(Int64.self)
        let ln = lengths?.unsafeValues(Int64.self)
        var out = StringOutput(count: count, byteCapacity: count * 8)
        for i in 0..<count {
            if validity.isValid(i) {
                out.append(StringKernels.substring(input.bytes(i), start: st[i], length: ln.map { $0[i] }))
            } else {
                out.appendEmpty()
            }
        }
        withExtendedLifetime((starts, lengths)) {}
        return try out.finish(validity)
    }
}
