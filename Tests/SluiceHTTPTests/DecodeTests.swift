import SluiceCore
import Testing

@testable import SluiceHTTP

@Suite struct DecodeTests {
    static let eiaBody = """
        {"response":{"total":"3","dateFormat":"YYYY-MM-DD\\"T\\"HH24","frequency":"hourly","data":[
        {"period":"2023-01-01T00","respondent":"PACW","respondent-name":"PacifiCorp West","type":"D","type-name":"Demand","value":"2455","value-units":"megawatthours"},
        {"period":"2023-01-01T01","respondent":"PACW","respondent-name":"PacifiCorp West","type":"D","type-name":"Demand","value":null,"value-units":"megawatthours"},
        {"period":"2023-01-01T02","respondent":"PACW","respondent-name":"PacifiCorp West","type":"D","type-name":"Demand","value":"2341.5","value-units":"megawatthours"},
        {"period":"2023-01-01T02","respondent":"PACW","respondent-name":"PacifiCorp West","type":"D","type-name":"Demand","value":"9999","value-units":"megawatthours"},
        {"period":"2023-01-01T03","respondent":"PACW","respondent-name":"PacifiCorp West","type":"D","type-name":"Demand","value":"n/a","value-units":"megawatthours"}
        ],"description":"x \\u00e9 \\ud83d\\ude00"},"apiVersion":"2.1.8"}
        """

    @Test func jsonParsesTheEIAEnvelope() throws {
        let doc = try JSONValue.parse(Array(Self.eiaBody.utf8))
        #expect(doc.at(["response", "total"])?.text == "3")
        #expect(doc.at(["response", "dateFormat"])?.text == "YYYY-MM-DD\"T\"HH24")
        #expect(doc.at(["response", "description"])?.text == "x é 😀")
        guard case .array(let rows)? = doc.at(["response", "data"]) else {
            Issue.record("no data array")
            return
        }
        #expect(rows.count == 5)
        #expect(rows[1]["value"] == .null)
        #expect(doc.at(["response", "data", "0", "respondent"])?.text == "PACW")
    }

    @Test func brokenJSONNamesTheByte() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(#"{"a":[1,2"#.utf8)) }
        do {
            _ = try JSONValue.parse(Array(#"{"a": tru}"#.utf8))
        } catch {
            #expect(error.offset == 6)
        }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(#"{"a":1} x"#.utf8)) }
    }

    @Test func fieldMapTypesValuesDedupsAndRejects() throws {
        let preset = EIAPreset(route: "electricity/rto/region-data")
        let acc = RecordAccumulator(fields: preset.fields, keyPaths: preset.spec().keyPaths)
        guard case .array(let rows)? = try JSONValue.parse(Array(Self.eiaBody.utf8)).at(["response", "data"]) else {
            Issue.record("no data")
            return
        }
        for (i, r) in rows.enumerated() { acc.append(json: r, source: "test", index: i + 1) }
        let b = acc.finish()
        #expect(b.schema.names == ["period", "respondent", "respondent_name", "type", "type_name", "value", "value_units"])
        #expect(b.count == 3)
        #expect(acc.duplicates == 1)
        #expect(acc.rejects.count == 1)
        #expect(acc.rejects.first?.column == "value")
        #expect(acc.rejects.first?.reason == "'n/a' is not a float64")
        #expect(acc.rejects.first?.line == 5)
        let period = try #require(b.column(named: "period"))
        #expect(period.type == .timestamp(.us))
        #expect(period.value(0, as: Int64.self) == (CivilTime.parseTimestamp("2023-01-01T00:00:00Z", unit: .us) ?? -1))
        #expect(period.value(2, as: Int64.self) == (CivilTime.parseTimestamp("2023-01-01T02:00:00Z", unit: .us) ?? -1))
        let value = try #require(b.column(named: "value"))
        #expect(value.type == .float64)
        #expect(value.value(0, as: Double.self) == 2455)
        #expect(value.isNull(1))
        #expect(value.value(2, as: Double.self) == 2341.5)
        #expect(b.row(0)[2] == .string("PacifiCorp West"))
    }

    @Test func timeFormatsRoundTrip() {
        let t = CivilTime.parseTimestamp("2024-01-01T05:00:00Z", unit: .s) ?? -1
        #expect(APITimeFormat.eiaHourly.format(t) == "2024-01-01T05")
        #expect(APITimeFormat.eiaHourly.parse("2024-01-01T05") == t)
        // local-hourly: 00 at UTC-4 is 04 UTC.
        #expect(APITimeFormat.eiaHourly.parse("2024-01-01T01-04") == t)
        #expect(APITimeFormat.oasis.format(t) == "20240101T05:00-0000")
        #expect(APITimeFormat.oasis.parse("20240101T05:00-0000") == t)
        #expect(APITimeFormat.oasis.parse("20240101T05:00") == t)
        #expect(APITimeFormat.month.parse("2024-02") == CivilTime.parseTimestamp("2024-02-01T00:00:00Z", unit: .s))
        #expect(APITimeFormat.eiaHourly.parse("2024-01-01T24") == nil)
        #expect(APITimeFormat.eiaHourly.parse("2024-13-01T00") == nil)
    }

    @Test func requestURLEncodesBracketsAndRedactsSecrets() {
        let u = RequestURL(
            base: "http://h:1/", path: "v2/x/data/",
            query: [QueryItem("api_key", "s3cr3t"), QueryItem("facets[respondent][]", "PJM"), QueryItem("facets[respondent][]", "MISO")],
            secretKeys: ["api_key"])
        #expect(u.string == "http://h:1/v2/x/data/?api_key=s3cr3t&facets%5Brespondent%5D%5B%5D=PJM&facets%5Brespondent%5D%5B%5D=MISO")
        #expect(u.redacted.contains("api_key=***"))
        #expect(!u.redacted.contains("s3cr3t"))
        #expect(u.scrub("bad key s3cr3t") == "bad key ***")
        let parsed = QueryItem.parse("facets%5Brespondent%5D%5B%5D=PJM&facets[type][]=D&x=a+b")
        #expect(parsed.values("facets[respondent][]") == ["PJM"])
        #expect(parsed.first("facets[type][]") == "D")
        #expect(parsed.first("x") == "a b")
        let next = RequestURL(absolute: "https://api.example.com/v1/items?page=2&cursor=abc")
        #expect(next?.base == "https://api.example.com")
        #expect(next?.path == "/v1/items")
        #expect(next?.query.first("cursor") == "abc")
    }

    @Test func csvTextHandlesQuotesAndCRLF() {
        let rows = CSVText.records(Array("a,b,c\r\n1,\"x, \"\"y\"\"\",3\r\n\r\n4,\"multi\nline\",6\n".utf8))
        #expect(rows.count == 3)
        #expect(rows[1].fields == ["1", "x, \"y\"", "3"])
        #expect(rows[2].line == 4)
        #expect(rows[2].fields[1] == "multi\nline")
    }
}
