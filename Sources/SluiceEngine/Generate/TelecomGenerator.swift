import SluiceCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic synthetic Milan telecom-activity CSV, shaped like
/// `datasets/gen_telecom_csv.py` (the Telecom Italia Big Data Challenge files):
/// `square_id,time_interval,country_code,sms_in,sms_out,call_in,call_out,internet`.
///
/// Rows run square by square (1...10000), interval by interval (epoch milliseconds from
/// 2013-11-01 00:00 Europe/Rome in 10-minute steps), country code ascending; Italy (39) has a row
/// for every (square, interval), other codes appear with the script's probabilities. Measures are
/// lognormal with the script's parameters, printed like `%.15g`, and often empty (missing). The
/// output is not numpy's byte for byte, but it is the same for the same (rows, files, seed).
public struct TelecomGenerator: Sendable {
    /// What to generate.
    public struct Options: Sendable {
        /// Data rows in total, split as evenly as possible across the files.
        public var rows: Int
        /// Files, one per day (`sms-call-internet-mi-2013-11-DD.csv`); 1 writes a single file.
        public var files: Int = 1
        public var seed: UInt64 = 42
        /// Field separator: comma, tab, semicolon or `|`.
        public var delimiter: UInt8 = UInt8(ascii: ",")
        /// Whether each file starts with the header line.
        public var header: Bool = true

        public init(rows: Int) { self.rows = rows }
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    static let startMilliseconds = 1_383_260_400_000
    static let stepMilliseconds = 600_000
    static let intervalsPerDay = 144
    static let squares = 10_000
    /// Country codes ascending, with the probability that a (square, interval) has a row for it.
    static let countries: [(code: Int, probability: Double)] = [
        (0, 0.55), (1, 0.12), (7, 0.08), (33, 0.25), (34, 0.20), (39, 1.0), (40, 0.15),
        (41, 0.15), (44, 0.20), (49, 0.25), (86, 0.18), (212, 0.05), (351, 0.05), (355, 0.10),
    ]
    static let italy = 39
    static let measures = ["sms_in", "sms_out", "call_in", "call_out", "internet"]
    /// Probability that a measure is present, for Italy rows and for other rows.
    static let presence: [(italy: Double, other: Double)] = [
        (0.93, 0.30), (0.90, 0.22), (0.90, 0.22), (0.93, 0.30), (0.97, 0.25),
    ]
    /// Lognormal (mu, sigma) of each measure for Italy rows and for other rows.
    static let lognormal: [(italy: (mu: Double, sigma: Double), other: (mu: Double, sigma: Double))] = [
        ((1.0, 1.2), (-2.5, 1.0)), ((0.6, 1.2), (-2.7, 1.0)), ((0.7, 1.2), (-2.6, 1.0)),
        ((0.9, 1.2), (-2.4, 1.0)), ((3.5, 1.3), (-1.5, 1.2)),
    ]
    /// The longest row: 5 + 13 + 3 digits, 5 values, 7 delimiters and a newline, with room to spare.
    static let maxRowLength = 32 + 5 * DecimalFormatKernel.g15Capacity + 16

    /// Writes the file(s); `output` is a file path when files == 1, else a directory. Returns the
    /// paths written with their row counts.
    public func write(to output: String) throws(SluiceError) -> [(path: String, rows: Int)] {
        try validate()
        let counts = TelecomGenerator.split(rows: options.rows, files: options.files)
        var plan: [(path: String, rows: Int)] = []
        if options.files == 1 {
            try GeneratorOutputFile.createDirectories(GeneratorOutputFile.directory(of: output))
            plan.append((output, counts[0]))
        } else {
            try GeneratorOutputFile.createDirectories(output)
            for (i, n) in counts.enumerated() {
                plan.append((GeneratorOutputFile.join(output, TelecomGenerator.fileName(day: i)), n))
            }
        }
        for (i, file) in plan.enumerated() {
            try writeFile(file.path, rows: file.rows, index: i)
        }
        return plan
    }

