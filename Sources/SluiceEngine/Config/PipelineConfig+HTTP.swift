import SluiceCore
import SluiceHTTP

/// An API source: the request description (usually from a preset), the range cut into windows,
/// the series fetched separately, and the client's limits.
public struct HTTPSourceConfig: Sendable {
    public var spec: APISpec
    /// UTC seconds, `[start, end)`.
    public var start: Int64
    public var end: Int64
    public var step: WindowPlanner.Step
    /// Seconds the API needs to publish: windows end no later than now less this, so that none
    /// is committed before its data is all there.
    public var lag: Int64 = 0
    /// Extra parameters per series (one respondent each with `split_by`); `[[]]` for one series.
    public var series: [[QueryItem]]
    public var client: APIClientOptions
    public var location: ConfigLocation

    public init(
        spec: APISpec, start: Int64, end: Int64, step: WindowPlanner.Step, series: [[QueryItem]] = [[]], client: APIClientOptions,
        location: ConfigLocation
    ) {
        self.spec = spec
        self.start = start
        self.end = end
        self.step = step
        self.series = series
        self.client = client
        self.location = location
    }
}

extension PipelineConfig {
    static let httpCommonKeys = [
        "type", "preset", "base_url", "api_key", "start", "end", "range", "window", "rate_limit", "concurrency", "timeout",
        "retries", "headers", "lag",
    ]
    static let eiaKeys = httpCommonKeys + ["route", "dataset", "facets", "frequency", "data", "page_size", "split_by"]
    static let caisoKeys = httpCommonKeys + ["query", "queryname", "market_run_id", "version", "params"]
    static let genericHTTPKeys =
        httpCommonKeys + ["path", "params", "secrets", "window_params", "pagination", "format", "records", "fields", "key", "sort_by"]

    /// `source: {type: eia | caiso | http, …}`; `type: http` with `preset: eia|caiso` is the same as the preset's type.
    static func parseHTTPSource(_ node: ConfigNode, type: String) throws(SluiceError) -> HTTPSourceConfig {
        var kind = type
        if type == "http", let p = try node.mapping(allowed: [])["preset"] {
            kind = try p.string()
            guard kind == "eia" || kind == "caiso" else { throw p.error("unknown preset '\(kind)' (expected eia or caiso)") }
        }
        var config: HTTPSourceConfig
        switch kind {
        case "eia": config = try parseEIA(node)
        case "caiso": config = try parseCAISO(node)
        default: config = try parseGenericHTTP(node)
        }
        if let n = try node.mapping(allowed: [])["lag"] { config.lag = try durationSeconds(n) }
        return config
    }

    static func parseEIA(_ node: ConfigNode) throws(SluiceError) -> HTTPSourceConfig {
        let m = try node.mapping(allowed: eiaKeys)
        let routeNode: ConfigNode
        if let r = m["route"] { routeNode = r } else { routeNode = try m.required("dataset", "the EIA route, e.g. electricity/rto/region-data") }
        var preset = EIAPreset(route: try routeNode.string())
        if let n = m["base_url"] { preset.baseURL = try baseURL(n) }
        preset.apiKey = try apiKey(m, required: true)
        if let n = m["frequency"] {
            let f = try n.string()
            let known = ["hourly", "local-hourly", "daily", "monthly"]
            guard known.contains(f) else { throw n.error("unknown frequency '\(f)'\(Suggest.didYouMean(f, known)) (expected one of: \(known.joined(separator: ", ")))") }
            preset.frequency = f
        }
        if let n = m["data"] { preset.data = try n.stringList(expecting: "data columns") }
        if let n = m["page_size"] {
            let v = try n.int(min: 1)
            guard v <= EIAPreset.maxPageSize else { throw n.error("page_size \(v) is over EIA's maximum of \(EIAPreset.maxPageSize) rows per JSON page") }
            preset.pageSize = v
        }
        var facets: [(String, [String])] = []
        if let n = m["facets"] {
            for (name, v) in try n.anyMapping(expecting: "facet: [values]").entries {
                let values = try v.stringList(expecting: "facet values")
                if values.isEmpty { throw v.error("facet '\(name)' has no values") }
                facets.append((name, values))
            }
        }
        var series: [[QueryItem]] = [[]]
        if let n = m["split_by"] {
            for name in try n.stringList(expecting: "facet names") {
                guard let f = facets.first(where: { $0.0 == name }) else {
                    throw n.error("split_by names facet '\(name)', which is not under facets (facets: \(facets.map(\.0).joined(separator: ", ")))")
                }
                series = series.flatMap { s in f.1.map { s + [QueryItem("facets[\(name)][]", $0)] } }
                facets.removeAll { $0.0 == name }
            }
        }
        preset.facets = facets
        let (start, end, step) = try parseRange(m, node: node, defaultWindow: .seconds(60 * 86_400))
        let client = try parseClientOptions(m, defaultRate: (requests: 1, per: 1.0))
        return HTTPSourceConfig(
            spec: preset.spec(), start: start, end: end, step: step, series: series, client: client, location: routeNode.location)
    }

