import SluiceCore

/// Parses runs of simple records straight from the block buffer into the columns, walking each
/// record once: a number is parsed where it stands and its last digit locates the next delimiter,
/// skipped columns are passed over a word at a time, and no field index is built.
///
/// A simple record has no quote at the start of a field, ends at an LF (or CRLF) and has the
/// schema's field count. The parser stops at any other record (a quoted field, an empty line, a
/// wrong field count, a value its column cannot take), keeping the records before it, and the
/// caller hands that record to the general path (`CSVRecordCursor` plus
/// `_UnsafeColumnSink.appendText`), which decides what it is and produces the reject if it is one.
/// So this path never has to be right about errors, only about the records it accepts, and
/// those it reads exactly as the general path would.
///
/// Implementation note: fixed-width values are written directly, with a validity flag per row,
/// into room reserved in the sinks, and handed to them once per run of up to `runRows` records;
/// only bools and strings go through the sinks value by value.
///
/// A run covers `[from, to)` where `to` is just past an LF: a record without quoted fields ends at
/// the first LF after its start, so every scan in here stops at or before `to - 1` without bounds
/// checks; loads may read up to 40 bytes further, into the cursor's padding.
final class CSVFusedRecordParser {
    enum Op: UInt8 {
        /// `fields` consecutive columns, delimited but not parsed.
        case skip
        case int64
        case int32
        /// An integer is an epoch value; anything else (ISO-8601) takes the general path.
        case timestamp
        case float64
        /// Another fixed-width type (dates, float32, …), or a numeric column whose null spellings
        /// look like numbers: the general parser, value by value, into the run's values.
        case number
        /// Bools and strings, through the sink's `appendText`.
        case text
    }

    struct Step {
        var op: Op
        /// Whether the step ends the record.
        var last: Bool
        /// The byte after the step's last field: the delimiter, or LF when `last`.
        var terminator: UInt8
        /// Bytes per value of fixed-width ops, else 0.
        var width: UInt8
        /// Columns covered: 1 except for `skip`.
        var fields: Int32
        /// The sink (not for `skip`).
        var sink: Int
        /// For fixed-width ops, during a run: where row `r`'s value and validity flag (1 or 0) go.
        var values: UnsafeMutableRawPointer?
        var valid: UnsafeMutablePointer<UInt8>?
    }

    /// Records per run at most: the validity flags are sized for this.
    static let runRows = 4096

    private let steps: UnsafeMutablePointer<Step>
    private let stepCount: Int
    private let sinks: UnsafeMutablePointer<_UnsafeColumnSink>
    /// The sink of the line numbers.
    private let lineSink: Int
    private let delimiter: UInt8
    private let quote: UInt8
    private let nulls: CSVNullMatcher
    /// The validity flags of a run, `runRows + 16` per step.
    private let storage: UnsafeMutablePointer<UInt8>

    /// Steps for the records of `schema`; `projection` (ascending schema indices) says which
    /// columns go to sinks 0, 1, …; `sinks[projection.count]` takes the line numbers.
    init(
        schema: Schema, projection: [Int], options: CSVOptions, nulls: CSVNullMatcher,
        sinks: UnsafeMutablePointer<_UnsafeColumnSink>
    ) {
        // The number kernels read digits, signs and points without looking at null spellings or
        // the dialect: when a null spelling is made only of those bytes, or the delimiter or
        // quote is one of them, numeric columns take the general path instead.
        let numeric = Set("0123456789+-.".utf8)
        let numbersAreSafe =
            options.nullValues.allSatisfy { s in s.isEmpty || s.utf8.contains { !numeric.contains($0) } }
            && !numeric.contains(options.delimiter) && !numeric.contains(options.quote)
        var list: [Step] = []
        var next = 0
        for j in 0..<schema.count {
            let last = j == schema.count - 1
            let terminator = last ? CSVRecordScanner.lf : options.delimiter
            guard next < projection.count, projection[next] == j else {
                if let k = list.indices.last, list[k].op == .skip {
                    list[k].fields += 1
                    list[k].last = last
                    list[k].terminator = terminator
                } else {
                    list.append(Step(op: .skip, last: last, terminator: terminator, width: 0, fields: 1, sink: -1))
                }
                continue
            }
            let type = schema[j].type
            let width = type == .bool || type == .string || type == .dictionary ? 0 : (type.byteWidth ?? 0)
            var op = width > 0 ? Op.number : Op.text
            if numbersAreSafe {
                switch type {
                case .int64: op = .int64
                case .int32: op = .int32
                case .timestamp: op = .timestamp
                case .float64: op = .float64
                default: break
                }
            }
            list.append(Step(op: op, last: last, terminator: terminator, width: UInt8(width), fields: 1, sink: next))
            next += 1
        }
        stepCount = list.count
        let count = max(list.count, 1)
        steps = .allocate(capacity: count)
        steps.initialize(from: list, count: list.count)
        let rows = Self.runRows + 16
        storage = .allocate(capacity: count * rows)
        storage.initialize(repeating: 0, count: count * rows)
        for s in 0..<list.count { steps[s].valid = storage + s * rows }
        self.sinks = sinks
        lineSink = projection.count
        delimiter = options.delimiter
        quote = options.quote
        self.nulls = nulls
    }

