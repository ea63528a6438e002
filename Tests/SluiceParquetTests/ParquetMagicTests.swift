import Testing
@testable import SluiceParquet

@Suite struct ParquetMagicTests {
    @Test func magicIsPAR1() {
        #expect(Parquet.magic == [0x50, 0x41, 0x52, 0x31])
    }
}
