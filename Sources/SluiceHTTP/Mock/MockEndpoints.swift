import HTTPTypes
import Hummingbird
import SluiceCore

/// `GET /v2/electricity/rto/region-data/data/`: the EIA v2 envelope, offset/length paging with
/// `total` as a string, inclusive `start`/`end`, the 5000-row cap with its warning, and EIA's
/// error bodies for a missing key (403) and bad parameters (400).
struct MockEIAEndpoint {
    let options: MockOptions

    func respond(path: String, query: [QueryItem]) -> MockResponder.Prepared {
        var p = path
        while p.hasSuffix("/") { p.removeLast() }
        guard p == "/v2/electricity/rto/region-data/data" else {
            return error(404, "Route '\(path)' not found in the emulator (it serves /v2/electricity/rto/region-data/data/)")
        }
        guard let key = query.first("api_key"), !key.isEmpty else {
            return MockResponder.body(
                403, #"{"error":{"code":"API_KEY_MISSING","message":"No api_key was supplied. Get one at https://api.eia.gov"}}"#,
                type: "application/json")
        }
        if let expected = options.apiKey, key != expected {
            return MockResponder.body(
                403, #"{"error":{"code":"API_KEY_INVALID","message":"An invalid api_key was supplied."}}"#, type: "application/json")
        }
        let frequency = query.first("frequency") ?? "hourly"
        guard frequency == "hourly" else {
            return error(400, "Invalid frequency '\(frequency)' provided. The only valid frequencies are 'hourly' and 'local-hourly'.")
        }
        func indices(_ facet: String, _ codes: [String]) -> [Int]? {
            let wanted = query.values("facets[\(facet)][]")
            if wanted.isEmpty { return Array(codes.indices) }
            var out: [Int] = []
            for w in Set(wanted) {
                guard let i = codes.firstIndex(of: w) else { return nil }
                out.append(i)
            }
            return out.sorted()
        }
        guard let respondents = indices("respondent", MockEIAData.respondents.map(\.code)) else {
            return error(400, "Invalid facet value for respondent; known: \(MockEIAData.respondents.map(\.code).joined(separator: ", "))")
        }
        guard let types = indices("type", MockEIAData.types.map(\.code)) else {
            return error(400, "Invalid facet value for type; known: D, DF, NG, TI")
        }
        guard let s = query.first("start").flatMap({ APITimeFormat.eiaHourly.parse($0) }),
            let e = query.first("end").flatMap({ APITimeFormat.eiaHourly.parse($0) })
        else {
            return error(400, "start and end are required in the emulator, as YYYY-MM-DDTHH")
        }
        let offset = max(0, query.first("offset").flatMap { Int($0) } ?? 0)
        let asked = query.first("length").flatMap { Int($0) } ?? 5000
        let length = min(max(asked, 0), 5000)
        let data = MockEIAData(respondents: respondents, types: types, start: s, end: e)
        var warnings: [String] = []
        if asked > 5000 {
            warnings.append(#"{"warning":"parameter out of range: length","description":"The maximum value is 5000."}"#)
        }
        if data.total > offset + length || (offset > 0 && data.total > length) {
            warnings.append(
                #"{"warning":"incomplete return","description":"The API can only return 5000 rows in JSON format.  Please consider constraining your request with facet, start, or end, or using offset to paginate results."}"#
            )
        }
        var head = "{\"response\":{"
        if !warnings.isEmpty { head += "\"warnings\":[" + warnings.joined(separator: ",") + "]," }
        head += "\"total\":\"\(data.total)\",\"dateFormat\":\"YYYY-MM-DD\\\"T\\\"HH24\",\"frequency\":\"hourly\",\"data\":["
        var tail = "],\"description\":\"Hourly demand, day-ahead demand forecast, net generation, and interchange by balancing authority. "
        tail += "Source: Form EIA-930 (synthetic, sluice serve-mock)\"},"
        let params = query.filter { $0.name != "api_key" }.map { "\(MockState.jsonString($0.name)):\(MockState.jsonString($0.value))" }
        tail += "\"request\":{\"command\":\"/v2/electricity/rto/region-data/data/\",\"params\":{\"api_key\":\"***\""
        tail += (params.isEmpty ? "" : "," + params.joined(separator: ",")) + "}},"
        tail += "\"apiVersion\":\"2.1.8\",\"ExcelAddInVersion\":\"2.1.0\"}"
        var body = Array(head.utf8)
        data.page(offset: offset, length: length, into: &body)
        body.append(contentsOf: tail.utf8)
        var h = HTTPFields()
        h[.contentType] = "application/json"
        return MockResponder.Prepared(status: .ok, headers: h, body: body)
    }

    func error(_ status: Int, _ message: String) -> MockResponder.Prepared {
        MockResponder.body(status, "{\"error\":\(MockState.jsonString(message)),\"code\":\(status)}", type: "application/json")
    }
}

/// `GET /oasisapi/SingleZip`: `SLD_FCST` as a zip holding one CSV member; errors (no data, over
/// 31 days, unknown report) as a zip holding an `INVALID_REQUEST.xml`, with HTTP 200 as OASIS does.
struct MockOASISEndpoint {
    func respond(path: String, query: [QueryItem]) -> MockResponder.Prepared {
        guard path == "/oasisapi/SingleZip" || path == "/oasisapi/SingleZip/" else {
            return MockResponder.body(404, "<html><body>Not Found</body></html>", type: "text/html")
        }
        let now = MockState.wallClockMillis() / 1000
        guard let s = query.first("startdatetime").flatMap({ APITimeFormat.oasis.parse($0) }),
            let e = query.first("enddatetime").flatMap({ APITimeFormat.oasis.parse($0) }), e > s
        else {
            return errorZip("1002", "Invalid startdatetime or enddatetime (expected yyyymmddThh24:mi-0000)", now)
        }
        guard e - s <= CAISOPreset.maxWindowSeconds else {
            return errorZip("1004", "Data can be requested for period of 31 days only", now)
        }
        let queryName = query.first("queryname") ?? ""
        let market = query.first("market_run_id") ?? "ACTUAL"
        guard queryName == "SLD_FCST", MockOASISData.items[market] != nil, query.first("resultformat") == "6" else {
            return errorZip("1000", "No data returned for the specified selection", now)
        }
        // Whole hours only: OASIS reports SLD_FCST hourly.
        let start = (s + 3599) / 3600 * 3600
        let end = e / 3600 * 3600
        guard end > start else { return errorZip("1000", "No data returned for the specified selection", now) }
        let csv = MockOASISData.csv(start: start, end: end, market: market)
        let startDay = APITimeFormat.date.format(start).replacing("-", with: "")
        let endDay = APITimeFormat.date.format(end).replacing("-", with: "")
        let name = "\(startDay)_\(endDay)_SLD_FCST_\(market)_20230101_00_00_00_v1.csv"
        let zip = ZipWriter.archive([(name, Array(csv.utf8))])
        var h = HTTPFields()
        h[.contentType] = "application/x-zip-compressed"
        h[.contentDisposition] = "inline; filename=\(name).zip"
        return MockResponder.Prepared(status: .ok, headers: h, body: zip)
    }

    func errorZip(_ code: String, _ message: String, _ now: Int64) -> MockResponder.Prepared {
        let xml = MockOASISData.errorXML(code: code, message: message, at: now)
        var h = HTTPFields()
        h[.contentType] = "application/x-zip-compressed"
        h[.contentDisposition] = "inline; filename=INVALID_REQUEST.xml.zip"
        return MockResponder.Prepared(status: .ok, headers: h, body: ZipWriter.archive([("INVALID_REQUEST.xml", Array(xml.utf8))]))
    }
}
