import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import SluiceCore

/// A response whose body arrived whole (its length checked against `Content-Length`).
public struct APIResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The URL it answers, redacted, for messages.
    public var url: String

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8], url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    public func header(_ name: String) -> String? { headers.first(name: name) }
}

/// Why a body that arrived could not be used. `retryable` problems (broken JSON, a zip cut short,
/// an OASIS "try again later") are retried like a 5xx; the others fail the window at once.
public struct BodyProblem: Error, Sendable {
    public var message: String
    public var retryable: Bool

    public init(_ message: String, retryable: Bool) {
        self.message = message
        self.retryable = retryable
    }
}

/// Settings of an `APIClient`.
public struct APIClientOptions: Sendable {
    /// `requests` per `per` seconds with `burst`; nil means no rate limit.
    public var rateLimit: (requests: Int, per: Double, burst: Int)?
    /// Requests in flight at once, across all workers.
    public var concurrency: Int = 4
    public var retry = RetryPolicy()
    /// Per attempt, from sending the request to the last body byte.
    public var timeout: Duration = .seconds(30)
    /// Bodies larger than this fail (guards memory against a runaway response).
    public var maxBodyBytes: Int = 512 << 20

    public init() {}
}

/// Sends GET requests under a shared rate limit and concurrency limit, retrying transient
/// failures with backoff, and hands whole, length-checked bodies to a decoder. One per source;
/// every worker of the source shares it, and all share one pooled `HTTPClient`.
public final class APIClient: Sendable {
    /// One client for the process: pooled keep-alive connections per host. Never shut down, since
    /// it lives as long as the process (a static is never deinitialized).
    public static let sharedHTTPClient: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(10))
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        config.redirectConfiguration = .follow(max: 5, allowCycles: false)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()

    public let options: APIClientOptions
    public let limiter: TokenBucket?
    public let slots: ConcurrencyLimit
    public let metrics: HTTPMetrics
    let http: HTTPClient
    let logger = Logger(label: "sluice.http")

    public init(_ options: APIClientOptions, http: HTTPClient = APIClient.sharedHTTPClient) {
        self.options = options
        self.http = http
        limiter = options.rateLimit.map { TokenBucket(requests: $0.requests, per: $0.per, burst: $0.burst) }
        slots = ConcurrencyLimit(options.concurrency)
        metrics = HTTPMetrics(limit: limiter?.rate)
    }

    /// GETs `url` and decodes the body, retrying 429, 5xx, timeouts, connection failures,
    /// truncated bodies and retryable body problems. `context` (e.g. the window) goes into errors.
    public func get<T>(
        _ url: RequestURL, headers: [(String, String)] = [], context: String,
        decode: (APIResponse) throws(BodyProblem) -> T
    ) async throws(SluiceError) -> T {
        var rng = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            if Task.isCancelled { throw .cancelled }
            await slots.acquire()
            let outcome: Attempt
            do {
                if let l = limiter {
                    let t0 = ContinuousClock.now
                    try await l.acquire()
                    metrics.waitedForLimiter(.now - t0)
                }
                outcome = await send(url, headers: headers)
            } catch {
                slots.release()
                throw error
            }
            slots.release()
            if Task.isCancelled { throw .cancelled }

            let cause: RetryCause
            let detail: String
            var retryAfter: Duration? = nil
            switch outcome {
            case .failed(let c, let message):
                cause = c
                detail = message
            case .response(let r):
                observeRateHeaders(r)
                retryAfter = RetryPolicy.parseRetryAfter(r.header("Retry-After"))
                switch r.status {
                case 200..<300:
                    do {
                        return try decode(r)
                    } catch {
                        guard error.retryable else {
                            metrics.failed()
                            throw .io(path: url.redacted, message: "\(context): \(url.scrub(error.message))")
                        }
                        cause = .malformed
                        detail = url.scrub(error.message)
                    }
                case 429:
                    cause = .rateLimited
                    detail = "HTTP 429 Too Many Requests"
                    // Everyone slows down, not just this worker: the limit is the server's, for all of us.
                    limiter?.pause(for: retryAfter ?? options.retry.ceiling(afterAttempt: attempt))
                case 408:
                    cause = .timeout
                    detail = "HTTP 408 Request Timeout"
                case 500..<600:
                    cause = .serverError
                    detail = "HTTP \(r.status) " + Self.excerpt(r.body, url)
                default:
                    metrics.failed()
                    throw .io(path: url.redacted, message: "\(context): HTTP \(r.status) " + Self.excerpt(r.body, url))
                }
            }
            attempt += 1
            guard attempt < options.retry.maxAttempts else {
                metrics.failed()
                throw .io(path: url.redacted, message: "\(context): gave up after \(attempt) attempts, last: \(detail)")
            }
            metrics.retried(cause)
            let wait = options.retry.delay(afterAttempt: attempt - 1, retryAfter: retryAfter, using: &rng)
            logger.debug("retrying \(url.redacted) (\(context)) in \(wait): \(detail)")
            do { try await Task.sleep(for: wait) } catch { throw .cancelled }
        }
    }

    enum Attempt {
        case response(APIResponse)
        case failed(RetryCause, String)
    }

    /// One try: the request, the head, the whole body, and the length check.
    func send(_ url: RequestURL, headers: [(String, String)]) async -> Attempt {
        var request = HTTPClientRequest(url: url.string)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "sluice")
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        let started = ContinuousClock.now
        metrics.requestStarted(at: started)
        let deadline = NIODeadline.now() + .nanoseconds(Int64(TokenBucket.toSeconds(options.timeout) * 1e9))
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: deadline, logger: nil)
        } catch {
            metrics.responded(status: nil, bytes: 0, at: .now)
            return .failed(Self.classify(error, afterHead: false), Self.describe(error))
        }
        let buffer: ByteBuffer
        do {
            buffer = try await response.body.collect(upTo: options.maxBodyBytes)
        } catch {
            metrics.responded(status: nil, bytes: 0, at: .now)
            return .failed(Self.classify(error, afterHead: true), "HTTP \(response.status.code), body: \(Self.describe(error))")
        }
        let status = Int(response.status.code)
        metrics.responded(status: status, bytes: buffer.readableBytes, at: .now)
        if let declared = response.headers.first(name: "Content-Length").flatMap({ Int($0) }), declared != buffer.readableBytes {
            return .failed(.truncated, "body has \(buffer.readableBytes) bytes, Content-Length said \(declared)")
        }
        return .response(APIResponse(status: status, headers: response.headers, body: Array(buffer.readableBytesView), url: url.redacted))
    }

    func observeRateHeaders(_ r: APIResponse) {
        guard let l = limiter, let remaining = r.header("X-RateLimit-Remaining").flatMap({ Int($0.trimmingCharacters()) }) else { return }
        let reset = r.header("X-RateLimit-Reset").flatMap { Double($0.trimmingCharacters()) }
        // A reset far in the future is an epoch timestamp or an hourly window; either way
        // spreading over it is right, but cap it so a wrong guess cannot stall the run for hours.
        l.observe(remaining: remaining, resetIn: reset.map { min($0, 3600) })
    }

    static func classify(_ error: any Error, afterHead: Bool) -> RetryCause {
        if let e = error as? HTTPClientError {
            if e == .readTimeout || e == .deadlineExceeded || e == .connectTimeout || e == .writeTimeout
                || e == .getConnectionFromPoolTimeout
            {
                return .timeout
            }
        }
        return afterHead ? .truncated : .connection
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError { return e.description }
        return String(describing: error)
    }

    /// The start of a body for an error message, secrets scrubbed.
    static func excerpt(_ body: [UInt8], _ url: RequestURL) -> String {
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        let oneLine = String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        return url.scrub(oneLine) + (body.count > 300 ? "…" : "")
    }
}
