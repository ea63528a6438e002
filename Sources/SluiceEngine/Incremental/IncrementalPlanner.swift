import SluiceCore

/// Plans a run of a pipeline with `incremental:`: finds the files that are new, changed or gone
/// since the state's record, reads the slices of the new and changed ones (only the columns the
/// `by` expression needs), and plans a run over just the files holding rows of the touched
/// slices, with a filter keeping only those rows. Pipelines without `incremental:` plan as usual.
public enum IncrementalPlanner {
    public enum Outcome: Sendable {
        case run(PipelinePlan)
        /// No file is new, changed or removed: nothing to recompute.
        case upToDate(files: Int)
    }

    public static func plan(_ config: PipelineConfig, fullRefresh: Bool) throws(SluiceError) -> Outcome {
        guard let inc = config.incremental else { return .run(try PipelinePlan(config)) }
        let started = Clock.now()
        var sources: [(config: SourceConfig, role: String)] = [(config.source, "the source")]
        for case .join(let j) in config.transforms where j.sliced { sources.append((j.lookupSource, "the lookup at line \(j.location.line)")) }
        // Listing is enough here: only the new and changed files are opened, below.
        var listed: [[String]] = []
        for s in sources { listed.append(try FileScan.files(of: s.config)) }
        let inputs = listed.map { files in
            files.compactMap { p in FileIdentity.of(p).map { InputFile(path: p, size: $0.size, modified: $0.modified) } }
        }

        let store: (any StateStore)? = try PipelinePlan.stateDirectory(config).map { dir throws(SluiceError) in try SQLiteStateStore(path: FileIO.join(dir, "state.sqlite")) }
        let known = fullRefresh ? [:] : try store?.fileSlices(pipeline: config.name) ?? [:]
        let changed = Set(SliceSelection.changed(inputs, known: known).map(\.path))
        var scanned: [String: Set<String>] = [:]
        for (k, s) in sources.enumerated() {
            let todo = listed[k].filter { changed.contains($0) && scanned[$0] == nil }
            if todo.isEmpty { continue }
            for (path, slices) in try slices(of: Set(todo), source: s.config, by: inc, role: s.role) { scanned[path] = slices }
        }
        let selection = SliceSelection.choose(inputs, known: known, scanned: scanned)
        if selection.isEmpty {
            // New files without rows, or removed files without slices: only the record changes.
            if !fullRefresh { try store?.replaceFileSlices(pipeline: config.name, selection.record) }
            return .upToDate(files: selection.record.count)
        }

        var restricted = config
        restricted.source = narrowed(config.source, to: selection.reads[0])
        if selection.reads[0].filtered { restricted.transforms.insert(.filter(filter(inc, selection.slices), inc.location), at: 0) }
        var k = 1
        for (i, t) in restricted.transforms.enumerated() {
            guard case .join(var j) = t, j.sliced else { continue }
            j.lookupSource = narrowed(j.lookupSource, to: selection.reads[k])
            if selection.reads[k].filtered { j.lookupTransforms.insert(.filter(filter(inc, selection.slices), inc.location), at: 0) }
            restricted.transforms[i] = .join(j)
            k += 1
        }
        var plan = try PipelinePlan(restricted)
        plan.incremental = selection
        plan.planSeconds = Clock.seconds(since: started)
        return .run(plan)
    }

    /// The rows of the recomputed slices; rows whose slice is null belong to none and go with
    /// their file, as in a full run.
    static func filter(_ inc: IncrementalConfig, _ slices: Set<String>) -> Expr {
        .binary(.or, .inList(inc.sliceText, slices.sorted().map { .literal(.string($0)) }, negated: false), .isNull(inc.expression, negated: false))
    }

    /// The source reading only `read.files`. An input left with no file keeps its listing and
    /// relies on the filter, since a source needs a file to know its schema.
    static func narrowed(_ source: SourceConfig, to read: SliceSelection.InputRead) -> SourceConfig {
        switch source {
        case .csv(var c):
            c.only = Set(read.files)
            return .csv(c)
        case .parquet(var c):
            c.only = Set(read.files)
            return .parquet(c)
        case .http:
            return source
        }
    }

    /// The distinct slices of each file in `files`, reading only the columns of the `by` expression.
    static func slices(of files: Set<String>, source: SourceConfig, by inc: IncrementalConfig, role: String) throws(SluiceError) -> [String: Set<String>] {
        let narrow = narrowed(source, to: .init(files: Array(files), filtered: false))
        let scan = try FileScan(narrow, role: "an incremental input").projected(to: inc.expression.columnReferences)
        let bound: BoundExpression
        do {
            bound = try BoundExpression(inc.sliceText, schema: scan.readSchema)
        } catch {
            throw inc.location.error("incremental: '\(inc.expression)' cannot be computed from the rows of \(role): \(error.description)")
        }
        var out: [String: Set<String>] = [:]
        for f in files { out[f] = [] }
        // Rows that do not parse are the run's to dead-letter; here they belong to no slice.
        try scan.scan(rejected: { _ in }) { file, batch throws(SluiceError) in
            let column = try bound.evaluate(batch)
            var found = out[file] ?? []
            var last: [UInt8] = []
            for i in 0..<column.count where column.isValid(i) {
                let bytes = column.stringBytes(at: i)
                if bytes.elementsEqual(last) { continue }
                last = Array(bytes)
                found.insert(String(decoding: bytes, as: UTF8.self))
            }
            out[file] = found
        }
        return out
    }
}
