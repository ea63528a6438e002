import SluiceCore
import Yams

/// A nise-style static OpenShift scenario: nodes, their namespaces and pods, with requests,
/// limits, usage and labels over a date range (`../shared/reference/domain-specs.md` 3d).
///
/// The file is nise's static YAML (`generators: - OCPGenerator: {start_date, end_date, nodes}`),
/// plus three additions for regression and scale tests: a pod's `replicas: N` makes N pods named
/// `name-0` … `name-(N-1)`; a node's `node_role` (default `worker`); a pod's `emit_limits: false`
/// leaves its limit cells empty, as the operator does for pods without limits. Values nise would
/// draw at random when absent are drawn from a seeded generator, so a scenario always produces
/// the same rows.
public struct OCPScenario: Sendable {
    /// Usage by day: a value for the whole range, overridden per date.
    public struct Usage: Sendable {
        public var fullPeriod: Double?
        /// Days since 1970-01-01 → value.
        public var byDay: [Int: Double] = [:]

        func value(day: Int) -> Double? { byDay[day] ?? fullPeriod }
    }

    public struct Pod: Sendable {
        public var name: String
        public var cpuRequest: Double
        public var memoryRequestGiB: Double
        public var cpuLimit: Double
        public var memoryLimitGiB: Double
        public var podSeconds: Int
        public var cpuUsage: Usage
        public var memoryUsageGiB: Usage
        public var labels: String
        public var emitLimits: Bool
    }

    public struct Namespace: Sendable {
        public var name: String
        public var labels: String
        public var pods: [Pod]
    }

    public struct Node: Sendable {
        public var name: String
        public var labels: String
        public var cpuCores: Int
        public var memoryGiB: Double
        public var resourceID: String
        public var role: String
        public var namespaces: [Namespace]
    }

    /// First day (days since 1970-01-01) and the day after the last.
    public var startDay: Int
    public var endDay: Int
    public var nodes: [Node]

    /// Reads a scenario file; errors name the file, line and key.
    public static func load(path: String, seed: UInt64 = 42) throws(SluiceError) -> OCPScenario {
        let text: String
        do { text = try FileIO.readText(path) } catch { throw SluiceError.io(path: path, message: "cannot read scenario: \(error.message)") }
        return try parse(yaml: text, file: path, seed: seed)
    }

    public static func parse(yaml: String, file: String, seed: UInt64 = 42) throws(SluiceError) -> OCPScenario {
        let root: Yams.Node
        do {
            guard let n = try Yams.compose(yaml: yaml) else {
                throw ConfigLocation(file: file, line: 1, column: 1, key: "").error("the scenario is empty (expected generators)")
            }
            root = n
        } catch let e as SluiceError {
            throw e
        } catch let e as YamlError {
            throw PipelineConfig.yamlError(e, file: file)
        } catch {
            throw ConfigLocation(file: file, line: 1, column: 1, key: "").error("\(error)")
        }
        var random = GeneratorRandom(seed: seed)
        let top = try ConfigNode(node: root, file: file, key: "", environment: [:]).mapping(allowed: ["generators"])
        let generators = try top.required("generators", "a list with one OCPGenerator").sequence(expecting: "generators")
        guard generators.count == 1, let g = generators.first else {
            throw top.node.error("expected exactly one generator (OCPGenerator), found \(generators.count)")
        }
        let ocp = try g.mapping(allowed: ["OCPGenerator"]).required("OCPGenerator", "the OCP generator's settings")
        let m = try ocp.mapping(allowed: ["start_date", "end_date", "nodes"])
        let startNode = try m.required("start_date", "the first day, YYYY-MM-DD")
        guard let start = CivilTime.parseDate(try startNode.string()) else {
            throw startNode.error("start_date must be a date (YYYY-MM-DD)")
        }
        let endNode = try m.required("end_date", "the day after the last, YYYY-MM-DD, or a number of days")
        let endText = try endNode.string()
        let end: Int
        if let days = Int(endText) {
            end = Int(start) + days
        } else if let d = CivilTime.parseDate(endText) {
            end = Int(d)
        } else {
            throw endNode.error("end_date must be a date (YYYY-MM-DD) or a number of days after start_date")
        }
        guard end > Int(start) else { throw endNode.error("end_date must come after start_date") }
        var nodes: [Node] = []
        for n in try m.required("nodes", "the cluster's nodes").sequence(expecting: "nodes") {
            nodes.append(try parseNode(n, &random))
        }
        return OCPScenario(startDay: Int(start), endDay: end, nodes: nodes)
    }

