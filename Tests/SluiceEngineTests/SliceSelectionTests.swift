import SluiceCore
import Testing

@testable import SluiceEngine

@Suite("Incremental slices")
struct SliceSelectionTests {
    func file(_ path: String, _ size: Int64 = 100, _ modified: Int64 = 1) -> InputFile {
        InputFile(path: path, size: size, modified: modified)
    }

    func known(_ entries: [(String, Set<String>)]) -> [String: FileSlices] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.0, FileSlices(size: 100, modified: 1, slices: $0.1)) })
    }

    /// Days 1–3 recorded, one file per day in each of two inputs (usage and labels).
    var recorded: [String: FileSlices] {
        known([("u1", ["d1"]), ("u2", ["d2"]), ("u3", ["d3"]), ("l1", ["d1"]), ("l2", ["d2"]), ("l3", ["d3"])])
    }

    @Test func aNewDayReadsOnlyItsFiles() {
        let inputs = [[file("u1"), file("u2"), file("u3"), file("u4")], [file("l1"), file("l2"), file("l3"), file("l4")]]
        #expect(SliceSelection.changed(inputs, known: recorded).map(\.path) == ["u4", "l4"])
        let s = SliceSelection.choose(inputs, known: recorded, scanned: ["u4": ["d4"], "l4": ["d4"]])
        #expect(s.slices == ["d4"])
        #expect(s.reads == [.init(files: ["u4"], filtered: false), .init(files: ["l4"], filtered: false)])
        #expect(s.changedFiles == ["u4", "l4"] && s.removedFiles.isEmpty)
        #expect(s.record["u4"] == FileSlices(size: 100, modified: 1, slices: ["d4"]))
        #expect(s.record.count == 8)
    }

    @Test func aLateFileForAnOldDayRereadsThatDayAndFiltersOtherDays() {
        // u2b holds rows of day 2 and day 3: days 2 and 3 are recomputed from every file holding them.
        let inputs = [[file("u1"), file("u2"), file("u2b"), file("u3")], [file("l1"), file("l2"), file("l3")]]
        let s = SliceSelection.choose(inputs, known: recorded, scanned: ["u2b": ["d2", "d3"]])
        #expect(s.slices == ["d2", "d3"])
        #expect(s.reads[0] == .init(files: ["u2", "u2b", "u3"], filtered: false))
        #expect(s.reads[1] == .init(files: ["l2", "l3"], filtered: false))
        // A day-2 file that also holds day 1 is read, but only its day-2 rows count.
        let wide = known([("u1", ["d1"]), ("u12", ["d1", "d2"])])
        let t = SliceSelection.choose([[file("u1"), file("u12"), file("u2")]], known: wide, scanned: ["u2": ["d2"]])
        #expect(t.slices == ["d2"])
        #expect(t.reads == [.init(files: ["u12", "u2"], filtered: true)])
    }

    @Test func aChangedFileRecomputesItsOldAndNewSlices() {
        // u3 was rewritten (new mtime) and now holds day 4 rows instead of day 3.
        let inputs = [[file("u1"), file("u2"), file("u3", 100, 2)], [file("l1"), file("l2"), file("l3")]]
        #expect(SliceSelection.changed(inputs, known: recorded).map(\.path) == ["u3"])
        let s = SliceSelection.choose(inputs, known: recorded, scanned: ["u3": ["d4"]])
        #expect(s.slices == ["d3", "d4"])
        #expect(s.reads == [.init(files: ["u3"], filtered: false), .init(files: ["l3"], filtered: false)])
        #expect(s.record["u3"] == FileSlices(size: 100, modified: 2, slices: ["d4"]))
    }

    @Test func aRemovedFileRecomputesItsSlicesFromTheRest() {
        let inputs = [[file("u1"), file("u3")], [file("l1"), file("l2"), file("l3")]]
        let s = SliceSelection.choose(inputs, known: recorded, scanned: [:])
        #expect(s.slices == ["d2"] && s.removedFiles == ["u2"])
        #expect(s.reads == [.init(files: [], filtered: false), .init(files: ["l2"], filtered: false)])
        #expect(s.record["u2"] == nil)
    }

    @Test func nothingNewIsEmptyAndAFirstRunReadsEverythingUnfiltered() {
        let inputs = [[file("u1"), file("u2"), file("u3")], [file("l1"), file("l2"), file("l3")]]
        #expect(SliceSelection.changed(inputs, known: recorded).isEmpty)
        let none = SliceSelection.choose(inputs, known: recorded, scanned: [:])
        #expect(none.isEmpty && none.record == recorded)
        let first = SliceSelection.choose(
            inputs, known: [:], scanned: ["u1": ["d1"], "u2": ["d2"], "u3": ["d3"], "l1": ["d1"], "l2": ["d2"], "l3": ["d3"]])
        #expect(first.slices == ["d1", "d2", "d3"])
        #expect(first.reads.allSatisfy { $0.files.count == 3 && !$0.filtered })
    }

    @Test func aPathInTwoInputsIsScannedOnce() {
        // The capacity lookups read the same usage files as the source.
        let inputs = [[file("u1"), file("u2")], [file("u1"), file("u2")]]
        let changed = SliceSelection.changed(inputs, known: known([("u1", ["d1"])]))
        #expect(changed.map(\.path) == ["u2"])
        let s = SliceSelection.choose(inputs, known: known([("u1", ["d1"])]), scanned: ["u2": ["d2"]])
        #expect(s.reads == [.init(files: ["u2"], filtered: false), .init(files: ["u2"], filtered: false)])
        #expect(s.changedFiles == ["u2"])
    }

    @Test func configNeedsAReplacingPostgresSinkWithTheSliceColumn() throws {
        let base = """
            name: t
            source: {type: csv, paths: [in.csv], schema: {day: date, v: int64}}
            transforms:
              - aggregate: {group_by: [day], compute: {v: sum(v)}}
            incremental:
              by: {day: "day"}
            sink:

            """
        let ok = try PipelineConfig.parse(
            yaml: base + "  {type: postgres, url: postgresql://h/db, table: t, mode: replace, partition_keys: [day]}", file: "p.yml")
        #expect(ok.incremental?.column == "day")
        #expect(ok.incremental?.sliceText.description == "cast(day, 'string')")
        func error(_ sink: String) -> String {
            do {
                _ = try PipelineConfig.parse(yaml: base + sink, file: "p.yml")
                return "no error"
            } catch {
                return error.description
            }
        }
        let sqlite = error("  {type: sqlite, path: o.sqlite, table: t, mode: upsert, key: [day]}")
        #expect(sqlite.contains("p.yml:6") && sqlite.contains("postgres with mode: replace and 'day' in partition_keys"), "\(sqlite)")
        #expect(error("  {type: postgres, url: postgresql://h/db, table: t, mode: replace, partition_keys: [v]}").contains("'day' in partition_keys"))
        let two = "name: t\nsource: {type: csv, paths: [in.csv]}\nincremental: {by: {day: day, v: v}}\nsink: {type: csv, path: o.csv}\n"
        #expect(throws: SluiceError.self) { _ = try PipelineConfig.parse(yaml: two, file: "p.yml") }
    }
}
