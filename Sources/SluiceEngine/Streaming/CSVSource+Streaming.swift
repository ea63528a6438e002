import SluiceCSV
import SluiceCore

extension CSVSource {
    /// A CSV source over a watched folder: the folder may be empty when the run starts, so the
    /// schema comes from the pipeline (or, without one, from the first file already there) and is
    /// fixed for the run: no inference per file.
    static func resolveStreaming(_ config: CSVSourceConfig) throws(SluiceError) -> CSVSource {
        var files: [String] = []
        for p in config.paths {
            for f in Glob.expand(p) where !files.contains(f) && !PathPattern.isIgnoredName(f) { files.append(f) }
        }
        let schema: Schema
        if let s = config.options.schema {
            schema = s
        } else if let first = files.first {
            do { schema = try CSVSchemaInference.infer(path: first, options: config.options) } catch {
                throw rewrap(error, at: config.location)
            }
        } else {
            throw config.location.error(
                "the watched folder has no file yet to infer the schema from: give the source a schema (column: type, ...)")
        }
        return CSVSource(config: config, files: files, schema: schema)
    }

    /// The unit (the file and its splits) for one new file of a stream; nil when the file is gone.
    func streamingUnit(_ path: String) throws(SluiceError) -> SourceUnit? {
        guard FileIO.exists(path) else { return nil }
        let one = CSVSource(config: config, files: [path], schema: schema, projection: projection)
        do {
            return try one.plan().first
        } catch {
            // Cleaned away or replaced between discovery and planning: the next listing decides.
            if !FileIO.exists(path) { return nil }
            throw error
        }
    }
}
