#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The generators' own PRNG: xoshiro256** seeded through SplitMix64.
///
/// It imports only the C library, so that standalone tools (`bench/probe/gen_probe_shape.swift`)
/// compile this file with theirs and draw the same numbers.
///
/// Implementation note: the generators promise the same bytes for the same seed on every platform
/// and toolchain, so they cannot use `SystemRandomNumberGenerator` or the standard library's
/// `random(in:using:)` / `randomElement(using:)`, whose algorithms are not specified. Every draw
/// here (uniform doubles, bounded integers, normals) is defined in this file.
struct GeneratorRandom {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64
    /// Marsaglia's polar method yields normals in pairs; the second waits here.
    private var spareNormal = 0.0
    private var hasSpareNormal = false

    /// A generator for `seed`; `stream` selects an independent sequence (one per output file), so a
    /// file's content does not depend on how many files came before it.
    init(seed: UInt64, stream: UInt64 = 0) {
        var mix = seed
        let first = GeneratorRandom.splitMix(&mix)
        var state = first ^ (stream &* 0xD1B5_4A32_D192_ED03)
        s0 = GeneratorRandom.splitMix(&state)
        s1 = GeneratorRandom.splitMix(&state)
        s2 = GeneratorRandom.splitMix(&state)
        s3 = GeneratorRandom.splitMix(&state)
        // xoshiro must not start from all zeros; SplitMix64 cannot return four zeros in a row, but
        // the guard costs nothing and documents the invariant.
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inline(__always) static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(45)
        return result
    }

    /// 53 random bits: compare with `threshold(probability:)` for a Bernoulli draw without
    /// converting to Double.
    @inline(__always) mutating func next53() -> UInt64 { next() >> 11 }

    /// The `next53()` bound below which a draw counts as a success with probability `p`.
    static func threshold(probability p: Double) -> UInt64 {
        if p <= 0 { return 0 }
        if p >= 1 { return 1 << 53 }
        return UInt64(p * 0x1p53)
    }

    /// A uniform Double in [0, 1).
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, unbiased); `bound` > 0.
    @inline(__always) mutating func below(_ bound: UInt64) -> UInt64 {
        var (high, low) = next().multipliedFullWidth(by: bound)
        if low < bound {
            let floor = (0 &- bound) % bound
            while low < floor { (high, low) = next().multipliedFullWidth(by: bound) }
        }
        return high
    }

    /// A uniform Int in `0..<bound`; `bound` > 0.
    @inline(__always) mutating func below(_ bound: Int) -> Int { Int(below(UInt64(bound))) }

    /// A standard normal draw (Marsaglia's polar method: no trigonometry, one log per pair).
    @inline(__always) mutating func normal() -> Double {
        if hasSpareNormal {
            hasSpareNormal = false
            return spareNormal
        }
        while true {
            let u = 2 * unit() - 1
            let v = 2 * unit() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * log(s) / s).squareRoot()
                spareNormal = v * f
                hasSpareNormal = true
                return u * f
            }
        }
    }
}

extension UInt64 {
    @inline(__always) fileprivate func rotatedLeft(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 - k)) }
}
