/// How a field's bytes relate to its text.
enum CSVFieldKind: UInt8 {
    /// Unquoted: the range is the text.
    case plain = 0
    /// Quoted without doubled quotes: the range is the text between the quotes.
    case quoted = 1
    /// Quoted with doubled quotes or text after the closing quote: the range runs from the opening
    /// quote to the end of the field and must go through `CSVRecordScanner.unescape`.
    case escaped = 2
}

/// The field boundaries of one record as offsets into the scanned buffer, reused for every record.
///
/// Implementation note: plain pointers rather than arrays, and no dynamic exclusivity checks on
/// the properties, so that appending a field in the scanning loop is a store and a compare.
/// The index is only ever used by the one cursor that owns it.
final class CSVFieldIndex {
    @exclusivity(unchecked) private(set) var starts: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private(set) var ends: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private(set) var kinds: UnsafeMutablePointer<CSVFieldKind>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        starts = .allocate(capacity: capacity)
        ends = .allocate(capacity: capacity)
        kinds = .allocate(capacity: capacity)
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        kinds.deallocate()
    }

    @inline(__always) func append(_ start: Int, _ end: Int, _ kind: CSVFieldKind) {
        if count == capacity { grow() }
        starts[count] = start
        ends[count] = end
        kinds[count] = kind
        count += 1
    }

    private func grow() {
        let cap = capacity * 2
        let s = UnsafeMutablePointer<Int>.allocate(capacity: cap)
        let e = UnsafeMutablePointer<Int>.allocate(capacity: cap)
        let k = UnsafeMutablePointer<CSVFieldKind>.allocate(capacity: cap)
        s.update(from: starts, count: count)
        e.update(from: ends, count: count)
        k.update(from: kinds, count: count)
        starts.deallocate()
        ends.deallocate()
        kinds.deallocate()
        starts = s
        ends = e
        kinds = k
        capacity = cap
    }
}

/// What scanning from a record start found.
enum CSVScanResult {
    /// A whole record; `next` is the offset just past its line end, `newlines` the LFs it spans.
    case record(next: Int, newlines: Int)
    /// The buffer ends inside the record: read more and scan again from the same start.
    case incomplete
    /// The input ends inside a quoted field; the fields so far are in the index, the last one raw.
    case unterminated(newlines: Int)
}

/// Finds the field boundaries of one RFC 4180 record in a byte buffer.
///
/// The grammar, shared with `CSVBoundaryKernel` (which must agree on every record boundary):
/// a quote opens a quoted field only as the field's first byte; inside, a doubled quote stands for
/// one quote and delimiters and line ends are data; text between a closing quote and the next
/// delimiter is kept literally (lenient, as Python's csv module is); a quote anywhere else is data.
/// Records end at LF; a CR before that LF is dropped.
struct CSVRecordScanner {
    let delimiter: UInt8
    let quote: UInt8

    @usableFromInline static let lf = UInt8(ascii: "\n")
    @usableFromInline static let cr = UInt8(ascii: "\r")

    /// The delimiter repeated in every byte of a word.
    private let delimiterWord: UInt64
    private let quoteWord: UInt64
    private static let lfWord: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

    init(delimiter: UInt8, quote: UInt8) {
        self.delimiter = delimiter
        self.quote = quote
        delimiterWord = UInt64(delimiter) &* 0x0101_0101_0101_0101
        quoteWord = UInt64(quote) &* 0x0101_0101_0101_0101
    }

    /// 0x80 in exactly the bytes of `x` that are zero (no false positives from borrows, unlike
    /// the shorter `(x - 0x01…) & ~x & 0x80…`), so the lowest set bit locates the first zero byte.
    @inline(__always)
    static func zeroBytes(_ x: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let t = (x & low7) &+ low7
        return ~(t | x | low7)
    }

    @inline(__always) private func withoutCR(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        end > start && base[end - 1] == Self.cr ? end - 1 : end
    }

    /// A quoted field from its opening quote at `open` to its closing quote at `close`.
    @inline(__always) private func appendQuoted(_ fields: CSVFieldIndex, _ open: Int, _ close: Int, _ escaped: Bool) {
        if escaped { fields.append(open, close + 1, .escaped) } else { fields.append(open + 1, close, .quoted) }
    }

