import SluiceCore

/// The rows of one window, with what it took to get them.
public struct WindowResult: Sendable {
    public var batch: RecordBatch
    public var rejects: [RejectedRow]
    public var pages: Int
    public var duplicates: Int
    /// Body bytes received for the window's pages.
    public var bytes: Int
    /// The window's first URL, redacted: what rejects and messages name.
    public var url: String
}

/// Fetches whole windows of an API: builds the query, pages through it (the pages after the
/// first in parallel when the total is known), decodes the bodies and maps the records to
/// columns, dropping rows whose natural key repeats.
public struct WindowFetcher: Sendable {
    public let spec: APISpec
    public let client: APIClient

    public init(spec: APISpec, client: APIClient) {
        self.spec = spec
        self.client = client
    }

    /// One page as decoded: the records, and where the next one is.
    struct Page: Sendable {
        var json: [JSONValue] = []
        var csvHeader: [String] = []
        var csv: [(line: Int, fields: [String])] = []
        var total: Int?
        var next: String?
        var bytes = 0
        var count: Int { json.count + csv.count }
    }

    /// Fetches `window` for `series` (extra parameters, such as one respondent).
    public func fetch(_ window: TimeWindow, series: [QueryItem] = []) async throws(SluiceError) -> WindowResult {
        let started = ContinuousClock.now
        let first = spec.url(window, series: series)
        let context = "window \(window.id)"
        var pages: [(RequestURL, Page)] = []
        switch spec.pagination {
        case .none:
            pages.append((first, try await get(first, context)))
        case let .offset(offsetParam, limitParam, pageSize, totalPath):
            let u0 = first.setting([QueryItem(offsetParam, "0"), QueryItem(limitParam, String(pageSize))])
            let p0 = try await get(u0, context + " offset 0", totalPath: totalPath)
            pages.append((u0, p0))
            if let total = p0.total {
                let offsets = Array(stride(from: pageSize, to: total, by: pageSize))
                let rest = try await getAll(
                    offsets.map { first.setting([QueryItem(offsetParam, String($0)), QueryItem(limitParam, String(pageSize))]) },
                    contexts: offsets.map { context + " offset \($0)" })
                // A page short of a full one ends the window even if the total said more:
                // rows moved between requests, and the next window's query will see them.
                for r in rest {
                    pages.append(r)
                    if r.1.count == 0 { break }
                }
            } else {
                var offset = 0
                var last = p0
                while last.count >= pageSize {
                    offset += pageSize
                    let u = first.setting([QueryItem(offsetParam, String(offset)), QueryItem(limitParam, String(pageSize))])
                    last = try await get(u, context + " offset \(offset)")
                    pages.append((u, last))
                }
            }
        case let .page(pageParam, sizeParam, pageSize, firstPage):
            var n = firstPage
            while true {
                var items = [QueryItem(pageParam, String(n))]
                if let s = sizeParam { items.append(QueryItem(s, String(pageSize))) }
                let u = first.setting(items)
                let p = try await get(u, context + " page \(n)")
                pages.append((u, p))
                if p.count < pageSize || pages.count > 100_000 { break }
                n += 1
            }
        case let .cursor(param, nextPath):
            var u = first
            var seen = Set<String>()
            while true {
                let p = try await get(u, context + " page \(pages.count + 1)", nextPath: nextPath)
                pages.append((u, p))
                guard let c = p.next, !c.isEmpty, p.count > 0, seen.insert(c).inserted else { break }
                u = first.setting([QueryItem(param, c)])
            }
        case let .nextLink(nextPath):
            var u = first
            var seen = Set<String>()
            while true {
                let p = try await get(u, context + " page \(pages.count + 1)", nextPath: nextPath)
                pages.append((u, p))
                guard let link = p.next, !link.isEmpty, seen.insert(link).inserted else { break }
                guard let next = RequestURL(absolute: link.hasPrefix("/") ? spec.baseURL + link : link, secretKeys: spec.secretKeys) else {
                    throw .io(path: u.redacted, message: "\(context): next link '\(u.scrub(link))' is not an absolute URL")
                }
                // Links usually drop the key; keep the secrets the first URL carried.
                let secrets = first.query.filter { spec.secretKeys.contains($0.name) }
                u = next.query.contains(where: { spec.secretKeys.contains($0.name) }) ? next : next.setting(secrets)
            }
        }
        let result = assemble(pages, firstURL: first.redacted)
        client.metrics.windowFinished(
            records: result.batch.count, duplicates: result.duplicates, pages: pages.count,
            seconds: TokenBucket.toSeconds(.now - started))
        return result
    }

