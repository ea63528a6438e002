import SluiceCore

/// One run of a pipeline against its destination: the state store, the sink and the dead-letter
/// file opened once, then any number of `process` calls (a batch run makes one; a streaming run
/// one per micro-batch), then `close`, which writes the report.
///
/// Used by one task at a time (the caller's); the workers it starts only parse and transform.
public final class RunSession {
    public let plan: PipelinePlan
    public let options: RunOptions
    public let metrics: RunMetrics
    public let runID: String
    public let workers: Int
    public private(set) var report: RunReport
    let budget: MemoryBudget
    let state: any StateStore
    let sink: any Sink
    let deadLetter: AppendFile
    /// Splits committed before this run (empty when the output is recomputed).
    public private(set) var committed: [String: Checkpoint]
    var sequence: Int64
    /// Aggregates and dedups, which see every row of the run in input order.
    let chain: StagedChain?
    private var output: [RecordBatch] = []
    /// Extra entries for the checkpoint of every following commit (a streaming run puts its
    /// micro-batch id here, so the ledger row of each file says which batch loaded it).
    public var checkpointExtras: [String: Int64] = [:]
    /// Called after each split's commit with the rows it wrote (streaming latency metrics).
    public var onCommitted: ((SourceSplit, Int) -> Void)?
    /// Called for each rejected row as it is recorded (streaming's human-readable log).
    public var onReject: ((RejectedRow) -> Void)?

    /// Opens the state store and the sink, recovering from the last checkpoint.
    public init(plan: PipelinePlan, options: RunOptions, metrics: RunMetrics) async throws {
        self.plan = plan
        self.options = options
        self.metrics = metrics
        let name = plan.config.name
        runID = Clock.utcStamp(compact: true)
        workers = max(1, options.workers ?? plan.config.settings.workers ?? ProcessInfoLite.activeProcessorCount)
        budget = MemoryBudget(limit: options.memory ?? plan.config.settings.memory ?? MemoryBudget.defaultLimit())
        state = if options.localState, let dir = plan.stateDirectory { try SQLiteStateStore(path: FileIO.join(dir, "state.sqlite")) } else { EphemeralStateStore() }
        let sink = plan.makeSink()
        self.sink = sink
        report = RunReport(pipeline: name, runID: runID, sink: sink.label, workers: workers)
        report.planSeconds = plan.planSeconds

        // Recover: the sink's own ledger is the truth when it has one; otherwise the state store.
        if options.fullRefresh { try state.reset(pipeline: name) }
        do {
            committed =
                options.fullRefresh || plan.recomputes
                ? [:] : (plan.sinkHasLedger ? try await sink.committedSplits(pipeline: name) : try state.committedSplits(pipeline: name))
            let checkpoint = committed.values.max { $0.sequence < $1.sequence }
            try await sink.open(schema: plan.outputSchema, pipeline: name, recovering: checkpoint, fullRefresh: options.fullRefresh)
            sequence = checkpoint?.sequence ?? 0
            deadLetter = try AppendFile(path: plan.deadLetterPath, committedLength: checkpoint?.offsets["dead_letter"] ?? 0)
            chain = plan.tail.isEmpty ? nil : try StagedChain(
                plan.tail, memoryBudget: budget.limit, spillDirectory: plan.stateDirectory ?? FileIO.temporaryDirectory())
        } catch {
            try? await sink.close()
            throw error
        }
    }

    /// The splits of `units` still to do: complete unchanged files and committed splits are
    /// skipped (and counted in the report).
    public func pending(_ units: [SourceUnit]) throws(SluiceError) -> [SourceSplit] {
        let name = plan.config.name
        var work: [SourceSplit] = []
        for unit in units {
            if !options.fullRefresh, let id = unit.identity,
                let last = try state.completedFile(pipeline: name, path: unit.path, size: id.size, modified: id.modified),
                committed[last] != nil
            {
                report.filesSkipped += 1
                continue
            }
            let todo = unit.splits.filter { committed[$0.id] == nil }
            report.splitsSkipped += unit.splits.count - todo.count
            if todo.isEmpty, let last = unit.splits.last, let id = unit.identity {
                try state.recordFileComplete(pipeline: name, path: unit.path, size: id.size, modified: id.modified, lastSplit: last.id)
            }
            work += todo
        }
        return work
    }

