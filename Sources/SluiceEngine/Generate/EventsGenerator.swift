import SluiceCore

/// Deterministic synthetic e-commerce events, shaped like `datasets/gen_events_csv.py`:
/// `event_id,user_id,event_type,product_id,product_name,category,price,event_timestamp`.
///
/// Ids are UUIDs in version-4 layout, users `user_NNNNN`, event types weighted 50/20/15/10/5,
/// products from a seeded catalog (3% named `…, Deluxe Edition`, so CSV-quoted), 20% of prices
/// discounted, timestamps increasing by 1–199 ms from 2024-03-01T00:00:00.000Z. With an invalid
/// rate, that fraction of rows carries one defect (bad_uuid, missing_field, negative_price,
/// unknown_event_type, bad_timestamp), optionally named in a trailing `_defect` column.
/// The same options give the same bytes; the script's bytes are not reproduced.
public struct EventsGenerator: Sendable {
    /// What to generate.
    public struct Options: Sendable {
        /// Rows of the single file (ignored in batch mode).
        public var rows: Int = 10_000
        /// When > 0, write this many files `events_00000.csv` … into the output directory.
        public var batches: Int = 0
        /// Rows per batch file; timestamps continue from one file to the next, like a stream.
        public var eventsPerBatch: Int = 1000
        public var seed: UInt64 = 42
        /// Fraction of rows (0...1) made invalid, one defect each.
        public var invalidRate: Double = 0
        /// Distinct user ids.
        public var users: Int = 50_000
        /// Catalog size.
        public var products: Int = 2000
        /// Whether to append the `_defect` column ("" for valid rows).
        public var labels: Bool = false
        /// Whether each file starts with the header line.
        public var header: Bool = true

        public init() {}
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    static let eventTypes = ["view", "add_to_cart", "purchase", "wishlist", "remove_from_cart"]
    static let eventWeights = [50, 20, 15, 10, 5]
    /// Categories in sorted order (the script draws from `sorted(CATEGORIES)`), each with its
    /// product names and price range.
    static let categories: [(name: String, products: [String], low: Double, high: Double)] = [
        ("Beauty", ["Shampoo", "Face Cream", "Perfume", "Lipstick"], 3.5, 189.0),
        ("Books", ["Novel", "Cookbook", "Biography", "Travel Guide", "Comic", "Textbook"], 4.99, 79.0),
        ("Clothing", ["T-Shirt", "Jeans", "Jacket", "Sneakers", "Scarf", "Hat"], 7.5, 249.0),
        ("Electronics", ["Wireless Mouse", "USB-C Cable", "Headphones", "Smartphone", "Laptop Stand",
                         "Keyboard", "Monitor", "Charger"], 9.99, 1499.0),
        ("Home", ["Coffee Mug", "Lamp", "Pillow", "Blender", "Frying Pan", "Towel Set"], 3.99, 399.0),
        ("Sports", ["Yoga Mat", "Dumbbell", "Water Bottle", "Tennis Racket", "Running Shorts"], 5.0, 599.0),
        ("Toys", ["Puzzle", "Board Game", "Action Figure", "Building Blocks"], 2.99, 149.0),
    ]
    /// The defects an invalid row carries, in the order the script draws them.
    enum Defect: Int, CaseIterable {
        case badUUID, missingField, negativePrice, unknownEventType, badTimestamp

        /// The `_defect` label, as the script spells it.
        var label: String {
            switch self {
            case .badUUID: "bad_uuid"
            case .missingField: "missing_field"
            case .negativePrice: "negative_price"
            case .unknownEventType: "unknown_event_type"
            case .badTimestamp: "bad_timestamp"
            }
        }
    }
    static let header = ["event_id", "user_id", "event_type", "product_id", "product_name", "category",
                         "price", "event_timestamp"]
    /// 2024-03-01T00:00:00Z in epoch milliseconds.
    static let startMilliseconds = CivilTime.daysFromCivil(2024, 3, 1) * 86_400_000

