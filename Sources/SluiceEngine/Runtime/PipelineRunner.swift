import SluiceCSV
import SluiceCore
import Synchronization

/// How a run behaves, beyond what the pipeline file says.
public struct RunOptions: Sendable {
    /// Forget committed splits and recreate the destination.
    public var fullRefresh = false
    /// Draw a live progress line on standard error.
    public var progress = false
    /// Overrides the pipeline's `workers`.
    public var workers: Int?
    /// Overrides the pipeline's `memory`.
    public var memory: Int?
    /// Where to write `report.json`; nil means the run folder under the state directory.
    public var reportDirectory: String?

    public init() {}
}

/// Runs a planned pipeline: plans splits, skips the committed ones, parses and transforms splits
/// on N workers, and commits them in order through the sink together with their checkpoints.
public final class PipelineRunner: Sendable {
    public let plan: PipelinePlan
    public let options: RunOptions
    public let metrics = RunMetrics()

    public init(plan: PipelinePlan, options: RunOptions) {
        self.plan = plan
        self.options = options
    }

    enum SplitEvent: Sendable {
        case batch(RecordBatch, [RejectedRow], reserved: Int)
        case encoded(EncodedBatch, [RejectedRow], reserved: Int)
    }

    /// Runs to completion, or until the task is cancelled (then it stops cleanly: every split is
    /// either committed or untouched) and returns the report either way; data errors under the
    /// `fail` policy and sink errors are thrown after the report is written.
    public func run() async throws -> RunReport {
        let config = plan.config
        let name = config.name
        let runID = Clock.utcStamp(compact: true)
        let workers = max(1, options.workers ?? config.settings.workers ?? ProcessInfoLite.activeProcessorCount)
        let budget = MemoryBudget(limit: options.memory ?? config.settings.memory ?? MemoryBudget.defaultLimit())
        let state: any StateStore =
            if let dir = plan.stateDirectory { try SQLiteStateStore(path: FileIO.join(dir, "state.sqlite")) } else { EphemeralStateStore() }
        let sink = plan.makeSink()
        var report = RunReport(pipeline: name, runID: runID, sink: sink.label, workers: workers)

        // Recover: the sink's own ledger is the truth when it has one; otherwise the state store.
        if options.fullRefresh { try state.reset(pipeline: name) }
        // An aggregating pipeline reads all its input every run (its sink replaces rows by key).
        let recompute = plan.recomputes
        let committed: [String: Checkpoint]
        do {
            committed =
                options.fullRefresh || recompute
                ? [:] : (plan.sinkHasLedger ? try await sink.committedSplits(pipeline: name) : try state.committedSplits(pipeline: name))
        } catch {
            try? await sink.close()
            throw error
        }
        let checkpoint = committed.values.max { $0.sequence < $1.sequence }
        do {
            try await sink.open(schema: plan.outputSchema, pipeline: name, recovering: checkpoint, fullRefresh: options.fullRefresh)
        } catch {
            try? await sink.close()
            throw error
        }
        let deadLetter = try AppendFile(path: plan.deadLetterPath, committedLength: checkpoint?.offsets["dead_letter"] ?? 0)

        // Plan splits, skipping unchanged complete files and committed splits.
        var work: [CSVSplit] = []
        var remaining: [String: Int] = [:]
        var lastSplit: [String: String] = [:]
        for f in plan.files {
            guard let ident = FileIdentity.of(f) else { throw SluiceError.io(path: f, message: "file disappeared") }
            if !options.fullRefresh, let last = try state.completedFile(pipeline: name, path: f, size: ident.size, modified: ident.modified),
                committed[last] != nil
            {
                report.filesSkipped += 1
                continue
            }
            let splits = try plan.source.plan(f)
            let pending = splits.filter { committed[$0.id] == nil }
            report.splitsSkipped += splits.count - pending.count
            if let last = splits.last { lastSplit[f] = last.id }
            remaining[f] = pending.count
            if pending.isEmpty, let last = splits.last {
                try state.recordFileComplete(pipeline: name, path: f, size: ident.size, modified: ident.modified, lastSplit: last.id)
            }
            work += pending
        }
        report.splitsPlanned = work.count
        report.bytesPlanned = Int(work.reduce(Int64(0)) { $0 + ($1.end - $1.start) })

        let planned = work
        let channels = planned.map { _ in BoundedChannel<SplitEvent>(capacity: 4) }
        let queue = SplitQueue()
        let progress = options.progress ? ProgressLine(metrics: metrics, totalBytes: report.bytesPlanned) : nil
        var failure: (any Error)? = nil
        var seq = checkpoint?.sequence ?? 0
        let batchRows = config.settings.batchRows
        let operators = plan.operators
        let source = plan.source
        let metrics = self.metrics
        // Rows that still go through aggregates or dedups reach the commit loop as batches.
        let encoder = plan.tail.isEmpty ? sink.encoder : nil
        let chain = plan.tail.isEmpty ? nil : try StagedChain(
            plan.tail, memoryBudget: budget.limit, spillDirectory: plan.stateDirectory ?? FileIO.temporaryDirectory())
        var output: [RecordBatch] = []
        let collect: (RecordBatch) throws(SluiceError) -> Void = { output.append($0) }

        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<min(workers, max(planned.count, 1)) {
                    group.addTask {
                        await PipelineRunner.work(
                            splits: planned, channels: channels, queue: queue, source: source,
                            operators: operators, encoder: encoder, batchRows: batchRows, budget: budget, metrics: metrics)
                    }
                }
                if let p = progress { group.addTask { await p.run() } }

                for (k, split) in planned.enumerated() {
                    var rows = 0
                    do {
                        while let event = try await channels[k].receive() {
                            let t0 = Clock.now()
                            let rejects: [RejectedRow]
                            let reserved: Int
                            switch event {
                            case let .batch(batch, r, size):
                                if let chain {
                                    try chain.push(batch, collect)
                                    for b in output {
                                        try await sink.write(b)
                                        rows += b.count
                                    }
                                    output.removeAll()
                                } else {
                                    if batch.count > 0 { try await sink.write(batch) }
                                    rows += batch.count
                                }
                                (rejects, reserved) = (r, size)
                            case let .encoded(bytes, r, size):
                                try await sink.write(encoded: bytes)
                                rows += bytes.rows
                                (rejects, reserved) = (r, size)
                            }
                            for r in rejects {
                                report.countReject(r)
                                if r.deadLetter { deadLetter.append(r.jsonLine + "\n") }
                            }
                            metrics.sinkNanos.add(Int(Clock.now() - t0), ordering: .relaxed)
                            budget.release(reserved)
                        }
                        try Task.checkCancellation()
                        // The aggregates hold this split's rows until the end: nothing to commit yet.
                        if recompute { continue }
                        let t0 = Clock.now()
                        var offsets = try await sink.prepareCommit()
                        try deadLetter.flush(sync: true)
                        offsets["dead_letter"] = deadLetter.length
                        seq += 1
                        var commit = SplitCommit(
                            pipeline: name, splitID: split.id, file: split.path, rows: rows,
                            checkpoint: Checkpoint(sequence: seq, offsets: offsets))
                        commit.source = "\(split.path)#\(split.fileSize)-\(split.modified)"
                        commit.byteStart = split.start
                        commit.byteEnd = split.end
                        try await sink.commit(commit)
                        try state.recordCommitted(commit)
                        metrics.sinkNanos.add(Int(Clock.now() - t0), ordering: .relaxed)
                    } catch {
                        await sink.rollback()
                        throw error
                    }
                    metrics.rowsWritten.add(rows, ordering: .relaxed)
                    metrics.splitsCommitted.add(1, ordering: .relaxed)
                    remaining[split.path, default: 1] -= 1
                    if remaining[split.path] == 0, let last = lastSplit[split.path], let ident = FileIdentity.of(split.path) {
                        try state.recordFileComplete(pipeline: name, path: split.path, size: ident.size, modified: ident.modified, lastSplit: last)
                    }
                }
                if let chain {
                    // End of input: the aggregates emit their groups through the rest of the
                    // chain, and all of it commits as one unit.
                    var rows = 0
                    do {
                        try chain.finish(collect)
                        for b in output {
                            try await sink.write(b)
                            rows += b.count
                        }
                        output.removeAll()
                        for r in chain.rejects {
                            report.countReject(r)
                            if r.deadLetter { deadLetter.append(r.jsonLine + "\n") }
                        }
                        if recompute {
                            var offsets = try await sink.prepareCommit()
                            try deadLetter.flush(sync: true)
                            offsets["dead_letter"] = deadLetter.length
                            seq += 1
                            let commit = SplitCommit(
                                pipeline: name, splitID: "aggregate:\(runID)", file: plan.files.joined(separator: ","), rows: rows,
                                checkpoint: Checkpoint(sequence: seq, offsets: offsets))
                            try await sink.commit(commit)
                            try state.recordCommitted(commit)
                            metrics.rowsWritten.add(rows, ordering: .relaxed)
                            metrics.splitsCommitted.add(1, ordering: .relaxed)
                        }
                    } catch {
                        await sink.rollback()
                        throw error
                    }
                }
                group.cancelAll()
            }
        } catch {
            failure = error
        }
        progress?.finish()
        try? deadLetter.flush()
        try? await sink.close()

        let cancelled = failure is CancellationError || failure is BoundedChannel<SplitEvent>.Closed || (failure as? SluiceError) == .cancelled
        report.status = failure == nil ? "completed" : (cancelled ? "cancelled" : "failed")
        if let f = failure, !cancelled { report.error = (f as? SluiceError)?.description ?? "\(f)" }
        report.finish(metrics: metrics, budgetPeak: budget.peak)
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

    /// A worker: takes the next split, parses it batch by batch, runs the operators, and hands the
    /// results to that split's channel. Errors go down the channel, so the commit loop sees them in
    /// split order, after everything before them has been committed.
    static func work(
        splits: [CSVSplit], channels: [BoundedChannel<SplitEvent>], queue: SplitQueue, source: CSVSource,
        operators: [any Operator], encoder: (any BatchEncoder)?, batchRows: Int, budget: MemoryBudget, metrics: RunMetrics
    ) async {
        while !queue.stop.load(ordering: .relaxed), !Task.isCancelled {
            let k = queue.next.add(1, ordering: .relaxed).oldValue
            guard k < splits.count else { return }
            let channel = channels[k]
            do {
                let reader = try source.reader(splits[k], batchRows: batchRows)
                var lastBytes: Int64 = 0
                while true {
                    let t0 = Clock.now()
                    guard let chunk = try reader.next() else { break }
                    let t1 = Clock.now()
                    var rejects = chunk.rejects
                    let out = try OperatorChain.run(operators, chunk.batch, rejects: &rejects)
                    let t2 = Clock.now()
                    metrics.parseNanos.add(Int(t1 - t0), ordering: .relaxed)
                    metrics.transformNanos.add(Int(t2 - t1), ordering: .relaxed)
                    metrics.rowsRead.add(chunk.batch.count + chunk.rejects.count, ordering: .relaxed)
                    metrics.rowsRejected.add(rejects.count, ordering: .relaxed)
                    metrics.bytesRead.add(Int(reader.bytesRead - lastBytes), ordering: .relaxed)
                    lastBytes = reader.bytesRead
                    let event: SplitEvent
                    let size: Int
                    if let enc = encoder {
                        // Formatting on the workers keeps the single commit loop from being the bottleneck.
                        let bytes = try enc.encode(out)
                        size = bytes.bytes.count + 64
                        event = .encoded(bytes, rejects, reserved: size)
                        metrics.transformNanos.add(Int(Clock.now() - t2), ordering: .relaxed)
                    } else {
                        size = out.byteSize
                        event = .batch(out, rejects, reserved: size)
                    }
                    try await budget.acquire(size)
                    do {
                        try await channel.send(event)
                    } catch {
                        budget.release(size)
                        throw error
                    }
                }
                channel.finish()
            } catch {
                queue.stop.store(true, ordering: .relaxed)
                channel.fail(error)
                // Later splits will never be taken; end their channels so the commit loop stops at this one.
                return
            }
        }
    }
}

/// The shared cursor over the planned splits: workers take them in order, and stop taking them
/// once one has failed.
final class SplitQueue: Sendable {
    let next = Atomic<Int>(0)
    let stop = Atomic<Bool>(false)
}

/// CPU count without Foundation.
enum ProcessInfoLite {
    static var activeProcessorCount: Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
    }
}

#if canImport(Glibc)
import Glibc
#endif
