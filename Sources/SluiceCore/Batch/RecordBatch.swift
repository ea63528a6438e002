/// Where the rows of a batch came from: the source file and, per row, its line number there.
/// Carried beside the data (not in the schema) so that rejects can name file and line.
public struct RowOrigin: Sendable {
    /// The file (or URL, or other source name) the rows were read from.
    public var source: String
    /// The 1-based line each row starts on, as an `.int64` column; nil when unknown.
    public var lines: Column?

    public init(source: String, lines: Column?) {
        self.source = source
        self.lines = lines
    }

    public func line(_ row: Int) -> Int? {
        guard let l = lines else { return nil }
        return Int(l.value(row, as: Int64.self))
    }
}

/// A schema plus one column per field, all of the same length: the unit that moves between
/// readers, operators and sinks.
public struct RecordBatch: Sendable {
    public let schema: Schema
    public let columns: [Column]
    public let count: Int
    public var origin: RowOrigin?

    public init(schema: Schema, columns: [Column], count: Int? = nil, origin: RowOrigin? = nil) {
        precondition(schema.count == columns.count, "schema has \(schema.count) fields, got \(columns.count) columns")
        let n = count ?? columns.first?.count ?? 0
        for (f, c) in zip(schema.fields, columns) {
            precondition(c.count == n, "column \(f.name) has \(c.count) values, batch has \(n)")
            precondition(c.type == f.type, "column \(f.name) is \(c.type), schema says \(f.type)")
        }
        self.schema = schema
        self.columns = columns
        self.count = n
        self.origin = origin
    }

    /// The column called `name`, if any.
    public func column(named name: String) -> Column? {
        schema.index(of: name).map { columns[$0] }
    }

    /// Rows `[start, start + length)` sharing the buffers.
    public func slice(_ start: Int, _ length: Int) -> RecordBatch {
        RecordBatch(
            schema: schema, columns: columns.map { $0.slice(start, length) }, count: length,
            origin: origin.map { RowOrigin(source: $0.source, lines: $0.lines?.slice(start, length)) })
    }

    /// The rows at `indices`, in that order.
    public func take(_ indices: [Int32]) -> RecordBatch {
        indices.withUnsafeBufferPointer { idx in
            RecordBatch(
                schema: schema, columns: columns.map { $0.take(idx) }, count: idx.count,
                origin: origin.map { RowOrigin(source: $0.source, lines: $0.lines?.take(idx)) })
        }
    }

    /// The rows where `keep` is true.
    public func filter(_ keep: [Bool]) -> RecordBatch {
        var idx: [Int32] = []
        idx.reserveCapacity(keep.count)
        for (i, k) in keep.enumerated() where k { idx.append(Int32(i)) }
        if idx.count == count { return self }
        return take(idx)
    }

    /// Bytes held by the batch's buffers.
    public var byteSize: Int { columns.reduce(0) { $0 + $1.byteSize } + (origin?.lines?.byteSize ?? 0) }

    /// Row `i` as boxed values (tests, printing).
    public func row(_ i: Int) -> [Scalar] { columns.map { $0.scalar(at: i) } }
}