    /// Writes the file, or the batch files into the directory `output`. Returns the paths
    /// written with their row counts.
    public func write(to output: String) throws(SluiceError) -> [(path: String, rows: Int)] {
        try validate()
        var stream = RowStream(options)
        var written: [(path: String, rows: Int)] = []
        if options.batches > 0 {
            try GeneratorOutputFile.createDirectories(output)
            for b in 0..<options.batches {
                let path = GeneratorOutputFile.join(output, "events_\(EventsGenerator.zeroPadded(b, 5)).csv")
                try writeFile(path, rows: options.eventsPerBatch, stream: &stream)
                written.append((path, options.eventsPerBatch))
            }
        } else {
            try GeneratorOutputFile.createDirectories(GeneratorOutputFile.directory(of: output))
            try writeFile(output, rows: options.rows, stream: &stream)
            written.append((output, options.rows))
        }
        return written
    }

    private func validate() throws(SluiceError) {
        let o = options
        guard o.rows >= 0 else { throw .invalidArgument("events generator: rows must be >= 0, got \(o.rows)") }
        guard o.batches >= 0 else { throw .invalidArgument("events generator: batches must be >= 0, got \(o.batches)") }
        guard o.eventsPerBatch >= 0 else {
            throw .invalidArgument("events generator: eventsPerBatch must be >= 0, got \(o.eventsPerBatch)")
        }
        guard o.invalidRate >= 0 && o.invalidRate <= 1 else {
            throw .invalidArgument("events generator: invalidRate must be in [0, 1], got \(o.invalidRate)")
        }
        guard o.users >= 1 else { throw .invalidArgument("events generator: users must be >= 1, got \(o.users)") }
        guard o.products >= 1 else { throw .invalidArgument("events generator: products must be >= 1, got \(o.products)") }
    }

    private func writeFile(_ path: String, rows: Int, stream: inout RowStream) throws(SluiceError) {
        var out = try GeneratorOutputFile(path: path)
        if options.header {
            let names = EventsGenerator.header + (options.labels ? ["_defect"] : [])
            let line = Array((names.joined(separator: ",") + "\n").utf8)
            try out.reserve(line.count)
            out.append(line)
        }
        for _ in 0..<rows {
            try out.reserve(RowStream.maxRowLength)
            stream.writeRow(&out)
        }
        try out.commit()
    }

    static func zeroPadded(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count < width ? String(repeating: "0", count: width - s.count) + s : s
    }
}

extension EventsGenerator {
    /// The state that runs through all rows (and batch files) of one generation: the row PRNG, the
    /// catalog and the clock.
    struct RowStream {
        struct Product {
            /// `prod_0001`
            var id: [UInt8]
            /// The name as a CSV field (quoted when it holds a comma).
            var nameField: [UInt8]
            var category: Int
            var cents: Int
        }

        /// An upper bound of a row's bytes: a UUID, `user_` and up to 19 digits, the longest fixed
        /// strings, a quoted product name, a price, a timestamp, the label, with room to spare.
        static let maxRowLength = 512

        private var rng: GeneratorRandom
        private let catalog: [Product]
        private let categoryFields: [[UInt8]]
        private let eventTypes: [[UInt8]]
        private let cumulativeWeights: [Double]
        private let invalidThreshold: UInt64
        private let users: Int
        private let labels: Bool
        private let defectLabels: [[UInt8]]
        private var elapsedMilliseconds = 0

        private static let missingFieldChoices = [0, 1, 2, 3, 6, 7]
        private static let uuidSuffixes: [[UInt8]] = [[], Array("xyz".utf8), Array("-ZZZ".utf8)]
        private static let unknownTypes: [[UInt8]] = ["click", "VIEW", "checkout", "refund", "unknown"].map { Array($0.utf8) }
        private static let notADate = Array("not-a-date".utf8)
        private static let impossibleDate = Array("2024-13-45T99:00:00Z".utf8)
        private static let hex = Array("0123456789abcdef".utf8)
        private static let userPrefix = Array("user_".utf8)

