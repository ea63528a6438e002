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
    func projecting(_ columns: Set<String>) -> CSVSource {
        var s = self
        s.projection = schema.fields.indices.filter { columns.contains(schema[$0].name) }
        return s
    }

    /// Expands globs, checks that something matches and that every file's header agrees.
    static func resolve(_ config: CSVSourceConfig) throws(SluiceError) -> CSVSource {
        var files = try expand(config)
        let first = files[0]
        if let only = config.only { files = files.filter(only.contains) }
        let schema: Schema
        do {
            schema = try CSVSchemaInference.infer(path: first, options: config.options)
        } catch {
            throw rewrap(error, at: config.location)
        }
        if config.options.header {
            let firstNames = config.options.schema == nil ? try? CSVSchemaInference.headerNames(path: first, options: config.options) : nil
            for f in files where f != first {
                let names: [String]?
                do { names = try CSVSchemaInference.headerNames(path: f, options: config.options) } catch {
                    throw rewrap(error, at: config.location)
                }
                guard let n = names else { continue }
                if n.count != schema.count {
                    throw config.location.error("\(f) has \(n.count) columns in its header, \(first) has \(schema.count)")
                }
                if let expected = firstNames, expected != n {
                    throw config.location.error("\(f) has header \(n.joined(separator: ",")), \(first) has \(expected.joined(separator: ","))")
                }
            }
        }
        return CSVSource(config: config, files: files, schema: schema)
    }

    /// The files the paths name, globs expanded, each once, in order; a path that matches
    /// nothing is an error. Opens no file.
    static func expand(_ config: CSVSourceConfig) throws(SluiceError) -> [String] {
        var files: [String] = []
        var seen = Set<String>()
        for p in config.paths {
            let matched = Glob.expand(p)
            if matched.isEmpty {
                let what = p.contains(where: { "*?[".contains($0) }) ? "no file matches '\(p)'" : "file not found: '\(p)'"
                throw config.location.error("\(what) (relative paths are resolved from \(FileIO.currentDirectory))")
            }
            for f in matched where seen.insert(f).inserted { files.append(f) }
        }
        return files
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

extension CSVSource: PipelineSource {
    var inputs: [String] { files }

    func projected(to columns: Set<String>) -> any PipelineSource { projecting(columns) }

    /// Each file is a unit; its splits are byte ranges cut at record boundaries.
    func plan() throws(SluiceError) -> [SourceUnit] {
        var units: [SourceUnit] = []
        for f in files {
            guard let ident = FileIdentity.of(f) else { throw SluiceError.io(path: f, message: "file disappeared") }
            let splits = try plan(f).map { s in
                SourceSplit(
                    id: s.id, path: f, source: "\(f)#\(s.fileSize)-\(s.modified)", index: s.index,
                    range: FileRange(start: s.start, end: s.end, firstLine: s.firstLine, fileSize: s.fileSize, modified: s.modified))
            }
            units.append(SourceUnit(path: f, identity: (ident.size, ident.modified), splits: splits))
        }
        return units
    }

    func reader(for split: SourceSplit, batchRows: Int) throws(SluiceError) -> any SplitReader {
        guard let r = split.range else { throw SluiceError.invalidArgument("CSV split \(split.id) has no byte range") }
        let s = CSVSplit(
            path: split.path, start: r.start, end: r.end, firstLine: r.firstLine, index: split.index, fileSize: r.fileSize,
            modified: r.modified)
        return CSVPipelineReader(try reader(s, batchRows: batchRows))
    }
}

/// A CSV split reader seen through the runner's contract.
final class CSVPipelineReader: SplitReader {
    let reader: CSVSplitReader

    init(_ reader: CSVSplitReader) { self.reader = reader }

    func next() async throws(SluiceError) -> SourceChunk? {
        guard let c = try reader.next() else { return nil }
        return SourceChunk(batch: c.batch, rejects: c.rejects)
    }

    var bytesRead: Int64 { reader.bytesRead }
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
