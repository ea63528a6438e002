import SluiceCore

extension OperatorChain {
    /// Binds the transforms as stages: row operators grouped between the aggregates and dedups,
    /// which must see the rows in order (they run after the workers, in the commit loop).
    public static func bindStages(_ transforms: [TransformConfig], input: Schema) throws(SluiceError) -> [ChainStage] {
        var stages: [ChainStage] = []
        var rows: [TransformConfig] = []
        var schema = input
        func flush() throws(SluiceError) {
            guard !rows.isEmpty else { return }
            let ops = try bind(rows, input: schema)
            schema = ops.last?.outputSchema ?? schema
            stages.append(.rows(ops))
            rows = []
        }
        for t in transforms {
            switch t {
            case .aggregate(let cfg):
                try flush()
                let plan = try bindAggregate(cfg, input: schema)
                schema = plan.outputSchema
                stages.append(.aggregate(plan))
            case .dedup(let keys, let loc):
                try flush()
                for k in keys where schema.index(of: k) == nil { throw unknownColumn(k, in: schema, at: loc) }
                stages.append(.dedup(keys))
            default:
                rows.append(t)
            }
        }
        try flush()
        return stages
    }

    /// Whether any transform must see all rows in order (an aggregate or a dedup).
    public static func hasStages(_ transforms: [TransformConfig]) -> Bool {
        transforms.contains {
            switch $0 {
            case .aggregate, .dedup: true
            default: false
            }
        }
    }

    static func bindAggregate(_ cfg: AggregateConfig, input: Schema) throws(SluiceError) -> AggregatePlan {
        // Bind each expression alone first, so that an error names its own line.
        for (_, e, loc) in cfg.groupBy where AggregatePlan.firstAggregate(in: e) == nil { _ = try bind(e, input, at: loc) }
        do {
            return try AggregatePlan(
                groupBy: cfg.groupBy.map { ($0.name, $0.expression) }, compute: cfg.compute.map { ($0.name, $0.expression) },
                input: input)
        } catch {
            let text = error.description.hasPrefix("expression: ") ? String(error.description.dropFirst(12)) : error.description
            let culprit = cfg.compute.first { text.contains("'\($0.name)'") || text.contains($0.expression.description) }
            throw (culprit?.location ?? cfg.location).error(text)
        }
    }

    /// The source columns the stages need to produce `output`, walking back from the sink.
    public static func requiredSourceColumns(_ stages: [ChainStage], output: Schema) -> Set<String> {
        var needed = Set(output.names)
        for stage in stages.reversed() {
            switch stage {
            case .rows(let ops): for op in ops.reversed() { needed = op.requiredInputs(for: needed) }
            case .aggregate(let plan): needed = plan.requiredInputs
            case .dedup(let keys): needed.formUnion(keys)
            }
        }
        return needed
    }
}
