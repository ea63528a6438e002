import SluiceCore

/// The state of one streaming run, driven by the run's task alone.
final class StreamingLoop {
    let runner: StreamingRunner
    let session: RunSession
    let source: CSVSource
    let config: StreamingConfig
    let watcher: FolderWatcher
    let log: StreamCheckpointLog?
    let cleaner: SourceCleaner
    let batchesFile: AppendFile?
    let rejectLog: AppendFile
    let status: StreamStatus
    var stats = StreamMetrics()
    var nextBatch: Int64
    var recovered: StreamCheckpointLog.Entry?
    /// The files of the batch being committed: arrival time, splits not yet committed, rows so far.
    var inflight: [String: (arrival: Int64, splits: Int, rows: Int)] = [:]
    var batchLatency: (min: Int64, max: Int64, sum: Double, rows: Int) = (0, 0, 0, 0)
    let started = Clock.now()
    var lastBatchStart: UInt64?

    init(runner: StreamingRunner, session: RunSession, runDirectory: String?) throws(SluiceError) {
        guard let csv = runner.plan.source as? CSVSource, case .csv(let c) = runner.plan.config.source else {
            throw SluiceError.invalidArgument("streaming needs a csv source")
        }
        self.runner = runner
        self.session = session
        source = csv
        config = runner.config
        watcher = try FolderWatcher(patterns: c.paths, config: config, wake: runner.wake)
        cleaner = SourceCleaner(config, roots: watcher.patterns.map(\.root))
        log = try runner.plan.stateDirectory.map { dir throws(SluiceError) in try StreamCheckpointLog(directory: FileIO.join(dir, "stream")) }
        let ledgerLast = session.committed.values.compactMap { $0.offsets["stream_batch"] }.max()
        let (logLast, unfinished) = log?.recover() ?? (nil, nil)
        nextBatch = max(ledgerLast ?? -1, logLast ?? -1) + 1
        recovered = unfinished
        batchesFile = try runDirectory.map { dir throws(SluiceError) in try AppendFile(path: FileIO.join(dir, "batches.jsonl"), committedLength: nil) }
        let logPath = DeadLetterLog.path(forDeadLetter: runner.plan.deadLetterPath)
        rejectLog = try AppendFile(path: logPath, committedLength: FileIO.fileSize(logPath) ?? 0)
        status = StreamStatus()
        status.update(method: watcher.method)
        session.onCommitted = { [unowned self] split, rows in self.committed(split, rows: rows) }
        session.onReject = { [unowned self] r in self.rejectLog.append(DeadLetterLog.line(r)) }
    }

    func run() async throws {
        let once = runner.streaming.once
        while !runner.stopRequested {
            try Task.checkCancellation()
            if config.triggerNanos > 0, let last = lastBatchStart {
                // Batches start on the trigger's boundaries; one that overran lets the next start at once.
                let due = last &+ UInt64(config.triggerNanos)
                while !runner.stopRequested, Clock.now() < due { await runner.wake.wait(nanos: Int64(due &- Clock.now())) }
                if runner.stopRequested { break }
            }
            let t0 = Clock.now()
            watcher.refresh(discover: !once)
            let files: [WatchedFile]
            let batch: Int64
            if let r = recovered {
                recovered = nil
                files = watcher.claim(r.files)
                batch = r.batch
            } else {
                files = MicroBatchPlanner.select(watcher.ready(), config)
                batch = nextBatch
            }
            if files.isEmpty {
                if once && watcher.backlog == 0 { break }
                status.update(backlog: watcher.backlog)
                await runner.wake.wait(nanos: watcher.idleNanos())
                continue
            }
            watcher.take(files.map(\.path))
            if try await runBatch(batch, files: files, started: t0) {
                lastBatchStart = t0
                nextBatch = max(nextBatch, batch + 1)
            }
        }
    }