    /// Reads, transforms and commits `splits` in order, on the session's workers. Each split
    /// commits with its checkpoint; a unit's last split also records the unit complete.
    /// `units` are those the splits came from (for that record).
    public func process(_ splits: [SourceSplit], of units: [SourceUnit]) async throws {
        report.splitsPlanned += splits.count
        let plannedBytes = splits.reduce(Int64(0)) { $0 + $1.plannedBytes }
        report.bytesPlanned += Int(plannedBytes)
        guard !splits.isEmpty else { return }
        var remaining: [String: Int] = [:]
        for s in splits { remaining[s.path, default: 0] += 1 }
        var unitOf: [String: SourceUnit] = [:]
        for u in units { unitOf[u.path] = u }

        let channels = splits.map { _ in BoundedChannel<SplitEvent>(capacity: 4) }
        let queue = SplitQueue()
        let progress = options.progress ? ProgressLine(metrics: metrics, totalBytes: Int(plannedBytes)) : nil
        let (source, operators, budget, metrics) = (plan.source, plan.operators, self.budget, self.metrics)
        let batchRows = plan.config.settings.batchRows
        // Rows that still go through aggregates or dedups reach the commit loop as batches.
        let encoder = plan.tail.isEmpty ? sink.encoder : nil
        defer { progress?.finish() }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<min(workers, splits.count) {
                group.addTask {
                    await SplitWorker(
                        splits: splits, channels: channels, queue: queue, source: source, operators: operators,
                        encoder: encoder, batchRows: batchRows, budget: budget, metrics: metrics
                    ).run()
                }
            }
            if let p = progress { group.addTask { await p.run() } }
            for (k, split) in splits.enumerated() {
                let rows = try await commitSplit(split, from: channels[k])
                metrics.rowsWritten.add(rows, ordering: .relaxed)
                metrics.splitsCommitted.add(1, ordering: .relaxed)
                onCommitted?(split, rows)
                remaining[split.path, default: 1] -= 1
                if remaining[split.path] == 0, let unit = unitOf[split.path], let last = unit.splits.last, let id = unit.identity {
                    try state.recordFileComplete(
                        pipeline: plan.config.name, path: unit.path, size: id.size, modified: id.modified, lastSplit: last.id)
                }
            }
            // A sink may hand commits off and finish them later: they are durable only now.
            try await sink.awaitCommits()
            group.cancelAll()
        }
    }

    /// Drains one split's channel into the sink and commits it (unless the output is recomputed,
    /// when the aggregates hold the rows until `finish`). Returns the rows written.
    private func commitSplit(_ split: SourceSplit, from channel: BoundedChannel<SplitEvent>) async throws -> Int {
        var rows = 0
        do {
            while let event = try await channel.receive() {
                let t0 = Clock.now()
                let rejects: [RejectedRow]
                let reserved: Int
                switch event {
                case let .batch(batch, r, size):
                    rows += try await write(batch)
                    (rejects, reserved) = (r, size)
                case let .encoded(bytes, r, size):
                    try await sink.write(encoded: bytes)
                    rows += bytes.rows
                    (rejects, reserved) = (r, size)
                }
                record(rejects)
                metrics.sinkNanos.add(Int(Clock.now() - t0), ordering: .relaxed)
                budget.release(reserved)
            }
            try Task.checkCancellation()
            if plan.recomputes { return 0 }
            let t0 = Clock.now()
            var commit = SplitCommit(pipeline: plan.config.name, splitID: split.id, file: split.path, rows: rows, checkpoint: try await nextCheckpoint())
            commit.source = split.source
            commit.byteStart = split.range?.start ?? 0
            commit.byteEnd = split.range?.end ?? 0
            try await sink.commit(commit)
            try state.recordCommitted(commit)
            metrics.sinkNanos.add(Int(Clock.now() - t0), ordering: .relaxed)
            metrics.commitNanos.add(Int(Clock.now() - t0), ordering: .relaxed)
            return rows
        } catch {
            await sink.rollback()
            throw error
        }
    }

    /// Pushes a batch through the aggregates and dedups (when there are any) and writes what
    /// comes out. Returns the rows written.
    private func write(_ batch: RecordBatch) async throws -> Int {
        guard let chain else {
            if batch.count > 0 { try await sink.write(batch) }
            return batch.count
        }
        try chain.push(batch) { self.output.append($0) }
        return try await drainOutput()
    }

    private func drainOutput() async throws -> Int {
        var rows = 0
        for b in output {
            try await sink.write(b)
            rows += b.count
        }
        output.removeAll()
        return rows
    }

    private func record(_ rejects: [RejectedRow]) {
        for r in rejects {
            report.countReject(r)
            if r.deadLetter { deadLetter.append(r.jsonLine + "\n") }
            onReject?(r)
        }
    }

    /// Flushes the sink and the dead-letter file and numbers the next commit.
    private func nextCheckpoint() async throws -> Checkpoint {
        var offsets = try await sink.prepareCommit()
        try deadLetter.flush(sync: true)
        offsets["dead_letter"] = deadLetter.length
        offsets.merge(checkpointExtras) { _, extra in extra }
        sequence += 1
        return Checkpoint(sequence: sequence, offsets: offsets)
    }

    /// End of input: the aggregates emit their groups through the rest of the chain, and, for a
    /// recomputed output, all of it commits as one unit.
    public func finish() async throws {
        guard let chain else { return }
        do {
            try chain.finish { self.output.append($0) }
            report.rowsSpilled = chain.rowsSpilled
            let rows = try await drainOutput()
            record(chain.rejects)
            if plan.recomputes {
                let commit = SplitCommit(
                    pipeline: plan.config.name, splitID: "aggregate:\(runID)", file: Self.inputsLabel(plan.files), rows: rows,
                    checkpoint: try await nextCheckpoint())
                try await sink.commit(commit)
                try await sink.awaitCommits()
                try state.recordCommitted(commit)
                // After the sink's commit: a crash before this line re-runs the same slices, which
                // replace themselves with the same rows.
                if let selection = plan.incremental { try state.replaceFileSlices(pipeline: plan.config.name, selection.record) }
                metrics.rowsWritten.add(rows, ordering: .relaxed)
                metrics.splitsCommitted.add(1, ordering: .relaxed)
            }
        } catch {
            await sink.rollback()
            throw error
        }
    }

    /// The ledger's `file` of a commit made from all the input: bounded, because PostgreSQL
    /// indexes that column and refuses index rows over 2,704 bytes (720 paths joined were 3,160).
    static func inputsLabel(_ files: [String]) -> String {
        guard let first = files.first else { return "" }
        return files.count == 1 ? first : "\(first) and \(files.count - 1) more"
    }

    /// Closes the sink, writes the report and records the run. Rethrows `failure` unless it was
    /// a cancellation (then the report says `cancelled`).
    @discardableResult
    public func close(failure: (any Error)?) async throws -> RunReport {
        try? deadLetter.flush()
        try? await sink.close()
        let name = plan.config.name
        let cancelled = failure is CancellationError || failure is BoundedChannel<SplitEvent>.Closed || (failure as? SluiceError) == .cancelled
        report.status = failure == nil ? "completed" : (cancelled ? "cancelled" : "failed")
        if let f = failure, !cancelled { report.error = (f as? SluiceError)?.description ?? "\(f)" }
        report.finish(metrics: metrics, budgetPeak: budget.peak)
        if let s = plan.source as? ReportingSource {
            report.sections.append((s.reportSection.name, s.reportSection.json))
            report.sourceSummary.append(s.reportSummary)
        }
        if let selection = plan.incremental {
            report.sections.append(("incremental", selection.json))
            report.sourceSummary.append(selection.summary)
        }
        report.deadLetter = report.rejectedToDeadLetter > 0 ? plan.deadLetterPath : nil
        let reportDir = options.reportDirectory ?? plan.stateDirectory.map { FileIO.join(FileIO.join($0, "runs"), runID) }
        if let dir = reportDir {
            do {
                try FileIO.makeDirectories(dir)
                try FileIO.writeText(FileIO.join(dir, "report.json"), report.json)
                report.reportPath = FileIO.join(dir, "report.json")
            } catch {
                report.error = (report.error.map { $0 + "; " } ?? "") + "cannot write report: \(error.message)"
            }
        }
        try? state.recordRun(pipeline: name, runID: runID, status: report.status, rowsOut: report.rowsWritten, report: report.reportPath ?? "")
        if let f = failure, !cancelled { throw f }
        return report
    }
}

/// What a worker hands the commit loop for one split.
enum SplitEvent: Sendable {
    case batch(RecordBatch, [RejectedRow], reserved: Int)
    case encoded(EncodedBatch, [RejectedRow], reserved: Int)
}