    /// Decodes pages into one batch, in page order.
    func assemble(_ pages: [(RequestURL, Page)], firstURL: String) -> WindowResult {
        let rows = pages.reduce(0) { $0 + $1.1.count }
        let acc = RecordAccumulator(fields: spec.fields, keyPaths: spec.keyPaths, capacity: max(rows, 16))
        for (u, p) in pages {
            let source = u.redacted
            for (i, r) in p.json.enumerated() { acc.append(json: r, source: source, index: i + 1) }
            if !p.csv.isEmpty {
                let header = p.csvHeader
                let columnOf = spec.fields.map { f in header.firstIndex(of: f.path.joined(separator: ".")) }
                let keyColumns = spec.keyPaths.compactMap { k in header.firstIndex(of: k.joined(separator: ".")) }
                var rows = p.csv
                let sortColumns = spec.sortPaths.compactMap { k in header.firstIndex(of: k.joined(separator: ".")) }
                if !sortColumns.isEmpty {
                    rows.sort { a, b in
                        for c in sortColumns {
                            let x = c < a.fields.count ? a.fields[c] : "", y = c < b.fields.count ? b.fields[c] : ""
                            if x != y { return x < y }
                        }
                        return a.line < b.line
                    }
                }
                for r in rows {
                    acc.append(row: r.fields, columnOf: columnOf, keyColumns: keyColumns.count == spec.key.count ? keyColumns : [], source: source, line: r.line)
                }
            }
        }
        return WindowResult(
            batch: acc.finish(), rejects: acc.rejects, pages: pages.count, duplicates: acc.duplicates,
            bytes: pages.reduce(0) { $0 + $1.1.bytes }, url: firstURL)
    }

    /// Pages fetched concurrently (the client's limits still apply), returned in request order.
    func getAll(_ urls: [RequestURL], contexts: [String]) async throws(SluiceError) -> [(RequestURL, Page)] {
        if urls.isEmpty { return [] }
        let results = await withTaskGroup(of: (Int, Result<Page, SluiceError>).self) { group in
            for (i, u) in urls.enumerated() {
                group.addTask {
                    do throws(SluiceError) { return (i, .success(try await get(u, contexts[i]))) } catch { return (i, .failure(error)) }
                }
            }
            var out = [Result<Page, SluiceError>?](repeating: nil, count: urls.count)
            for await (i, r) in group {
                out[i] = r
                if case .failure = r { group.cancelAll() }
            }
            return out
        }
        var pages: [(RequestURL, Page)] = []
        var firstError: SluiceError? = nil
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let p)?: pages.append((urls[i], p))
            case .failure(let e)?:
                // A cancellation caused by a sibling's failure is not the story; the failure is.
                if firstError == nil || firstError == .cancelled { firstError = e }
            case nil: firstError = firstError ?? .cancelled
            }
        }
        if let e = firstError { throw e }
        return pages
    }

    func get(_ url: RequestURL, _ context: String, totalPath: [String]? = nil, nextPath: [String]? = nil) async throws(SluiceError) -> Page {
        let body = spec.body
        return try await client.get(url, headers: spec.headers, context: context) { (r: APIResponse) throws(BodyProblem) -> Page in
            var page = try Self.decode(r, body: body, totalPath: totalPath, nextPath: nextPath)
            page.bytes = r.body.count
            return page
        }
    }

    static func decode(_ r: APIResponse, body: BodyFormat, totalPath: [String]?, nextPath: [String]?) throws(BodyProblem) -> Page {
        var page = Page()
        switch body {
        case .json(let locator):
            let doc: JSONValue
            do { doc = try JSONValue.parse(r.body) } catch { throw BodyProblem(error.description, retryable: true) }
            guard let found = doc.at(locator) else {
                var keys = ""
                if case .object(let m) = doc { keys = " (top-level keys: \(m.map(\.0).joined(separator: ", ")))" }
                throw BodyProblem("no records at '\(locator.joined(separator: "."))'\(keys)", retryable: false)
            }
            guard case .array(let records) = found else {
                throw BodyProblem("'\(locator.joined(separator: "."))' is not a list of records", retryable: false)
            }
            page.json = records
            if let tp = totalPath {
                guard let t = doc.at(tp)?.text.flatMap({ Int($0) }) else {
                    throw BodyProblem("no row count at '\(tp.joined(separator: "."))'", retryable: false)
                }
                page.total = t
            }
            if let np = nextPath, let n = doc.at(np), !n.isNull { page.next = n.text }
        case .csv(let delimiter):
            try decodeCSV(r.body, delimiter: delimiter, into: &page)
        case .zippedCSV:
            for member in try OASISBody.csvMembers(r.body, contentDisposition: r.header("Content-Disposition")) {
                try decodeCSV(member, delimiter: UInt8(ascii: ","), into: &page)
            }
        }
        return page
    }

    /// Adds a CSV text's rows; every member must have the same header as the first.
    static func decodeCSV(_ bytes: [UInt8], delimiter: UInt8, into page: inout Page) throws(BodyProblem) {
        var records = CSVText.records(bytes, delimiter: delimiter)
        guard !records.isEmpty else { return }
        let header = records.removeFirst().fields.map { $0.hasPrefix("\u{FEFF}") ? String($0.dropFirst()) : $0 }
        if page.csvHeader.isEmpty {
            page.csvHeader = header
        } else if page.csvHeader != header {
            throw BodyProblem("CSV members have different headers (\(page.csvHeader.joined(separator: ",")) vs \(header.joined(separator: ",")))", retryable: false)
        }
        page.csv.append(contentsOf: records)
    }
}