    private func validate() throws(SluiceError) {
        guard options.rows >= 0 else { throw .invalidArgument("telecom generator: rows must be >= 0, got \(options.rows)") }
        guard options.files >= 1 else { throw .invalidArgument("telecom generator: files must be >= 1, got \(options.files)") }
        let allowed: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")]
        guard allowed.contains(options.delimiter) else {
            throw .invalidArgument("telecom generator: delimiter must be ',', tab, ';' or '|'")
        }
    }

    /// `total` rows over `files` files, the first `total % files` files one row longer (as the script).
    static func split(rows total: Int, files: Int) -> [Int] {
        let (base, extra) = total.quotientAndRemainder(dividingBy: files)
        return (0..<files).map { base + ($0 < extra ? 1 : 0) }
    }

    /// `sms-call-internet-mi-2013-11-01.csv` for day 0; days past November continue the calendar.
    static func fileName(day: Int) -> String {
        let days = CivilTime.daysFromCivil(2013, 11, 1) + day
        return "sms-call-internet-mi-\(CivilTime.formatDate(days: Int32(truncatingIfNeeded: days))).csv"
    }

    /// The square (1-based) and interval of the `pair`-th (square, interval) of a file: square-major;
    /// a file that needs more than 10000 x 144 pairs continues with the next day's intervals.
    static func location(ofPair pair: Int) -> (square: Int, interval: Int) {
        let squareIndex = pair / intervalsPerDay
        let overflow = squareIndex / squares
        return (squareIndex % squares + 1, pair % intervalsPerDay + overflow * intervalsPerDay)
    }

    private func writeFile(_ path: String, rows: Int, index: Int) throws(SluiceError) {
        var out = try GeneratorOutputFile(path: path)
        let d = options.delimiter
        if options.header {
            let names = ["square_id", "time_interval", "country_code"] + TelecomGenerator.measures
            for (i, name) in names.enumerated() {
                try out.reserve(name.utf8.count + 2)
                if i > 0 { out.append(d) }
                out.append(Array(name.utf8))
            }
            out.append(UInt8(ascii: "\n"))
        }
        var rng = GeneratorRandom(seed: options.seed, stream: UInt64(index))
        let codes = TelecomGenerator.countries.map(\.code)
        let rowThresholds = TelecomGenerator.countries.map { GeneratorRandom.threshold(probability: $0.probability) }
        let italyThresholds = TelecomGenerator.presence.map { GeneratorRandom.threshold(probability: $0.italy) }
        let otherThresholds = TelecomGenerator.presence.map { GeneratorRandom.threshold(probability: $0.other) }
        let italyParameters = TelecomGenerator.lognormal.map(\.italy)
        let otherParameters = TelecomGenerator.lognormal.map(\.other)
        let measureCount = TelecomGenerator.measures.count
        let firstInterval = index * TelecomGenerator.intervalsPerDay
        var written = 0
        var pair = 0
        while written < rows {
            let (square, interval) = TelecomGenerator.location(ofPair: pair)
            let time = TelecomGenerator.startMilliseconds + (firstInterval + interval) * TelecomGenerator.stepMilliseconds
            pair += 1
            for c in 0..<codes.count {
                if written == rows { break }
                let isItaly = codes[c] == TelecomGenerator.italy
                // Italy's probability is 1: no draw, so the other codes' draws do not shift.
                if !isItaly && rng.next53() >= rowThresholds[c] { continue }
                try out.reserve(TelecomGenerator.maxRowLength)
                out.appendDecimal(square)
                out.append(d)
                out.appendDecimal(time)
                out.append(d)
                out.appendDecimal(codes[c])
                var present: UInt32 = 0
                for m in 0..<measureCount {
                    let limit = isItaly ? italyThresholds[m] : otherThresholds[m]
                    if rng.next53() < limit { present |= 1 << UInt32(m) }
                }
                // Like the real data (and the script), every row carries at least one measure.
                if present == 0 { present = 1 << UInt32(rng.below(measureCount)) }
                for m in 0..<measureCount {
                    out.append(d)
                    if present & (1 << UInt32(m)) != 0 {
                        let (mu, sigma) = isItaly ? italyParameters[m] : otherParameters[m]
                        out.appendG15(exp(mu + sigma * rng.normal()))
                    }
                }
                out.append(UInt8(ascii: "\n"))
                written += 1
            }
        }
        try out.commit()
    }
}
