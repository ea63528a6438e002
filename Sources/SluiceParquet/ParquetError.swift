/// A Parquet file could not be read or written. Every error names the file and, where it applies,
/// the column, so that the CLI can print one line that says where to look.
public struct ParquetError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var column: String?
    public var message: String

    public init(file: String, column: String? = nil, _ message: String) {
        self.file = file
        self.column = column
        self.message = message
    }

    public var description: String {
        if let c = column { return "\(file): column '\(c)': \(message)" }
        return "\(file): \(message)"
    }

    /// Fills in the file and column of an error thrown by a decoder that did not know them.
    func located(file: String, column: String?) -> ParquetError {
        var e = self
        if e.file.isEmpty { e.file = file }
        if e.column == nil { e.column = column }
        return e
    }
}

/// A decoding failure deep inside a kernel, before the file and column are known; the reader
/// rethrows it as a `ParquetError` with both filled in.
@usableFromInline func corrupt(_ message: String) -> ParquetError {
    ParquetError(file: "", message)
}

/// Runs `body`, which calls a standard-library `rethrows` function (untyped), and gives its
/// error back the type it had.
@inline(__always) func typedThrows<R>(_ body: () throws -> R) throws(ParquetError) -> R {
    do {
        return try body()
    } catch let e as ParquetError {
        throw e
    } catch {
        throw corrupt("\(error)")
    }
}
