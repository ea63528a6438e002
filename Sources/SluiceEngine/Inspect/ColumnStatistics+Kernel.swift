import SluiceCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ColumnStatistics {
    /// The typed loops behind `ColumnStatistics`, over a column's raw buffers.
    ///
    /// Implementation note: every loop has a branch-free path for columns without a validity
    /// bitmap and a path that tests the bitmap at `offset + i`, so slices work without copying.
    /// Callers skip columns with no valid value, so the results always describe at least one value.
    enum StatisticsKernel {
        /// Minimum, maximum and exact sum of the valid values.
        @inline(__always)
        static func integers<T: FixedWidthInteger & SignedInteger & BitwiseCopyable>(
            _ column: Column, _: T.Type
        ) -> (min: T, max: T, sum: Int128) {
            column.withValues(as: T.self) { values in
                var lo = T.max
                var hi = T.min
                var sum: Int128 = 0
                if let validity = column.validity {
                    withExtendedLifetime(validity) {
                        let bits = UnsafeRawPointer(validity.base)
                        let offset = column.offset
                        for i in 0..<values.count where Bitmap.get(bits, offset + i) {
                            let x = values[i]
                            lo = Swift.min(lo, x)
                            hi = Swift.max(hi, x)
                            sum &+= Int128(x)
                        }
                    }
                } else if T.bitWidth <= 32 {
                    // Narrow values sum in Int64 without overflow for 2^31 values at a time, which
                    // keeps the loop vectorizable.
                    var start = 0
                    while start < values.count {
                        let end = Swift.min(values.count, start + (1 << 31))
                        var partial: Int64 = 0
                        for i in start..<end {
                            let x = values[i]
                            lo = Swift.min(lo, x)
                            hi = Swift.max(hi, x)
                            partial &+= Int64(x)
                        }
                        sum &+= Int128(partial)
                        start = end
                    }
                } else {
                    // x = high * 2^32 + low: both halves sum in 64 bits without overflow for 2^31
                    // values at a time, which vectorizes where Int128 additions do not.
                    var start = 0
                    while start < values.count {
                        let end = Swift.min(values.count, start + (1 << 31))
                        var high: Int64 = 0
                        var low: UInt64 = 0
                        for i in start..<end {
                            let x = values[i]
                            lo = Swift.min(lo, x)
                            hi = Swift.max(hi, x)
                            let w = Int64(truncatingIfNeeded: x)
                            high &+= w >> 32
                            low &+= UInt64(UInt32(truncatingIfNeeded: w))
                        }
                        sum &+= Int128(high) << 32 + Int128(low)
                        start = end
                    }
                }
                return (lo, hi, sum)
            }
        }

        /// Minimum and maximum of the valid non-NaN values (±infinity when all are NaN), the
        /// number of NaNs, and the compensated sum (NaN if any value is NaN).
        ///
        /// Eight values per step in four independent lanes, nulls and NaNs masked out with selects
        /// rather than branches: one dependent chain of additions per value, and a branch per
        /// value on random validity bits, cost more than the arithmetic itself.
        @inline(__always)
        static func floats<T: BinaryFloatingPoint & BitwiseCopyable>(
            _ column: Column, _: T.Type
        ) -> (min: Double, max: Double, nans: Int, sum: CompensatedSum) {
            column.withValues(as: T.self) { values in
                var lanes = FloatLanes()
                let n = values.count
                var i = 0
                if let validity = column.validity {
                    withExtendedLifetime(validity) {
                        let bits = UnsafeRawPointer(validity.base)
                        let offset = column.offset
                        if offset & 7 == 0 {
                            let bytes = bits + (offset >> 3)
                            let masks = Self.nibbleMasks
                            while i + 8 <= n {
                                let byte = Int(bytes.load(fromByteOffset: i >> 3, as: UInt8.self))
                                lanes.add(Self.load4(values, i), valid: masks[byte & 15])
                                lanes.add(Self.load4(values, i + 4), valid: masks[byte >> 4])
                                i += 8
                            }
                        }
                        while i < n {
                            if Bitmap.get(bits, offset + i) { lanes.add(Double(values[i])) }
                            i += 1
                        }
                    }
                } else {
                    let all = SIMDMask<SIMD4<Int64>>(repeating: true)
                    while i + 4 <= n {
                        lanes.add(Self.load4(values, i), valid: all)
                        i += 4
                    }
                    while i < n {
                        lanes.add(Double(values[i]))
                        i += 1
                    }
                }
                return lanes.result
            }
        }

        /// The four-lane mask of each validity nibble (bit k: lane k).
        ///
        /// Implementation note: a table load, where comparing the broadcast byte needs 64-bit lane
        /// comparisons that the baseline x86-64 instruction set emulates in several steps.
        static let nibbleMasks: [SIMDMask<SIMD4<Int64>>] = (0..<16).map { n in
            SIMD4<Int64>(repeating: Int64(n)) & SIMD4(1, 2, 4, 8) .!= 0
        }

        @inline(__always)
        static func load4<T: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<T>, _ i: Int) -> SIMD4<Double> {
            SIMD4(Double(values[i]), Double(values[i + 1]), Double(values[i + 2]), Double(values[i + 3]))
        }

        /// Four running minimums, maximums, NaN counts and Neumaier sums.
        struct FloatLanes {
            var lo = SIMD4<Double>(repeating: .infinity)
            var hi = SIMD4<Double>(repeating: -.infinity)
            var nans = SIMD4<Int64>(repeating: 0)
            var sum = SIMD4<Double>(repeating: 0)
            var compensation = SIMD4<Double>(repeating: 0)
            /// Values that came one at a time (the tail, unaligned slices).
            var single = CompensatedSum()
            var singleNaNs = 0

            @inline(__always)
            mutating func add(_ x: SIMD4<Double>, valid: SIMDMask<SIMD4<Int64>>) {
                // A NaN compares false, so it never replaces a minimum or maximum: only nulls
                // need masking out. Compare-and-select: the standard library's pointwiseMin/Max
                // are not inlined here.
                let low = SIMD4<Double>(repeating: .infinity).replacing(with: x, where: valid)
                let high = SIMD4<Double>(repeating: -.infinity).replacing(with: x, where: valid)
                lo = lo.replacing(with: low, where: low .< lo)
                hi = hi.replacing(with: high, where: high .> hi)
                // A true lane is -1.
                nans &-= unsafeBitCast(valid .& (x .!= x), to: SIMD4<Int64>.self)
                let v = SIMD4<Double>(repeating: 0).replacing(with: x, where: valid)
                // Knuth's TwoSum: the exact rounding error of `sum + v` whichever is larger, so
                // the same compensation as Neumaier's comparison of magnitudes, in six additions.
                let t = sum + v
                let z = t - sum
                compensation += (sum - (t - z)) + (v - z)
                sum = t
            }

            @inline(__always)
            mutating func add(_ x: Double) {
                if x.isNaN {
                    singleNaNs += 1
                } else {
                    lo[0] = Swift.min(lo[0], x)
                    hi[0] = Swift.max(hi[0], x)
                }
                single.add(x)
            }

            var result: (min: Double, max: Double, nans: Int, sum: CompensatedSum) {
                var total = single
                for k in 0..<4 { total.add(CompensatedSum(sum: sum[k], compensation: compensation[k])) }
                return (lo.min(), hi.max(), Int(nans.wrappedSum()) + singleNaNs, total)
            }
        }

        /// The number of valid `true`s of a `.bool` column, 64 bits at a time.
        static func countTrue(_ column: Column) -> Int {
            withExtendedLifetime(column) {
                let values = UnsafeRawPointer(column.values.base)
                let validity = column.validity.map { UnsafeRawPointer($0.base) }
                var i = column.offset
                let end = column.offset + column.count
                var trues = 0
                @inline(__always) func single(_ i: Int) -> Bool {
                    Bitmap.get(values, i) && (validity.map { Bitmap.get($0, i) } ?? true)
                }
                while i < end && i & 63 != 0 {
                    if single(i) { trues += 1 }
                    i += 1
                }
                // Word loads stay inside both bitmaps: they cover all `offset + count` bits.
                while i + 64 <= end {
                    var word = values.loadUnaligned(fromByteOffset: i >> 3, as: UInt64.self)
                    if let v = validity { word &= v.loadUnaligned(fromByteOffset: i >> 3, as: UInt64.self) }
                    trues += word.nonzeroBitCount
                    i += 64
                }
                while i < end {
                    if single(i) { trues += 1 }
                    i += 1
                }
                return trues
            }
        }

        /// Lexicographic byte order (the order of `memcmp`, then shorter first).
        @inline(__always)
        static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
            let n = Swift.min(a.count, b.count)
            if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
                let c = memcmp(pa, pb, n)
                if c != 0 { return Int(c) }
            }
            return a.count - b.count
        }

        /// Row indices (relative to the column) of the smallest and largest valid strings of a
        /// `.string` column; nil when all are null.
        static func stringExtremes(_ column: Column) -> (min: Int, max: Int)? {
            guard let data = column.data else { return nil }
            return withExtendedLifetime(column) {
                let offsets = column.unsafeValues(Int32.self)
                let bytes = UnsafeRawPointer(data.base)
                let validity = column.validity.map { UnsafeRawPointer($0.base) }
                @inline(__always) func string(_ i: Int) -> UnsafeRawBufferPointer {
                    let start = Int(offsets[i])
                    return UnsafeRawBufferPointer(start: bytes + start, count: Int(offsets[i + 1]) - start)
                }
                var best: (min: Int, max: Int)? = nil
                var lo = UnsafeRawBufferPointer(start: nil, count: 0)
                var hi = lo
                for i in 0..<column.count {
                    if let v = validity, !Bitmap.get(v, column.offset + i) { continue }
                    let s = string(i)
                    guard let current = best else {
                        best = (i, i)
                        lo = s
                        hi = s
                        continue
                    }
                    if compare(s, lo) < 0 {
                        best = (i, current.max)
                        lo = s
                    } else if compare(s, hi) > 0 {
                        best = (current.min, i)
                        hi = s
                    }
                }
                return best
            }
        }

        /// Dictionary indices of the smallest and largest strings used by valid rows of a
        /// `.dictionary` column; each distinct string is compared once.
        static func dictionaryExtremes(_ column: Column) -> (min: Int, max: Int)? {
            guard let dictionary = column.dictionary else { return nil }
            let size = dictionary.values.count
            var used = [Bool](repeating: false, count: size)
            column.withValues(as: Int32.self) { indices in
                let validity = column.validity.map { UnsafeRawPointer($0.base) }
                for i in 0..<indices.count {
                    if let v = validity, !Bitmap.get(v, column.offset + i) { continue }
                    let k = Int(indices[i])
                    if k >= 0 && k < size { used[k] = true }
                }
                withExtendedLifetime(column.validity) {}
            }
            var best: (min: Int, max: Int)? = nil
            withExtendedLifetime(dictionary) {
                let strings = dictionary.values
                for k in 0..<size where used[k] {
                    guard let current = best else {
                        best = (k, k)
                        continue
                    }
                    let s = strings.stringBytes(at: k)
                    if compare(s, strings.stringBytes(at: current.min)) < 0 {
                        best = (k, current.max)
                    } else if compare(s, strings.stringBytes(at: current.max)) > 0 {
                        best = (current.min, k)
                    }
                }
            }
            return best
        }
    }
}
