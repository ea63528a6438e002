import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SluiceCore

/// `sluice serve-mock`: a local stand-in for the EIA v2 and CAISO OASIS APIs with the real
/// formats, a server-side rate limit (429 with `Retry-After`, violations counted), injected
/// faults and a request log. `GET /__mock/stats` returns the counters as JSON.
public final class MockAPIServer: Sendable {
    public let options: MockOptions
    let state: MockState

    public init(_ options: MockOptions) throws(SluiceError) {
        self.options = options
        state = try MockState(options)
    }

    /// Rate-limit violations so far (429s sent).
    public var violations: Int { state.violations }
    /// Requests received so far.
    public var requests: Int { state.requests }

    /// Serves until the task is cancelled; `onReady` gets the bound port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "sluice.mock")
        // Cancelling the server is how it stops; Hummingbird logs that as an error, which is noise here.
        logger.logLevel = .critical
        let app = Application(
            responder: MockResponder(state: state),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "sluice-mock"),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.run()
    }
}

/// The request context: the channel too, so that a fault can close the connection.
struct MockContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

struct MockResponder: HTTPResponder {
    typealias Context = MockContext
    let state: MockState

    struct Reset: Error {}

    func respond(to request: Request, context: MockContext) async throws -> Response {
        let path = request.uri.path
        let query = request.uri.query ?? ""
        if path == "/__mock/stats" {
            return Self.body(200, state.statsJSON(), type: "application/json").response
        }
        let opts = state.options
        switch state.admit() {
        case .limited(let after):
            state.record(path: path, query: query, status: 429, fault: nil, limited: true)
            var r = Self.body(429, #"{"error":{"code":"OVER_RATE_LIMIT","message":"You have exceeded your rate limit. Try again later."}}"#, type: "application/json")
            r.headers[.retryAfter] = String(Int(after.rounded(.up)))
            if let l = opts.rateLimit {
                Self.set(&r.headers, "X-RateLimit-Limit", String(l.requests))
                Self.set(&r.headers, "X-RateLimit-Remaining", "0")
            }
            return r.response
        case let .allowed(remaining, reset, fault):
            if opts.latencySeconds > 0 { try await Task.sleep(for: TokenBucket.seconds(opts.latencySeconds)) }
            var response = handle(path: path, query: query)
            if remaining >= 0, let l = opts.rateLimit {
                Self.set(&response.headers, "X-RateLimit-Limit", String(l.requests))
                Self.set(&response.headers, "X-RateLimit-Remaining", String(remaining))
                Self.set(&response.headers, "X-RateLimit-Reset", String(Double(Int(reset * 1000)) / 1000))
            }
            guard let fault else {
                state.record(path: path, query: query, status: Int(response.status.code), fault: nil, limited: false)
                return response.response
            }
            return try await inject(fault, response, path: path, query: query, channel: context.channel)
        }
    }

    /// A response whose bytes are at hand, so faults can cut or corrupt them.
    struct Prepared {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: [UInt8]

        var response: Response {
            Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    func inject(_ fault: MockFault, _ normal: Prepared, path: String, query: String, channel: any Channel) async throws -> Response {
        let status: Int
        switch fault {
        case .http500: status = 500
        case .http503: status = 503
        case .timeout: status = Int(normal.status.code)
        case .reset: status = 0
        case .truncated: status = Int(normal.status.code)
        case .malformed: status = 200
        }
        state.record(path: path, query: query, status: status, fault: fault, limited: false)
        switch fault {
        case .http500:
            return Self.body(500, #"{"error":"Internal server error (injected)","code":500}"#, type: "application/json").response
        case .http503:
            return Self.body(503, "<html><body>503 Service Unavailable (injected)</body></html>", type: "text/html").response
        case .timeout:
            try await Task.sleep(for: TokenBucket.seconds(state.options.hangSeconds))
            return normal.response
        case .reset:
            try await channel.close()
            throw Reset()
        case .truncated:
            let cut = Array(normal.body.prefix(max(1, normal.body.count / 2)))
            let body = ResponseBody(contentLength: normal.body.count) { writer in
                try await writer.write(ByteBuffer(bytes: cut))
                // Give the bytes time to leave before the connection drops mid-body.
                try await Task.sleep(for: .milliseconds(20))
                try await channel.close()
                throw Reset()
            }
            return Response(status: normal.status, headers: normal.headers, body: body)
        case .malformed:
            var broken = Array(normal.body.prefix(max(1, normal.body.count / 2)))
            if state.options.api == .caiso, broken.count > 40 {
                // Keep the zip's start, lose its directory: a body that arrived whole but is no archive.
                broken += Array("<html>proxy error</html>".utf8)
            } else {
                broken += Array("<!-- upstream error -->".utf8)
            }
            var p = normal
            p.status = .ok
            p.body = broken
            return p.response
        }
    }

    func handle(path: String, query: String) -> Prepared {
        let items = QueryItem.parse(query)
        switch state.options.api {
        case .eia: return MockEIAEndpoint(options: state.options).respond(path: path, query: items)
        case .caiso: return MockOASISEndpoint().respond(path: path, query: items)
        }
    }

    static func set(_ h: inout HTTPFields, _ name: String, _ value: String) {
        if let n = HTTPField.Name(name) { h[n] = value }
    }

    static func body(_ status: Int, _ text: String, type: String, extra: [(String, String)] = []) -> Prepared {
        var h = HTTPFields()
        h[.contentType] = type
        for (k, v) in extra { if let n = HTTPField.Name(k) { h[n] = v } }
        return Prepared(status: HTTPResponse.Status(code: status), headers: h, body: Array(text.utf8))
    }
}
