import Foundation
import Testing
import SluiceCore
@testable import SluiceEngine

@Suite struct EventsGeneratorTests {
    static let header = "event_id,user_id,event_type,product_id,product_name,category,price,event_timestamp"
    static let types: Set<String> = ["view", "add_to_cart", "purchase", "wishlist", "remove_from_cart"]
    static let categories: Set<String> = ["Electronics", "Books", "Clothing", "Home", "Sports", "Toys", "Beauty"]

    /// The checks a validator would make, one per defect kind.
    struct Validator {
        let uuid = #/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/#
        let user = #/user_[0-9]{5}/#
        let product = #/prod_[0-9]{4}/#
        let price = #/-?[0-9]+\.[0-9]{2}/#
        let timestamp = #/2024-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z/#

        func isUUID(_ s: String) -> Bool { s.wholeMatch(of: uuid) != nil }
        func isTimestamp(_ s: String) -> Bool {
            s.wholeMatch(of: timestamp) != nil && CivilTime.parseTimestamp(s, unit: .ms) != nil
        }
    }

    private func generate(_ options: EventsGenerator.Options, _ label: String) throws -> (dir: String, files: [(path: String, rows: Int)]) {
        let dir = try GeneratorTestSupport.scratchDirectory(label)
        let target = options.batches > 0 ? dir + "/incoming" : dir + "/sub/events.csv"
        return (dir, try EventsGenerator(options).write(to: target))
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        var options = EventsGenerator.Options()
        options.rows = 5000
        options.invalidRate = 0.2
        options.labels = true
        let (d1, f1) = try generate(options, "ev-a")
        let (d2, f2) = try generate(options, "ev-b")
        options.seed = 43
        let (d3, f3) = try generate(options, "ev-c")
        defer { [d1, d2, d3].forEach(GeneratorTestSupport.remove) }
        let a = try GeneratorTestSupport.bytes(f1[0].path)
        #expect(a.count > 5000 * 80)
        #expect(a == (try GeneratorTestSupport.bytes(f2[0].path)))
        #expect(a != (try GeneratorTestSupport.bytes(f3[0].path)))
    }

    @Test func validRowsAreWellFormed() throws {
        var options = EventsGenerator.Options()
        options.rows = 20_000
        let (dir, files) = try generate(options, "ev-valid")
        defer { GeneratorTestSupport.remove(dir) }
        #expect(files.map(\.rows) == [20_000])
        let lines = try GeneratorTestSupport.lines(files[0].path)
        #expect(lines.count == 20_001)
        #expect(lines[0] == Self.header)
        let v = Validator()
        var problems: [String] = []
        var ids = Set<String>()
        var typeCounts: [String: Int] = [:]
        var quotedNames = 0
        var lastTime = Int64.min
        for line in lines.dropFirst() {
            let f = GeneratorTestSupport.fields(line)
            guard f.count == 8 else {
                problems.append("\(f.count) fields: \(line)")
                continue
            }
            if line.contains("\", Deluxe Edition\"") || line.contains(", Deluxe Edition\",") { quotedNames += 1 }
            ids.insert(f[0])
            typeCounts[f[2], default: 0] += 1
            let price = Double(f[6]) ?? -1
            let time = CivilTime.parseTimestamp(f[7], unit: .ms) ?? Int64.min
            if !v.isUUID(f[0]) || f[1].wholeMatch(of: v.user) == nil || !Self.types.contains(f[2])
                || f[3].wholeMatch(of: v.product) == nil || f[4].isEmpty || !Self.categories.contains(f[5])
                || f[6].wholeMatch(of: v.price) == nil || price < 0 || !v.isTimestamp(f[7]) || time <= lastTime
            {
                problems.append(line)
            }
            lastTime = time
            if problems.count > 10 { break }
        }
        #expect(problems.isEmpty, "\(problems)")
        #expect(ids.count == 20_000)
        #expect(quotedNames > 100 && quotedNames < 1500, "quoted names: \(quotedNames)")
        let weights = ["view": 0.50, "add_to_cart": 0.20, "purchase": 0.15, "wishlist": 0.10, "remove_from_cart": 0.05]
        for (type, w) in weights {
            #expect(abs(Double(typeCounts[type, default: 0]) / 20_000 - w) < 0.015, "\(type)")
        }
        let first = GeneratorTestSupport.fields(lines[1])[7]
        #expect(first.hasPrefix("2024-03-01T00:00:00."))
    }