    static func parseCAISO(_ node: ConfigNode) throws(SluiceError) -> HTTPSourceConfig {
        let m = try node.mapping(allowed: caisoKeys)
        let qn = m["query"] ?? m["queryname"]
        var preset = CAISOPreset(
            queryName: try qn?.string() ?? "SLD_FCST", marketRunID: try m["market_run_id"]?.string(), version: try m["version"]?.string())
        if let n = m["base_url"] { preset.baseURL = try baseURL(n) }
        if let n = m["params"] {
            for (k, v) in try n.anyMapping(expecting: "parameter: value").entries {
                for s in try v.stringList(expecting: "values") { preset.params.append(QueryItem(k, s)) }
            }
        }
        let (start, end, step) = try parseRange(m, node: node, defaultWindow: .seconds(30 * 86_400))
        if case .seconds(let s) = step, s > CAISOPreset.maxWindowSeconds {
            throw (m["window"] ?? node).error("OASIS serves at most 31 days per request; window is \(s / 86_400) days (error 1004 otherwise)")
        }
        if case .months(let k) = step, k > 1 {
            throw (m["window"] ?? node).error("OASIS serves at most 31 days per request; use window: 1mo or at most 31d")
        }
        // Community practice for OASIS is about one request every 5 s.
        let client = try parseClientOptions(m, defaultRate: (requests: 1, per: 5.0))
        return HTTPSourceConfig(spec: preset.spec(), start: start, end: end, step: step, client: client, location: (qn ?? node).location)
    }

