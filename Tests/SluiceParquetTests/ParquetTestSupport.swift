import Foundation
import SluiceCore
@testable import SluiceParquet

/// Helpers shared by the Parquet test suites: fixture paths relative to this file (CI runs from a
/// clean clone without /work/shared), expected values written by `Fixtures/make_fixtures.py`, and
/// the text form of column values that those expectations use.
enum Fixtures {
    static let directory: String = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        return here.appendingPathComponent("Fixtures").path
    }()

    static func path(_ relative: String) -> String { directory + "/" + relative }

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(relative)))
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("\(relative) is not a JSON object")
        }
        return obj
    }

    /// The repository root (three levels above this file), where `scripts/test.sh` creates `.venv`.
    static let repositoryRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// A Python with pyarrow: `$SLUICE_PYTHON`, else the repository's `.venv`; nil when neither exists.
    static var python: String? {
        if let p = ProcessInfo.processInfo.environment["SLUICE_PYTHON"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let venv = repositoryRoot + "/.venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// One expected column from a JSON expectation file.
struct ExpectedColumn {
    let name: String
    let arrowType: String
    let values: [String?]
    let nested: Bool
    /// A list of primitives: `values` hold each row's list as JSON, compared as JSON values.
    var list = false

    static func parse(_ obj: [String: Any]) -> [ExpectedColumn] {
        guard let cols = obj["columns"] as? [[String: Any]] else { return [] }
        return cols.map { c in
            ExpectedColumn(
                name: c["name"] as? String ?? "", arrowType: c["type"] as? String ?? "",
                values: (c["values"] as? [Any] ?? []).map { $0 as? String },
                nested: c["nested"] as? Bool ?? false, list: c["list"] as? Bool ?? false)
        }
    }

    var isBinary: Bool { arrowType.hasPrefix("binary") || arrowType.hasPrefix("fixed_size_binary") || arrowType.hasPrefix("large_binary") }
}

enum ValueText {
    static func hex(_ b: UnsafeRawBufferPointer) -> String {
        b.map { String(format: "%02x", $0) }.joined()
    }

    /// Compares the JSON text of a list value with the expected JSON: equal as parsed values.
    static func listMismatch(_ column: Column, _ i: Int, _ expected: String?) -> String? {
        guard let e = expected else { return column.isNull(i) ? nil : "expected null, got \(column.string(at: i) ?? "")" }
        guard let got = column.string(at: i) else { return "expected \(e), got null" }
        func parse(_ s: String) -> NSArray? {
            (try? JSONSerialization.jsonObject(with: Data(s.utf8), options: [.fragmentsAllowed])) as? NSArray
        }
        guard let g = parse(got) else { return "\(got) is not a JSON array" }
        guard let want = parse(e), want.isEqual(g) else { return "expected \(e), got \(got)" }
        return nil
    }

    /// Compares value `i` of `column` with its expected text; returns a message on mismatch.
    static func mismatch(_ column: Column, _ i: Int, _ expected: String?, binary: Bool) -> String? {
        guard let e = expected else {
            return column.isNull(i) ? nil : "expected null, got \(column.scalar(at: i))"
        }
        if column.isNull(i) { return "expected \(e), got null" }
        switch column.type {
        case .bool:
            let got = column.bool(at: i) ? "true" : "false"
            return got == e ? nil : "expected \(e), got \(got)"
        case .int32, .date:
            let got = String(column.value(i, as: Int32.self))
            return got == e ? nil : "expected \(e), got \(got)"
        case .int64, .timestamp:
            let got = String(column.value(i, as: Int64.self))
            return got == e ? nil : "expected \(e), got \(got)"
        case .float32, .float64:
            let got = column.type == .float32 ? Double(column.value(i, as: Float.self)) : column.value(i, as: Double.self)
            guard let want = Double(e) else { return "expected text \(e) is not a number" }
            if want.isNaN && got.isNaN { return nil }
            return got == want ? nil : "expected \(e), got \(got)"
        case .string, .dictionary:
            let b = column.stringBytes(at: i)
            let got = binary ? hex(b) : String(decoding: b, as: UTF8.self)
            return got == e ? nil : "expected \(e), got \(got)"
        }
    }
}

extension RecordBatch {
    /// Every mismatch between this batch's column `name` (rows `offset...`) and `expected`.
    func mismatches(_ expected: ExpectedColumn, rowOffset: Int, limit: Int = 5) -> [String] {
        guard let col = column(named: expected.name) else { return ["column \(expected.name) missing"] }
        var out: [String] = []
        for i in 0..<count {
            let r = rowOffset + i
            guard r < expected.values.count else { return out + ["\(expected.name): more rows than expected"] }
            let m = expected.list
                ? ValueText.listMismatch(col, i, expected.values[r])
                : ValueText.mismatch(col, i, expected.values[r], binary: expected.isBinary)
            if let m {
                out.append("\(expected.name)[\(r)]: \(m)")
                if out.count >= limit { break }
            }
        }
        return out
    }
}

/// A scratch directory removed when the value is released.
final class TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "sluice-parquet-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
