import SluiceCore

/// The repetition and definition levels of a repeated leaf's entries, one byte each, kept for the
/// whole column chunk: a data page v1 may end in the middle of a row's list, so lists are
/// assembled only once every page is decoded.
final class LevelBuffers {
    let repetition: Buffer
    let definition: Buffer
    private(set) var count = 0

    init(capacity: Int) {
        repetition = Buffer(capacity: capacity)
        definition = Buffer(capacity: capacity)
    }

    /// Decodes the `count` repetition and definition levels of one page and sets the validity bit
    /// (at `bitOffset`) of each entry whose definition level is the maximum, that is, of each
    /// entry holding a value; returns how many do.
    func append(
        repetition repBytes: UnsafeRawBufferPointer, definition defBytes: UnsafeRawBufferPointer, count n: Int,
        maxRepetition: Int, maxDefinition: Int, scratch: UnsafeMutablePointer<UInt32>,
        validity: UnsafeMutableRawPointer, bitOffset: Int
    ) throws(ParquetError) -> Int {
        guard maxRepetition < 256, maxDefinition < 256 else { throw corrupt("levels above 255 are not supported") }
        repetition.reserve(additional: n)
        definition.reserve(additional: n)
        var rep = try RLEHybridDecoder(repBytes, bitWidth: BitUnpacking.bitWidth(of: UInt64(maxRepetition)))
        try rep.decode(into: scratch, count: n)
        let r = (repetition.base + count).assumingMemoryBound(to: UInt8.self)
        for i in 0..<n {
            guard scratch[i] <= UInt32(maxRepetition) else {
                throw corrupt("repetition level \(scratch[i]) exceeds the column's maximum \(maxRepetition)")
            }
            r[i] = UInt8(truncatingIfNeeded: scratch[i])
        }
        var def = try RLEHybridDecoder(defBytes, bitWidth: BitUnpacking.bitWidth(of: UInt64(maxDefinition)))
        try def.decode(into: scratch, count: n)
        let d = (definition.base + count).assumingMemoryBound(to: UInt8.self)
        let top = UInt32(maxDefinition)
        var present = 0
        for i in 0..<n {
            let v = scratch[i]
            guard v <= top else { throw corrupt("definition level \(v) exceeds the column's maximum \(maxDefinition)") }
            d[i] = UInt8(truncatingIfNeeded: v)
            Bitmap.setBit(validity, bitOffset + i, v == top)
            present &+= v == top ? 1 : 0
        }
        count += n
        repetition.length = count
        definition.length = count
        return present
    }
}
