/// Kubernetes label maps as text, the way OpenShift cost management handles them: the operator
/// writes `label_app:web|label_env:prod`; summaries carry JSON objects (`{"app":"web","env":"prod"}`).
///
/// A map is held as key/value byte pairs sorted by key (byte order), so the JSON produced is
/// canonical: equal maps give equal text, which is what lets merged labels be a group key.
enum LabelMaps {
    typealias Pairs = [(key: [UInt8], value: [UInt8])]

    /// `label_k:v|label_k2:v2` → pairs; the `label_` prefix is dropped, pairs without `:` or with
    /// an empty key are skipped (as Koku drops malformed pairs), a repeated key keeps the last value.
    static func parseOperator(_ s: UnsafeRawBufferPointer) -> Pairs {
        var pairs: Pairs = []
        let prefix = Array("label_".utf8)
        for part in s.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: true) {
            guard let colon = part.firstIndex(of: UInt8(ascii: ":")) else { continue }
            var key = Array(part[part.startIndex..<colon])
            if key.starts(with: prefix) { key.removeFirst(prefix.count) }
            guard !key.isEmpty else { continue }
            pairs.append((key, Array(part[(colon + 1)...])))
        }
        return normalized(pairs)
    }

    /// A JSON object of string values → pairs; nil when the text is not one. Empty text is `{}`.
    static func parseJSON(_ s: UnsafeRawBufferPointer) -> Pairs? {
        var reader = JSONObjectReader(bytes: s)
        return reader.read().map(normalized)
    }

    /// Sorted by key, the last of equal keys kept.
    static func normalized(_ pairs: Pairs) -> Pairs {
        var byKey: [[UInt8]: Int] = [:]
        var out: Pairs = []
        for p in pairs {
            if let i = byKey[p.key] {
                out[i].value = p.value
            } else {
                byKey[p.key] = out.count
                out.append(p)
            }
        }
        out.sort { $0.key.lexicographicallyPrecedes($1.key) }
        return out
    }

    /// Later maps win on equal keys (`map_concat` semantics).
    static func merge(_ maps: [Pairs]) -> Pairs { normalized(maps.flatMap { $0 }) }

    /// `{"k":"v",...}` in key order, with JSON escapes.
    static func format(_ pairs: Pairs) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, p) in pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendQuoted(p.key, &out)
            out.append(UInt8(ascii: ":"))
            appendQuoted(p.value, &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func appendQuoted(_ s: [UInt8], _ out: inout [UInt8]) {
        s.withUnsafeBytes { JSON.appendQuoted($0, to: &out) }
    }
}

/// Reads `{"k": "v", ...}` (string values only, any whitespace, standard escapes).
struct JSONObjectReader {
    let bytes: UnsafeRawBufferPointer
    var i = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func read() -> LabelMaps.Pairs? {
        skipSpace()
        if i == bytes.count { return [] }
        guard take(UInt8(ascii: "{")) else { return nil }
        var pairs: LabelMaps.Pairs = []
        skipSpace()
        if take(UInt8(ascii: "}")) { return finished(pairs) }
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            guard let value = string() else { return nil }
            pairs.append((key, value))
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { return nil }
            return finished(pairs)
        }
    }

    private mutating func finished(_ pairs: LabelMaps.Pairs) -> LabelMaps.Pairs? {
        skipSpace()
        return i == bytes.count ? pairs : nil
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private mutating func take(_ b: UInt8) -> Bool {
        guard i < bytes.count, bytes[i] == b else { return false }
        i += 1
        return true
    }

    private mutating func string() -> [UInt8]? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: "\"") { return out }
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                continue
            }
            guard i < bytes.count else { return nil }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let scalar = hex4(), let u = Unicode.Scalar(scalar) else { return nil }
                out += Array(String(Character(u)).utf8)
            default: out.append(e)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            i += 1
            switch b {
            case 0x30...0x39: v = v * 16 + UInt32(b - 0x30)
            case 0x61...0x66: v = v * 16 + UInt32(b - 0x61 + 10)
            case 0x41...0x46: v = v * 16 + UInt32(b - 0x41 + 10)
            default: return nil
            }
        }
        return v
    }
}

extension ExpressionBinder {
    /// `parse_labels(s)`: operator labels → canonical JSON; a dictionary column is parsed once
    /// per distinct string.
    func bindParseLabels(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("parse_labels", args, 1...1, e)
        let x = args[0]
        guard let type = x.type else { return constant(.string("{}"), .string, e) }
        guard type.isStringLike else { throw argumentError("parse_labels", expects: "a string", got: x, e) }
        return try labelFunction(x, e) { c throws(SluiceError) in
            try StringKernels.map(c) { s, out in
                LabelMaps.format(LabelMaps.parseOperator(s)).withUnsafeBytes { out.append($0) }
            }
        }
    }

