import SluiceCore

/// One leaf (primitive) column of a Parquet schema, with the levels its pages carry.
public struct ParquetLeaf: Sendable, Hashable {
    /// Position among the leaves: the index of this column's chunk in every row group.
    public let index: Int
    /// Names from the top-level field down to this leaf.
    public let path: [String]
    public let element: SchemaElement
    public let maxDefinitionLevel: Int
    public let maxRepetitionLevel: Int
    /// The top-level field this leaf belongs to.
    public let topLevelIndex: Int

    public var dottedPath: String { path.joined(separator: ".") }
    public var physicalType: PhysicalType { element.type ?? .int32 }
}

/// A top-level field of the file: either a primitive column the reader can produce, or a nested
/// one (struct, list, map) that it reports as unsupported when selected.
public struct ParquetTopLevelField: Sendable, Hashable {
    public let name: String
    public let element: SchemaElement
    /// Indices of the leaves under this field (one for a primitive column).
    public let leaves: [Int]
    /// For a nested field: what kind it is ("nested struct", "list", "map", "repeated field").
    public let nestedKind: String?
}

/// The schema tree of a Parquet file, flattened into leaves and top-level fields.
public struct ParquetSchema: Sendable, Hashable {
    public let leaves: [ParquetLeaf]
    public let fields: [ParquetTopLevelField]

    /// Builds the tree from the depth-first element list of `FileMetaData.schema`.
    public init(_ elements: [SchemaElement]) throws(ParquetError) {
        guard let root = elements.first else { throw corrupt("the schema is empty") }
        var leaves: [ParquetLeaf] = []
        var fields: [ParquetTopLevelField] = []
        var next = 1

        func walk(path: [String], def: Int, rep: Int, top: Int, depth: Int) throws(ParquetError) {
            guard depth < 100 else { throw corrupt("the schema is nested more than 100 levels deep") }
            guard next < elements.count else { throw corrupt("the schema ends early: a group promises more children than there are elements") }
            let e = elements[next]
            next += 1
            let r = e.repetition ?? .required
            let d = def + (r == .required ? 0 : 1)
            let rp = rep + (r == .repeated ? 1 : 0)
            let p = path + [e.name]
            let children = Int(e.numChildren ?? 0)
            if children > 0 || e.type == nil {
                guard children >= 0, children <= elements.count else { throw corrupt("schema element '\(e.name)' has \(children) children") }
                for _ in 0..<children { try walk(path: p, def: d, rep: rp, top: top, depth: depth + 1) }
            } else {
                leaves.append(ParquetLeaf(index: leaves.count, path: p, element: e, maxDefinitionLevel: d, maxRepetitionLevel: rp, topLevelIndex: top))
            }
        }

        let topCount = Int(root.numChildren ?? 0)
        guard topCount >= 0, topCount < elements.count else { throw corrupt("the schema root claims \(topCount) fields but has \(elements.count - 1) elements") }
        for t in 0..<topCount {
            guard next < elements.count else { throw corrupt("the schema ends early") }
            let e = elements[next]
            let first = leaves.count
            try walk(path: [], def: 0, rep: 0, top: t, depth: 0)
            let isGroup = (e.numChildren ?? 0) > 0 || e.type == nil
            var kind: String? = nil
            if isGroup {
                if e.logicalType == .list || e.convertedType == .list {
                    kind = "list"
                } else if e.logicalType == .map || e.convertedType == .map || e.convertedType == .mapKeyValue {
                    kind = "map"
                } else {
                    kind = "nested struct"
                }
            } else if e.repetition == .repeated {
                kind = "repeated field"
            }
            fields.append(ParquetTopLevelField(name: e.name, element: e, leaves: Array(first..<leaves.count), nestedKind: kind))
        }
        guard next == elements.count else { throw corrupt("the schema has \(elements.count - next) elements not reachable from the root") }
        self.leaves = leaves
        self.fields = fields
    }
}