    static func parseGenericHTTP(_ node: ConfigNode) throws(SluiceError) -> HTTPSourceConfig {
        let m = try node.mapping(allowed: genericHTTPKeys)
        let base = try baseURL(try m.required("base_url", "the API's scheme and host, e.g. https://api.example.com"))
        let path = try m.required("path", "the request path, e.g. /v1/data").string()
        var query: [QueryItem] = []
        var secrets: Set<String> = []
        if let n = m["params"] {
            for (k, v) in try n.anyMapping(expecting: "parameter: value or [values]").entries {
                for s in try v.stringList(expecting: "values") { query.append(QueryItem(k, s)) }
            }
        }
        if let key = try apiKey(m, required: false) {
            query.append(QueryItem("api_key", key))
            secrets.insert("api_key")
        }
        if let n = m["secrets"] { secrets.formUnion(try n.stringList(expecting: "parameter names")) }
        var headers: [(String, String)] = []
        if let n = m["headers"] {
            for (k, v) in try n.anyMapping(expecting: "header: value").entries { headers.append((k, try v.string())) }
        }
        let wp = try m.required("window_params", "{start: param, end: param, format: iso8601, inclusive_end: 1h}")
        let wm = try wp.mapping(allowed: ["start", "end", "format", "inclusive_end"])
        let window = WindowParams(
            startParam: try wm.required("start", "the start parameter's name").string(),
            endParam: try wm.required("end", "the end parameter's name").string(), format: try timeFormat(wm["format"]) ?? .iso8601,
            inclusiveEndStep: try wm["inclusive_end"].map { n throws(SluiceError) in try durationSeconds(n) } ?? 0)
        let format = try m["format"]?.string() ?? "json"
        let body: BodyFormat
        switch format {
        case "json": body = .json(records: try m["records"]?.string().split(separator: ".").map(String.init) ?? [])
        case "csv": body = .csv(delimiter: UInt8(ascii: ","))
        case "zip_csv", "zipped_csv": body = .zippedCSV
        default: throw (m["format"] ?? node).error("unknown format '\(format)' (expected json, csv or zip_csv)")
        }
        let pagination = try m["pagination"].map { n throws(SluiceError) in try parsePagination(n) } ?? Pagination.none
        let fieldsNode = try m.required("fields", "column: type, or column: {path, type, format}")
        var fields: [FieldSpec] = []
        for (name, v) in try fieldsNode.anyMapping(expecting: "column: type or {path, type, format}").entries {
            if case .scalar = v.node {
                fields.append(FieldSpec(name, type: try dataType(v)))
            } else {
                let fm = try v.mapping(allowed: ["path", "type", "format"])
                let p = try fm["path"]?.string().split(separator: ".").map(String.init)
                fields.append(FieldSpec(name, path: p, type: try dataType(try fm.required("type", "the column type")), format: try timeFormat(fm["format"])))
            }
        }
        let names = fields.map(\.name)
        var key: [String] = []
        if let n = m["key"] {
            key = try n.stringList(expecting: "key columns")
            for k in key where !names.contains(k) { throw n.error("key column '\(k)'\(Suggest.didYouMean(k, names)) is not a field (fields: \(names.joined(separator: ", ")))") }
        }
        let sortBy = try m["sort_by"]?.stringList(expecting: "columns") ?? []
        let (start, end, step) = try parseRange(m, node: node, defaultWindow: .seconds(30 * 86_400))
        let client = try parseClientOptions(m, defaultRate: nil)
        let spec = APISpec(
            name: "http", baseURL: base, path: path, query: query, headers: headers, secretKeys: secrets, window: window,
            pagination: pagination, body: body, fields: fields, key: key, sortBy: sortBy)
        return HTTPSourceConfig(spec: spec, start: start, end: end, step: step, client: client, location: node.location)
    }

    static func parsePagination(_ n: ConfigNode) throws(SluiceError) -> Pagination {
        if case .scalar = n.node, try n.string() == "none" { return .none }
        let m = try n.mapping(allowed: ["type", "offset_param", "limit_param", "page_size", "total", "page_param", "size_param", "first", "param", "next"])
        let t = try m.required("type", "offset, page, cursor, next_link or none").string()
        func path(_ k: String) throws(SluiceError) -> [String]? { try m[k]?.string().split(separator: ".").map(String.init) }
        switch t {
        case "none": return .none
        case "offset":
            return .offset(
                offsetParam: try m["offset_param"]?.string() ?? "offset", limitParam: try m["limit_param"]?.string() ?? "limit",
                pageSize: try m["page_size"]?.int(min: 1) ?? 1000, totalPath: try path("total"))
        case "page":
            return .page(
                pageParam: try m["page_param"]?.string() ?? "page", sizeParam: try m["size_param"]?.string(),
                pageSize: try m["page_size"]?.int(min: 1) ?? 100, firstPage: try m["first"]?.int() ?? 1)
        case "cursor":
            return .cursor(param: try m.required("param", "the cursor parameter").string(), nextPath: try path("next") ?? ["next"])
        case "next_link":
            return .nextLink(nextPath: try path("next") ?? ["next"])
        default:
            throw (m["type"] ?? n).error("unknown pagination '\(t)' (expected offset, page, cursor, next_link or none)")
        }
    }

