import SluiceCore

/// How a file source is read as a stream: the folder is watched, new complete files are taken in
/// modification-time order and committed micro-batch by micro-batch (Spark's file source).
///
/// Written either as `watch: true` / `watch: {trigger: 500ms, ...}` or as `mode: streaming` with
/// the same options beside it in the source.
public struct StreamingConfig: Sendable, Equatable {
    /// What happens to a file once all its rows are committed.
    public enum CleanSource: String, Sendable, CaseIterable {
        case off, archive, delete
    }

    /// How new files are noticed.
    public enum Discovery: String, Sendable, CaseIterable {
        /// inotify where the kernel offers it, polling otherwise.
        case auto
        case inotify
        case poll
    }

    /// Minimum time between batch starts, in nanoseconds; 0 starts the next batch as soon as the
    /// previous one is committed and new files are there.
    public var triggerNanos: Int64 = 0
    public var maxFilesPerTrigger: Int?
    public var maxBytesPerTrigger: Int64?
    /// Newest files first (for a backlog where fresh data matters more than order).
    public var latestFirst = false
    public var cleanSource: CleanSource = .off
    /// Where `clean_source: archive` moves files (their path below the watched folder is kept);
    /// nil means `<watched folder>/../<folder>-archive`.
    public var archiveDirectory: String?
    /// A file that was not renamed into the folder is taken once its size and modification time
    /// have not changed for this long.
    public var graceNanos: Int64 = 200_000_000
    /// How often the folder is listed when polling, and the safety re-listing period with inotify.
    public var pollNanos: Int64 = 100_000_000
    public var discovery: Discovery = .auto

    public init() {}

    /// The keys a csv source accepts for streaming, besides `watch` and `mode`.
    static let sourceKeys = [
        "trigger", "max_files_per_trigger", "max_bytes_per_trigger", "latest_first", "clean_source", "archive_dir", "grace",
        "poll_interval", "discovery",
    ]
}

extension PipelineConfig {
    /// The streaming options of a file source: nil for a batch source. `watch` may be a bool or a
    /// mapping of options; `mode: streaming` takes the options from the source mapping itself.
    static func parseStreaming(_ source: ConfigMapping) throws(SluiceError) -> StreamingConfig? {
        var options: ConfigMapping? = nil
        var streaming = false
        if let mode = source["mode"] {
            let s = try mode.string()
            guard s == "streaming" || s == "batch" else { throw mode.error("expected batch or streaming, found '\(s)'") }
            streaming = s == "streaming"
            if streaming { options = source }
        }
        if let w = source["watch"] {
            if case .mapping = w.node {
                options = try w.mapping(allowed: StreamingConfig.sourceKeys)
                streaming = true
            } else {
                streaming = try w.bool() || streaming
                if streaming { options = source }
            }
        }
        if !streaming {
            if let stray = source.entries.first(where: { StreamingConfig.sourceKeys.contains($0.key) }) {
                throw stray.node.error("'\(stray.key)' applies to a watched folder: add watch: true or mode: streaming")
            }
            return nil
        }
        var c = StreamingConfig()
        guard let m = options else { return c }
        if let n = m["trigger"] { c.triggerNanos = try streamingDuration(n, allowZero: true) }
        if let n = m["max_files_per_trigger"] { c.maxFilesPerTrigger = try n.int(min: 1) }
        if let n = m["max_bytes_per_trigger"] { c.maxBytesPerTrigger = Int64(try n.byteSize()) }
        if let n = m["latest_first"] { c.latestFirst = try n.bool() }
        if let n = m["clean_source"] {
            let s = try n.string()
            guard let v = StreamingConfig.CleanSource(rawValue: s) else {
                throw n.error("expected one of: \(StreamingConfig.CleanSource.allCases.map(\.rawValue).joined(separator: ", ")), found '\(s)'")
            }
            c.cleanSource = v
        }
        if let n = m["archive_dir"] {
            c.archiveDirectory = try n.string()
            if c.cleanSource != .archive { throw n.error("archive_dir needs clean_source: archive") }
        }
        if let n = m["grace"] { c.graceNanos = try streamingDuration(n, allowZero: true) }
        if let n = m["poll_interval"] { c.pollNanos = max(try streamingDuration(n, allowZero: false), 1_000_000) }
        if let n = m["discovery"] {
            let s = try n.string()
            guard let v = StreamingConfig.Discovery(rawValue: s) else {
                throw n.error("expected one of: \(StreamingConfig.Discovery.allCases.map(\.rawValue).joined(separator: ", ")), found '\(s)'")
            }
            c.discovery = v
        }
        return c
    }

    /// A duration in nanoseconds: `500ms`, `10s`, `0s` (when `allowZero`).
    static func streamingDuration(_ n: ConfigNode, allowZero: Bool) throws(SluiceError) -> Int64 {
        let s = try n.string()
        let digits = s.filter { $0.isNumber || $0 == "." }
        if allowZero, let v = Double(digits), v == 0 { return 0 }
        guard let seconds = parseDuration(s) else {
            throw n.error("expected a duration such as 0s, 500ms or 10s, found '\(s)'")
        }
        return Int64((seconds * 1e9).rounded())
    }
}