    deinit {
        steps.deinitialize(count: stepCount)
        steps.deallocate()
        storage.deallocate()
    }

    // MARK: Runs

    /// Parses simple records from `base + from` while they start before `to` and `maxRows` is
    /// not reached. Returns the offset of the first record not taken and how many were taken
    /// (each one line long, numbered from `firstLine`).
    func run(_ base: UnsafePointer<UInt8>, from: Int, to: Int, firstLine: Int, maxRows: Int) -> (next: Int, rows: Int) {
        var next = from
        var rows = 0
        while next < to && rows < maxRows {
            let done = runOnce(base, from: next, to: to, firstLine: firstLine &+ rows, maxRows: maxRows &- rows)
            next = done.next
            rows &+= done.rows
            if done.stopped { break }
        }
        return (next, rows)
    }

    /// One run over at most `runRows` records. `stopped` is true when it ended at a record the
    /// general path must take.
    private func runOnce(
        _ base: UnsafePointer<UInt8>, from: Int, to: Int, firstLine: Int, maxRows: Int
    ) -> (next: Int, rows: Int, stopped: Bool) {
        let limit = min(maxRows, Self.runRows)
        prepare(rows: limit)
        var stream = (p: base + from, r: 0)
        let stopped = records(&stream, until: base + to, limit: limit)
        commit(rows: stream.r)
        sinks[lineSink].appendSequence(from: Int64(firstLine), count: stream.r)
        return (stream.p - base, stream.r, stopped)
    }

    /// Points the fixed-width steps at room for `rows` values in their sinks.
    private func prepare(rows: Int) {
        for s in 0..<stepCount where steps[s].width > 0 {
            let sink = steps[s].sink
            steps[s].values =
                switch steps[s].width {
                case 8: UnsafeMutableRawPointer(sinks[sink].pendingValues(rows: rows, as: UInt64.self))
                default: UnsafeMutableRawPointer(sinks[sink].pendingValues(rows: rows, as: UInt32.self))
                }
        }
    }

    /// Hands the run's values to the sinks.
    private func commit(rows: Int) {
        for s in 0..<stepCount where steps[s].width > 0 {
            sinks[steps[s].sink].commitPending(rows: rows, valid: steps[s].valid.unsafelyUnwrapped)
        }
    }

    /// Takes records until the next one starts at or past `until`, `limit` are taken, or one
    /// cannot be (returns true then, with `stream.p` at its start).
    ///
    /// Implementation note: a function of its own so that `field` is inlined into it: the
    /// optimizer does not inline even `@inline(__always)` functions into very large callers.
    @inline(never)
    private func records(
        _ stream: inout (p: UnsafePointer<UInt8>, r: Int), until: UnsafePointer<UInt8>, limit: Int
    ) -> Bool {
        // Locals, not the inout tuple, so that they stay in registers.
        var p = stream.p
        var r = stream.r
        defer { stream = (p, r) }
        while p < until && r < limit {
            if isEmptyLine(p) { return true }
            let start = p
            var s = 0
            while s < stepCount {
                guard field(steps + s, &p, r) else {
                    // Text columns took their values already.
                    for k in 0..<s where steps[k].op == .text { sinks[steps[k].sink].removeLast() }
                    p = start
                    return true
                }
                s &+= 1
            }
            r &+= 1
        }
        return false
    }

    /// An empty line is not a record; the general path skips it.
    @inline(__always)
    private func isEmptyLine(_ p: UnsafePointer<UInt8>) -> Bool {
        let c = p.pointee
        return c == CSVRecordScanner.lf || (c == CSVRecordScanner.cr && p[1] == CSVRecordScanner.lf)
    }

    // MARK: Fields

