/// Small self-contained SVG charts for the HTML report: no script, no fonts or styles from the
/// network, so the page renders the same offline and in a headless browser. Each chart is an
/// `<svg>` with an `id`, a `<title>`, axes, and one `rect` per bar or one `polyline` per series.
enum SVGChart {
    static let width = 760.0
    static let height = 280.0
    static let left = 70.0, right = 20.0, top = 30.0, bottom = 50.0
    static let palette = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2"]

    /// Vertical bars, one per value (throughput over time).
    static func bars(id: String, title: String, values: [Double], xLabel: String, yLabel: String, xStep: Double = 1) -> String {
        var s = open(id: id, title: title)
        let yMax = niceMax(values.max() ?? 0)
        s += axes(yMax: yMax, xLabel: xLabel, yLabel: yLabel)
        let plotW = width - left - right, plotH = height - SVGChart.top - bottom
        let n = max(values.count, 1)
        let w = plotW / Double(n)
        for (i, v) in values.enumerated() {
            let h = yMax > 0 ? v / yMax * plotH : 0
            s += "<rect class=\"bar\" x=\"\(f(left + Double(i) * w))\" y=\"\(f(SVGChart.top + plotH - h))\" width=\"\(f(max(w - 1, 0.5)))\" height=\"\(f(h))\" fill=\"\(palette[0])\"><title>\(esc(f(Double(i) * xStep)))s: \(esc(ReportFormat.rate(v)))</title></rect>"
        }
        for k in 0...4 {
            let i = Int(Double(values.count) * Double(k) / 4)
            s += text(left + Double(i) * w, height - bottom + 16, f(Double(i) * xStep), anchor: "middle")
        }
        return s + "</svg>"
    }

    /// Groups of bars (latency per stage: p50, p95, p99, max), with a legend.
    static func groupedBars(id: String, title: String, groups: [String], series: [(String, [Double])], yLabel: String) -> String {
        var s = open(id: id, title: title)
        let yMax = niceMax(series.flatMap(\.1).max() ?? 0)
        s += axes(yMax: yMax, xLabel: "", yLabel: yLabel)
        let plotW = width - left - right, plotH = height - SVGChart.top - bottom
        let gw = plotW / Double(max(groups.count, 1))
        let bw = gw * 0.8 / Double(max(series.count, 1))
        for (g, name) in groups.enumerated() {
            for (k, (label, values)) in series.enumerated() where g < values.count {
                let v = values[g]
                let h = yMax > 0 ? v / yMax * plotH : 0
                let x = left + Double(g) * gw + gw * 0.1 + Double(k) * bw
                s += "<rect class=\"bar\" x=\"\(f(x))\" y=\"\(f(SVGChart.top + plotH - h))\" width=\"\(f(max(bw - 1, 0.5)))\" height=\"\(f(h))\" fill=\"\(palette[k % palette.count])\"><title>\(esc(name)) \(esc(label)): \(esc(ReportFormat.ms(v)))</title></rect>"
            }
            s += text(left + Double(g) * gw + gw / 2, height - bottom + 16, name, anchor: "middle")
        }
        s += legend(series.map(\.0))
        return s + "</svg>"
    }

    /// Horizontal bars with their values (validation breakdown, rows in and out).
    static func horizontalBars(id: String, title: String, items: [(String, Double)]) -> String {
        let rowH = 28.0
        let h = top + Double(max(items.count, 1)) * rowH + 20
        var s = open(id: id, title: title, height: h)
        let labelW = 220.0
        let plotW = width - labelW - 120
        let largest = items.map(\.1).max() ?? 0
        for (i, (label, v)) in items.enumerated() {
            let y = top + Double(i) * rowH
            let w = largest > 0 ? v / largest * plotW : 0
            s += text(labelW - 8, y + rowH * 0.6, label, anchor: "end")
            s += "<rect class=\"bar\" x=\"\(f(labelW))\" y=\"\(f(y + 4))\" width=\"\(f(max(w, 0.5)))\" height=\"\(f(rowH - 8))\" fill=\"\(palette[i % palette.count])\"><title>\(esc(label)): \(esc(ReportFormat.count(Int(v))))</title></rect>"
            s += text(labelW + w + 6, y + rowH * 0.6, ReportFormat.count(Int(v)), anchor: "start")
        }
        return s + "</svg>"
    }