    /// Plans, loads and commits one batch. False when all its files were committed already.
    func runBatch(_ batch: Int64, files: [WatchedFile], started t0: UInt64) async throws -> Bool {
        var units: [SourceUnit] = []
        for f in files {
            if let u = try source.streamingUnit(f.path) { units.append(u) }
        }
        let work = try session.pending(units)
        let todo = Set(work.map(\.path))
        for u in units where !todo.contains(u.path) { clean(u.path) }
        if work.isEmpty {
            try log?.commit(batch: batch)
            return false
        }
        let chosen = files.filter { todo.contains($0.path) }
        try log?.begin(batch: batch, files: chosen)
        let tPlanned = Clock.now()

        let m = runner.metrics
        let before = (
            read: m.rowsRead.load(ordering: .relaxed), written: m.rowsWritten.load(ordering: .relaxed),
            rejected: m.rowsRejected.load(ordering: .relaxed), parse: m.parseNanos.load(ordering: .relaxed),
            transform: m.transformNanos.load(ordering: .relaxed), sink: m.sinkNanos.load(ordering: .relaxed),
            commit: m.commitNanos.load(ordering: .relaxed), rejectedBy: session.report.rejectedBy
        )
        inflight = [:]
        for f in chosen { inflight[f.path] = (f.arrival(watchStarted: watcher.started), 0, 0) }
        for s in work { inflight[s.path]?.splits += 1 }
        batchLatency = (Int64.max, 0, 0, 0)
        session.checkpointExtras["stream_batch"] = batch
        try await session.process(work, of: units.filter { todo.contains($0.path) })
        let tEnd = Clock.now()
        try log?.commit(batch: batch)
        try? rejectLog.flush()
        for f in chosen { clean(f.path) }

        var r = BatchRecord(batch: batch, startedAt: WallClock.nanos() - Int64(Clock.now() &- t0), offsetSeconds: Double(t0 &- started) / 1e9)
        r.files = chosen.count
        r.bytes = chosen.reduce(0) { $0 + $1.size }
        r.rowsIn = m.rowsRead.load(ordering: .relaxed) - before.read
        r.rowsValid = m.rowsWritten.load(ordering: .relaxed) - before.written
        r.rowsInvalid = m.rowsRejected.load(ordering: .relaxed) - before.rejected
        for (k, v) in session.report.rejectedBy where v != before.rejectedBy[k, default: 0] { r.rejectedBy[k] = v - before.rejectedBy[k, default: 0] }
        r.discovery = Int64(tPlanned &- t0)
        r.readParse = Int64(m.parseNanos.load(ordering: .relaxed) - before.parse)
        r.validate = Int64(m.transformNanos.load(ordering: .relaxed) - before.transform)
        r.commit = Int64(m.commitNanos.load(ordering: .relaxed) - before.commit)
        r.write = max(Int64(m.sinkNanos.load(ordering: .relaxed) - before.sink) - r.commit, 0)
        r.total = Int64(tEnd &- t0)
        r.sincePrevious = lastBatchStart.map { Double(t0 &- $0) / 1e9 } ?? Double(t0 &- started) / 1e9
        if batchLatency.rows > 0 {
            r.latencyMin = batchLatency.min
            r.latencyMax = batchLatency.max
            r.latencyMean = batchLatency.sum / Double(batchLatency.rows)
        }
        r.backlogFiles = watcher.backlog
        stats.add(r)
        if let f = batchesFile {
            f.append(r.jsonLine + "\n")
            try? f.flush()
        }
        status.update(record: r, stats: stats)
        return true
    }

    /// After each split's commit: once a file's last split is in, its rows count for latency.
    func committed(_ split: SourceSplit, rows: Int) {
        guard var f = inflight[split.path] else { return }
        f.splits -= 1
        f.rows += rows
        inflight[split.path] = f
        guard f.splits == 0 else { return }
        let latency = max(WallClock.nanos() - f.arrival, 0)
        stats.recordLatency(nanos: latency, rows: f.rows)
        if f.rows > 0 {
            batchLatency.min = min(batchLatency.min, latency)
            batchLatency.max = max(batchLatency.max, latency)
            batchLatency.sum += Double(latency) * Double(f.rows)
            batchLatency.rows += f.rows
        }
    }

    func clean(_ path: String) {
        guard config.cleanSource != .off else { return }
        if let problem = cleaner.clean(path) {
            StandardError.write("warning: \(problem)\n")
        } else {
            watcher.forget(path)
        }
    }

    func summaryJSON(wallSeconds: Double) -> String {
        stats.json(
            config: config, discovery: watcher.method, wallSeconds: wallSeconds, once: runner.streaming.once,
            sources: watcher.patterns.map(\.text))
    }

    func finish() {
        try? rejectLog.flush()
        try? batchesFile?.flush()
    }
}
