import SluiceCore

/// Walks the records of a byte source: reads large blocks into one reused buffer, carries a
/// partial last record over to the next block, skips a leading UTF-8 BOM and empty lines, and
/// tracks the physical line each record starts on.
///
/// Field ranges in `fields` point into `buffer` and stay valid until the next call to `next()`.
/// Between records, `fastWindow` exposes the unread bytes up to the buffer's last LF to the fused
/// parser, which hands back how far it got with `advance(to:records:)`.
/// A cursor belongs to one reader on one task; its state skips Swift's dynamic exclusivity checks,
/// which would otherwise cost more than scanning the record.
final class CSVRecordCursor {
    let path: String
    let scanner: CSVRecordScanner
    let fields = CSVFieldIndex()
    private let source: CSVByteSource
    @exclusivity(unchecked) private(set) var buffer: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var pos = 0
    @exclusivity(unchecked) private var filled = 0
    @exclusivity(unchecked) private var eof = false
    @exclusivity(unchecked) private var started = false
    private let skipBOM: Bool
    /// Source offset of `buffer[0]`.
    @exclusivity(unchecked) private var bufferOffset: Int64 = 0
    /// Offset just past the last LF in `buffer[0..<filled]`; 0 when there is none.
    @exclusivity(unchecked) private var fastEnd = 0
    /// Zeroed bytes after the buffer, so that the fused parser's word and vector loads near the
    /// end of the data stay in bounds (it reads up to 40 bytes past a byte it looks at).
    static let padding = 64
    /// A record may outgrow the block; past this it is an error (most likely an unbalanced quote).
    static let maxRecordBytes = 256 << 20

    /// The line on which the next unread byte sits.
    @exclusivity(unchecked) private(set) var line: Int
    /// The line on which the current record starts.
    @exclusivity(unchecked) private(set) var recordLine = 0
    /// Whether the current record runs into the end of the input inside a quoted field.
    @exclusivity(unchecked) private(set) var recordUnterminated = false

    init(source: CSVByteSource, path: String, scanner: CSVRecordScanner, firstLine: Int, blockSize: Int, skipBOM: Bool) {
        self.source = source
        self.path = path
        self.scanner = scanner
        self.line = firstLine
        self.capacity = max(blockSize, 64)
        self.buffer = Self.allocateBuffer(capacity)
        self.skipBOM = skipBOM
    }

    private static func allocateBuffer(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + padding)
        (b + capacity).initialize(repeating: 0, count: padding)
        return b
    }

    deinit { buffer.deallocate() }

    /// Source offset just past the last record returned (or the BOM, once started).
    var consumedOffset: Int64 { bufferOffset + Int64(pos) }

    /// Input bytes taken from the file so far.
    var bytesRead: Int64 { source.bytesRead }

    /// Reads the first block, so that a BOM is skipped even before the first record is asked for.
    func start() throws(SluiceError) {
        guard !started else { return }
        started = true
        try refill()
        if skipBOM, filled - pos >= 3, buffer[pos] == 0xEF, buffer[pos + 1] == 0xBB, buffer[pos + 2] == 0xBF {
            pos += 3
        }
    }

    /// Advances to the next non-empty record; false at the end of the input.
    func next() throws(SluiceError) -> Bool {
        if !started { try start() }
        while true {
            if pos == filled {
                if eof { return false }
                try refill()
                continue
            }
            switch scanner.scan(buffer, from: pos, to: filled, atEOF: eof, into: fields) {
            case .incomplete:
                // The scanner finishes every record once it knows the input has ended.
                guard !eof else {
                    throw .data(file: path, line: line, column: nil, message: "internal error: record scanner stalled")
                }
                try refill()
            case .record(let next, let newlines):
                pos = next
                let startLine = line
                line += newlines
                if fields.count == 1, fields.kinds[0] == .plain, fields.starts[0] == fields.ends[0] { continue }
                recordLine = startLine
                recordUnterminated = false
                return true
            case .unterminated(let newlines):
                pos = filled
                recordLine = line
                line += newlines
                recordUnterminated = true
                return true
            }
        }
    }

    // MARK: Fused parsing

    /// The buffer and the byte range the fused parser may take records from: from the next
    /// unread byte to just past the last LF in the buffer (empty when there is none). Valid
    /// only between records, after `start()`.
    var fastWindow: (base: UnsafePointer<UInt8>, from: Int, to: Int) {
        (UnsafePointer(buffer), pos, max(pos, fastEnd))
    }

    /// Consumes `records` one-line records that the fused parser took, ending at `next`.
    func advance(to next: Int, records: Int) {
        pos = next
        line += records
    }

    /// Moves the unread bytes to the front, grows the buffer when one record fills it, and reads
    /// until the buffer is full or the input ends.
    private func refill() throws(SluiceError) {
        guard !eof else { return }
        if pos > 0 {
            let rest = filled - pos
            if rest > 0 { buffer.update(from: buffer + pos, count: rest) }
            bufferOffset += Int64(pos)
            filled = rest
            pos = 0
        }
        if filled == capacity {
            guard capacity < Self.maxRecordBytes else {
                throw .data(
                    file: path, line: line, column: nil,
                    message: "record is longer than \(Self.maxRecordBytes >> 20) MiB (unbalanced quote?)")
            }
            let bigger = Self.allocateBuffer(capacity * 2)
            bigger.update(from: buffer, count: filled)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        while filled < capacity {
            let n = try source.read(into: buffer + filled, count: capacity - filled)
            if n == 0 {
                eof = true
                break
            }
            filled += n
        }
        // The fused parser's window ends at the last LF; usually a few bytes from the end.
        var k = filled
        while k > 0 && buffer[k - 1] != CSVRecordScanner.lf { k -= 1 }
        fastEnd = k
    }

    // MARK: Field access

    /// Field `k` of the current record as text, quotes removed. Allocates: for headers and rejects.
    func fieldText(_ k: Int) -> String {
        let start = fields.starts[k]
        let count = fields.ends[k] - start
        if count == 0 { return "" }
        if fields.kinds[k] != .escaped {
            return String(decoding: UnsafeBufferPointer(start: buffer + start, count: count), as: UTF8.self)
        }
        return String(unsafeUninitializedCapacity: count) { dst in
            CSVRecordScanner.unescape(buffer + start, count: count, quote: scanner.quote, into: dst.baseAddress.unsafelyUnwrapped)
        }
    }

    /// All fields of the current record as text.
    func recordTexts() -> [String] {
        (0..<fields.count).map(fieldText)
    }
}
