import SluiceCore
import Testing

@testable import SluiceCSV

/// `_UnsafeColumnSink` must build the same columns as SluiceCore's builders, rollbacks included.
@Suite struct ColumnSinkTests {
    static let types: [DataType] = [
        .bool, .int32, .int64, .float32, .float64, .string, .dictionary, .date, .timestamp(.ms),
    ]

    static func value(_ type: DataType, _ r: UInt64) -> Scalar {
        switch type {
        case .bool: .bool(r & 1 == 1)
        case .int32, .int64: .int(Int64(Int32(truncatingIfNeeded: r)))
        case .float32: .double(Double(Float(Int32(truncatingIfNeeded: r)) / 8))
        case .float64: .double(Double(Int64(bitPattern: r) >> 20) / 1024)
        case .string, .dictionary: .string(String(repeating: "ab", count: Int(r % 5)) + "\(r % 7)")
        case .date: .date(Int32(truncatingIfNeeded: r % 100_000))
        case .timestamp(let u): .timestamp(Int64(bitPattern: r >> 2), u)
        }
    }

    static func append(_ sink: inout _UnsafeColumnSink, _ v: Scalar) {
        switch v {
        case .null: sink.appendNull()
        case .bool(let b): sink.appendBool(b)
        case .int(let x): if sink.kind == .int32 { sink.append(Int32(x)) } else { sink.append(x) }
        case .double(let x): if sink.kind == .float32 { sink.append(Float(x)) } else { sink.append(x) }
        case .string(let s):
            var s = s
            s.withUTF8 { u in
                let p = u.baseAddress ?? UnsafePointer(bitPattern: 1)!
                if sink.kind == .dictionary { sink.appendDictionary(p, u.count) } else { sink.appendBytes(p, u.count) }
            }
        case .date(let d): sink.append(d)
        case .timestamp(let t, _): sink.append(t)
        }
    }

    @Test func sinkMatchesBuilders() {
        var rng = SplitMix64(seed: 9)
        for type in Self.types {
            var sink = _UnsafeColumnSink(type, rows: 16)
            for batch in 0..<3 {
                var expected: [Scalar] = []
                let rows = [0, 5, 3000][batch]
                for _ in 0..<rows {
                    let r = rng.next()
                    let v = r % 5 == 0 ? Scalar.null : Self.value(type, rng.next())
                    Self.append(&sink, v)
                    expected.append(v)
                    if r % 7 == 0 {
                        sink.removeLast()
                        expected.removeLast()
                    }
                }
                let column = sink.finish()
                let reference = Column.make(type, expected)
                #expect(column.type == type)
                #expect(column.count == expected.count)
                #expect(column.nullCount == reference.nullCount, "\(type)")
                #expect((0..<column.count).map { column.scalar(at: $0) } == expected, "\(type) batch \(batch)")
            }
        }
    }
}
