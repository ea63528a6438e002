import SluiceCore
import SluicePostgres

/// Runs a pipeline as one of any number of worker processes, on any machines, that share its
/// splits through a lease table beside the PostgreSQL sink's ledger.
///
/// Every worker plans the same splits and registers them (idempotently); then each claims a
/// few at a time, renews their leases while it reads and commits them, and claims again, until
/// no split is left uncommitted. A worker that dies stops renewing; its leases expire and
/// another worker takes its splits over. Its open transaction died with it, so no row of those
/// splits is in the table, and the ledger's primary key keeps a late commit of a split from
/// landing twice.
public final class SharedJobRunner: Sendable {
    public let plan: PipelinePlan
    public let options: RunOptions
    /// This worker's name in the lease table.
    public let owner: String
    /// Seconds a claim lasts without renewal.
    public let leaseSeconds: Int
    public let metrics = RunMetrics()

    public init(plan: PipelinePlan, options: RunOptions, owner: String, leaseSeconds: Int) {
        self.plan = plan
        self.options = options
        self.owner = owner
        self.leaseSeconds = max(2, leaseSeconds)
    }

    /// Works until every split of the job is committed (by this worker or others), or until
    /// cancelled; returns this worker's report.
    public func run() async throws -> RunReport {
        guard case .postgres(let pg) = plan.config.sink else {
            throw SluiceError.invalidArgument(
                "a shared job needs a postgres sink: its ledger and lease table are what the workers share (\(plan.config.file))")
        }
        if plan.recomputes {
            throw SluiceError.invalidArgument("an aggregating pipeline sees all rows at once; run it with `sluice run`, not as a shared job")
        }
        let leases = try await PostgresSplitLeases(settings: pg.connection, beside: pg.table, pipeline: plan.config.name, owner: owner)
        let session: RunSession
        do {
            session = try await RunSession(plan: plan, options: options, metrics: metrics)
        } catch {
            await leases.close()
            throw error
        }
        var failure: (any Error)? = nil
        do {
            let units = try plan.source.plan(resuming: Set(session.committed.keys))
            var byID: [String: SourceSplit] = [:]
            var order: [String] = []
            for u in units {
                for s in u.splits {
                    byID[s.id] = s
                    order.append(s.id)
                }
            }
            try await leases.register(order)
            try await work(session, leases, byID)
            try await session.finish()
        } catch {
            failure = error
        }
        await leases.close()
        return try await session.close(failure: failure)
    }

    private func work(_ session: RunSession, _ leases: PostgresSplitLeases, _ byID: [String: SourceSplit]) async throws {
        let lease = leaseSeconds
        while true {
            try Task.checkCancellation()
            let ids = try await leases.claim(session.workers, lease: lease)
            guard !ids.isEmpty else {
                let (free, leased) = try await leases.outstanding()
                if free == 0, leased == 0 { return }
                // Others hold the rest: wait for them to commit, or for their leases to expire.
                try await Task.sleep(nanoseconds: 250_000_000)
                continue
            }
            let splits = try ids.map { id throws(SluiceError) -> SourceSplit in
                guard let s = byID[id] else {
                    throw SluiceError.invalidArgument(
                        "split \(id) is in the job's lease table but this worker did not plan it: the workers must run the same pipeline over the same files")
                }
                return s
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await Task.sleep(nanoseconds: UInt64(lease) * 1_000_000_000 / 3)
                        try await leases.renew(ids, lease: lease)
                    }
                }
                // Not `of: units`: a worker commits only some splits of a file, so it never
                // records a file complete.
                try await session.process(splits, of: [])
                group.cancelAll()
            }
        }
    }
}
