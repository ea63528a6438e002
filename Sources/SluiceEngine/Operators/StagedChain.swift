import SluiceCore

/// One step of a transform chain: row operators that map each batch as it comes, or an
/// aggregate that must see every row before it can emit anything.
public enum ChainStage: Sendable {
    case rows([any Operator])
    case aggregate(AggregatePlan)
    /// The first row of each key (names of key columns), across the whole input in order.
    case dedup([String])
}

/// A transform chain cut at its aggregates, run by pushing batches through it: row stages map
/// each batch and pass it on; an aggregate stage folds batches into its (spilling) state and, at
/// `finish`, emits its groups into the stages after it, which may hold further aggregates.
///
/// One chain run is driven by one task (`push` then `finish`), so the aggregate states need no
/// locking; the row operators themselves are shared and stateless.
public final class StagedChain {
    public let stages: [ChainStage]
    private var aggregators: [SpillingAggregator?]
    private var dedups: [Int: DedupFilter] = [:]
    /// Rows the row operators rejected (validation), with their reasons.
    public private(set) var rejects: [RejectedRow] = []
    /// Rows the finished aggregates wrote to spill files (at every level).
    public private(set) var rowsSpilled = 0

    public init(_ stages: [ChainStage], memoryBudget: Int, spillDirectory: String) throws(SluiceError) {
        self.stages = stages
        var aggregators: [SpillingAggregator?] = []
        // Each aggregate gets an equal share of the budget.
        let count = Swift.max(1, stages.filter { if case .aggregate = $0 { true } else { false } }.count)
        for stage in stages {
            if case .aggregate(let plan) = stage {
                aggregators.append(try plan.makeAggregator(memoryBudget: memoryBudget / count, spillDirectory: spillDirectory))
            } else {
                aggregators.append(nil)
            }
        }
        self.aggregators = aggregators
    }

    /// The schema the chain emits, given the schema it is fed.
    public static func outputSchema(_ stages: [ChainStage], input: Schema) -> Schema {
        var schema = input
        for stage in stages {
            switch stage {
            case .rows(let ops): schema = ops.last?.outputSchema ?? schema
            case .aggregate(let plan): schema = plan.outputSchema
            case .dedup: break
            }
        }
        return schema
    }

    /// Feeds one input batch; whatever comes out of the chain (before any aggregate, or when there
    /// is none) goes to `emit`.
    public func push(_ batch: RecordBatch, _ emit: (RecordBatch) throws(SluiceError) -> Void) throws(SluiceError) {
        try push(batch, from: 0, emit)
    }

    /// Ends the input: aggregates emit their groups, in order, through the rest of the chain.
    public func finish(_ emit: (RecordBatch) throws(SluiceError) -> Void) throws(SluiceError) {
        for (i, stage) in stages.enumerated() {
            guard case .aggregate(let plan) = stage, let aggregator = aggregators[i] else { continue }
            aggregators[i] = nil
            try plan.finish(aggregator) { (groups: RecordBatch) throws(SluiceError) in
                try push(groups, from: i + 1, emit)
            }
            rowsSpilled += aggregator.spilledRows
        }
    }

    private func push(_ batch: RecordBatch, from start: Int, _ emit: (RecordBatch) throws(SluiceError) -> Void) throws(SluiceError) {
        var b = batch
        var i = start
        while i < stages.count {
            switch stages[i] {
            case .rows(let ops):
                b = try OperatorChain.run(ops, b, rejects: &rejects)
            case .aggregate(let plan):
                guard let aggregator = aggregators[i] else {
                    throw .invalidArgument("internal error: rows reached aggregate stage \(i) after it finished")
                }
                try plan.consume(b, into: aggregator)
                return
            case .dedup(let keys):
                if dedups[i] == nil { dedups[i] = try DedupFilter(schema: b.schema, keys: keys) }
                b = dedups[i]?.filter(b) ?? b
            }
            i += 1
        }
        if b.count > 0 { try emit(b) }
    }
}
