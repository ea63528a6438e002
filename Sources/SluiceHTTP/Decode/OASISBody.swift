/// The body of a CAISO OASIS `SingleZip` request: a zip with CSV members on success, and on
/// failure (still HTTP 200) a zip with an XML `OASISReport` holding `ERR_CODE` and `ERR_DESC`.
public enum OASISBody {
    /// An error report found inside the zip.
    public struct ReportError: Sendable, Equatable {
        public var code: String
        public var message: String
    }

    /// What a body held: the CSV members' bytes, in archive order, or nothing for
    /// "No data returned for the specified selection" (code 1000).
    public static func csvMembers(_ body: [UInt8], contentDisposition: String? = nil) throws(BodyProblem) -> [[UInt8]] {
        let zip = try ZipArchive(body)
        var csv: [[UInt8]] = []
        var xmlError: ReportError? = nil
        for e in zip.entries {
            let lower = e.name.lowercased()
            if lower.hasSuffix(".csv") {
                csv.append(try zip.data(e))
            } else if lower.hasSuffix(".xml") {
                xmlError = reportError(try zip.data(e)) ?? ReportError(code: "?", message: "XML member \(e.name) without ERR_CODE")
            }
        }
        if let err = xmlError, csv.isEmpty {
            switch err.code {
            case "1000": return []
            // "GroupZip DownLoad is in Processing": the server asks to come back later.
            case "1015": throw BodyProblem("OASIS error 1015: \(err.message)", retryable: true)
            default: throw BodyProblem("OASIS error \(err.code): \(err.message)", retryable: false)
            }
        }
        if csv.isEmpty {
            let hint = contentDisposition.map { $0.lowercased().contains(".xml.zip") ? " (Content-Disposition names an .xml.zip)" : "" } ?? ""
            throw BodyProblem("OASIS zip has no CSV member (members: \(zip.entries.map(\.name).joined(separator: ", ")))\(hint)", retryable: false)
        }
        return csv
    }

    /// `ERR_CODE` and `ERR_DESC` of an `OASISReport`, whatever the namespace prefix.
    public static func reportError(_ xml: [UInt8]) -> ReportError? {
        let text = String(decoding: xml, as: UTF8.self)
        guard let code = element("ERR_CODE", in: text) else { return nil }
        return ReportError(code: code, message: element("ERR_DESC", in: text) ?? "")
    }

    /// The text of the first `<x:name>` or `<name>` element.
    static func element(_ name: String, in text: String) -> String? {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            let afterOpen = rest[rest.index(after: open)...]
            guard let close = afterOpen.firstIndex(of: ">") else { return nil }
            let tag = afterOpen[..<close]
            let local = tag.split(separator: ":").last.map(String.init) ?? String(tag)
            rest = afterOpen[afterOpen.index(after: close)...]
            if local == name, !tag.hasPrefix("/") {
                guard let end = rest.firstIndex(of: "<") else { return nil }
                return decodeEntities(String(rest[..<end]))
            }
        }
        return nil
    }

    static func decodeEntities(_ s: String) -> String {
        s.replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&amp;", with: "&")
    }
}
