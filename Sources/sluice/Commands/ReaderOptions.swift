import ArgumentParser
import SluiceCSV
import SluiceCore
import SluiceEngine

/// Options for reading a CSV/TSV file without a pipeline file; the same settings a pipeline's
/// `source` takes. Parquet input needs none of them.
struct ReaderOptions: ParsableArguments {
    @Option(help: "Field delimiter: one character, or tab, comma, semicolon, pipe. Default: sniffed from the first line (tab for .tsv).")
    var delimiter: String?

    @Flag(help: "The first line is data, not column names.")
    var noHeader = false

    @Option(help: "Column types as name:type,... (types: bool, int32, int64, float32, float64, string, dictionary, date, timestamp(s|ms|us|ns)). Default: inferred from the first rows.")
    var schema: String?

    @Option(help: "Quote character.")
    var quote: String = "\""

    @Option(name: .customLong("null"), help: "A field text that means null (repeatable). Default: the empty field.")
    var nullValues: [String] = []

    @Option(help: "What to do with a row that does not parse: reject (skip it and report it) or fail (stop).")
    var onError: String = "reject"

    /// Opens `path` (a file or a glob) for `inspect` and `cat`: Parquet files as they are, since
    /// they carry their own schema (so the CSV flags are refused rather than silently ignored),
    /// anything else as CSV/TSV read with these options.
    func table(_ path: String) throws -> FileTable {
        guard FileTable.format(of: path) == .parquet else {
            return try FileTable(paths: [path], options: try csvOptions(for: path))
        }
        let csvOnly: [(Bool, String)] = [
            (delimiter != nil, "--delimiter"), (noHeader, "--no-header"), (schema != nil, "--schema"),
            (quote != "\"", "--quote"), (!nullValues.isEmpty, "--null"),
        ]
        if let flag = csvOnly.first(where: { $0.0 })?.1 {
            throw ValidationError("\(flag) applies to CSV input; \(path) is Parquet, which carries its own schema")
        }
        return try FileTable(paths: [path], options: CSVOptions())
    }

    func csvOptions(for path: String) throws -> CSVOptions {
        var o = CSVOptions()
        o.header = !noHeader
        o.delimiter = try delimiter.map { try ReaderOptions.byte($0, "--delimiter") } ?? FileTable.sniffDelimiter(path: path)
        o.quote = try ReaderOptions.byte(quote, "--quote")
        if !nullValues.isEmpty { o.nullValues = nullValues }
        if let s = schema { o.schema = try Schema(parsing: s) }
        guard let policy = CSVErrorPolicy(rawValue: onError) else {
            throw ValidationError("--on-error must be reject or fail, not '\(onError)'")
        }
        o.onError = policy
        return o
    }

    static func byte(_ s: String, _ flag: String) throws -> UInt8 {
        switch s {
        case "\\t", "\t", "tab": return 9
        case "comma": return UInt8(ascii: ",")
        case "semicolon": return UInt8(ascii: ";")
        case "pipe": return UInt8(ascii: "|")
        default:
            guard s.utf8.count == 1, let b = s.utf8.first else { throw ValidationError("\(flag) takes one character, not '\(s)'") }
            return b
        }
    }
}

/// Prints an error the way every command does: one line on stderr, then a non-zero exit.
enum Failure {
    static func exit(_ error: any Error) -> ExitCode {
        let text = (error as? SluiceError)?.description ?? "\(error)"
        FileHandleLite.standardError.write("error: \(text)\n")
        return ExitCode(1)
    }

    /// Runs a command's body: argument errors and exit codes pass through to the parser (which
    /// prints usage), anything else is printed as one line by `exit`.
    static func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as ValidationError {
            throw e
        } catch let e as ExitCode {
            throw e
        } catch {
            throw Failure.exit(error)
        }
    }
}