    /// Takes the field at `p` for row `r` and moves `p` past its terminator; false when the
    /// general record path must take the record.
    @inline(__always)
    private func field(_ step: UnsafePointer<Step>, _ p: inout UnsafePointer<UInt8>, _ r: Int) -> Bool {
        let op = step.pointee.op
        let next: UnsafePointer<UInt8>?
        switch op {
        case .float64:
            let values = step.pointee.values.unsafelyUnwrapped
            let valid = step.pointee.valid.unsafelyUnwrapped
            if p.pointee == step.pointee.terminator {
                // Empty: null. Nulls are common, so this is the first test.
                values.storeBytes(of: 0, toByteOffset: r &* 8, as: UInt64.self)
                valid[r] = 0
                p += 1
                return true
            }
            if let d = CSVNumberKernel.double(p), let after = fieldEnd(d.end, step.pointee) {
                values.storeBytes(of: d.value, toByteOffset: r &* 8, as: Double.self)
                valid[r] = 1
                p = after
                return true
            }
            next = general(step.pointee, p, r)
        case .int64, .timestamp:
            let values = step.pointee.values.unsafelyUnwrapped
            let valid = step.pointee.valid.unsafelyUnwrapped
            if p.pointee == step.pointee.terminator {
                values.storeBytes(of: 0, toByteOffset: r &* 8, as: UInt64.self)
                valid[r] = 0
                p += 1
                return true
            }
            if let d = CSVNumberKernel.int64(p), let after = fieldEnd(d.end, step.pointee) {
                values.storeBytes(of: d.value, toByteOffset: r &* 8, as: Int64.self)
                valid[r] = 1
                p = after
                return true
            }
            next = general(step.pointee, p, r)
        default:
            next = otherField(step.pointee, p, r)
        }
        guard let next else { return false }
        p = next
        return true
    }

    /// The steps that are not a 64-bit number: out of line, to keep the loop over fields small.
    @inline(never)
    private func otherField(_ step: Step, _ p: UnsafePointer<UInt8>, _ r: Int) -> UnsafePointer<UInt8>? {
        switch step.op {
        case .int32:
            if let d = CSVNumberKernel.int64(p), let narrow = Int32(exactly: d.value), let after = fieldEnd(d.end, step) {
                step.values.unsafelyUnwrapped.storeBytes(of: narrow, toByteOffset: r &* 4, as: Int32.self)
                step.valid.unsafelyUnwrapped[r] = 1
                return after
            }
            return general(step, p, r)
        case .number, .float64, .int64, .timestamp:
            return general(step, p, r)
        case .text:
            return text(step, p)
        case .skip:
            return skip(p, Int(step.fields), last: step.last)
        }
    }

    /// Just past the terminator at `p` when the step's field may end there, else nil.
    @inline(__always)
    private func fieldEnd(_ p: UnsafePointer<UInt8>, _ step: Step) -> UnsafePointer<UInt8>? {
        let c = p.pointee
        if c == step.terminator { return p + 1 }
        if step.last && c == CSVRecordScanner.cr && p[1] == CSVRecordScanner.lf { return p + 2 }
        return nil
    }

    /// The unquoted field at `p`: where its text ends (before the CR of a CRLF for the record's
    /// last field) and just past its terminator; nil when it starts with a quote or does not end
    /// with the step's terminator.
    @inline(__always)
    private func plainField(
        _ step: Step, _ p: UnsafePointer<UInt8>
    ) -> (end: UnsafePointer<UInt8>, next: UnsafePointer<UInt8>)? {
        if p.pointee == quote { return nil }
        let e = delimiterOrLF(p)
        guard e.pointee == step.terminator else { return nil }
        var textEnd = e
        if step.last, e > p, e[-1] == CSVRecordScanner.cr { textEnd = e - 1 }
        return (textEnd, e + 1)
    }

    /// A fixed-width field through the general parser, into the run's values.
    @inline(never)
    private func general(_ step: Step, _ p: UnsafePointer<UInt8>, _ r: Int) -> UnsafePointer<UInt8>? {
        let values = step.values.unsafelyUnwrapped
        let valid = step.valid.unsafelyUnwrapped
        guard let field = plainField(step, p) else { return nil }
        let bits: UInt64
        let kind = sinks[step.sink].kind
        let unit = sinks[step.sink].unit
        switch _UnsafeColumnSink.scalar(kind, unit: unit, p, field.end - p, .plain, nulls: nulls) {
        case .invalid:
            return nil
        case .null:
            valid[r] = 0
            bits = 0
        case .value(let v):
            valid[r] = 1
            bits = v
        }
        if step.width == 8 {
            values.storeBytes(of: bits, toByteOffset: r &* 8, as: UInt64.self)
        } else {
            values.storeBytes(of: UInt32(truncatingIfNeeded: bits), toByteOffset: r &* 4, as: UInt32.self)
        }
        return field.next
    }

