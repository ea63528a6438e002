import SluiceCore

/// The US EIA Open Data API v2: `GET {base}/v2/{route}/data/` with `api_key`, `frequency`,
/// `data[0]`, `facets[name][]` (repeated), `start`/`end` (inclusive, `YYYY-MM-DDTHH` for hourly),
/// a total sort, and `offset`/`length` paging (5000 rows at most) with the row count in
/// `response.total`. Values arrive as strings and are typed here.
public struct EIAPreset: Sendable {
    public var baseURL: String = "https://api.eia.gov"
    /// e.g. `electricity/rto/region-data`.
    public var route: String
    public var apiKey: String?
    /// Facet name and values, in order (`respondent: [PJM, MISO]`, `type: [D]`).
    public var facets: [(name: String, values: [String])] = []
    /// `hourly`, `local-hourly`, `daily`, `monthly`.
    public var frequency: String = "hourly"
    /// Data columns to ask for.
    public var data: [String] = ["value"]
    public var pageSize: Int = 5000

    public init(route: String) {
        var r = route
        while r.hasPrefix("/") { r.removeFirst() }
        while r.hasSuffix("/") { r.removeLast() }
        if r.hasPrefix("v2/") { r.removeFirst(3) }
        if r.hasSuffix("/data") { r.removeLast(5) }
        self.route = r
    }

    /// The largest page EIA serves as JSON.
    public static let maxPageSize = 5000

    /// The facet naming the kind of series in this route (`type` for region-data, `fueltype` for fuel-type-data).
    var typeFacet: String? {
        if route.hasSuffix("fuel-type-data") { return "fueltype" }
        if route.hasSuffix("region-data") || route.hasSuffix("daily-region-data") { return "type" }
        return nil
    }

    /// Period format and how much `end` must be pulled back to make it inclusive.
    var periodFormat: (APITimeFormat, Int64) {
        switch frequency {
        case "daily": (.date, 86_400)
        case "monthly": (.month, 0)
        default: (.eiaHourly, 3600)
        }
    }

    /// The fields of a row: period, the facets with their names, the data columns and their units.
    public var fields: [FieldSpec] {
        let (fmt, _) = periodFormat
        var out = [FieldSpec("period", type: .timestamp(.us), format: fmt)]
        var facetNames = facets.map(\.name)
        if route.hasSuffix("region-data") || route.hasSuffix("fuel-type-data") {
            facetNames = ["respondent", typeFacet ?? "type"]
        } else if route.hasSuffix("interchange-data") {
            facetNames = ["fromba", "toba"]
        } else if route.hasSuffix("region-sub-ba-data") {
            facetNames = ["parent", "subba"]
        }
        for f in facetNames {
            out.append(FieldSpec(f, type: .dictionary))
            // fuel-type-data names its fuel `type-name`, not `fueltype-name`.
            let nameKey = f == "fueltype" || f == "type" ? "type-name" : "\(f)-name"
            out.append(FieldSpec(nameKey.replacing("-", with: "_"), path: [nameKey], type: .dictionary))
        }
        for d in data {
            out.append(FieldSpec(d.replacing("-", with: "_"), path: [d], type: .float64))
            out.append(FieldSpec("\(d)_units".replacing("-", with: "_"), path: ["\(d)-units"], type: .dictionary))
        }
        return out
    }

    /// The natural key: the period and every facet column (what EIA's own sort makes unique).
    public var key: [String] {
        ["period"] + fields.dropFirst().filter { $0.type == .dictionary && !$0.name.hasSuffix("_name") && !$0.name.hasSuffix("_units") }.map(\.name)
    }

    /// The full description of the API for a source.
    public func spec() -> APISpec {
        var q: [QueryItem] = []
        if let k = apiKey { q.append(QueryItem("api_key", k)) }
        q.append(QueryItem("frequency", frequency))
        for (i, d) in data.enumerated() { q.append(QueryItem("data[\(i)]", d)) }
        for f in facets {
            for v in f.values { q.append(QueryItem("facets[\(f.name)][]", v)) }
        }
        // A total order, or offset paging can skip and repeat rows (ropensci/eia#26).
        for (i, k) in key.enumerated() {
            q.append(QueryItem("sort[\(i)][column]", k))
            q.append(QueryItem("sort[\(i)][direction]", "asc"))
        }
        let (fmt, step) = periodFormat
        return APISpec(
            name: "eia", baseURL: baseURL, path: "/v2/\(route)/data/", query: q, secretKeys: ["api_key"],
            window: WindowParams(startParam: "start", endParam: "end", format: fmt, inclusiveEndStep: step),
            pagination: .offset(offsetParam: "offset", limitParam: "length", pageSize: min(pageSize, Self.maxPageSize), totalPath: ["response", "total"]),
            body: .json(records: ["response", "data"]), fields: fields, key: key)
    }
}
