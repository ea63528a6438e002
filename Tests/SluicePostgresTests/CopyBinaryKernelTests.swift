import NIOCore
import SluiceCore
import Testing

@testable import SluicePostgres

/// The column-at-a-time binary COPY kernel against the row-at-a-time reference encoder, byte for
/// byte, over every type, with and without nulls, and on slices (non-zero column offsets); plus
/// one row written out by hand from PostgreSQL's binary format.
@Suite("COPY binary kernel")
struct CopyBinaryKernelTests {
    func reference(_ batch: RecordBatch) -> [UInt8] {
        var b = ByteBuffer()
        RowAtATimeCopyBinary.encode(batch, into: &b)
        return b.readBytes(length: b.readableBytes) ?? []
    }

    /// Every type; `nulls` puts a null every third row in each column.
    func batch(rows n: Int, nulls: Bool) -> RecordBatch {
        let b = BoolBuilder()
        let i32 = PrimitiveBuilder<Int32>(.int32)
        let i64 = PrimitiveBuilder<Int64>(.int64)
        let f32 = PrimitiveBuilder<Float>(.float32)
        let f64 = PrimitiveBuilder<Double>(.float64)
        let s = StringBuilder()
        let d = DictionaryBuilder()
        let day = PrimitiveBuilder<Int32>(.date)
        let ts = [TimeUnit.s, .ms, .us, .ns].map { PrimitiveBuilder<Int64>(.timestamp($0)) }
        for r in 0..<n {
            if nulls && r % 3 == 1 {
                b.appendNull(); i32.appendNull(); i64.appendNull(); f32.appendNull(); f64.appendNull()
                s.appendNull(); d.appendNull(); day.appendNull()
                for t in ts { t.appendNull() }
                continue
            }
            b.append(r % 2 == 0)
            i32.append(Int32(r) &* 7919 &- 1_000_000)
            i64.append(Int64(r) &* 1_234_567_891 &- 99)
            f32.append(Float(r) * 0.25 - 3)
            f64.append(Double(r) / 7 - 1e6)
            s.append(r % 5 == 0 ? "" : "row \(r) é")
            d.append(["alpha", "b", "", "γδ"][r % 4])
            day.append(Int32(r % 40_000) - 20_000)
            for t in ts { t.append(1_700_000_000_123 &+ Int64(r) &* 1_000_003) }
        }
        let cols = [b.finish(), i32.finish(), i64.finish(), f32.finish(), f64.finish(), s.finish(), d.finish(), day.finish()]
            + ts.map { $0.finish() }
        return RecordBatch(schema: Schema(cols.enumerated().map { Field("c\($0.offset)", $0.element.type) }), columns: cols)
    }

    @Test func matchesTheReferenceWithAndWithoutNulls() {
        for nulls in [false, true] {
            let b = batch(rows: 1000, nulls: nulls)
            #expect(CopyBinaryKernel.encode(b) == reference(b), "nulls: \(nulls)")
            // Slices start inside the buffers (and inside a validity byte).
            for (start, length) in [(1, 998), (333, 5), (999, 1)] {
                let s = b.slice(start, length)
                #expect(CopyBinaryKernel.encode(s) == reference(s), "slice \(start)+\(length), nulls: \(nulls)")
            }
        }
        #expect(CopyBinaryKernel.encode(batch(rows: 0, nulls: false)).isEmpty)
    }

    @Test func oneRowByHand() {
        let i = PrimitiveBuilder<Int32>(.int32)
        i.append(258)
        let f = PrimitiveBuilder<Double>(.float64)
        f.appendNull()
        let s = StringBuilder()
        s.append("ab")
        let t = PrimitiveBuilder<Int64>(.timestamp(.ms))
        t.append(946_684_800_001)  // 2000-01-01 00:00:00.001 UTC: 1000 µs after PostgreSQL's epoch
        let b = RecordBatch(
            schema: Schema([Field("i", .int32), Field("f", .float64), Field("s", .string), Field("t", .timestamp(.ms))]),
            columns: [i.finish(), f.finish(), s.finish(), t.finish()])
        #expect(
            CopyBinaryKernel.encode(b) == [
                0, 4,  // four fields
                0, 0, 0, 4, 0, 0, 1, 2,  // int4 258
                0xFF, 0xFF, 0xFF, 0xFF,  // null
                0, 0, 0, 2, 0x61, 0x62,  // "ab"
                0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xE8,  // 1000 µs
            ])
    }
}

/// The row-at-a-time encoder the sink used before `CopyBinaryKernel`: written straight from the
/// format's description, value by value, so it serves as the independent reference.
enum RowAtATimeCopyBinary {
    static func encode(_ batch: RecordBatch, into out: inout ByteBuffer) {
        let n = batch.count
        guard n > 0 else { return }
        var estimate = n * (2 + 12 * batch.columns.count)
        for c in batch.columns where c.type == .string { estimate += Int(c.data?.length ?? 0) }
        out.reserveCapacity(out.writerIndex + estimate)
        let fields = Int16(truncatingIfNeeded: batch.columns.count)
        withExtendedLifetime(batch) {
            let cols = batch.columns
            for row in 0..<n {
                out.writeInteger(fields, endianness: .big)
                for c in cols {
                    guard c.isValid(row) else {
                        out.writeInteger(Int32(-1), endianness: .big)
                        continue
                    }
                    switch c.type {
                    case .bool:
                        out.writeInteger(Int32(1), endianness: .big)
                        out.writeInteger(UInt8(c.bool(at: row) ? 1 : 0))
                    case .int32:
                        out.writeInteger(Int32(4), endianness: .big)
                        out.writeInteger(c.value(row, as: Int32.self), endianness: .big)
                    case .int64:
                        out.writeInteger(Int32(8), endianness: .big)
                        out.writeInteger(c.value(row, as: Int64.self), endianness: .big)
                    case .float32:
                        out.writeInteger(Int32(4), endianness: .big)
                        out.writeInteger(c.value(row, as: Float.self).bitPattern, endianness: .big)
                    case .float64:
                        out.writeInteger(Int32(8), endianness: .big)
                        out.writeInteger(c.value(row, as: Double.self).bitPattern, endianness: .big)
                    case .string, .dictionary:
                        let bytes = c.stringBytes(at: row)
                        out.writeInteger(Int32(truncatingIfNeeded: bytes.count), endianness: .big)
                        out.writeBytes(bytes)
                    case .date:
                        out.writeInteger(Int32(4), endianness: .big)
                        out.writeInteger(c.value(row, as: Int32.self) &- CopyBinaryKernel.epochShiftDays, endianness: .big)
                    case .timestamp(let unit):
                        let v = c.value(row, as: Int64.self)
                        let micros: Int64
                        switch unit {
                        case .s: micros = v &* 1_000_000
                        case .ms: micros = v &* 1_000
                        case .us: micros = v
                        case .ns: micros = v / 1_000
                        }
                        out.writeInteger(Int32(8), endianness: .big)
                        out.writeInteger(micros &- CopyBinaryKernel.epochShiftMicros, endianness: .big)
                    }
                }
            }
        }
    }
}
