import Testing
@testable import SluiceCore

@Suite struct IntegerTextTests {
    static func text(_ v: Int64) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: IntegerText.maxLength + 2) { buffer in
            let base = buffer.baseAddress!
            base[0] = 0xEE  // a guard byte before: must survive
            let n = IntegerText.write(v, to: base + 1)
            #expect(base[0] == 0xEE, "wrote before the buffer for \(v)")
            return String(decoding: UnsafeBufferPointer(start: base + 1, count: n), as: UTF8.self)
        }
    }

    @Test func everyDigitCountBoundary() {
        var values: [Int64] = [0, 1, -1, .max, .min, .max - 1, .min + 1]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, p + 1, -(p - 1), -p, -(p + 1)]
        }
        for v in values { #expect(Self.text(v) == String(v)) }
    }

    @Test func randomValuesMatchString() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100_000 {
            let v = Int64(bitPattern: rng.next()) >> Int64.random(in: 0..<64, using: &rng)
            #expect(Self.text(v) == String(v))
        }
    }

    /// Every length from 1 to 20 digits: the digits come out in order and not one byte is
    /// written before or after them (the word stores overlap inward, never outward).
    @Test func digitsOfEveryLengthWriteExactlyTheirBytes() {
        var rng = SystemRandomNumberGenerator()
        var values: [UInt64] = [UInt64.max, UInt64.max - 1, 10_000_000_000_000_000_000]
        var p: UInt64 = 1
        for _ in 0..<19 {
            values += [p, p + 1, p * 10 - 1, p * 9]
            p *= 10
        }
        for _ in 0..<20_000 { values.append(rng.next() >> UInt64.random(in: 0..<64, using: &rng)) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            let base = buffer.baseAddress!
            for v in values {
                buffer.initialize(repeating: 0xEE)
                let n = ShortestDecimal.digitCount(v)
                ShortestDecimal.writeDigits(v, count: n, to: base + 8)
                let text = String(decoding: UnsafeBufferPointer(start: base + 8, count: n), as: UTF8.self)
                #expect(text == String(v))
                #expect((0..<8).allSatisfy { base[$0] == 0xEE }, "wrote before the digits of \(v)")
                #expect((8 + n..<48).allSatisfy { base[$0] == 0xEE }, "wrote past the digits of \(v)")
            }
        }
    }
}
