import Foundation
import SluiceCore
import Testing
@testable import SluiceParquet

/// Mutated files fed to the reader: every outcome must be a value or a `ParquetError`, never a
/// crash or a hang. Mutations are deterministic (seeded), so a failure reproduces.
@Suite struct ReaderFuzzTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(Swift.max(n, 1))) }
    }

    /// Reads everything the reader can; returns how many row groups decoded cleanly.
    static func readAll(_ bytes: [UInt8]) -> Int {
        guard let reader = try? ParquetFileReader(bytes: bytes, name: "fuzz") else { return 0 }
        var ok = 0
        for g in 0..<Swift.min(reader.rowGroupCount, 8) {
            let readable = reader.parquetSchema.fields.filter { $0.nestedKind == nil }.map(\.name)
            for column in readable {
                if (try? reader.readRowGroup(g, columns: [column])) != nil { ok += 1 }
                _ = try? reader.statistics(rowGroup: g, column: column)
            }
        }
        return ok
    }

    static let seeds = [
        "parquet-testing/alltypes_plain.parquet", "parquet-testing/datapage_v2.snappy.parquet",
        "parquet-testing/delta_byte_array.parquet", "parquet-testing/byte_stream_split.zstd.parquet",
        "parquet-testing/rle_boolean_encoding.parquet", "parquet-testing/plain-dict-uncompressed-checksum.parquet",
        "pyarrow/encodings_v2.parquet", "pyarrow/gzip_v1_dict.parquet", "pyarrow/lz4_v2_plain.parquet",
        "pyarrow/lists_v1_dict.parquet", "pyarrow/lists_v2_plain.parquet",
    ]

    @Test(arguments: seeds)
    func mutatedFilesNeverCrash(seed file: String) throws {
        let original = try Fixtures.bytes(file)
        #expect(Self.readAll(original) > 0)
        var rng = SplitMix(state: file.utf8.reduce(UInt64(original.count)) { $0 &* 31 &+ UInt64($1) })
        // Skip checksums so that mutated page bytes reach the decoders instead of stopping at the CRC.
        let started = Date()
        for round in 0..<150 {
            var bytes = original
            switch round % 5 {
            case 0:  // flip random bytes anywhere
                for _ in 0..<(1 + rng.below(8)) { bytes[rng.below(bytes.count)] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
            case 1:  // overwrite a run in the footer region with extreme values
                let footer = Swift.max(4, bytes.count - 8 - rng.below(Swift.min(400, bytes.count - 12)))
                for k in 0..<Swift.min(4, bytes.count - 8 - footer) { bytes[footer + k] = [0xff, 0x7f, 0x80, 0x00][rng.below(4)] }
            case 2:  // truncate and keep a valid-looking tail
                let cut = 12 + rng.below(bytes.count - 12)
                bytes = Array(bytes.prefix(cut)) + Array(original.suffix(8))
            case 3:  // zero a random span
                let start = rng.below(bytes.count)
                for k in start..<Swift.min(bytes.count, start + 1 + rng.below(64)) { bytes[k] = 0 }
            default:  // duplicate a span over another
                let a = rng.below(bytes.count), b = rng.below(bytes.count), n = rng.below(32)
                for k in 0..<n where a + k < bytes.count && b + k < bytes.count { bytes[b + k] = original[a + k] }
            }
            _ = Self.readAll(bytes)
            if let reader = try? ParquetFileReader(bytes: bytes, name: "fuzz", options: .init(verifyChecksums: false)) {
                for g in 0..<Swift.min(reader.rowGroupCount, 4) { _ = try? reader.readRowGroup(g, columns: reader.schema.names) }
            }
        }
        #expect(Date().timeIntervalSince(started) < 60, "150 mutated reads of \(file) took too long")
    }
}
