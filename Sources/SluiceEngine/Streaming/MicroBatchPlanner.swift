/// Picks the files of the next micro-batch from the complete ones: modification-time order
/// (newest first with `latest_first`), at most `max_files_per_trigger` files and
/// `max_bytes_per_trigger` bytes, but always at least one file, as in Spark.
enum MicroBatchPlanner {
    static func select(_ ready: [WatchedFile], _ config: StreamingConfig) -> [WatchedFile] {
        let ordered = ready.sorted { a, b in
            if a.modified != b.modified { return config.latestFirst ? a.modified > b.modified : a.modified < b.modified }
            return a.path < b.path
        }
        var out: [WatchedFile] = []
        var bytes: Int64 = 0
        for f in ordered {
            if let m = config.maxFilesPerTrigger, out.count >= m { break }
            if let m = config.maxBytesPerTrigger, !out.isEmpty, bytes + f.size > m { break }
            out.append(f)
            bytes += f.size
        }
        return out
    }
}