    private static func parseNode(_ node: ConfigNode, _ random: inout GeneratorRandom) throws(SluiceError) -> Node {
        let m = try node.mapping(allowed: [
            "node", "node_name", "node_labels", "cpu_cores", "memory_gig", "resource_id", "node_role", "namespaces",
        ])
        let name = try m.required("node_name", "the node's name").string()
        let cores = try m["cpu_cores"]?.int(min: 1) ?? 2 + random.below(15)
        let memory = try m["memory_gig"]?.double() ?? Double(2 + random.below(7))
        let resource = try m["resource_id"]?.string() ?? String(10_000_000 + random.below(89_999_999))
        var namespaces: [Namespace] = []
        if let ns = m["namespaces"] {
            for (nsName, nsNode) in try ns.anyMapping(expecting: "namespaces by name").entries {
                let nm = try nsNode.mapping(allowed: ["namespace_labels", "pods", "volumes"])
                var pods: [Pod] = []
                for p in try nm["pods"]?.sequence(expecting: "pods") ?? [] {
                    pods += try parsePod(p, cores: Double(cores), memory: memory, &random)
                }
                namespaces.append(Namespace(name: nsName, labels: try nm["namespace_labels"]?.string() ?? "", pods: pods))
            }
        }
        return Node(
            name: name, labels: try m["node_labels"]?.string() ?? "", cpuCores: cores, memoryGiB: memory,
            resourceID: "i-" + resource, role: try m["node_role"]?.string() ?? "worker", namespaces: namespaces)
    }

    private static func parsePod(_ node: ConfigNode, cores: Double, memory: Double, _ random: inout GeneratorRandom) throws(SluiceError) -> [Pod] {
        let m = try node.mapping(allowed: [
            "pod", "pod_name", "cpu_request", "mem_request_gig", "cpu_limit", "mem_limit_gig", "pod_seconds", "cpu_usage",
            "mem_usage_gig", "labels", "replicas", "emit_limits",
        ])
        let name = try m.required("pod_name", "the pod's name").string()
        // nise: limits default to (and are capped at) the node's size, requests at the limits.
        let cpuLimit = Swift.min(try m["cpu_limit"]?.double() ?? cores, cores)
        let memLimit = Swift.min(try m["mem_limit_gig"]?.double() ?? memory, memory)
        let cpuRequest = Swift.min(try m["cpu_request"]?.double() ?? rounded(uniform(&random, 0.02, cpuLimit), 5), cpuLimit)
        let memRequest = Swift.min(try m["mem_request_gig"]?.double() ?? rounded(uniform(&random, 0.25, memLimit), 2), memLimit)
        let seconds = try m["pod_seconds"]?.int(min: 0) ?? 2 + random.below(3599)
        guard seconds <= 3600 else { throw (m["pod_seconds"] ?? node).error("pod_seconds is per hour, at most 3600") }
        let pod = Pod(
            name: name, cpuRequest: cpuRequest, memoryRequestGiB: memRequest, cpuLimit: cpuLimit, memoryLimitGiB: memLimit,
            podSeconds: seconds, cpuUsage: try usage(m["cpu_usage"]), memoryUsageGiB: try usage(m["mem_usage_gig"]),
            labels: try m["labels"]?.string() ?? "", emitLimits: try m["emit_limits"]?.bool() ?? true)
        guard let r = m["replicas"] else { return [pod] }
        let replicas = try r.int(min: 1)
        return (0..<replicas).map { i in
            var p = pod
            p.name = "\(name)-\(i)"
            return p
        }
    }

    /// `{full_period: v}` and/or `{"M-D-YYYY": v, …}`, as nise writes them.
    private static func usage(_ node: ConfigNode?) throws(SluiceError) -> Usage {
        guard let node else { return Usage() }
        var u = Usage()
        for (key, value) in try node.anyMapping(expecting: "usage by period").entries {
            if key == "full_period" {
                u.fullPeriod = try value.double()
                continue
            }
            let parts = key.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3 else { throw value.error("usage keys are full_period or dates as M-D-YYYY, found '\(key)'") }
            u.byDay[CivilTime.daysFromCivil(parts[2], parts[0], parts[1])] = try value.double()
        }
        return u
    }

    private static func uniform(_ random: inout GeneratorRandom, _ low: Double, _ high: Double) -> Double {
        low + (Swift.max(high, low) - low) * random.unit()
    }

    private static func rounded(_ v: Double, _ places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (v * scale).rounded() / scale
    }
}
