// Writes a CSV of the shape swift-notes.md §4's probe was measured on (20M rows there):
// `id,small,signed,u16,price,a,b,c` = row number, 0...99, ±100000, 0...65535, a price with two
// decimals, ±x.xxx, xx.x and ±xxxxx.xxxxxx; every field present. The draws come from the
// generators' own PRNG (`GeneratorRandom`, whose algorithms are fixed), so a seed gives the same
// file on every machine and toolchain.
//
// Build: swiftc -O -parse-as-library gen_probe_shape.swift \
//            ../../Sources/SluiceEngine/Generate/GeneratorRandom.swift
// Usage: gen_probe_shape ROWS OUT.csv [SEED]   (seed 42 by default)
import Glibc

@main
struct GenerateProbeShape {
    var rng: GeneratorRandom
    var out: [UInt8] = []

    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count == 3 || arguments.count == 4, let rows = Int(arguments[1]),
            let seed = arguments.count == 4 ? UInt64(arguments[3]) : 42
        else {
            fputs("usage: gen_probe_shape ROWS OUT.csv [SEED]\n", stderr)
            exit(2)
        }
        guard let file = fopen(arguments[2], "w") else {
            perror(arguments[2])
            exit(1)
        }
        var generator = GenerateProbeShape(rng: GeneratorRandom(seed: seed))
        generator.write(rows: rows, to: file)
        fclose(file)
    }

    /// A uniform integer in `range`.
    mutating func draw(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + rng.below(range.upperBound - range.lowerBound + 1)
    }

    mutating func put(_ v: Int, width: Int = 0) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var digits: [UInt8] = []
        var m = v.magnitude
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        } while m > 0
        while digits.count < width { digits.append(UInt8(ascii: "0")) }
        out.append(contentsOf: digits.reversed())
    }

    /// `units / scale` with exactly `places` decimals, the sign in front.
    mutating func putDecimal(_ units: Int, places: Int, scale: Int) {
        if units < 0 { out.append(UInt8(ascii: "-")) }
        put(abs(units) / scale)
        out.append(UInt8(ascii: "."))
        put(abs(units) % scale, width: places)
    }

    mutating func field(_ v: Int) {
        put(v)
        out.append(UInt8(ascii: ","))
    }

    mutating func write(rows: Int, to file: UnsafeMutablePointer<FILE>) {
        out.reserveCapacity(1 << 20)
        out.append(contentsOf: Array("id,small,signed,u16,price,a,b,c\n".utf8))
        for i in 0..<rows {
            field(i)
            field(draw(0...99))
            field(draw(-100_000...100_000))
            field(draw(0...65535))
            putDecimal(draw(0...999_999), places: 2, scale: 100)
            out.append(UInt8(ascii: ","))
            putDecimal(draw(-9999...9999), places: 3, scale: 1000)
            out.append(UInt8(ascii: ","))
            putDecimal(draw(0...999), places: 1, scale: 10)
            out.append(UInt8(ascii: ","))
            putDecimal(draw(-99_999_999_999...99_999_999_999), places: 6, scale: 1_000_000)
            out.append(UInt8(ascii: "\n"))
            if out.count > (1 << 20) - 256 { flush(file) }
        }
        flush(file)
    }

    mutating func flush(_ file: UnsafeMutablePointer<FILE>) {
        _ = out.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        out.removeAll(keepingCapacity: true)
    }
}
