import Foundation
import Testing
import SluiceCore
@testable import SluiceEngine

@Suite struct DecimalFormatKernelTests {
    private func g15(_ v: Double) -> String {
        var buffer = [UInt8](repeating: 0, count: DecimalFormatKernel.g15Capacity)
        let n = buffer.withUnsafeMutableBufferPointer { b in
            b.baseAddress.map { DecimalFormatKernel.writeG15(v, to: $0) } ?? 0
        }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    @Test func edgeValuesMatchPrintf() {
        let values: [Double] = [
            0, -0.0, 1, -1, 0.5, 10, 100, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 123.456, 1e-4, 1e-5,
            9.99999999999999e-5, 9.999999999999999e-5, 0.00010000000000000001, 1e14, 1e15, 1e16,
            999_999_999_999_999, 999_999_999_999_999.4, 999_999_999_999_999.5, 99_999_999_999_999.95,
            123_456_789_012_345, 1_234_567_890_123.125, 1_234_567_890_123.375, 0.000123456789012345678,
            .leastNonzeroMagnitude, 2.2250738585072014e-308, .greatestFiniteMagnitude, .infinity, -.infinity, .nan,
            0.30000000000000004, 21.9929958764343, 6.85397673259064, 4503599627370495.5,
        ]
        for v in values {
            #expect(g15(v) == GeneratorTestSupport.printfG15(v), "value \(v)")
        }
    }

    @Test func randomMagnitudesMatchPrintf() {
        var rng = GeneratorRandom(seed: 2024)
        var mismatches: [String] = []
        for _ in 0..<200_000 {
            // Lognormal values like the generator's, and raw bit patterns over the whole range.
            let lognormal = exp(-3 + 4 * rng.normal())
            let bits = Double(bitPattern: rng.next())
            for v in [lognormal, -lognormal, bits] where g15(v) != GeneratorTestSupport.printfG15(v) {
                mismatches.append("\(v): \(g15(v)) vs \(GeneratorTestSupport.printfG15(v))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func exactTiesRoundHalfToEven() {
        // X + 0.5, X + 0.25, X + 0.125 with 15, 14 and 13 integer digits have 16 significant digits
        // ending in 5: exactly halfway between two 15-digit results.
        var rng = GeneratorRandom(seed: 7)
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let a = Double(100_000_000_000_000 + rng.below(900_000_000_000_000)) + 0.5
            let b = Double(10_000_000_000_000 + rng.below(90_000_000_000_000)) + [0.25, 0.75][rng.below(2)]
            let c = Double(1_000_000_000_000 + rng.below(9_000_000_000_000)) + [0.125, 0.375, 0.625, 0.875][rng.below(4)]
            for v in [a, b, c] where g15(v) != GeneratorTestSupport.printfG15(v) {
                mismatches.append("\(v): \(g15(v)) vs \(GeneratorTestSupport.printfG15(v))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func integersAndCents() {
        var buffer = [UInt8](repeating: 0, count: 32)
        func text(_ write: (UnsafeMutablePointer<UInt8>) -> Int) -> String {
            let n = buffer.withUnsafeMutableBufferPointer { b in b.baseAddress.map(write) ?? 0 }
            return String(decoding: buffer[0..<n], as: UTF8.self)
        }
        #expect(text { DecimalFormatKernel.writeDecimal(0, to: $0) } == "0")
        #expect(text { DecimalFormatKernel.writeDecimal(1_383_260_400_000, to: $0) } == "1383260400000")
        #expect(text { DecimalFormatKernel.writeDecimal(UInt64.max, to: $0) } == "18446744073709551615")
        #expect(text { DecimalFormatKernel.writeZeroPadded(7, width: 5, to: $0) } == "00007")
        #expect(text { DecimalFormatKernel.writeZeroPadded(123_456, width: 5, to: $0) } == "123456")
        #expect(text { DecimalFormatKernel.writeCents(5, to: $0) } == "0.05")
        #expect(text { DecimalFormatKernel.writeCents(149_900, to: $0) } == "1499.00")
        #expect(text { DecimalFormatKernel.writeCents(-1205, to: $0) } == "-12.05")
    }
}

@Suite struct GeneratorRandomTests {
    @Test func sameSeedSameSequenceAndStreamsDiffer() {
        var a = GeneratorRandom(seed: 42)
        var b = GeneratorRandom(seed: 42)
        var c = GeneratorRandom(seed: 42, stream: 1)
        var d = GeneratorRandom(seed: 43)
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() })
        #expect(sa != (0..<100).map { _ in c.next() })
        #expect(sa != (0..<100).map { _ in d.next() })
    }

    @Test func drawsHaveTheirDistributions() {
        var rng = GeneratorRandom(seed: 1)
        let n = 200_000
        var sum = 0.0
        var squares = 0.0
        var counts = [Int](repeating: 0, count: 7)
        var unitInRange = true
        for _ in 0..<n {
            let z = rng.normal()
            sum += z
            squares += z * z
            counts[rng.below(7)] += 1
            let u = rng.unit()
            unitInRange = unitInRange && u >= 0 && u < 1
        }
        #expect(abs(sum / Double(n)) < 0.01)
        #expect(abs(squares / Double(n) - 1) < 0.02)
        #expect(unitInRange)
        for c in counts { #expect(abs(Double(c) / Double(n) - 1.0 / 7) < 0.005) }
        let threshold = GeneratorRandom.threshold(probability: 0.3)
        let hits = (0..<n).reduce(0) { acc, _ in acc + (rng.next53() < threshold ? 1 : 0) }
        #expect(abs(Double(hits) / Double(n) - 0.3) < 0.005)
    }
}
