import Testing

import SluiceCore

/// Builds a batch from named, typed columns of boxed values.
func makeBatch(_ columns: [(String, DataType, [Scalar])]) -> RecordBatch {
    RecordBatch(
        schema: Schema(columns.map { Field($0.0, $0.1) }),
        columns: columns.map { Column.make($0.1, $0.2) })
}

/// The column every test of arithmetic and comparisons reads: five rows, one null in each column.
let sample = makeBatch([
    ("i", .int64, [.int(1), .int(2), .null, .int(-4), .int(5)]),
    ("j", .int32, [.int(10), .int(0), .int(3), .null, .int(-2)]),
    ("f", .float64, [.double(1.5), .double(-0.5), .null, .double(2), .double(0)]),
    ("g", .float32, [.double(0.25), .double(1), .double(2), .null, .double(-8)]),
    ("s", .string, [.string("Apple"), .string("banana"), .null, .string("Cherry pie"), .string("")]),
    ("d", .dictionary, [.string("red"), .string("Green"), .null, .string("red"), .string("blue")]),
    ("b", .bool, [.bool(true), .bool(false), .null, .bool(true), .bool(false)]),
    ("dt", .date, [date("2024-01-31"), date("2024-02-29"), .null, date("1969-12-31"), date("2000-03-01")]),
    (
        "ts", .timestamp(.ms),
        [
            ts("2024-01-31T10:15:30.250Z", .ms), ts("2024-02-29T00:00:00Z", .ms), .null,
            ts("1969-12-31T23:59:59.999Z", .ms), ts("2000-03-01T23:05:00Z", .ms),
        ]
    ),
])

func date(_ s: String) -> Scalar {
    guard let d = CivilTime.parseDate(s) else { return .null }
    return .date(d)
}

func ts(_ s: String, _ unit: TimeUnit = .us) -> Scalar {
    guard let v = CivilTime.parseTimestamp(s, unit: unit) else { return .null }
    return .timestamp(v, unit)
}

/// Parses, binds against `batch`'s schema and evaluates `text`; returns the values and the type.
func evaluate(_ text: String, _ batch: RecordBatch = sample) throws -> (values: [Scalar], type: DataType) {
    let bound = try BoundExpression(parsing: text, schema: batch.schema)
    let column = try bound.evaluate(batch)
    #expect(column.count == batch.count)
    #expect(column.type == bound.type)
    // Validity and null count agree.
    #expect(column.nullCount == (0..<column.count).filter { column.isNull($0) }.count)
    return ((0..<column.count).map { column.scalar(at: $0) }, column.type)
}

/// The values of `text` over `batch`.
func values(_ text: String, _ batch: RecordBatch = sample) throws -> [Scalar] {
    try evaluate(text, batch).values
}

/// The message of the error binding or evaluating `text` throws, or nil if it succeeds.
func errorMessage(_ text: String, _ batch: RecordBatch = sample) -> String? {
    do {
        _ = try values(text, batch)
        return nil
    } catch {
        return "\(error)"
    }
}

/// A column with exactly these raw values and validity (values behind nulls included), for
/// testing that kernels ignore whatever sits behind a null.
func rawInt64Column(_ raw: [Int64], valid: [Bool]) -> Column {
    let values = Buffer(capacity: raw.count * 8)
    for v in raw { values.append(v) }
    let bits = Buffer(capacity: Bitmap.byteCount(raw.count))
    bits.appendZeros(Bitmap.byteCount(raw.count))
    for (i, ok) in valid.enumerated() { Bitmap.set(bits.base, i, ok) }
    return Column(
        type: .int64, count: raw.count, nullCount: valid.filter { !$0 }.count, validity: bits, values: values)
}
