import ArgumentParser
import SluiceCore
import SluiceEngine

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write deterministic synthetic data shaped like the reference workloads.",
        subcommands: [Telecom.self, Events.self, OCP.self])

    struct Telecom: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The Milan telecom activity dataset: square_id, time_interval (epoch ms), country_code, five measures with missing values.",
            discussion: """
                Rows are ordered by square, interval and country code like the real daily files. \
                Example: sluice generate telecom --rows 1000000 --out data/telecom/telecom.csv
                """)

        @Option(help: "Total rows.") var rows: Int = 1_000_000
        @Option(help: "Output file, or a folder when --files > 1.") var out: String
        @Option(help: "Split the rows over this many daily files.") var files: Int = 1
        @Option(help: "Random seed: the same seed gives the same bytes.") var seed: UInt64 = 42
        @Flag(help: "Tab-separated, like the original files.") var tsv = false
        @Flag(help: "No header line, like the original files.") var noHeader = false

        func run() throws {
            guard rows >= 0, files >= 1 else { throw ValidationError("--rows must be >= 0 and --files >= 1") }
            var o = TelecomGenerator.Options(rows: rows)
            o.files = files
            o.seed = seed
            o.delimiter = tsv ? 9 : UInt8(ascii: ",")
            o.header = !noHeader
            do {
                let t0 = Clock.now()
                let written = try TelecomGenerator(o).write(to: out)
                report(written, seconds: Clock.seconds(since: t0))
            } catch {
                throw Failure.exit(error)
            }
        }
    }

    struct Events: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "E-commerce events (event_id, user_id, event_type, product, price, event_timestamp) with an optional share of invalid rows.",
            discussion: """
                Invalid rows carry one defect each: bad_uuid, missing_field, negative_price, \
                unknown_event_type or bad_timestamp (--labels adds a _defect column naming it).
                Examples:
                  sluice generate events --rows 100000 --invalid-rate 0.05 --out data/events/events.csv
                  sluice generate events --batches 20 --events 1000 --out incoming/
                """)

        @Option(help: "Rows (single-file mode).") var rows: Int = 10_000
        @Option(help: "Output file, or a folder with --batches.") var out: String
        @Option(help: "Write this many files into the --out folder.") var batches: Int = 0
        @Option(help: "Events per batch file.") var events: Int = 1000
        @Option(help: "Share of invalid rows, 0 to 1.") var invalidRate: Double = 0
        @Option(help: "Random seed: the same seed gives the same bytes.") var seed: UInt64 = 42
        @Option(help: "Distinct users.") var users: Int = 50_000
        @Option(help: "Catalog size.") var products: Int = 2000
        @Flag(help: "Append a _defect column naming each row's defect.") var labels = false
        @Flag(help: "No header line.") var noHeader = false

        func run() throws {
            guard (0...1).contains(invalidRate) else { throw ValidationError("--invalid-rate must be between 0 and 1") }
            var o = EventsGenerator.Options()
            o.rows = rows
            o.batches = batches
            o.eventsPerBatch = events
            o.invalidRate = invalidRate
            o.seed = seed
            o.users = users
            o.products = products
            o.labels = labels
            o.header = !noHeader
            do {
                let t0 = Clock.now()
                let written = try EventsGenerator(o).write(to: out)
                report(written, seconds: Clock.seconds(since: t0))
            } catch {
                throw Failure.exit(error)
            }
        }
    }

    struct OCP: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ocp",
            abstract: "OpenShift pod usage, node labels and namespace labels, hourly, from a nise-style scenario.",
            discussion: """
                Writes one file per day and report under --out: pod_usage/YYYY-MM-DD.csv (the \
                koku-metrics-operator's 20 pod columns), node_labels/ and namespace_labels/. \
                The scenario is nise's static YAML (generators: - OCPGenerator: start_date, \
                end_date, nodes → namespaces → pods) plus replicas:, node_role: and emit_limits:. \
                Example: sluice generate ocp --scenario examples/ocp/one-node.yml --out data/ocp
                """)

        @Option(help: "Scenario file (nise static YAML).") var scenario: String
        @Option(help: "Output folder.") var out: String
        @Option(help: "Seed for the values the scenario leaves to chance.") var seed: UInt64 = 42

        func run() throws {
            do {
                let t0 = Clock.now()
                let s = try OCPScenario.load(path: scenario, seed: seed)
                let written = try OCPGenerator(s, seed: seed).write(to: out)
                let pods = written.filter { $0.path.contains("/pod_usage/") }
                Generate.report(pods, seconds: Clock.seconds(since: t0))
            } catch {
                throw Failure.exit(error)
            }
        }
    }

    static func report(_ written: [(path: String, rows: Int)], seconds: Double) {
        let total = written.reduce(0) { $0 + $1.rows }
        if written.count == 1, let w = written.first {
            FileHandleLite.standardError.write("wrote \(w.rows) rows to \(w.path) in \(String(Double(Int(seconds * 100)) / 100)) s\n")
        } else {
            FileHandleLite.standardError.write("wrote \(total) rows to \(written.count) files in \(String(Double(Int(seconds * 100)) / 100)) s\n")
        }
    }
}

extension Generate.Telecom {
    func report(_ w: [(path: String, rows: Int)], seconds: Double) { Generate.report(w, seconds: seconds) }
}

extension Generate.Events {
    func report(_ w: [(path: String, rows: Int)], seconds: Double) { Generate.report(w, seconds: seconds) }
}