    /// `filter_labels(json, 'key', …)`: only the listed keys (null or unparsable JSON → `{}`).
    func bindFilterLabels(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("filter_labels", args, atLeast: 1, e)
        let x = args[0]
        var keys = Set<[UInt8]>()
        for a in args.dropFirst() { keys.insert(Array(try literalString(a, "label keys", of: "filter_labels", e).utf8)) }
        guard let type = x.type else { return constant(.string("{}"), .string, e) }
        guard type.isStringLike else { throw argumentError("filter_labels", expects: "a JSON label string", got: x, e) }
        let enabled = keys
        return try labelFunction(x, e) { c throws(SluiceError) in
            try StringKernels.map(c) { s, out in
                let kept = (LabelMaps.parseJSON(s) ?? []).filter { enabled.contains($0.key) }
                LabelMaps.format(kept).withUnsafeBytes { out.append($0) }
            }
        }
    }

    /// Runs `kernel` once per distinct label string: label columns repeat the same few strings
    /// on every row, so plain strings are dictionary-encoded first. The result is a dictionary.
    func labelFunction(
        _ x: BoundNode, _ e: Expr, _ kernel: @escaping @Sendable (Column) throws(SluiceError) -> Column
    ) throws(SluiceError) -> BoundNode {
        let inner = x.evaluator
        return try node(.dictionary, e, inputs: [x]) { batch throws(SluiceError) in
            try mapDictionary(LabelMerge.dictionaryEncoded(try inner(batch)), kernel)
        }
    }

    /// `merge_labels(a, b, …)`: JSON label maps merged, later arguments winning on equal keys
    /// (Trino's `map_concat`); null or unparsable arguments count as `{}`. When every argument is
    /// dictionary-encoded, each distinct combination of entries is merged once and the result is
    /// dictionary-encoded too.
    func bindMergeLabels(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("merge_labels", args, atLeast: 1, e)
        for a in args where !(a.type?.isStringLike ?? true) {
            throw argumentError("merge_labels", expects: "JSON label strings", got: a, e)
        }
        let evaluators = args.map(\.evaluator)
        return try node(.dictionary, e, inputs: args) { batch throws(SluiceError) in
            var columns: [Column] = []
            for f in evaluators { columns.append(try f(batch)) }
            return LabelMerge.merge(columns, rows: batch.count)
        }
    }
}

/// The row loop of `merge_labels`: each argument's strings parsed once per dictionary entry (or
/// per row for plain strings), each distinct combination merged and formatted once.
enum LabelMerge {
    static func merge(_ inputs: [Column], rows: Int) -> Column {
        // Plain strings are dictionary-encoded first (one hash per row), so that every argument
        // repeats and each distinct combination is parsed and merged once.
        let columns = inputs.count <= 4 ? inputs.map(dictionaryEncoded) : inputs
        // Per argument: parsed maps by dictionary entry, filled on first use.
        var parsed: [[LabelMaps.Pairs?]] = columns.map { c in Array(repeating: nil, count: c.dictionary?.values.count ?? 0) }
        let dictionaryKeys = columns.count <= 4 && columns.allSatisfy { $0.type == .dictionary }
        var combos: [SIMD4<Int32>: Int32] = [:]
        let values = StringBuilder(capacity: 64)
        var texts: [[UInt8]: Int32] = [:]
        let indices = PrimitiveBuilder<Int32>(.int32, capacity: rows)

        func maps(_ r: Int) -> [LabelMaps.Pairs] {
            columns.enumerated().map { j, c in
                guard c.isValid(r) else { return [] }
                if c.type == .dictionary {
                    let k = Int(c.value(r, as: Int32.self))
                    if let p = parsed[j][k] { return p }
                    let p = LabelMaps.parseJSON(c.stringBytes(at: r)) ?? []
                    parsed[j][k] = p
                    return p
                }
                return LabelMaps.parseJSON(c.stringBytes(at: r)) ?? []
            }
        }
        func index(ofText text: [UInt8]) -> Int32 {
            if let i = texts[text] { return i }
            let i = Int32(values.count)
            text.withUnsafeBytes { values.append($0) }
            texts[text] = i
            return i
        }

        for r in 0..<rows {
            if dictionaryKeys {
                var key = SIMD4<Int32>(repeating: -2)
                for (j, c) in columns.enumerated() { key[j] = c.isValid(r) ? c.value(r, as: Int32.self) : -1 }
                if let i = combos[key] {
                    indices.append(i)
                    continue
                }
                let i = index(ofText: LabelMaps.format(LabelMaps.merge(maps(r))))
                combos[key] = i
                indices.append(i)
            } else {
                indices.append(index(ofText: LabelMaps.format(LabelMaps.merge(maps(r)))))
            }
        }
        withExtendedLifetime((columns, inputs)) {}
        let c = indices.finish()
        return Column(
            type: .dictionary, count: c.count, nullCount: 0, validity: nil, values: c.values,
            dictionary: DictionaryValues(values.finish()))
    }


    /// A `.string` column as a `.dictionary` one (other columns as they are).
    static func dictionaryEncoded(_ c: Column) -> Column {
        guard c.type == .string else { return c }
        let b = DictionaryBuilder(capacity: c.count)
        for i in 0..<c.count {
            if c.isValid(i) { b.append(c.stringBytes(at: i)) } else { b.appendNull() }
        }
        withExtendedLifetime(c) {}
        return b.finish()
    }
}