    @Test func invalidRowsCarryTheirLabelledDefect() throws {
        var options = EventsGenerator.Options()
        options.rows = 20_000
        options.invalidRate = 0.1
        options.labels = true
        options.seed = 99
        let (dir, files) = try generate(options, "ev-invalid")
        defer { GeneratorTestSupport.remove(dir) }
        let lines = try GeneratorTestSupport.lines(files[0].path)
        #expect(lines[0] == Self.header + ",_defect")
        let v = Validator()
        var counts: [String: Int] = [:]
        var problems: [String] = []
        for line in lines.dropFirst() {
            let f = GeneratorTestSupport.fields(line)
            guard f.count == 9 else {
                problems.append("\(f.count) fields: \(line)")
                continue
            }
            let defect = f[8]
            counts[defect, default: 0] += 1
            let real: Bool
            switch defect {
            case "":
                real = v.isUUID(f[0]) && Self.types.contains(f[2]) && (Double(f[6]) ?? -1) >= 0 && v.isTimestamp(f[7])
            case "bad_uuid": real = !f[0].isEmpty && !v.isUUID(f[0])
            case "missing_field": real = [0, 1, 2, 3, 6, 7].filter { f[$0].isEmpty }.count == 1
            case "negative_price": real = (Double(f[6]) ?? 0) < 0
            case "unknown_event_type": real = !f[2].isEmpty && !Self.types.contains(f[2])
            case "bad_timestamp": real = !f[7].isEmpty && CivilTime.parseTimestamp(f[7], unit: .ms) == nil
            default: real = false
            }
            if !real { problems.append(line) }
            if problems.count > 10 { break }
        }
        #expect(problems.isEmpty, "\(problems)")
        let invalid = 20_000 - counts["", default: 0]
        #expect(abs(Double(invalid) / 20_000 - 0.1) < 0.015, "invalid rows: \(invalid)")
        for defect in ["bad_uuid", "missing_field", "negative_price", "unknown_event_type", "bad_timestamp"] {
            #expect(counts[defect, default: 0] > 250, "\(defect): \(counts[defect, default: 0])")
        }
    }

    @Test func batchesContinueTheStream() throws {
        var options = EventsGenerator.Options()
        options.batches = 4
        options.eventsPerBatch = 250
        options.invalidRate = 0.05
        let (dir, files) = try generate(options, "ev-batches")
        defer { GeneratorTestSupport.remove(dir) }
        let names = (0..<4).map { "events_0000\($0).csv" }
        #expect(files.map(\.path) == names.map { dir + "/incoming/" + $0 })
        #expect(files.map(\.rows) == [250, 250, 250, 250])
        #expect(try GeneratorTestSupport.listing(dir + "/incoming") == names)

        var batchRows: [String] = []
        var lastTime = Int64.min
        for file in files {
            let lines = try GeneratorTestSupport.lines(file.path)
            #expect(lines.count == 251)
            #expect(lines[0] == Self.header)
            batchRows += lines.dropFirst()
            let times = lines.dropFirst().compactMap { CivilTime.parseTimestamp(GeneratorTestSupport.fields($0)[7], unit: .ms) }
            #expect(times.count > 200)
            #expect(times == times.sorted())
            #expect((times.first ?? .min) > lastTime)
            lastTime = times.last ?? lastTime
        }
        // The batches are the single-file stream cut into pieces.
        var single = options
        single.batches = 0
        single.rows = 1000
        let (dir2, one) = try generate(single, "ev-single")
        defer { GeneratorTestSupport.remove(dir2) }
        #expect(Array(try GeneratorTestSupport.lines(one[0].path).dropFirst()) == batchRows)
    }

    @Test func headerCanBeOmitted() throws {
        var options = EventsGenerator.Options()
        options.rows = 10
        options.header = false
        let (dir, files) = try generate(options, "ev-noheader")
        defer { GeneratorTestSupport.remove(dir) }
        let lines = try GeneratorTestSupport.lines(files[0].path)
        #expect(lines.count == 10)
        #expect(Validator().isUUID(GeneratorTestSupport.fields(lines[0])[0]))
    }

    @Test func rejectsBadOptions() {
        for change in [
            { (o: inout EventsGenerator.Options) in o.invalidRate = 1.5 },
            { o in o.rows = -1 },
            { o in o.users = 0 },
            { o in o.products = 0 },
            { o in o.eventsPerBatch = -1 },
        ] {
            var options = EventsGenerator.Options()
            change(&options)
            #expect(throws: SluiceError.self) { try EventsGenerator(options).write(to: "/tmp/never-events.csv") }
        }
    }
}
