import SluiceCSV
import SluiceCore

/// A CSV source resolved against the file system: the matching files, the schema every file is
/// read with, and the split planner.
struct CSVSource: Sendable {
    let config: CSVSourceConfig
    let files: [String]
    /// The files' schema.
    let schema: Schema
    /// Indices of the columns parsed (ascending); nil means all.
    var projection: [Int]? = nil

    /// The schema of the batches this source produces.
    var readSchema: Schema { projection.map { p in Schema(p.map { schema[$0] }) } ?? schema }

    /// The same source reading only `columns` (in file order); the others are not parsed.
    func projected(to columns: Set<String>) -> CSVSource {
        var s = self
        s.projection = schema.fields.indices.filter { columns.contains(schema[$0].name) }
        return s
    }

    /// Expands globs, checks that something matches and that every file's header agrees.
    static func resolve(_ config: CSVSourceConfig) throws(SluiceError) -> CSVSource {
        var files: [String] = []
        for p in config.paths {
            let matched = Glob.expand(p)
            if matched.isEmpty {
                let what = p.contains(where: { "*?[".contains($0) }) ? "no file matches '\(p)'" : "file not found: '\(p)'"
                throw config.location.error("\(what) (relative paths are resolved from \(FileIO.currentDirectory))")
            }
            for f in matched where !files.contains(f) { files.append(f) }
        }
        let schema: Schema
        do {
            schema = try CSVSchemaInference.infer(path: files[0], options: config.options)
        } catch {
            throw rewrap(error, at: config.location)
        }
        if config.options.header {
            for f in files.dropFirst() {
                let names: [String]?
                do { names = try CSVSchemaInference.headerNames(path: f, options: config.options) } catch {
                    throw rewrap(error, at: config.location)
                }
                guard let n = names else { continue }
                if n.count != schema.count {
                    throw config.location.error("\(f) has \(n.count) columns in its header, \(files[0]) has \(schema.count)")
                }
                if config.options.schema == nil, let first = try? CSVSchemaInference.headerNames(path: files[0], options: config.options),
                    first != n
                {
                    throw config.location.error("\(f) has header \(n.joined(separator: ",")), \(files[0]) has \(first.joined(separator: ","))")
                }
            }
        }
        return CSVSource(config: config, files: files, schema: schema)
    }

    static func rewrap(_ e: SluiceError, at location: ConfigLocation) -> SluiceError {
        if case .io = e { return location.error(e.description) }
        return e
    }

    func plan(_ file: String) throws(SluiceError) -> [CSVSplit] {
        try CSVSplitPlanner.plan(path: file, options: config.options)
    }

    func reader(_ split: CSVSplit, batchRows: Int) throws(SluiceError) -> CSVSplitReader {
        var o = config.options
        o.batchRows = batchRows
        o.schema = schema
        o.projection = projection
        return try CSVSplitReader(split: split, schema: schema, options: o)
    }
}

/// Size and modification time of a file, which together identify its content for incremental runs.
struct FileIdentity: Sendable {
    let size: Int64
    let modified: Int64

    static func of(_ path: String) -> FileIdentity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return FileIdentity(size: Int64(st.st_size), modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }
}

#if canImport(Glibc)
import Glibc
#endif
