import SluiceCore

/// Writes a scenario's hourly reports as the koku-metrics-operator does, one file per day so a
/// new day is a new file: `pod_usage/YYYY-MM-DD.csv` (one row per pod and hour, the 20 columns of
/// the operator's pod report), `node_labels/YYYY-MM-DD.csv` and `namespace_labels/YYYY-MM-DD.csv`
/// (one row per node or namespace and hour).
///
/// Per hour and pod, as nise computes them: usage = pod_seconds × min(limit, usage of the day)
/// (a seeded draw in [0.02, limit] cores or [1, limit] GiB when the scenario gives none),
/// request = pod_seconds × request, limit = pod_seconds × limit; memory in bytes (GiB = 2^30);
/// node capacity seconds = capacity × 3600.
public struct OCPGenerator: Sendable {
    public static let podUsageHeader = [
        "report_period_start", "report_period_end", "interval_start", "interval_end", "node", "namespace", "pod",
        "pod_usage_cpu_core_seconds", "pod_request_cpu_core_seconds", "pod_limit_cpu_core_seconds",
        "pod_usage_memory_byte_seconds", "pod_request_memory_byte_seconds", "pod_limit_memory_byte_seconds",
        "node_capacity_cpu_cores", "node_capacity_cpu_core_seconds", "node_capacity_memory_bytes",
        "node_capacity_memory_byte_seconds", "node_role", "resource_id", "pod_labels",
    ]
    static let labelsPrefix = ["report_period_start", "report_period_end", "interval_start", "interval_end"]

    public let scenario: OCPScenario
    public let seed: UInt64

    public init(_ scenario: OCPScenario, seed: UInt64 = 42) {
        self.scenario = scenario
        self.seed = seed
    }

    /// Pod-hour rows the scenario produces.
    public var podRows: Int {
        let pods = scenario.nodes.reduce(0) { $0 + $1.namespaces.reduce(0) { $0 + $1.pods.count } }
        return pods * 24 * (scenario.endDay - scenario.startDay)
    }

    /// Writes every day's three files under `directory`; returns the files and their rows.
    public func write(to directory: String) throws(SluiceError) -> [(path: String, rows: Int)] {
        var written: [(path: String, rows: Int)] = []
        for kind in ["pod_usage", "node_labels", "namespace_labels"] {
            try GeneratorOutputFile.createDirectories(GeneratorOutputFile.join(directory, kind))
        }
        // One stream of draws for the whole range, so a day's values do not depend on which days
        // were generated before it only through the seed.
        var random = GeneratorRandom(seed: seed)
        for day in scenario.startDay..<scenario.endDay {
            let name = CivilTime.formatDate(days: Int32(day)) + ".csv"
            written.append(try writePods(day: day, path: GeneratorOutputFile.join(directory, "pod_usage/" + name), &random))
            written.append(try writeLabels(day: day, path: GeneratorOutputFile.join(directory, "node_labels/" + name), namespaces: false))
            written.append(try writeLabels(day: day, path: GeneratorOutputFile.join(directory, "namespace_labels/" + name), namespaces: true))
        }
        return written
    }

    /// `YYYY-MM-DD HH:MM:SS +0000 UTC`, the operator's timestamp format.
    static func stamp(day: Int, hour: Int, minute: Int = 0, second: Int = 0) -> String {
        let h = hour < 10 ? "0\(hour)" : "\(hour)"
        let m = minute < 10 ? "0\(minute)" : "\(minute)"
        let s = second < 10 ? "0\(second)" : "\(second)"
        return "\(CivilTime.formatDate(days: Int32(day))) \(h):\(m):\(s) +0000 UTC"
    }

    /// The report period of a day: the first of its month and the first of the next.
    static func period(day: Int) -> (start: String, end: String) {
        let (y, m, _) = CivilTime.civilFromDays(day)
        let first = CivilTime.daysFromCivil(y, m, 1)
        let next = m == 12 ? CivilTime.daysFromCivil(y + 1, 1, 1) : CivilTime.daysFromCivil(y, m + 1, 1)
        return (stamp(day: first, hour: 0), stamp(day: next, hour: 0))
    }