        init(_ options: EventsGenerator.Options) {
            rng = GeneratorRandom(seed: options.seed)
            catalog = RowStream.makeCatalog(seed: options.seed ^ 0x5EED, count: options.products)
            categoryFields = EventsGenerator.categories.map { Array($0.name.utf8) }
            eventTypes = EventsGenerator.eventTypes.map { Array($0.utf8) }
            var running = 0.0
            cumulativeWeights = EventsGenerator.eventWeights.map { running += Double($0); return running }
            invalidThreshold = GeneratorRandom.threshold(probability: options.invalidRate)
            users = options.users
            labels = options.labels
            defectLabels = Defect.allCases.map { Array($0.label.utf8) }
        }

        /// The catalog, from its own PRNG so that it does not depend on how many rows are drawn.
        static func makeCatalog(seed: UInt64, count: Int) -> [Product] {
            var rng = GeneratorRandom(seed: seed)
            let categories = EventsGenerator.categories
            var catalog: [Product] = []
            catalog.reserveCapacity(count)
            for i in 0..<count {
                let c = rng.below(categories.count)
                let category = categories[c]
                var name = "\(category.products[rng.below(category.products.count)]) \(1 + rng.below(99))"
                if rng.unit() < 0.03 { name += ", Deluxe Edition" }
                let r = rng.unit()
                let price = category.low + (category.high - category.low) * r * r
                catalog.append(
                    Product(
                        id: Array("prod_\(EventsGenerator.zeroPadded(i + 1, 4))".utf8), nameField: csvField(name),
                        category: c, cents: Int((price * 100).rounded())))
            }
            return catalog
        }

        /// `text` as a CSV field, quoted as Python's csv module does (QUOTE_MINIMAL).
        static func csvField(_ text: String) -> [UInt8] {
            let bytes = Array(text.utf8)
            let special: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
            guard bytes.contains(where: special.contains) else { return bytes }
            var quoted: [UInt8] = [UInt8(ascii: "\"")]
            for b in bytes {
                if b == UInt8(ascii: "\"") { quoted.append(b) }
                quoted.append(b)
            }
            quoted.append(UInt8(ascii: "\""))
            return quoted
        }

        /// Draws one event and writes it as a CSV line; `out` must have `maxRowLength` bytes reserved.
        mutating func writeRow(_ out: inout GeneratorOutputFile) {
            // Draw everything in the script's order, then decide on a defect, then write.
            var high = rng.next()
            var low = rng.next()
            high = (high & ~0xF000) | 0x4000  // version 4
            low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // RFC 4122 variant
            let user = 1 + rng.below(users)
            let x = rng.unit() * cumulativeWeights[cumulativeWeights.count - 1]
            var eventType = cumulativeWeights.count - 1
            for (t, c) in cumulativeWeights.enumerated() where x < c {
                eventType = t
                break
            }
            let product = catalog[rng.below(catalog.count)]
            var cents = product.cents
            if rng.unit() < 0.2 {
                cents = Int((Double(product.cents) * (0.7 + 0.3 * rng.unit())).rounded())
            }
            elapsedMilliseconds += 1 + rng.below(199)
            let time = EventsGenerator.startMilliseconds + elapsedMilliseconds

            var defect: Defect? = nil
            if invalidThreshold > 0 && rng.next53() < invalidThreshold {
                defect = Defect(rawValue: rng.below(Defect.allCases.count))
            }
            let comma = UInt8(ascii: ",")

            // 0 event_id
            var missing = -1
            if defect == .missingField { missing = RowStream.missingFieldChoices[rng.below(RowStream.missingFieldChoices.count)] }
            let idStart = out.length
            if missing != 0 {
                RowStream.writeUUID(high, low, &out)
                if defect == .badUUID {
                    // A prefix of 8...29 characters, perhaps with junk appended: never a valid UUID.
                    out.truncate(to: idStart + 8 + rng.below(22))
                    out.append(RowStream.uuidSuffixes[rng.below(RowStream.uuidSuffixes.count)])
                }
            }
            out.append(comma)
            // 1 user_id
            if missing != 1 {
                out.append(RowStream.userPrefix)
                out.appendZeroPadded(user, width: 5)
            }
            out.append(comma)
            // 2 event_type
            if missing != 2 {
                if defect == .unknownEventType {
                    out.append(RowStream.unknownTypes[rng.below(RowStream.unknownTypes.count)])
                } else {
                    out.append(eventTypes[eventType])
                }
            }
            out.append(comma)
            // 3 product_id, 4 product_name, 5 category
            if missing != 3 { out.append(product.id) }
            out.append(comma)
            out.append(product.nameField)
            out.append(comma)
            out.append(categoryFields[product.category])
            out.append(comma)
            // 6 price
            if missing != 6 { out.appendCents(defect == .negativePrice ? -cents : cents) }
            out.append(comma)
            // 7 event_timestamp
            if missing != 7 {
                if defect == .badTimestamp {
                    switch rng.below(3) {
                    case 0: out.append(RowStream.notADate)
                    case 1: RowStream.writeDayFirst(time, &out)
                    default: out.append(RowStream.impossibleDate)
                    }
                } else {
                    RowStream.writeISO(time, &out)
                }
            }
            if labels {
                out.append(comma)
                if let defect { out.append(defectLabels[defect.rawValue]) }
            }
            out.append(UInt8(ascii: "\n"))
        }

