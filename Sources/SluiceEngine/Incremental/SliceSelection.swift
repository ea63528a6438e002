import SluiceCore

/// What an incremental pipeline knows of one input file: its size and modification time when it
/// was read, and the slices its rows fall in.
public struct FileSlices: Sendable, Equatable {
    public var size: Int64
    public var modified: Int64
    public var slices: Set<String>

    public init(size: Int64, modified: Int64, slices: Set<String>) {
        self.size = size
        self.modified = modified
        self.slices = slices
    }

    func isSame(_ f: InputFile) -> Bool { size == f.size && modified == f.modified }
}

/// A file an input lists now, with its identity.
public struct InputFile: Sendable, Equatable {
    public var path: String
    public var size: Int64
    public var modified: Int64

    public init(path: String, size: Int64, modified: Int64) {
        self.path = path
        self.size = size
        self.modified = modified
    }
}

/// The part of the input one incremental run reads: the slices touched by new, changed or removed
/// files, and for each input (the source, then each sliced lookup) the files holding rows of
/// those slices. Recomputing a slice from all of its rows and replacing it in the sink is
/// idempotent, so a crash between the sink's commit and the state's record only costs a re-run.
public struct SliceSelection: Sendable {
    /// The files one input reads, and whether they also hold rows of other slices, which a
    /// filter must then drop.
    public struct InputRead: Sendable, Equatable {
        public var files: [String]
        public var filtered: Bool
    }

    /// The slices recomputed and replaced in the sink.
    public var slices: Set<String>
    /// Per input, in the order given to `choose`.
    public var reads: [InputRead]
    /// Every file listed now, with its slices: what the state records once the run commits.
    public var record: [String: FileSlices]
    public var changedFiles: [String]
    public var removedFiles: [String]

    /// Nothing new: no slice to recompute.
    public var isEmpty: Bool { slices.isEmpty }

    /// The files whose slices must be read before choosing: new, or changed since recorded.
    /// Each path once, in input order.
    public static func changed(_ inputs: [[InputFile]], known: [String: FileSlices]) -> [InputFile] {
        var seen = Set<String>()
        var out: [InputFile] = []
        for input in inputs {
            for f in input where !(known[f.path]?.isSame(f) ?? false) && seen.insert(f.path).inserted {
                out.append(f)
            }
        }
        return out
    }

    /// Chooses the slices and files of a run. `scanned` holds the slices of every file
    /// `changed` returned.
    public static func choose(_ inputs: [[InputFile]], known: [String: FileSlices], scanned: [String: Set<String>]) -> SliceSelection {
        var record: [String: FileSlices] = [:]
        var changed: [String] = []
        var touched = Set<String>()
        for input in inputs {
            for f in input where record[f.path] == nil {
                if let k = known[f.path], k.isSame(f) {
                    record[f.path] = k
                } else {
                    let slices = scanned[f.path] ?? []
                    record[f.path] = FileSlices(size: f.size, modified: f.modified, slices: slices)
                    changed.append(f.path)
                    touched.formUnion(slices)
                    // A changed file's old rows must go too.
                    if let k = known[f.path] { touched.formUnion(k.slices) }
                }
            }
        }
        let removed = known.keys.filter { record[$0] == nil }.sorted()
        for path in removed { touched.formUnion(known[path]?.slices ?? []) }
        let changedSet = Set(changed)
        let reads = inputs.map { input in
            let files = input.filter { f in
                changedSet.contains(f.path) || !(record[f.path]?.slices.isDisjoint(with: touched) ?? true)
            }
            let filtered = files.contains { !(record[$0.path]?.slices.isSubset(of: touched) ?? true) }
            return InputRead(files: files.map(\.path), filtered: filtered)
        }
        return SliceSelection(slices: touched, reads: reads, record: record, changedFiles: changed, removedFiles: removed)
    }

    /// `report.json`'s `incremental` section.
    var json: String {
        let slices = slices.sorted().map(JSON.quote).joined(separator: ", ")
        let read = reads.map { String($0.files.count) }.joined(separator: ", ")
        return "{\"slices\": [\(slices)], \"files_changed\": \(changedFiles.count), \"files_removed\": \(removedFiles.count), \"files_read\": [\(read)]}"
    }

    /// One line for the run's summary.
    var summary: String {
        let shown = slices.sorted()
        let list = shown.count <= 5 ? shown.joined(separator: ", ") : shown.prefix(3).joined(separator: ", ") + ", … \(shown.last ?? "")"
        return "incremental: \(slices.count) slice(s) recomputed (\(list)) from \(changedFiles.count) new or changed and \(removedFiles.count) removed file(s)"
    }
}
