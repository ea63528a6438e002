import SluiceCSV
import SluiceCore
import Testing

@testable import SluiceEngine

@Suite("Pipeline config")
struct PipelineConfigTests {
    let good = """
        name: t
        source:
          type: csv
          paths: [in.csv]
          delimiter: tab
          header: false
          schema: {a: int64, b: "timestamp(ms)"}
          split_size: 1MB
        transforms:
          - select: [a, "b as when"]
          - derive: {c: "a * 2", d: "c + 1"}
          - filter: "a > 0"
          - cast: {a: float64}
          - validate:
              on_invalid: drop
              rules:
                a: {required: true, min: 0, max: 10}
        sink: {type: sqlite, path: out.sqlite, table: t, mode: upsert, key: [a]}
        workers: 3
        memory: 1GiB
        """

    @Test func parsesEverySection() throws {
        let c = try PipelineConfig.parse(yaml: good, file: "p.yml")
        #expect(c.name == "t")
        guard case .csv(let s) = c.source else { Issue.record("not csv"); return }
        #expect(s.paths == ["in.csv"])
        #expect(s.options.delimiter == 9 && !s.options.header && s.options.splitBytes == 1 << 20)
        #expect(s.options.schema == Schema([Field("a", .int64), Field("b", .timestamp(.ms))]))
        #expect(c.transforms.count == 5)
        if case .select(let cols, _) = c.transforms[0] {
            #expect(cols.map(\.output) == ["a", "when"] && cols.map(\.input) == ["a", "b"])
        } else { Issue.record("select") }
        if case .derive(let cols) = c.transforms[1] { #expect(cols.map(\.column) == ["c", "d"]) } else { Issue.record("derive") }
        if case .validate(let v) = c.transforms[4] {
            #expect(v.onInvalid == .drop)
            #expect(v.rules.first?.rules == [.required, .min(0), .max(10)])
        } else { Issue.record("validate") }
        guard case .sqlite(let k) = c.sink else { Issue.record("sink"); return }
        #expect(k.mode == .upsert && k.key == ["a"] && k.table == "t")
        #expect(c.settings.workers == 3 && c.settings.memory == 1 << 30)
    }

    func error(_ yaml: String, env: [String: String] = [:]) -> String {
        do {
            _ = try PipelineConfig.parse(yaml: yaml, file: "p.yml", environment: env)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func unknownKeyNamesLineAndSuggests() {
        let e = error(good.replacingAll("split_size", with: "split_sise"))
        #expect(e.hasPrefix("p.yml:8:3: source.split_sise: unknown key 'split_sise'; did you mean 'split_size'?"))
    }

    @Test func wrongTypesAndValues() {
        #expect(error(good.replacingAll("workers: 3", with: "workers: three")).hasPrefix("p.yml:19:10: workers: expected a whole number"))
        #expect(error(good.replacingAll("header: false", with: "header: maybe")).contains("p.yml:6:11: source.header: expected true or false"))
        #expect(error(good.replacingAll("a: int64", with: "a: int46")).contains("unknown type 'int46'; did you mean 'int64'?"))
        #expect(error(good.replacingAll("mode: upsert", with: "mode: merge")).contains("unknown mode 'merge'"))
        #expect(error(good.replacingAll("memory: 1GiB", with: "memory: lots")).contains("expected a size"))
        #expect(error(good.replacingAll(", key: [a]", with: "")).contains("mode upsert needs 'key'"))
    }

    @Test func missingAndMalformed() {
        #expect(error("name: x\nsink: {type: csv, path: o.csv}\n").contains("missing required key 'source'"))
        #expect(error("name: x\nsource: {type: kafka}\nsink: {type: csv, path: o}\n").contains("p.yml:2:16: source.type: unknown source type 'kafka'"))
        #expect(error("name: [x\n").hasPrefix("p.yml:"))
        #expect(error("").contains("empty"))
        #expect(error(good.replacingAll("\"a * 2\"", with: "\"a * (2\"")).contains("p.yml:11:17: transforms[1].derive.c:"))
    }

    @Test func environmentSubstitution() throws {
        let y = good.replacingAll("out.sqlite", with: "\"${DIR}/${NAME:-db}.sqlite\"")
        let c = try PipelineConfig.parse(yaml: y, file: "p.yml", environment: ["DIR": "/data"])
        guard case .sqlite(let s) = c.sink else { Issue.record("sink"); return }
        #expect(s.path == "/data/db.sqlite")
        #expect(error(y).contains("environment variable DIR is not set"))
        let escaped = try PipelineConfig.parse(yaml: good.replacingAll("out.sqlite", with: "$$HOME.sqlite"), file: "p.yml")
        if case .sqlite(let s2) = escaped.sink { #expect(s2.path == "$HOME.sqlite") }
    }

    @Test func byteSizes() {
        #expect(ByteSize.parse("64MB") == 64 << 20)
        #expect(ByteSize.parse("1.5 GiB") == 3 << 29)
        #expect(ByteSize.parse("512") == 512)
        #expect(ByteSize.parse("12 parsecs") == nil)
    }
}
