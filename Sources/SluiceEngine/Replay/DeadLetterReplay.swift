import SluiceCSV
import SluiceCore
import SluiceHTTP

/// `sluice replay`: re-submits dead-letter rows (after someone fixed their values) through a
/// pipeline's transforms and sink. The rows' `values` become a CSV file with the source schema,
/// which runs as pipeline `<name>-replay`: its own ledger entries, state folder and dead-letter
/// file, so a replay never moves the main run's checkpoints, and the file is named by its
/// content, so replaying the same rows twice loads them once.
public enum DeadLetterReplay {
    /// What `prepare` made.
    public struct Prepared: Sendable {
        public var plan: PipelinePlan
        public var rows: Int
        /// The CSV file the rows were written to.
        public var file: String
    }

    public static func prepare(deadLetter: String, pipeline config: PipelineConfig) throws(SluiceError) -> Prepared {
        let original = try PipelinePlan(config)
        let schema = original.sourceSchema
        let text: String
        do { text = try FileIO.readText(deadLetter) } catch { throw SluiceError.io(path: deadLetter, message: error.message) }
        var csv = schema.names.map(csvField).joined(separator: ",") + "\n"
        var rows = 0
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let value: JSONValue
            do { value = try JSONValue.parse(Array(line.utf8)) } catch {
                throw SluiceError.io(path: deadLetter, message: "line \(n + 1): \(error.description)")
            }
            guard case .object? = value["values"] else {
                throw SluiceError.io(path: deadLetter, message: "line \(n + 1): no \"values\" object (is this a dead-letter file?)")
            }
            let fields = schema.names.map { name -> String in
                guard let v = value["values"]?[name], !v.isNull, let t = v.text else { return "" }
                return csvField(t)
            }
            csv += fields.joined(separator: ",") + "\n"
            rows += 1
        }
        let name = config.name + "-replay"
        let base = config.settings.stateDirectory ?? FileIO.join(FileIO.dirname(config.file), ".sluice")
        let stateRoot = base == "none" ? FileIO.join(FileIO.dirname(config.file), ".sluice") : base
        let folder = FileIO.join(FileIO.join(stateRoot, name), "input")
        let file = FileIO.join(folder, "replay-\(fnv1a(csv)).csv")
        if !FileIO.exists(file) {
            do {
                try FileIO.makeDirectories(folder)
                // Write-then-rename: a half-written file under the final name would be taken as the input.
                try FileIO.writeText(file + ".tmp", csv)
            } catch {
                throw SluiceError.io(path: file, message: error.message)
            }
            guard rename(file + ".tmp", file) == 0 else { throw SluiceError.io(path: file, message: SystemError("rename").message) }
        }

        var options = CSVOptions()
        options.batchRows = config.settings.batchRows
        options.schema = schema
        options.compression = .none
        let location = ConfigLocation(file: deadLetter, line: 1, column: 1, key: "")
        var replay = config
        replay.name = name
        replay.source = .csv(CSVSourceConfig(paths: [file], options: options, location: location))
        replay.settings.stateDirectory = stateRoot
        replay.settings.deadLetter = FileIO.join(FileIO.join(stateRoot, name), "dead-letter.jsonl")
        return Prepared(plan: try PipelinePlan(replay), rows: rows, file: file)
    }

    /// A CSV field, quoted when it holds a delimiter, quote or line break.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
    }

    /// 64-bit FNV-1a of the text, in hex: names the replay file by its content.
    static func fnv1a(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

#if canImport(Glibc)
import Glibc
#endif