        /// 8-4-4-4-12 lowercase hex.
        private static func writeUUID(_ high: UInt64, _ low: UInt64, _ out: inout GeneratorOutputFile) {
            let p = out.cursor
            var n = 0
            for i in 0..<32 {
                if i == 8 || i == 12 || i == 16 || i == 20 {
                    p[n] = UInt8(ascii: "-")
                    n += 1
                }
                let word = i < 16 ? high : low
                let nibble = Int((word >> UInt64(60 - 4 * (i & 15))) & 0xF)
                p[n] = hex[nibble]
                n += 1
            }
            out.advance(n)
        }

        private static func civil(_ epochMilliseconds: Int) -> (year: Int, month: Int, day: Int, ms: Int) {
            let days = epochMilliseconds / 86_400_000
            let (y, m, d) = CivilTime.civilFromDays(days)
            return (y, m, d, epochMilliseconds - days * 86_400_000)
        }

        /// `2024-03-01T12:00:00.123Z`
        private static func writeISO(_ epochMilliseconds: Int, _ out: inout GeneratorOutputFile) {
            let (y, m, d, ms) = civil(epochMilliseconds)
            out.appendZeroPadded(y, width: 4)
            out.append(UInt8(ascii: "-"))
            out.appendZeroPadded(m, width: 2)
            out.append(UInt8(ascii: "-"))
            out.appendZeroPadded(d, width: 2)
            out.append(UInt8(ascii: "T"))
            out.appendZeroPadded(ms / 3_600_000, width: 2)
            out.append(UInt8(ascii: ":"))
            out.appendZeroPadded(ms / 60_000 % 60, width: 2)
            out.append(UInt8(ascii: ":"))
            out.appendZeroPadded(ms / 1000 % 60, width: 2)
            out.append(UInt8(ascii: "."))
            out.appendZeroPadded(ms % 1000, width: 3)
            out.append(UInt8(ascii: "Z"))
        }

        /// `01/03/2024 12:00` (the script's `%d/%m/%Y %H:%M` defect).
        private static func writeDayFirst(_ epochMilliseconds: Int, _ out: inout GeneratorOutputFile) {
            let (y, m, d, ms) = civil(epochMilliseconds)
            out.appendZeroPadded(d, width: 2)
            out.append(UInt8(ascii: "/"))
            out.appendZeroPadded(m, width: 2)
            out.append(UInt8(ascii: "/"))
            out.appendZeroPadded(y, width: 4)
            out.append(UInt8(ascii: " "))
            out.appendZeroPadded(ms / 3_600_000, width: 2)
            out.append(UInt8(ascii: ":"))
            out.appendZeroPadded(ms / 60_000 % 60, width: 2)
        }
    }
}
