import Foundation
import SluiceCore
import Testing

@testable import SluiceCSV

/// A fresh directory under /tmp for one test, removed when the value goes away.
final class TempDir {
    let path: String

    init(_ name: String = #function) {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        path = "/tmp/sluice-csv-tests/\(safe)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` (as UTF-8) to `name` and returns its path.
    @discardableResult
    func file(_ name: String, _ contents: String) -> String {
        file(name, bytes: Array(contents.utf8))
    }

    @discardableResult
    func file(_ name: String, bytes: [UInt8]) -> String {
        let p = "\(path)/\(name)"
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
}

/// Everything read from a file: rows as boxed values, the line of each row, and the rejects.
struct ReadResult {
    var schema: Schema
    var rows: [[Scalar]] = []
    var lines: [Int] = []
    var rejects: [RejectedRow] = []
    var chunks = 0

    func column(_ name: String) -> [Scalar] {
        guard let j = schema.index(of: name) else { return [] }
        return rows.map { $0[j] }
    }
}

/// Reads one split to the end; `fused: false` takes the general path for every record, and
/// `blockSize` sets the read buffer's size.
func readSplit(
    _ split: CSVSplit, schema: Schema, options: CSVOptions, fused: Bool = true, blockSize: Int? = nil
) throws(SluiceError) -> ReadResult {
    let reader = try CSVSplitReader(split: split, schema: schema, options: options, blockSize: blockSize)
    reader.fusedParsing = fused
    var result = ReadResult(schema: options.projection.map { p in Schema(p.map { schema[$0] }) } ?? schema)
    while let chunk = try reader.next() {
        result.chunks += 1
        let batch = chunk.batch
        #expect(batch.origin?.source == split.path)
        for i in 0..<batch.count {
            result.rows.append(batch.row(i))
            result.lines.append(batch.origin?.line(i) ?? -1)
        }
        result.rejects += chunk.rejects
    }
    return result
}

/// Plans, infers (unless the options carry a schema) and reads every split of `path` in order.
func readAll(
    _ path: String, _ options: CSVOptions = CSVOptions(), fused: Bool = true, blockSize: Int? = nil
) throws(SluiceError) -> ReadResult {
    let schema = try CSVSchemaInference.infer(path: path, options: options)
    // The projected schema; the reader refuses a projection that does not fit.
    let fits = options.projection?.allSatisfy { $0 >= 0 && $0 < schema.count } ?? true
    var result = ReadResult(schema: fits ? options.projection.map { p in Schema(p.map { schema[$0] }) } ?? schema : schema)
    for split in try CSVSplitPlanner.plan(path: path, options: options) {
        let part = try readSplit(split, schema: schema, options: options, fused: fused, blockSize: blockSize)
        result.rows += part.rows
        result.lines += part.lines
        result.rejects += part.rejects
        result.chunks += part.chunks
    }
    return result
}

func options(
    header: Bool = true, delimiter: Character = ",", schema: String? = nil, onError: CSVErrorPolicy = .reject,
    _ configure: (inout CSVOptions) -> Void = { _ in }
) -> CSVOptions {
    var o = CSVOptions()
    o.header = header
    o.delimiter = delimiter.asciiValue ?? UInt8(ascii: ",")
    if let schema { o.schema = try? Schema(parsing: schema) }
    o.onError = onError
    configure(&o)
    return o
}

func s(_ v: String) -> Scalar { .string(v) }
func i(_ v: Int64) -> Scalar { .int(v) }
func d(_ v: Double) -> Scalar { .double(v) }
func b(_ v: Bool) -> Scalar { .bool(v) }
let null = Scalar.null

/// Row equality that compares doubles bit for bit (so -0.0 differs from 0 and NaN equals NaN).
func sameRows(_ a: [[Scalar]], _ b: [[Scalar]]) -> Bool {
    guard a.count == b.count else { return false }
    for (ra, rb) in zip(a, b) {
        guard ra.count == rb.count else { return false }
        for (x, y) in zip(ra, rb) {
            if case .double(let u) = x, case .double(let v) = y {
                if u.bitPattern != v.bitPattern { return false }
            } else if x != y {
                return false
            }
        }
    }
    return true
}