    /// A bool or string field, through the sink's general path.
    @inline(never)
    private func text(_ step: Step, _ p: UnsafePointer<UInt8>) -> UnsafePointer<UInt8>? {
        guard let field = plainField(step, p) else { return nil }
        guard sinks[step.sink].appendText(p, field.end - p, .plain, nulls: nulls) == nil else { return nil }
        return field.next
    }

    /// The first delimiter or LF at or after `p`.
    @inline(__always)
    private func delimiterOrLF(_ p: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        let delimiterWord = UInt64(delimiter) &* 0x0101_0101_0101_0101
        var q = p
        while true {
            let w = UnsafeRawPointer(q).loadUnaligned(as: UInt64.self)
            let hits = CSVRecordScanner.zeroBytes(w ^ delimiterWord) | CSVRecordScanner.zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A)
            if hits != 0 { return q + (hits.trailingZeroBitCount &>> 3) }
            q += 8
        }
    }

    /// Passes over `n` fields from `p` and the terminator of the last one: a delimiter, or the
    /// record's LF when `last`. Nil when a quote comes first (the fields may be quoted) or the
    /// record has too few or too many fields.
    ///
    /// Sixteen bytes at a time. A vector without an LF or quote only needs its delimiters counted
    /// (lane masks summed with a multiplication), so the loop runs per vector, not per field; the
    /// vector where the run ends is resolved bit by bit in `skipEnd`.
    @inline(never)
    private func skip(_ p: UnsafePointer<UInt8>, _ n: Int, last: Bool) -> UnsafePointer<UInt8>? {
        let delimiters = SIMD16<UInt8>(repeating: delimiter)
        let lfs = SIMD16<UInt8>(repeating: CSVRecordScanner.lf)
        let quotes = SIMD16<UInt8>(repeating: quote)
        // Delimiters still to pass; with `last` the record must then end.
        var need = last ? n - 1 : n
        var q = UnsafeRawPointer(p)
        while true {
            let v = q.loadUnaligned(as: SIMD16<UInt8>.self)
            let d = unsafeBitCast(v .== delimiters, to: SIMD2<UInt64>.self)
            let lf = unsafeBitCast(v .== lfs, to: SIMD2<UInt64>.self)
            let stops = lf | unsafeBitCast(v .== quotes, to: SIMD2<UInt64>.self)
            // Lanes are 0 or 0xFF: keeping one bit of each and multiplying adds them up.
            let ones: UInt64 = 0x0101_0101_0101_0101
            let found = Int(((d[0] & ones) &* ones) &>> 56 &+ ((d[1] & ones) &* ones) &>> 56)
            if stops[0] | stops[1] != 0 || (!last && found >= need) || (last && found > need) {
                return skipEnd(q, d, lf, stops, need: need, last: last)
            }
            need &-= found
            q += 16
        }
    }

    /// The vector at `q` where a skip run ends or fails, from its lane masks.
    @inline(never)
    private func skipEnd(
        _ q: UnsafeRawPointer, _ d: SIMD2<UInt64>, _ lf: SIMD2<UInt64>, _ stops: SIMD2<UInt64>, need: Int, last: Bool
    ) -> UnsafePointer<UInt8>? {
        let delimiterBits = Self.bits(d)
        let stopBits = Self.bits(stops)
        // Only the delimiters before the first stop count (all of them when there is none).
        let before = stopBits == 0 ? UInt64.max : (stopBits & (0 &- stopBits)) &- 1
        var counted = delimiterBits & before
        let found = counted.nonzeroBitCount
        if !last && found >= need {
            // The need-th delimiter ends the run.
            for _ in 1..<need { counted &= counted &- 1 }
            return (q + counted.trailingZeroBitCount + 1).assumingMemoryBound(to: UInt8.self)
        }
        // With `last` and every delimiter passed, an LF ends the run; anything else (a quote,
        // an early LF, an extra field) goes to the general path.
        let first = stopBits & (0 &- stopBits)
        guard last && found == need && first != 0 && Self.bits(lf) & first != 0 else { return nil }
        return (q + first.trailingZeroBitCount + 1).assumingMemoryBound(to: UInt8.self)
    }

    /// One bit per lane of a 0/0xFF lane mask (as two words), lane 0 lowest: a portable movemask.
    @inline(__always)
    static func bits(_ lanes: SIMD2<UInt64>) -> UInt64 {
        // Byte i of each word keeps only bit i; the multiplication adds the eight bytes into the
        // top byte, where no two of them overlap.
        let pick: UInt64 = 0x8040_2010_0804_0201
        let sum: UInt64 = 0x0101_0101_0101_0101
        let low = ((lanes[0] & pick) &* sum) &>> 56
        let high = ((lanes[1] & pick) &* sum) &>> 56
        return low | high &<< 8
    }
}
