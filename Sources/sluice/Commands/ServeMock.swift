import ArgumentParser
import SluiceCore
import SluiceEngine
import SluiceHTTP

#if canImport(Glibc)
import Glibc
#endif

struct ServeMock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-mock",
        abstract: "Serve a local emulator of the EIA v2 or CAISO OASIS API, with a rate limit and injected faults.",
        discussion: """
            Deterministic synthetic data in the real formats: EIA v2 JSON at \
            /v2/electricity/rto/region-data/data/ (offset/length paging, facets, inclusive start/end), \
            CAISO OASIS SLD_FCST at /oasisapi/SingleZip (a zip holding a CSV; errors as XML in the zip). \
            Over the rate limit it answers 429 with Retry-After and counts a violation; \
            GET /__mock/stats returns the counters as JSON. Stops on Ctrl-C or SIGTERM.
            Examples:
              sluice serve-mock eia --port 8080 --rate-limit 20
              sluice serve-mock caiso --port 0 --fault-rate 0.1 --faults all --request-log requests.jsonl
            """)

    @Argument(help: "Which API: eia or caiso.") var api: String
    @Option(help: "Port to listen on; 0 picks a free one (printed on the first line).") var port: Int = 8080
    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "Requests per second allowed (a bucket of that many tokens); 0 means no limit.") var rateLimit: Double = 0
    @Option(help: "Share of requests that get a fault, 0 to 1.") var faultRate: Double = 0
    @Option(help: "Fault kinds: 500,503,timeout,reset,truncated,malformed, or all.") var faults: String = "all"
    @Option(help: "Seconds a timeout fault hangs (make it longer than the client's timeout).") var hang: Double = 30
    @Option(help: "Seed of the fault dice.") var seed: UInt64 = 42
    @Option(help: "Append one JSON line per request (time, path, query, status, fault) to this file.") var requestLog: String?
    @Option(help: "Accept only this EIA api_key (any non-empty key by default).") var apiKey: String?
    @Option(help: "Seconds of latency added to every response.") var latency: Double = 0

    func run() async throws {
        guard let kind = MockAPI(rawValue: api) else { throw ValidationError("unknown API '\(api)' (expected eia or caiso)") }
        guard (0...1).contains(faultRate) else { throw ValidationError("--fault-rate must be between 0 and 1") }
        var o = MockOptions(api: kind)
        o.host = host
        o.port = port
        if rateLimit > 0 {
            // Fractional limits (0.2 = one request every 5 s) become whole requests per longer period.
            o.rateLimit = rateLimit >= 1 ? (Int(rateLimit.rounded()), 1) : (1, 1 / rateLimit)
        }
        o.faultRate = faultRate
        o.hangSeconds = hang
        o.seed = seed
        o.requestLog = requestLog
        o.apiKey = apiKey
        o.latencySeconds = latency
        let server: MockAPIServer
        do {
            o.faults = try MockFault.parseList(faults)
            server = try MockAPIServer(o)
        } catch {
            throw Failure.exit(error)
        }
        let limit = rateLimit > 0 ? "\(rateLimit) requests/s" : "no rate limit"
        let path = kind == .eia ? "/v2/electricity/rto/region-data/data/" : "/oasisapi/SingleZip"
        let (host, faultShare) = (o.host, o.faultRate)
        let serving = Task {
            try await server.run { bound in
                // The first line carries the port, so scripts that pass --port 0 can read it.
                FileHandleLite.standardOutput.write(
                    "listening on http://\(host):\(bound) (\(kind.rawValue) at \(path), \(limit), fault rate \(faultShare))\n")
            }
        }
        // Stop cleanly on SIGINT/SIGTERM so the request log is complete.
        let signals = SignalCancellation { serving.cancel() }
        defer { signals.cancel() }
        do {
            try await serving.value
        } catch is CancellationError {
        } catch {
            if !serving.isCancelled { throw Failure.exit(error) }
        }
        FileHandleLite.standardError.write("served \(server.requests) requests, \(server.violations) rate-limit violations\n")
    }
}
