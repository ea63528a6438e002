import SluiceCore

/// Keeps the first row of each key across a stream of batches: later rows with a key already
/// seen are dropped. Keys compare as `GROUP BY` compares them (nulls equal each other, 0.0 and
/// -0.0 one key, strings by bytes). Memory grows with the number of distinct keys, which is why
/// `dedup` is meant for keys such as event ids within a run, and sinks with an upsert key for
/// duplicates across runs.
///
/// One filter serves one stream in order (it is not thread-safe), so "first" is well defined.
public final class DedupFilter {
    public let keyNames: [String]
    private let keyIndices: [Int]
    private var encoder: GroupKeyEncoder
    private var seen: GroupTable
    private var words: [UInt64] = []
    /// Rows dropped so far.
    public private(set) var dropped = 0

    /// A filter for batches of `schema`, keyed by the columns named `keys`.
    public init(schema: Schema, keys: [String]) throws(SluiceError) {
        var indices: [Int] = []
        for k in keys {
            guard let i = schema.index(of: k) else {
                throw .invalidArgument("dedup key '\(k)' is not a column (columns: \(schema.names.joined(separator: ", ")))")
            }
            indices.append(i)
        }
        keyNames = keys
        keyIndices = indices
        encoder = GroupKeyEncoder(types: indices.map { schema[$0].type })
        seen = GroupTable(width: indices.count + 1)
    }

    /// Distinct keys seen.
    public var keyCount: Int { seen.count }

    /// `batch` without the rows whose key came before (in this or an earlier batch).
    public func filter(_ batch: RecordBatch) -> RecordBatch {
        let n = batch.count
        guard n > 0 else { return batch }
        let width = encoder.width
        if words.count < n * width { words = Array(repeating: 0, count: n * width) }
        var keep = [Bool](repeating: false, count: n)
        var kept = 0
        words.withUnsafeMutableBufferPointer { w in
            guard let w = w.baseAddress else { return }
            encoder.encode(keyIndices.map { batch.columns[$0] }, rows: n, into: w)
            for r in 0..<n {
                let before = seen.count
                _ = seen.id(of: w + r * width)
                if seen.count > before {
                    keep[r] = true
                    kept += 1
                }
            }
        }
        dropped += n - kept
        return kept == n ? batch : batch.filter(keep)
    }
}
