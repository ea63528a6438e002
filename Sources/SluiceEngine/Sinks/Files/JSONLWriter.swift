import SluiceCore

/// Formats batches as JSON lines: one object per row, keys in schema order, nulls as `null`,
/// numbers bare, dates and timestamps as ISO-8601 strings.
struct JSONLWriter: BatchEncoder {
    let keys: [String]

    func encode(_ batch: RecordBatch) throws(SluiceError) -> EncodedBatch {
        var out: [UInt8] = []
        out.reserveCapacity(batch.count * 64 * Swift.max(1, keys.count))
        format(batch, into: &out)
        return EncodedBatch(bytes: out, rows: batch.count)
    }

    init(schema: Schema) {
        keys = schema.names.map { JSON.quote($0) + ":" }
    }

    func format(_ batch: RecordBatch, into out: inout [UInt8]) {
        for row in 0..<batch.count {
            out.append(UInt8(ascii: "{"))
            for (c, col) in batch.columns.enumerated() {
                if c > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: keys[c].utf8)
                guard col.isValid(row) else { out.append(contentsOf: "null".utf8); continue }
                switch col.type {
                case .bool: out.append(contentsOf: (col.bool(at: row) ? "true" : "false").utf8)
                case .int32: out.append(contentsOf: String(col.value(row, as: Int32.self)).utf8)
                case .int64: out.append(contentsOf: String(col.value(row, as: Int64.self)).utf8)
                case .float32: appendDouble(Double(col.value(row, as: Float.self)), &out)
                case .float64: appendDouble(col.value(row, as: Double.self), &out)
                case .string, .dictionary: appendString(col.stringBytes(at: row), &out)
                case .date:
                    CivilTime.withFormatted(Int64(col.value(row, as: Int32.self)), .date) { appendString($0, &out) }
                case .timestamp:
                    CivilTime.withFormatted(col.value(row, as: Int64.self), col.type) { appendString($0, &out) }
                }
            }
            out.append(contentsOf: "}\n".utf8)
        }
    }

    private func appendDouble(_ v: Double, _ out: inout [UInt8]) {
        // JSON has no NaN or infinity.
        out.append(contentsOf: (v.isFinite ? "\(v)" : "null").utf8)
    }

    private func appendString(_ bytes: UnsafeRawBufferPointer, _ out: inout [UInt8]) {
        JSON.appendQuoted(bytes, to: &out)
    }
}
