import SluiceCore

/// How an API pages through the rows of one query.
public enum Pagination: Sendable, Equatable {
    /// One request per window.
    case none
    /// `offset`/`length` parameters; `totalPath` (e.g. `response.total`) says how many rows there
    /// are, so the pages after the first are known and fetched in parallel. Without it, pages
    /// follow until one comes back short.
    case offset(offsetParam: String, limitParam: String, pageSize: Int, totalPath: [String]?)
    /// `page=1,2,…` (from `firstPage`), until a page comes back short or empty.
    case page(pageParam: String, sizeParam: String?, pageSize: Int, firstPage: Int)
    /// The response carries a cursor at `nextPath` that goes into `param`; ends when it is null or empty.
    case cursor(param: String, nextPath: [String])
    /// The response carries the next page's URL at `nextPath`; ends when it is null or empty.
    case nextLink(nextPath: [String])
}

/// What the body of a response is.
public enum BodyFormat: Sendable, Equatable {
    /// JSON; records are the array at `records` (e.g. `response.data`); an empty path means the
    /// document itself is the array.
    case json(records: [String])
    /// CSV text with a header row.
    case csv(delimiter: UInt8)
    /// A zip of CSV members with a header each (CAISO OASIS), with XML error members detected.
    case zippedCSV
}

/// How a window becomes query parameters.
public struct WindowParams: Sendable, Equatable {
    public var startParam: String
    public var endParam: String
    public var format: APITimeFormat
    /// Subtracted from the window's end when the API's `end` is inclusive (EIA hourly: 3600),
    /// so that consecutive windows never ask for the same hour twice; 0 when `end` is exclusive.
    public var inclusiveEndStep: Int64

    public init(startParam: String, endParam: String, format: APITimeFormat, inclusiveEndStep: Int64 = 0) {
        self.startParam = startParam
        self.endParam = endParam
        self.format = format
        self.inclusiveEndStep = inclusiveEndStep
    }

    /// The window's parameters.
    public func items(_ w: TimeWindow) -> [QueryItem] {
        [QueryItem(startParam, format.format(w.start)), QueryItem(endParam, format.format(w.end - inclusiveEndStep))]
    }
}

/// Everything needed to fetch one window of an API as rows: where, which parameters, how it
/// pages, what the body is, and how records become columns. Presets (`eia`, `caiso`) fill it in.
public struct APISpec: Sendable {
    /// `eia`, `caiso` or `http`: names splits and messages.
    public var name: String
    public var baseURL: String
    public var path: String
    /// Fixed parameters, repeated keys kept (`facets[respondent][]` once per value).
    public var query: [QueryItem]
    public var headers: [(String, String)]
    /// Parameter names whose values are secrets (`api_key`).
    public var secretKeys: Set<String>
    public var window: WindowParams
    public var pagination: Pagination
    public var body: BodyFormat
    /// The fields produced (after projection).
    public var fields: [FieldSpec]
    /// Every field before projection: the key and the sort order are found here.
    public var allFields: [FieldSpec]
    /// Output names of the natural key: rows repeating a key within a window are dropped.
    public var key: [String]
    /// Output names rows are sorted by within a window (CAISO sends rows unsorted); empty keeps API order.
    public var sortBy: [String]

    public init(
        name: String, baseURL: String, path: String, query: [QueryItem] = [], headers: [(String, String)] = [],
        secretKeys: Set<String> = [], window: WindowParams, pagination: Pagination = .none, body: BodyFormat,
        fields: [FieldSpec], key: [String] = [], sortBy: [String] = []
    ) {
        self.name = name
        self.baseURL = baseURL
        self.path = path
        self.query = query
        self.headers = headers
        self.secretKeys = secretKeys
        self.window = window
        self.pagination = pagination
        self.body = body
        self.fields = fields
        self.allFields = fields
        self.key = key
        self.sortBy = sortBy
    }

    /// The output schema.
    public var schema: Schema { Schema(fields.map { Field($0.name, $0.type) }) }

    /// The URL of a window's first page, for `series` (extra parameters such as one respondent).
    public func url(_ w: TimeWindow, series: [QueryItem] = []) -> RequestURL {
        RequestURL(base: baseURL, path: path, query: query + series + window.items(w), secretKeys: secretKeys)
    }

    /// The same spec producing only the fields in `names` (the key's fields still dedup, by path).
    public func projected(to names: Set<String>) -> APISpec {
        var s = self
        s.fields = fields.filter { names.contains($0.name) }
        return s
    }

    /// Record paths of the natural key (a key name that is no field is taken as a path itself).
    public var keyPaths: [[String]] { key.map { k in allFields.first { $0.name == k }?.path ?? [k] } }

    /// Record paths rows are sorted by.
    public var sortPaths: [[String]] { sortBy.map { k in allFields.first { $0.name == k }?.path ?? [k] } }
}
