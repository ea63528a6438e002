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
        CopyBinaryEncoder(schema: batch.schema).encode(batch, into: &b)
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
