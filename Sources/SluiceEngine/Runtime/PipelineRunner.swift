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
    /// Keep the local state store (off for shared jobs, whose state is the sink's ledger and
    /// the lease table, and whose workers may share a folder).
    public var localState = true

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

    /// Runs to completion, or until the task is cancelled (then it stops cleanly: every split is
    /// either committed or untouched) and returns the report either way; data errors under the
    /// `fail` policy and sink errors are thrown after the report is written.
    public func run() async throws -> RunReport {
        let session = try await RunSession(plan: plan, options: options, metrics: metrics)
        var failure: (any Error)? = nil
        do {
            let units = try plan.source.plan(resuming: Set(session.committed.keys))
            let work = try session.pending(units)
            try await session.process(work, of: units)
            try await session.finish()
        } catch {
            failure = error
        }
        return try await session.close(failure: failure)
    }
}

/// A worker: takes the next split, reads it batch by batch, runs the operators, and hands the
/// results to that split's channel. Errors go down the channel, so the commit loop sees them in
/// split order, after everything before them has been committed.
struct SplitWorker: Sendable {
    let splits: [SourceSplit]
    let channels: [BoundedChannel<SplitEvent>]
    let queue: SplitQueue
    let source: any PipelineSource
    let operators: [any Operator]
    let encoder: (any BatchEncoder)?
    let batchRows: Int
    let budget: MemoryBudget
    let metrics: RunMetrics

    func run() async {
        while !queue.stop.load(ordering: .relaxed), !Task.isCancelled {
            let k = queue.next.add(1, ordering: .relaxed).oldValue
            guard k < splits.count else { return }
            let channel = channels[k]
            do {
                let reader = try source.reader(for: splits[k], batchRows: batchRows)
                var lastBytes: Int64 = 0
                while true {
                    let t0 = Clock.now()
                    guard let chunk = try await reader.next() else { break }
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
