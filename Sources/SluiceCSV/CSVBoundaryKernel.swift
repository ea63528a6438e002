/// The quote-aware record-boundary state machine the split planner runs over raw bytes.
///
/// It must agree with `CSVRecordScanner` on where every record ends: a quote opens a quoted field
/// only at a field's start, a doubled quote inside one is data, anything after a closing quote up to
/// the next delimiter is data, and only an LF outside quotes ends a record.
///
/// Implementation note: most of a typical file has no quote bytes at all. `countBytes` checks
/// 4 KB stretches 64 bytes at a time with SIMD compares whose lane masks are bit-cast to bytes
/// (the `.replacing(with:where:)` spelling compiles to per-lane code and is ~80x slower), and a
/// stretch without quotes only needs its LFs counted. Stretches with quotes, and the stretch where a
/// cut is due, go through the byte-at-a-time state machine.
struct CSVBoundaryKernel {
    enum State: UInt8 {
        case fieldStart = 0
        case unquoted = 1
        case quoted = 2
        /// Just after a quote inside a quoted field: a closing quote, or the first of a doubled pair.
        case afterQuote = 3
    }

    let delimiter: UInt8
    let quote: UInt8
    var state: State = .fieldStart
    /// LFs seen so far, inside quotes or not.
    var newlines = 0

    /// Bytes per fast-path step: at most 4 LFs per lane per 64 bytes keeps the byte counters
    /// of `countBytes` below 256.
    static let stretch = 4032

    init(delimiter: UInt8, quote: UInt8) {
        self.delimiter = delimiter
        self.quote = quote
    }

    /// Counts the LFs in `[p, p + count)` and says whether it holds a quote byte; `count` is a
    /// multiple of 64 and at most `stretch`.
    ///
    /// 16-byte vectors (one SSE register each) with four loads per step: wider `SIMD64` values
    /// need four registers apiece on a baseline x86-64 target, spill to the stack and run at a
    /// third of the speed.
    @inline(__always)
    static func countBytes(_ p: UnsafeRawPointer, count: Int, quote: UInt8) -> (newlines: Int, hasQuote: Bool) {
        let nl = SIMD16<UInt8>(repeating: UInt8(ascii: "\n"))
        let q = SIMD16<UInt8>(repeating: quote)
        var nlAcc = SIMD16<UInt8>()
        var qAcc = SIMD16<UInt8>()
        var i = 0
        while i < count {
            let v0 = p.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            let v1 = p.loadUnaligned(fromByteOffset: i + 16, as: SIMD16<UInt8>.self)
            let v2 = p.loadUnaligned(fromByteOffset: i + 32, as: SIMD16<UInt8>.self)
            let v3 = p.loadUnaligned(fromByteOffset: i + 48, as: SIMD16<UInt8>.self)
            // A true lane is all ones (0xFF), so subtracting the mask adds one per match.
            nlAcc &-= unsafeBitCast(v0 .== nl, to: SIMD16<UInt8>.self)
            nlAcc &-= unsafeBitCast(v1 .== nl, to: SIMD16<UInt8>.self)
            nlAcc &-= unsafeBitCast(v2 .== nl, to: SIMD16<UInt8>.self)
            nlAcc &-= unsafeBitCast(v3 .== nl, to: SIMD16<UInt8>.self)
            qAcc |= unsafeBitCast(v0 .== q, to: SIMD16<UInt8>.self)
            qAcc |= unsafeBitCast(v1 .== q, to: SIMD16<UInt8>.self)
            qAcc |= unsafeBitCast(v2 .== q, to: SIMD16<UInt8>.self)
            qAcc |= unsafeBitCast(v3 .== q, to: SIMD16<UInt8>.self)
            i += 64
        }
        let quotes = unsafeBitCast(qAcc, to: SIMD2<UInt64>.self)
        return (Int(SIMD16<UInt16>(truncatingIfNeeded: nlAcc).wrappedSum()), quotes[0] | quotes[1] != 0)
    }

    /// Runs the state machine over `[from, to)`. Returns the offset just past the first record-ending
    /// LF at an offset ≥ `cutFrom`, stopping there; nil when there is none in the range.
    ///
    /// Inside quoted fields and unquoted ones it jumps eight bytes at a time to the next byte that
    /// can change the state (a quote; a delimiter or LF), counting the LFs it passes.
    @inline(__always)
    mutating func scan(_ p: UnsafePointer<UInt8>, from: Int, to: Int, cutFrom: Int) -> Int? {
        let lf = UInt8(ascii: "\n")
        let delim = delimiter
        let quote = self.quote
        let quoteWord = UInt64(quote) &* 0x0101_0101_0101_0101
        let delimiterWord = UInt64(delim) &* 0x0101_0101_0101_0101
        let lfWord: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        let raw = UnsafeRawPointer(p)
        var s = state
        var lines = newlines
        defer {
            state = s
            newlines = lines
        }
        var i = from
        while i < to {
            var recordEnd = false
            switch s {
            case .quoted:
                while i &+ 8 <= to {
                    let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let quotes = CSVRecordScanner.zeroBytes(w ^ quoteWord)
                    let lfs = CSVRecordScanner.zeroBytes(w ^ lfWord)
                    if quotes != 0 {
                        let k = quotes.trailingZeroBitCount &>> 3
                        lines &+= (lfs & ((UInt64(1) &<< (k &* 8)) &- 1)).nonzeroBitCount
                        i &+= k
                        break
                    }
                    lines &+= lfs.nonzeroBitCount
                    i &+= 8
                }
                while i < to && p[i] != quote {
                    if p[i] == lf { lines &+= 1 }
                    i &+= 1
                }
                if i == to { return nil }
                s = .afterQuote
            case .afterQuote:
                let c = p[i]
                if c == quote {
                    s = .quoted
                } else if c == delim {
                    s = .fieldStart
                } else if c == lf {
                    recordEnd = true
                } else {
                    s = .unquoted
                }
            case .fieldStart:
                let c = p[i]
                if c == quote {
                    s = .quoted
                } else if c == lf {
                    recordEnd = true
                } else if c != delim {
                    s = .unquoted
                }
            case .unquoted:
                // Quotes are data here: only a delimiter or LF changes the state.
                while i &+ 8 <= to {
                    let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let hits = CSVRecordScanner.zeroBytes(w ^ delimiterWord) | CSVRecordScanner.zeroBytes(w ^ lfWord)
                    if hits != 0 {
                        i &+= hits.trailingZeroBitCount &>> 3
                        break
                    }
                    i &+= 8
                }
                while i < to && p[i] != delim && p[i] != lf { i &+= 1 }
                if i == to { return nil }
                if p[i] == delim {
                    s = .fieldStart
                } else {
                    recordEnd = true
                }
            }
            if recordEnd {
                lines &+= 1
                s = .fieldStart
                if i >= cutFrom { return i &+ 1 }
            }
            i &+= 1
        }
        return nil
    }

    /// Advances over a stretch that `countBytes` found free of quotes.
    @inline(__always)
    mutating func skipQuoteFree(lastByte: UInt8, newlines n: Int) {
        newlines += n
        guard state != .quoted else { return }
        state = lastByte == UInt8(ascii: "\n") || lastByte == delimiter ? .fieldStart : .unquoted
    }
}