    private func writePods(day: Int, path: String, _ random: inout GeneratorRandom) throws(SluiceError) -> (path: String, rows: Int) {
        var out = try GeneratorOutputFile(path: path)
        try line(&out, Self.podUsageHeader)
        let (periodStart, periodEnd) = Self.period(day: day)
        let gib = 1_073_741_824.0
        var rows = 0
        for hour in 0..<24 {
            let start = Self.stamp(day: day, hour: hour)
            let end = Self.stamp(day: day, hour: hour, minute: 59, second: 59)
            for node in scenario.nodes {
                let memoryBytes = node.memoryGiB * gib
                for ns in node.namespaces {
                    for pod in ns.pods {
                        let seconds = Double(pod.podSeconds)
                        let cpu = Swift.min(pod.cpuLimit, pod.cpuUsage.value(day: day) ?? Self.draw(&random, 0.02, pod.cpuLimit, 5))
                        let memory = Swift.min(
                            pod.memoryLimitGiB, pod.memoryUsageGiB.value(day: day) ?? Self.draw(&random, 1, pod.memoryLimitGiB, 2))
                        try line(&out, [
                            periodStart, periodEnd, start, end, node.name, ns.name, pod.name,
                            Self.number(seconds * cpu), Self.number(seconds * pod.cpuRequest),
                            pod.emitLimits ? Self.number(seconds * pod.cpuLimit) : "",
                            Self.number(seconds * memory * gib), Self.number(seconds * pod.memoryRequestGiB * gib),
                            pod.emitLimits ? Self.number(seconds * pod.memoryLimitGiB * gib) : "",
                            Self.number(Double(node.cpuCores)), Self.number(Double(node.cpuCores) * 3600),
                            Self.number(memoryBytes), Self.number(memoryBytes * 3600), node.role, node.resourceID, pod.labels,
                        ])
                        rows += 1
                    }
                }
            }
        }
        try out.commit()
        return (path, rows)
    }

    private func writeLabels(day: Int, path: String, namespaces: Bool) throws(SluiceError) -> (path: String, rows: Int) {
        var out = try GeneratorOutputFile(path: path)
        try line(&out, Self.labelsPrefix + (namespaces ? ["namespace", "namespace_labels"] : ["node", "node_labels"]))
        let (periodStart, periodEnd) = Self.period(day: day)
        var rows = 0
        for hour in 0..<24 {
            let prefix = [periodStart, periodEnd, Self.stamp(day: day, hour: hour), Self.stamp(day: day, hour: hour, minute: 59, second: 59)]
            if namespaces {
                // A namespace may span nodes; it is reported once per hour.
                var seen = Set<String>()
                for node in scenario.nodes {
                    for ns in node.namespaces where seen.insert(ns.name).inserted {
                        try line(&out, prefix + [ns.name, ns.labels])
                        rows += 1
                    }
                }
            } else {
                for node in scenario.nodes {
                    try line(&out, prefix + [node.name, node.labels])
                    rows += 1
                }
            }
        }
        try out.commit()
        return (path, rows)
    }

    static func draw(_ random: inout GeneratorRandom, _ low: Double, _ high: Double, _ places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return ((low + (Swift.max(high, low) - low) * random.unit()) * scale).rounded() / scale
    }

    static func number(_ v: Double) -> String { ShortestDecimal.string(v) }

    /// One CSV line; fields with a comma, quote or newline are quoted.
    private func line(_ out: inout GeneratorOutputFile, _ fields: [String]) throws(SluiceError) {
        var bytes: [UInt8] = []
        for (i, f) in fields.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            if f.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
                bytes.append(UInt8(ascii: "\""))
                for b in f.utf8 {
                    if b == UInt8(ascii: "\"") { bytes.append(b) }
                    bytes.append(b)
                }
                bytes.append(UInt8(ascii: "\""))
            } else {
                bytes.append(contentsOf: f.utf8)
            }
        }
        bytes.append(0x0A)
        try out.reserve(bytes.count)
        out.append(bytes)
    }
}
