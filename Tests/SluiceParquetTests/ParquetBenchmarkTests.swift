import Foundation
import SluiceCore
import Testing
@testable import SluiceParquet

/// A micro-benchmark, off unless `SLUICE_PARQUET_BENCH` names a Parquet file (not run in CI).
/// Reads all columns, then the first three, then writes the data back as zstd, each best of 3,
/// single thread, and times pyarrow doing the same when a Python with pyarrow is found:
///
///     SLUICE_PARQUET_BENCH=/tmp/telecom_zstd.parquet swift test -c release -Xswiftc -enable-testing \
///         --scratch-path .build-parquet --filter ParquetBenchmarkTests
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SLUICE_PARQUET_BENCH"] != nil, "set SLUICE_PARQUET_BENCH=<file.parquet>"))
struct ParquetBenchmarkTests {
    static func best(_ runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let t0 = Date()
            try body()
            best = Swift.min(best, Date().timeIntervalSince(t0))
        }
        return best
    }

    static let pyarrowScript = """
        import sys, time, pyarrow as pa, pyarrow.parquet as pq
        pa.set_cpu_count(1); pa.set_io_thread_count(1)
        path, cols, out = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
        def best(f, n=3):
            b = 1e9
            for _ in range(n):
                t0 = time.time(); f(); b = min(b, time.time() - t0)
            return b
        t = pq.read_table(path, use_threads=False)
        print("all", best(lambda: pq.read_table(path, use_threads=False)))
        print("three", best(lambda: pq.read_table(path, columns=cols, use_threads=False)))
        print("write", best(lambda: pq.write_table(t, out, compression="zstd"), 2))
        """

    @Test func readAndWriteAgainstPyarrow() throws {
        let path = try #require(ProcessInfo.processInfo.environment["SLUICE_PARQUET_BENCH"])
        let reader = try ParquetFileReader(path: path)
        let three = Array(reader.schema.names.prefix(3))
        var batches: [RecordBatch] = []
        let all = try Self.best {
            batches = []  // as pyarrow's table, the previous run's data is freed before the next
            batches = try (0..<reader.rowGroupCount).map { try reader.readRowGroup($0) }
        }
        let some = try Self.best {
            for g in 0..<reader.rowGroupCount { _ = try reader.readRowGroup(g, columns: three) }
        }
        let dir = try TemporaryDirectory()
        let write = try Self.best(2) {
            let w = try ParquetWriter(path: dir.path + "/out.parquet", schema: batches[0].schema)
            for b in batches { try w.write(b) }
            try w.close()
        }
        let rows = batches.reduce(0) { $0 + $1.count }
        print("sluice: \(rows) rows; read all \(String(format: "%.3f", all)) s, read \(three) \(String(format: "%.3f", some)) s, write zstd \(String(format: "%.3f", write)) s")
        guard let python = Fixtures.python else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.pyarrowScript, path, three.joined(separator: ","), dir.path + "/pa.parquet"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print("pyarrow: " + text.split(separator: "\n").joined(separator: ", "))
    }
}