    /// Lines over a shared x axis (per-batch latency).
    static func lines(id: String, title: String, x: [Double], series: [(String, [Double])], xLabel: String, yLabel: String) -> String {
        var s = open(id: id, title: title)
        let yMax = niceMax(series.flatMap(\.1).max() ?? 0)
        let xMax = max(x.max() ?? 0, 1e-9)
        s += axes(yMax: yMax, xLabel: xLabel, yLabel: yLabel)
        let plotW = width - left - right, plotH = height - SVGChart.top - bottom
        for (k, (label, values)) in series.enumerated() {
            let points = zip(x, values).map { xv, yv in
                "\(f(left + xv / xMax * plotW)),\(f(SVGChart.top + plotH - (yMax > 0 ? yv / yMax * plotH : 0)))"
            }
            s += "<polyline class=\"series\" fill=\"none\" stroke=\"\(palette[k % palette.count])\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"><title>\(esc(label))</title></polyline>"
        }
        for k in 0...4 {
            let xv = xMax * Double(k) / 4
            s += text(left + plotW * Double(k) / 4, height - bottom + 16, ReportFormat.fixed(xv, 1), anchor: "middle")
        }
        s += legend(series.map(\.0))
        return s + "</svg>"
    }

    private static func open(id: String, title: String, height h: Double = SVGChart.height) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(esc(id))\" class=\"chart\" width=\"\(f(width))\" height=\"\(f(h))\" viewBox=\"0 0 \(f(width)) \(f(h))\" role=\"img\" aria-label=\"\(esc(title))\">"
            + "<title>\(esc(title))</title><rect x=\"0\" y=\"0\" width=\"\(f(width))\" height=\"\(f(h))\" fill=\"#ffffff\"/>"
            + text(width / 2, 18, title, anchor: "middle", weight: "bold")
    }

    private static func axes(yMax: Double, xLabel: String, yLabel: String) -> String {
        let plotW = width - left - right, plotH = height - top - bottom
        var s = "<g class=\"axes\" stroke=\"#94a3b8\" stroke-width=\"1\">"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\"/>"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\"/>"
        for k in 1...4 {
            let y = top + plotH - plotH * Double(k) / 4
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke=\"#e2e8f0\"/>"
        }
        s += "</g>"
        for k in 0...4 {
            let v = yMax * Double(k) / 4
            s += text(left - 6, top + plotH - plotH * Double(k) / 4 + 4, short(v), anchor: "end")
        }
        if !xLabel.isEmpty { s += text(left + plotW / 2, height - 10, xLabel, anchor: "middle") }
        s += "<text x=\"14\" y=\"\(f(top + plotH / 2))\" font-family=\"sans-serif\" font-size=\"11\" fill=\"#334155\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(f(top + plotH / 2)))\">\(esc(yLabel))</text>"
        return s
    }

    private static func legend(_ names: [String]) -> String {
        var s = ""
        var x = width - right - Double(names.count) * 70
        for (k, n) in names.enumerated() {
            s += "<rect x=\"\(f(x))\" y=\"24\" width=\"10\" height=\"10\" fill=\"\(palette[k % palette.count])\"/>"
            s += text(x + 14, 33, n, anchor: "start")
            x += 70
        }
        return s
    }

    private static func text(_ x: Double, _ y: Double, _ t: String, anchor: String, weight: String = "normal") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-family=\"sans-serif\" font-size=\"11\" font-weight=\"\(weight)\" fill=\"#334155\" text-anchor=\"\(anchor)\">\(esc(t))</text>"
    }

    /// A round axis maximum at or above `v`.
    static func niceMax(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= v { magnitude *= 10 }
        while magnitude > v { magnitude /= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= v { return m * magnitude }
        return 10 * magnitude
    }

    static func short(_ v: Double) -> String {
        if v >= 1e6 { return ReportFormat.fixed(v / 1e6, 1) + "M" }
        if v >= 1e4 { return ReportFormat.fixed(v / 1e3, 0) + "k" }
        return v == v.rounded() ? ReportFormat.count(Int(v)) : ReportFormat.fixed(v, 1)
    }

    static func f(_ v: Double) -> String { ReportFormat.fixed(v.isFinite ? v : 0, 1).replacingAll(",", with: "") }

    /// XML text and attribute escaping.
    static func esc(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
