import SluiceCore

/// CAISO OASIS: `GET {base}/oasisapi/SingleZip?queryname=…&startdatetime=…&enddatetime=…
/// &market_run_id=…&version=…&resultformat=6`, times as `yyyymmddThh24:mi-0000` (GMT), a zip of
/// CSV members back (or of an XML error report, with HTTP 200), 31 days per request at most.
public struct CAISOPreset: Sendable {
    public var baseURL: String = "https://oasis.caiso.com"
    public var queryName: String
    public var marketRunID: String
    public var version: String
    /// Report-specific filters (`tac_area_name`, `node`, `grp_type`…), in order.
    public var params: [QueryItem] = []

    /// The longest range OASIS serves per request (error 1004 beyond it).
    public static let maxWindowSeconds: Int64 = 31 * 86_400

    /// Report versions and default market runs of the reports we know.
    static let known: [String: (version: String, market: String)] = [
        "SLD_FCST": ("1", "ACTUAL"), "PRC_LMP": ("12", "DAM"), "PRC_RTPD_LMP": ("3", "RTPD"),
        "PRC_INTVL_LMP": ("3", "RTM"), "ENE_SLRS": ("1", "DAM"), "SLD_REN_FCST": ("1", "ACTUAL"),
    ]

    public init(queryName: String, marketRunID: String? = nil, version: String? = nil) {
        self.queryName = queryName.uppercased()
        let k = Self.known[self.queryName]
        self.marketRunID = marketRunID ?? k?.market ?? "ACTUAL"
        self.version = version ?? k?.version ?? "1"
    }

    /// The CSV columns of the report, in order, with their types.
    public var columns: [(String, DataType)] {
        let head: [(String, DataType)] = [("INTERVALSTARTTIME_GMT", .timestamp(.us)), ("INTERVALENDTIME_GMT", .timestamp(.us))]
        switch queryName {
        case "PRC_LMP", "PRC_RTPD_LMP", "PRC_INTVL_LMP":
            return head + [
                ("OPR_DT", .date), ("OPR_HR", .int32), ("OPR_INTERVAL", .int32), ("NODE_ID_XML", .dictionary), ("NODE_ID", .dictionary),
                ("NODE", .dictionary), ("MARKET_RUN_ID", .dictionary), ("LMP_TYPE", .dictionary), ("XML_DATA_ITEM", .dictionary),
                ("PNODE_RESMRID", .dictionary), ("GRP_TYPE", .dictionary), ("POS", .float64), ("MW", .float64), ("GROUP", .int32),
            ]
        case "ENE_SLRS":
            return head + [
                ("SLRS_TYPE", .dictionary), ("OPR_DT", .date), ("OPR_HR", .int32), ("OPR_INTERVAL", .int32), ("MARKET_RUN_ID", .dictionary),
                ("TAC_ZONE_NAME", .dictionary), ("SCHEDULE", .dictionary), ("XML_DATA_ITEM", .dictionary), ("POS", .float64),
                ("MW", .float64), ("GROUP", .int32),
            ]
        default:
            return head + [
                ("LOAD_TYPE", .int32), ("OPR_DT", .date), ("OPR_HR", .int32), ("OPR_INTERVAL", .int32), ("MARKET_RUN_ID", .dictionary),
                ("TAC_AREA_NAME", .dictionary), ("LABEL", .dictionary), ("XML_DATA_ITEM", .dictionary), ("POS", .float64),
                ("MW", .float64), ("EXECUTION_TYPE", .dictionary), ("GROUP", .int32),
            ]
        }
    }

    /// Output fields: the CSV columns in lower case (`interval_start_gmt` stays close to the source).
    public var fields: [FieldSpec] {
        columns.map { name, type in
            FieldSpec(name.lowercased(), path: [name], type: type, format: type == .date ? .date : .iso8601)
        }
    }

    /// One row per interval and series: the GMT start plus what tells series apart (the GMT
    /// columns, not `OPR_HR`, which repeats on the fall-back day).
    public var key: [String] {
        switch queryName {
        case "PRC_LMP", "PRC_RTPD_LMP", "PRC_INTVL_LMP": ["intervalstarttime_gmt", "node", "lmp_type", "market_run_id"]
        case "ENE_SLRS": ["intervalstarttime_gmt", "tac_zone_name", "schedule", "xml_data_item", "market_run_id"]
        default: ["intervalstarttime_gmt", "tac_area_name", "xml_data_item", "market_run_id", "execution_type"]
        }
    }

    public func spec() -> APISpec {
        var q = [QueryItem("queryname", queryName), QueryItem("market_run_id", marketRunID), QueryItem("version", version)]
        q += params
        q.append(QueryItem("resultformat", "6"))
        return APISpec(
            name: "caiso", baseURL: baseURL, path: "/oasisapi/SingleZip", query: q,
            window: WindowParams(startParam: "startdatetime", endParam: "enddatetime", format: .oasis), pagination: .none,
            body: .zippedCSV, fields: fields, key: key, sortBy: key)
    }
}
