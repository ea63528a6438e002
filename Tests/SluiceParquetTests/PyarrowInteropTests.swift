import Foundation
import SluiceCore
import Testing
@testable import SluiceParquet

/// Files written by `ParquetWriter` are read back by pyarrow and DuckDB with identical values and
/// the declared logical types. Runs when a Python with pyarrow is available (`$SLUICE_PYTHON` or
/// the repository's `.venv`, which `scripts/test.sh` creates); skipped otherwise.
@Suite(.enabled(if: Fixtures.python != nil, "needs a Python with pyarrow (.venv or $SLUICE_PYTHON)"))
struct PyarrowInteropTests {
    static func runPython(_ files: [String]) throws -> [String: Any] {
        let python = try #require(Fixtures.python)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Fixtures.path("read_with_pyarrow.py")] + files
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("pyarrow failed: \(String(decoding: errors, as: UTF8.self))")
        }
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw TestFailure("pyarrow printed no JSON") }
        return obj
    }

    @Test func pyarrowAndDuckDBReadWhatWeWrite() throws {
        let dir = try TemporaryDirectory()
        let batch = WriterRoundTripTests.batch(rows: 1500, seed: 3)
        var files: [String] = []
        for codec in [CompressionCodec.uncompressed, .snappy, .gzip, .zstd, .lz4Raw] {
            for version in [1, 2] {
                for dictionary in [true, false] {
                    var options = ParquetWriteOptions()
                    options.compression = codec
                    options.dataPageVersion = version
                    options.dictionary = dictionary
                    options.rowGroupRows = 1000
                    options.pageBytes = 3000
                    options.requiredColumns = ["req"]
                    if !dictionary && version == 2 {
                        options.integerEncoding = .deltaBinaryPacked
                        options.floatEncoding = .byteStreamSplit
                    }
                    let path = "\(dir.path)/\(codec)_v\(version)_\(dictionary ? "dict" : "plain").parquet"
                    let writer = try ParquetWriter(path: path, schema: batch.schema, options: options)
                    try writer.write(batch.slice(0, 700))
                    try writer.write(batch.slice(700, 800))
                    try writer.close()
                    files.append(path)
                }
            }
        }
        let results = try Self.runPython(files)
        let expectedTypes = [
            "b": "bool", "i32": "int32", "i64": "int64", "f32": "float", "f64": "double", "s": "string",
            "dict": "string", "d": "date32[day]", "ts_s": "timestamp[ms, tz=UTC]", "ts_ms": "timestamp[ms, tz=UTC]",
            "ts_us": "timestamp[us, tz=UTC]", "ts_ns": "timestamp[ns, tz=UTC]", "req": "int64",
        ]
        for file in files {
            let result = try #require(results[file] as? [String: Any], "no result for \(file)")
            #expect(result["rows"] as? Int == 1500)
            let fields = try #require(result["fields"] as? [[String: Any]])
            for f in fields {
                let name = f["name"] as? String ?? ""
                #expect(f["type"] as? String == expectedTypes[name], "\(file): \(name)")
                #expect(f["nullable"] as? Bool == (name != "req"), "\(file): \(name)")
            }
            var compared = 0
            for column in ExpectedColumn.parse(result) {
                var expected = column
                if column.name == "ts_s" {
                    // Parquet has no seconds unit: we store milliseconds, so pyarrow sees value × 1000.
                    expected = ExpectedColumn(
                        name: column.name, arrowType: column.arrowType,
                        values: column.values.map { $0.map { t in Int64(t).map { String($0 / 1000) } ?? t } }, nested: false)
                }
                let problems = batch.mismatches(expected, rowOffset: 0)
                #expect(problems.isEmpty, "\(file): \(problems.joined(separator: "; "))")
                compared += 1
            }
            #expect(compared == 13)
            let stats = try #require(result["statistics"] as? [String])
            #expect(stats.isEmpty, "\(file): statistics pyarrow decodes disagree with the data: \(stats.prefix(5).joined(separator: "; "))")
            if let duck = result["duckdb"] as? [String] {
                #expect(duck.isEmpty, "\(file): DuckDB disagrees: \(duck.joined(separator: "; "))")
            }
        }
    }
}
