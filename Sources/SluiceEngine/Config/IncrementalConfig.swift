import SluiceCore

/// `incremental:` — an aggregating pipeline whose output is made of slices (days, say), each
/// computed only from the input rows of that slice. A re-run reads the files that are new or
/// changed, finds the slices they touch, and recomputes only those, reading the other files that
/// hold rows of them and replacing them in the sink.
///
/// ```yaml
/// incremental:
///   by: {usage_start: "date(substr(interval_start, 1, 10))"}
/// ```
public struct IncrementalConfig: Sendable {
    /// The output column that names a row's slice.
    public var column: String
    /// The same value computed from an input row (of the source, and of every lookup marked
    /// `incremental: true`).
    public var expression: Expr
    public var location: ConfigLocation

    /// The slice of a row as text: the expression cast to a string, so slices of any type are
    /// stored, compared and filtered the same way.
    public var sliceText: Expr { .call("cast", [expression, .literal(.string("string"))]) }
}

extension IncrementalConfig {
    /// Only a sink that deletes a slice's old rows before writing its new ones keeps a recomputed
    /// slice from leaving stale groups behind.
    func checkSink(_ config: PipelineConfig) throws(SluiceError) {
        let need = "incremental needs a sink that replaces whole slices: postgres with mode: replace and '\(column)' in partition_keys"
        guard case .postgres(let p) = config.sink, p.mode == .replace else { throw location.error(need) }
        guard p.partitionKeys.contains(column) else { throw (p.keyLocation ?? p.location).error(need) }
        if case .csv(let c) = config.source, c.streaming != nil {
            throw location.error("incremental applies to files read once; a watched folder is incremental by file already")
        }
        if case .http = config.source { throw location.error("incremental applies to file sources (csv, parquet); an API source is incremental by window already") }
    }

    /// Checks against the bound plan: the pipeline aggregates, its output has the slice column,
    /// and the source's rows can compute the slice.
    func check(recomputes: Bool, output: Schema, source: Schema) throws(SluiceError) {
        guard recomputes else {
            throw location.error("incremental applies to a pipeline that aggregates; one that does not is incremental by file already")
        }
        guard output.index(of: column) != nil else {
            throw location.error("incremental column '\(column)'\(Suggest.didYouMean(column, output.names)) is not in the output (columns: \(output.names.joined(separator: ", ")))")
        }
        do { _ = try BoundExpression(sliceText, schema: source) } catch {
            throw location.error("incremental: '\(expression)' cannot be computed from the source's rows: \(error.description)")
        }
    }
}

extension PipelineConfig {
    static func parseIncremental(_ node: ConfigNode) throws(SluiceError) -> IncrementalConfig {
        let m = try node.mapping(allowed: ["by"])
        let by = try m.required("by", "the output column naming a row's slice, and how to compute it from an input row")
        let entries = try by.anyMapping(expecting: "column: expression, e.g. {usage_start: \"date(substr(interval_start, 1, 10))\"}").entries
        guard entries.count == 1, let (column, e) = entries.first else {
            throw by.error("by takes exactly one column: expression")
        }
        return IncrementalConfig(column: column, expression: try parseExpression(e), location: by.location)
    }
}
