// A hand-written CSV parser with no engine around it: the probe that swift-notes.md §4 measured
// before the first line of Sluice (per-digit loops, Clinger's fast path for up to 15 significant
// digits, strtod otherwise), kept to compare the engine against it on any file of 8 numeric
// columns: `hand_parser FILE INTS` reads INTS integer columns, then 8 - INTS float columns, which
// may be empty (null). The file is mapped and faulted in before the clock starts, so the time is
// the parse alone, without reading.
//
// Build and run: bench/probe_bench.sh (or `swiftc -Ounchecked -wmo hand_parser.swift`).
import Glibc

let arguments = CommandLine.arguments
guard arguments.count == 3, let intColumns = Int(arguments[2]), (0...8).contains(intColumns) else {
    fputs("usage: hand_parser FILE INTS  (INTS integer columns first, then 8 - INTS floats)\n", stderr)
    exit(2)
}
let floatColumns = 8 - intColumns
let fd = open(arguments[1], O_RDONLY)
guard fd >= 0 else { perror(arguments[1]); exit(1) }
var info = stat()
fstat(fd, &info)
let size = Int(info.st_size)
guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), map != MAP_FAILED else {
    perror("mmap"); exit(1)
}
let base = UnsafePointer(map.assumingMemoryBound(to: UInt8.self))
// The loops below stop only at a non-digit, so the last record must end in LF.
guard size > 0, base[size - 1] == UInt8(ascii: "\n") else {
    fputs("hand_parser: \(arguments[1]) must end with a newline\n", stderr)
    exit(1)
}
let powersOfTen: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { v, _ in v * 10 } }
let batchRows = 4096
let ints = UnsafeMutablePointer<Int64>.allocate(capacity: 8 * batchRows)
let doubles = UnsafeMutablePointer<Double>.allocate(capacity: 8 * batchRows)
let valid = UnsafeMutablePointer<UInt8>.allocate(capacity: 8 * batchRows)

@inline(__always) func parseInt(_ p: inout UnsafePointer<UInt8>) -> Int64 {
    let negative = p.pointee == UInt8(ascii: "-")
    if negative { p += 1 }
    var v: Int64 = 0
    while true {
        let d = p.pointee &- 48
        if d > 9 { break }
        v = v &* 10 &+ Int64(d)
        p += 1
    }
    return negative ? 0 &- v : v
}

/// Digits from `p` into `m`, counting the significant ones (from the first nonzero) in `digits`.
@inline(__always) func accumulate(_ p: inout UnsafePointer<UInt8>, _ m: inout UInt64, _ digits: inout Int) {
    while true {
        let d = p.pointee &- 48
        if d > 9 { break }
        if m != 0 || d != 0 { digits += 1 }
        m = m &* 10 &+ UInt64(d)
        p += 1
    }
}

@inline(__always) func parseDouble(_ p: inout UnsafePointer<UInt8>) -> Double {
    let start = p
    let negative = p.pointee == UInt8(ascii: "-")
    if negative { p += 1 }
    var m: UInt64 = 0
    var digits = 0
    var fraction = 0
    accumulate(&p, &m, &digits)
    if p.pointee == UInt8(ascii: ".") {
        p += 1
        let start = p
        accumulate(&p, &m, &digits)
        fraction = p - start
    }
    if digits > 15 || fraction > 22 {
        // Beyond Clinger's fast path: the C library, as the original probe did.
        var end: UnsafeMutablePointer<CChar>? = nil
        let v = start.withMemoryRebound(to: CChar.self, capacity: 1) { strtod($0, &end) }
        if let end { p = UnsafeRawPointer(end).assumingMemoryBound(to: UInt8.self) }
        return v
    }
    let v = Double(m) / powersOfTen[fraction]
    return negative ? -v : v
}

/// Up to `batchRows` records from `p`, stopping before `end`; every field ends at ',' or LF.
@inline(never)
func batch(_ p: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int {
    var q = p
    var r = 0
    while r < batchRows && q < end {
        for c in 0..<intColumns {
            ints[c &* batchRows &+ r] = parseInt(&q)
            q += 1
        }
        for c in 0..<floatColumns {
            let slot = (intColumns &+ c) &* batchRows &+ r
            if q.pointee == UInt8(ascii: ",") || q.pointee == UInt8(ascii: "\n") {
                doubles[c &* batchRows &+ r] = 0
                valid[slot] = 0
            } else {
                doubles[c &* batchRows &+ r] = parseDouble(&q)
                valid[slot] = 1
            }
            q += 1
        }
        r += 1
    }
    p = q
    return r
}

var p = base
while p.pointee != UInt8(ascii: "\n") { p += 1 }  // the header
p += 1
let end = base + size
var intSums = [Int64](repeating: 0, count: intColumns)
var floatSums = [Double](repeating: 0, count: floatColumns)
var nulls = [Int](repeating: 0, count: floatColumns)
var rows = 0
var t0 = timespec()
clock_gettime(CLOCK_MONOTONIC, &t0)
while p < end {
    let n = batch(&p, end)
    for c in 0..<intColumns { for r in 0..<n { intSums[c] &+= ints[c * batchRows + r] } }
    for c in 0..<floatColumns {
        for r in 0..<n {
            floatSums[c] += doubles[c * batchRows + r]
            nulls[c] &+= Int(1 &- valid[(intColumns + c) * batchRows + r])
        }
    }
    rows += n
}
var t1 = timespec()
clock_gettime(CLOCK_MONOTONIC, &t1)
let seconds = Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) / 1e9
print("hand parser: \(rows) rows in \(seconds) s, \(Double(rows) / seconds / 1e6)M rows/s")
print("integer sums \(intSums), float sums \(floatSums), float nulls \(nulls)")
