import SluiceCore

/// Reads a CSV file's header and guesses column types from a sample of its records.
public enum CSVSchemaInference {
    /// The schema to read `path` with. An explicit `options.schema` is returned as is, after its
    /// field count is checked against the header when there is one. Otherwise the header (if any)
    /// and the first `inferenceRows` records decide: per column the narrowest of bool, int64,
    /// float64, date, timestamp(us), else string. Nulls and empty fields are ignored and an
    /// all-null column is a string. Names come from the header (duplicates become `name_2`, …;
    /// empty ones `columnN`) or are `column1`…`columnN`.
    ///
    /// A column whose values are all `0`/`1` is int64, not bool: bool needs at least one word
    /// (`true`, `no`, `f`, …), so that a sample of small counts does not fix the type too narrowly.
    public static func infer(path: String, options: CSVOptions) throws(SluiceError) -> Schema {
        try options.validate()
        let cursor = try openCursor(path: path, options: options)
        var names: [String]? = nil
        var headerLine = 1
        if options.header {
            names = try cursor.next() ? cursor.recordTexts() : []
            headerLine = cursor.recordLine
        }
        if let schema = options.schema {
            if let names, !names.isEmpty, names.count != schema.count {
                throw .data(
                    file: path, line: headerLine, column: nil,
                    message: "the schema has \(schema.count) fields but the header has \(names.count)")
            }
            return schema
        }

        var guesses: [CSVTypeGuess] = []
        if let names { guesses = Array(repeating: CSVTypeGuess(), count: names.count) }
        let nulls = CSVNullMatcher(options.nullValues)
        let scratch = CSVScratch()
        var sampled = 0
        while sampled < options.inferenceRows, try cursor.next() {
            sampled += 1
            let fields = cursor.fields
            if names == nil && guesses.isEmpty {
                guesses = Array(repeating: CSVTypeGuess(), count: fields.count)
            }
            let base = UnsafePointer(cursor.buffer)
            for k in 0..<min(fields.count, guesses.count) {
                var p = base + fields.starts[k]
                var n = fields.ends[k] - fields.starts[k]
                let kind = fields.kinds[k]
                if kind == .plain && nulls.matches(p, n) { continue }
                if kind == .escaped { (p, n) = scratch.unescape(p, n, quote: options.quote) }
                guesses[k].observe(p, n)
            }
        }

        let columnNames = uniqueNames(names ?? (0..<guesses.count).map { "column\($0 + 1)" })
        return Schema(zip(columnNames, guesses).map { Field($0, $1.type) })
    }

    /// The header's field names as written (nil when `options.header` is false; empty for an
    /// empty file).
    public static func headerNames(path: String, options: CSVOptions) throws(SluiceError) -> [String]? {
        try options.validate()
        guard options.header else { return nil }
        let cursor = try openCursor(path: path, options: options)
        return try cursor.next() ? cursor.recordTexts() : []
    }

    static func openCursor(path: String, options: CSVOptions) throws(SluiceError) -> CSVRecordCursor {
        let file = try CSVFile(path: path)
        let source =
            try file.isGzip(options.compression)
            ? CSVByteSource(gzipFile: file) : CSVByteSource(file: file, start: 0, end: file.size)
        return CSVRecordCursor(
            source: source, path: path, scanner: CSVRecordScanner(delimiter: options.delimiter, quote: options.quote),
            firstLine: 1, blockSize: 1 << 20, skipBOM: true)
    }

    /// Fills in empty names and makes duplicates unique: `a, a, a` becomes `a, a_2, a_3`.
    static func uniqueNames(_ raw: [String]) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        out.reserveCapacity(raw.count)
        for (k, name) in raw.enumerated() {
            let base = name.isEmpty ? "column\(k + 1)" : name
            var candidate = base
            var suffix = 2
            while seen.contains(candidate) {
                candidate = "\(base)_\(suffix)"
                suffix += 1
            }
            seen.insert(candidate)
            out.append(candidate)
        }
        return out
    }
}

/// Which types every non-null value of a column seen so far would parse as.
struct CSVTypeGuess {
    var nonNull = 0
    var bool = true
    /// Whether some bool value was a word rather than 0/1.
    var boolWord = false
    var int = true
    var float = true
    var date = true
    var timestamp = true

    mutating func observe(_ text: UnsafePointer<UInt8>, _ length: Int) {
        var p = text
        var n = length
        CSVValueParser.trim(&p, &n)
        if n == 0 { return }
        nonNull += 1
        if bool {
            if CSVValueParser.bool(p, n) == nil {
                bool = false
            } else if n > 1 || p[0] &- 48 > 1 {
                boolWord = true
            }
        }
        if int && CSVValueParser.int64(p, n) == nil { int = false }
        if float && !int && CSVValueParser.scanDecimal(p, n) == nil { float = false }
        if date && CSVValueParser.date(p, n) == nil { date = false }
        if timestamp && !date && CSVValueParser.timestamp(p, n, unit: .us) == nil { timestamp = false }
        // An integer is never a timestamp here: epoch numbers are only taken when a schema says so.
        if timestamp && CSVValueParser.int64(p, n) != nil { timestamp = false }
    }

    var type: DataType {
        if nonNull == 0 { return .string }
        if bool && boolWord { return .bool }
        if int { return .int64 }
        if float { return .float64 }
        if date { return .date }
        if timestamp { return .timestamp(.us) }
        return .string
    }
}
