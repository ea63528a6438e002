import CZlib
import SluiceCore
import Testing

@testable import SluiceCSV

/// gzip-compresses `data` with zlib (windowBits 15 + 16 writes a gzip wrapper).
func gzipped(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
    var strm = z_stream()
    guard deflateInit2_(&strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    else { return [] }
    defer { deflateEnd(&strm) }
    var out = [UInt8](repeating: 0, count: Int(deflateBound(&strm, UInt(data.count))) + 64)
    var input = data
    let produced = input.withUnsafeMutableBufferPointer { inp in
        out.withUnsafeMutableBufferPointer { o in
            strm.next_in = inp.baseAddress
            strm.avail_in = UInt32(inp.count)
            strm.next_out = o.baseAddress
            strm.avail_out = UInt32(o.count)
            _ = deflate(&strm, Z_FINISH)
            return o.count - Int(strm.avail_out)
        }
    }
    return Array(out.prefix(produced))
}

@Suite struct CSVGzipTests {
    static func text(rows: Range<Int>) -> String {
        rows.map { "\($0),\"name \($0)\nline\",\(Double($0) / 4)\n" }.joined()
    }

    @Test func gzipInputIsInflated() throws {
        let dir = TempDir()
        // About 7 MB inflated: more than one 4 MiB read block, so records straddle blocks.
        let plain = "id,name,value\n" + Self.text(rows: 0..<200_000)
        let path = dir.file("data.csv.gz", bytes: gzipped(Array(plain.utf8)))
        let o = CSVOptions()
        let splits = try CSVSplitPlanner.plan(path: path, options: options { $0.splitBytes = 1024 })
        #expect(splits.count == 1)
        #expect(splits[0].start == 0)
        let r = try readAll(path, o)
        #expect(r.schema == Schema([Field("id", .int64), Field("name", .string), Field("value", .float64)]))
        #expect(r.rejects.isEmpty)
        #expect(r.rows.count == 200_000)
        #expect(r.rows[199_999] == [i(199_999), s("name 199999\nline"), d(199_999.0 / 4)])
        #expect(r.lines == (0..<200_000).map { 2 + 2 * $0 })
        #expect(r.column("id") == (0..<200_000).map { i(Int64($0)) })
    }

    @Test func concatenatedMembersAreAllRead() throws {
        let dir = TempDir()
        let first = gzipped(Array(("\u{FEFF}id,name,value\n" + Self.text(rows: 0..<1000)).utf8))
        let second = gzipped(Array(Self.text(rows: 1000..<3000).utf8), level: 1)
        let third = gzipped([])
        // Detected by magic bytes: the name does not end in .gz.
        let path = dir.file("multi.bin", bytes: first + second + third + gzipped(Array("3000,x,1\n".utf8)))
        let r = try readAll(path)
        #expect(r.schema.names == ["id", "name", "value"])
        #expect(r.rows.count == 3001)
        #expect(r.column("id") == (0...3000).map { i(Int64($0)) })
    }

    @Test func compressionOptionOverridesDetection() throws {
        let dir = TempDir()
        let path = dir.file("cli.csv", "a\tb\n1\tx\n2\ty\n")
        let gz = dir.file("cli.data", bytes: gzipped(Array("a\tb\n1\tx\n2\ty\n".utf8)))
        let o = options(delimiter: "\t") { $0.compression = .gzip }
        #expect(try readAll(gz, o).rows == [[i(1), s("x")], [i(2), s("y")]])
        // compression: .none on a gzip file reads it as (binary) text instead.
        let none = options(delimiter: "\t") { $0.compression = .none }
        #expect(try readAll(path, none).rows == [[i(1), s("x")], [i(2), s("y")]])
    }

    @Test func corruptAndTruncatedGzipAreIOErrors() throws {
        let dir = TempDir()
        let good = gzipped(Array(("a\n" + (0..<10_000).map { "\($0)\n" }.joined()).utf8))
        let truncated = dir.file("t.csv.gz", bytes: Array(good.prefix(good.count / 2)))
        #expect {
            _ = try readAll(truncated, options(schema: "a:int64"))
        } throws: { error in
            guard case .io(let p, let m) = error as? SluiceError else { return false }
            return p == truncated && m.contains("gzip")
        }
        var bad = good
        bad[20] ^= 0xFF
        bad[21] ^= 0xFF
        let corrupt = dir.file("c.csv.gz", bytes: bad)
        #expect(throws: SluiceError.self) { _ = try readAll(corrupt, options(schema: "a:int64")) }
    }
}