    /// Scans the record starting at `start`; `atEOF` says whether `end` is the end of the input.
    func scan(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, atEOF: Bool, into fields: CSVFieldIndex
    ) -> CSVScanResult {
        let delim = delimiter
        let quote = self.quote
        let lf = Self.lf
        fields.count = 0
        var i = start
        var newlines = 0
        while true {
            if i == end {
                guard atEOF else { return .incomplete }
                fields.append(i, i, .plain)
                return .record(next: end, newlines: newlines)
            }
            if base[i] != quote {
                var j = i
                // Eight bytes at a time while they fit; a field usually ends within the first word.
                let raw = UnsafeRawPointer(base)
                while j &+ 8 <= end {
                    let w = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
                    let hits = Self.zeroBytes(w ^ delimiterWord) | Self.zeroBytes(w ^ Self.lfWord)
                    if hits != 0 {
                        j &+= hits.trailingZeroBitCount &>> 3
                        break
                    }
                    j &+= 8
                }
                while j < end {
                    let b = base[j]
                    if b == delim || b == lf { break }
                    j += 1
                }
                if j == end {
                    guard atEOF else { return .incomplete }
                    fields.append(i, withoutCR(base, i, end), .plain)
                    return .record(next: end, newlines: newlines)
                }
                if base[j] == delim {
                    fields.append(i, j, .plain)
                    i = j + 1
                    continue
                }
                fields.append(i, withoutCR(base, i, j), .plain)
                return .record(next: j + 1, newlines: newlines + 1)
            }

            // A quoted field: find the closing quote, stepping over doubled ones.
            var j = i + 1
            var escaped = false
            let raw = UnsafeRawPointer(base)
            while true {
                while j &+ 8 <= end {
                    let w = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
                    let quotes = Self.zeroBytes(w ^ quoteWord)
                    let lfs = Self.zeroBytes(w ^ Self.lfWord)
                    if quotes != 0 {
                        let k = quotes.trailingZeroBitCount &>> 3
                        newlines &+= (lfs & ((UInt64(1) &<< (k &* 8)) &- 1)).nonzeroBitCount
                        j &+= k
                        break
                    }
                    newlines &+= lfs.nonzeroBitCount
                    j &+= 8
                }
                while j < end {
                    let b = base[j]
                    if b == quote { break }
                    if b == lf { newlines += 1 }
                    j += 1
                }
                if j == end {
                    guard atEOF else { return .incomplete }
                    fields.append(i, end, .escaped)
                    return .unterminated(newlines: newlines)
                }
                if j + 1 == end {
                    guard atEOF else { return .incomplete }
                    break
                }
                if base[j + 1] != quote { break }
                escaped = true
                j += 2
            }
            let k = j + 1
            if k == end {
                appendQuoted(fields, i, j, escaped)
                return .record(next: end, newlines: newlines)
            }
            let c = base[k]
            if c == delim {
                appendQuoted(fields, i, j, escaped)
                i = k + 1
                continue
            }
            if c == lf {
                appendQuoted(fields, i, j, escaped)
                return .record(next: k + 1, newlines: newlines + 1)
            }
            if c == Self.cr {
                if k + 1 == end {
                    guard atEOF else { return .incomplete }
                    appendQuoted(fields, i, j, escaped)
                    return .record(next: end, newlines: newlines)
                }
                if base[k + 1] == lf {
                    appendQuoted(fields, i, j, escaped)
                    return .record(next: k + 2, newlines: newlines + 1)
                }
            }

            // Text after the closing quote: literal up to the next delimiter or line end.
            var m = k
            while m < end {
                let b = base[m]
                if b == delim || b == lf { break }
                m += 1
            }
            if m == end {
                guard atEOF else { return .incomplete }
                fields.append(i, withoutCR(base, i, end), .escaped)
                return .record(next: end, newlines: newlines)
            }
            if base[m] == delim {
                fields.append(i, m, .escaped)
                i = m + 1
                continue
            }
            fields.append(i, withoutCR(base, i, m), .escaped)
            return .record(next: m + 1, newlines: newlines + 1)
        }
    }

    /// Writes the text of an `.escaped` field (the raw bytes from its opening quote) to `dst`,
    /// which must hold `count` bytes; returns the text's length.
    static func unescape(
        _ src: UnsafePointer<UInt8>, count: Int, quote: UInt8, into dst: UnsafeMutablePointer<UInt8>
    ) -> Int {
        var i = 1
        var n = 0
        var inQuotes = true
        while i < count {
            let b = src[i]
            if inQuotes && b == quote {
                if i + 1 < count && src[i + 1] == quote {
                    dst[n] = quote
                    n += 1
                    i += 2
                } else {
                    inQuotes = false
                    i += 1
                }
                continue
            }
            dst[n] = b
            n += 1
            i += 1
        }
        return n
    }
}