    static func dataType(_ n: ConfigNode) throws(SluiceError) -> DataType {
        let t = try n.string()
        guard let type = DataType(parsing: t) else {
            throw n.error("unknown type '\(t)'\(Suggest.didYouMean(t, DataType.spellings)) (expected one of: \(DataType.spellings.joined(separator: ", ")))")
        }
        return type
    }

    static func timeFormat(_ n: ConfigNode?) throws(SluiceError) -> APITimeFormat? {
        guard let n else { return nil }
        let s = try n.string()
        guard let f = APITimeFormat(name: s) else {
            throw n.error("unknown time format '\(s)' (expected one of: \(APITimeFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return f
    }

    static func baseURL(_ n: ConfigNode) throws(SluiceError) -> String {
        let s = try n.string()
        guard s.hasPrefix("http://") || s.hasPrefix("https://") else { throw n.error("expected an http:// or https:// URL, found '\(s)'") }
        return s
    }

    static func apiKey(_ m: ConfigMapping, required: Bool) throws(SluiceError) -> String? {
        guard let n = m["api_key"] else {
            if required { throw m.node.error("missing required key 'api_key' (write api_key: ${EIA_API_KEY} to take it from the environment)") }
            return nil
        }
        let k = try n.string()
        if k.isEmpty { throw n.error("api_key is empty") }
        return k
    }

    /// `start`/`end`/`window` at the top of the source, or inside `range:`.
    static func parseRange(_ m: ConfigMapping, node: ConfigNode, defaultWindow: WindowPlanner.Step) throws(SluiceError)
        -> (Int64, Int64, WindowPlanner.Step)
    {
        var startNode = m["start"], endNode = m["end"], windowNode = m["window"]
        if let r = m["range"] {
            let rm = try r.mapping(allowed: ["start", "end", "window"])
            startNode = rm["start"] ?? startNode
            endNode = rm["end"] ?? endNode
            windowNode = rm["window"] ?? windowNode
        }
        guard let sn = startNode else { throw node.error("missing required key 'start' (e.g. start: 2024-01-01)") }
        guard let en = endNode else { throw node.error("missing required key 'end' (e.g. end: 2024-12-31, inclusive)") }
        let start = try instant(sn, isEnd: false)
        let end = try instant(en, isEnd: true)
        guard end > start else { throw en.error("end (\(APITimeFormat.iso8601.format(end))) is not after start (\(APITimeFormat.iso8601.format(start)))") }
        var step = defaultWindow
        if let w = windowNode {
            let s = try w.string().lowercased()
            if let months = monthCount(s) {
                step = .months(months)
            } else {
                step = .seconds(try durationSeconds(w))
            }
        }
        return (start, end, step)
    }

    /// A date (`2024-12-31`, a whole day), an EIA hour (`2024-12-31T23`, a whole hour) or an ISO
    /// timestamp. As an end, dates and hours are inclusive (the range runs to the end of that day
    /// or hour), as people write ranges; a full timestamp is exclusive.
    static func instant(_ n: ConfigNode, isEnd: Bool) throws(SluiceError) -> Int64 {
        let s = try n.string()
        guard let t = instant(s, isEnd: isEnd) else { throw n.error("expected \(instantForms), found '\(s)'") }
        return t
    }

    static let instantForms = "a date (2024-01-01), an hour (2024-01-01T05), an ISO timestamp or now"

    static func instant(_ s: String, isEnd: Bool) -> Int64? {
        if s == "now" { return Clock.unixSeconds() }
        if let t = APITimeFormat.date.parse(s) { return isEnd ? t + 86_400 : t }
        if let t = APITimeFormat.eiaHourly.parse(s) { return isEnd ? t + 3600 : t }
        return APITimeFormat.iso8601.parse(s)
    }

    /// `sluice run --since/--until`: the API source's range moved, with the same forms as the
    /// file's `start` and `end` (an `until` date is inclusive). Windows committed before stay
    /// committed, so a later `until` fetches only the new stretch.
    public mutating func overrideRange(since: String?, until: String?) throws(SluiceError) {
        guard since != nil || until != nil else { return }
        guard case .http(var c) = source else {
            throw .invalidArgument("--since and --until apply to an API source (eia, caiso, http); \(file) reads files")
        }
        if let s = since {
            guard let t = Self.instant(s, isEnd: false) else { throw .invalidArgument("--since: expected \(Self.instantForms), found '\(s)'") }
            c.start = t
        }
        if let s = until {
            guard let t = Self.instant(s, isEnd: true) else { throw .invalidArgument("--until: expected \(Self.instantForms), found '\(s)'") }
            c.end = t
        }
        guard c.end > c.start else {
            throw .invalidArgument(
                "the range ends (\(APITimeFormat.iso8601.format(c.end))) before it starts (\(APITimeFormat.iso8601.format(c.start)))")
        }
        source = .http(c)
    }

    static func monthCount(_ s: String) -> Int? {
        for suffix in ["months", "month", "mo"] where s.hasSuffix(suffix) {
            let num = String(s.dropLast(suffix.count)).trimmingSpaces()
            return num.isEmpty ? 1 : Int(num).flatMap { $0 > 0 ? $0 : nil }
        }
        return nil
    }

    /// `60d`, `1h`, `30m`, `1s`, `500ms`, `2w`, or plain seconds; fractions allowed.
    static func durationSeconds(_ n: ConfigNode) throws(SluiceError) -> Int64 {
        let d = try duration(n)
        guard d >= 1 else { throw n.error("expected a duration of at least 1s here") }
        return Int64(d.rounded())
    }

    static func duration(_ n: ConfigNode) throws(SluiceError) -> Double {
        let s = try n.string()
        guard let v = parseDuration(s) else { throw n.error("expected a duration such as 60d, 1h, 30s or 500ms, found '\(s)'") }
        return v
    }

    /// Seconds in `60d`, `1h`, `30m`, `1s`, `500ms`, `2w`, `h` (one hour), or a plain number of seconds.
    static func parseDuration(_ text: String) -> Double? {
        let s = text.lowercased().replacingAll(" ", with: "")
        let units: [(String, Double)] = [("min", 60), ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        var digits = Substring(s)
        var mult = 1.0
        for (u, f) in units where s.hasSuffix(u) {
            digits = s.dropLast(u.count)
            mult = f
            break
        }
        if digits.isEmpty, mult != 1 || !s.isEmpty { digits = "1" }
        guard let v = Double(digits), v > 0 else { return nil }
        return v * mult
    }

    /// `rate_limit: {requests, per, burst}` (or `"20/s"`), `concurrency`, `timeout`, `retries`.
    static func parseClientOptions(_ m: ConfigMapping, defaultRate: (requests: Int, per: Double)?) throws(SluiceError) -> APIClientOptions {
        var o = APIClientOptions()
        o.rateLimit = defaultRate.map { ($0.requests, $0.per, 1) }
        if let n = m["rate_limit"] {
            if case .scalar = n.node {
                let s = try n.string()
                if s == "none" {
                    o.rateLimit = nil
                } else {
                    let parts = s.split(separator: "/")
                    guard parts.count == 2, let r = Int(String(parts[0]).trimmingSpaces()), r > 0,
                        let per = parseDuration(String(parts[1]).trimmingSpaces())
                    else {
                        throw n.error("expected {requests: N, per: 1s} or 'N/s', found '\(s)'")
                    }
                    o.rateLimit = (r, per, 1)
                }
            } else {
                let rm = try n.mapping(allowed: ["requests", "per", "burst"])
                let requests = try rm.required("requests", "how many requests").int(min: 1)
                let per = try rm["per"].map { p throws(SluiceError) in try duration(p) } ?? 1
                let burst = try rm["burst"]?.int(min: 1) ?? 1
                o.rateLimit = (requests, per, burst)
            }
        }
        if let n = m["concurrency"] { o.concurrency = try n.int(min: 1) }
        if let n = m["timeout"] { o.timeout = .milliseconds(Int64(try duration(n) * 1000)) }
        if let n = m["retries"] { o.retry.maxAttempts = try n.int(min: 0) + 1 }
        return o
    }
}
