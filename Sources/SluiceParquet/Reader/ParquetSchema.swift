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

/// A top-level field of the file: a primitive column, a list of primitives (read as JSON text),
/// or another nested column (struct, map, list of lists or structs) that the reader reports as
/// unsupported when selected.
public struct ParquetTopLevelField: Sendable, Hashable {
    public let name: String
    public let element: SchemaElement
    /// Indices of the leaves under this field (one for a primitive column or a list).
    public let leaves: [Int]
    /// For a nested field the reader cannot produce: what kind it is ("nested struct", "map",
    /// "list of structs", "list of lists", "list of maps", "list"). Nil for flat columns and lists
    /// of primitives.
    public let nestedKind: String?
    /// For a list of primitives: how its levels map to lists. Nil otherwise.
    public let list: ParquetListLayout?

    /// A primitive column, read value for value (statistics and pruning apply to it).
    public var isFlat: Bool { nestedKind == nil && list == nil }
}

/// Where a list of primitives stands in its leaf's levels: a definition level below
/// `emptyLevel` is a null list, `emptyLevel` itself an empty list, and anything above it an
/// element (null below the leaf's maximum). One repetition level: 0 starts a row.
public struct ParquetListLayout: Sendable, Hashable {
    /// The definition level of a present but empty list (0 when the list cannot be null).
    public let emptyLevel: Int
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
        /// Element indices of each group's children, to recognise list layouts afterwards.
        var children = [[Int]](repeating: [], count: elements.count)

        func walk(path: [String], def: Int, rep: Int, top: Int, depth: Int) throws(ParquetError) -> Int {
            guard depth < 100 else { throw corrupt("the schema is nested more than 100 levels deep") }
            guard next < elements.count else { throw corrupt("the schema ends early: a group promises more children than there are elements") }
            let index = next
            let e = elements[index]
            next += 1
            let r = e.repetition ?? .required
            let d = def + (r == .required ? 0 : 1)
            let rp = rep + (r == .repeated ? 1 : 0)
            let p = path + [e.name]
            let childCount = Int(e.numChildren ?? 0)
            if childCount > 0 || e.type == nil {
                guard childCount >= 0, childCount <= elements.count else { throw corrupt("schema element '\(e.name)' has \(childCount) children") }
                for _ in 0..<childCount {
                    let child = try walk(path: p, def: d, rep: rp, top: top, depth: depth + 1)
                    children[index].append(child)
                }
            } else {
                leaves.append(ParquetLeaf(index: leaves.count, path: p, element: e, maxDefinitionLevel: d, maxRepetitionLevel: rp, topLevelIndex: top))
            }
            return index
        }

        let topCount = Int(root.numChildren ?? 0)
        guard topCount >= 0, topCount < elements.count else { throw corrupt("the schema root claims \(topCount) fields but has \(elements.count - 1) elements") }
        for t in 0..<topCount {
            guard next < elements.count else { throw corrupt("the schema ends early") }
            let first = leaves.count
            let index = try walk(path: [], def: 0, rep: 0, top: t, depth: 0)
            let shape = Self.shape(of: index, elements, children)
            fields.append(ParquetTopLevelField(
                name: elements[index].name, element: elements[index], leaves: Array(first..<leaves.count),
                nestedKind: shape.unsupported, list: shape.list))
        }
        guard next == elements.count else { throw corrupt("the schema has \(elements.count - next) elements not reachable from the root") }
        self.leaves = leaves
        self.fields = fields
    }

    /// What a top-level field is: flat, a list of primitives, or an unsupported nested kind.
    ///
    /// Lists follow the Parquet specification's LIST rules, backward-compatibility rules included:
    /// the standard `group (LIST) { repeated group list { T element } }`; a repeated primitive
    /// inside the LIST group (2-level, required elements); a repeated group of one field named
    /// `array` or `<name>_tuple`, or of several fields, is a list of structs; a bare repeated
    /// primitive is a list of required elements that is never null.
    static func shape(of index: Int, _ elements: [SchemaElement], _ children: [[Int]]) -> (unsupported: String?, list: ParquetListLayout?) {
        let e = elements[index]
        let isGroup = (e.numChildren ?? 0) > 0 || e.type == nil
        let optional = e.repetition == .optional ? 1 : 0
        func isGroupElement(_ i: Int) -> Bool { (elements[i].numChildren ?? 0) > 0 || elements[i].type == nil }
        func groupKind(_ x: SchemaElement) -> String {
            if x.logicalType == .list || x.convertedType == .list { return "lists" }
            if x.logicalType == .map || x.convertedType == .map || x.convertedType == .mapKeyValue { return "maps" }
            return "structs"
        }
        guard isGroup else {
            // A bare repeated primitive: its own definition level 1 means an element.
            return e.repetition == .repeated ? (nil, ParquetListLayout(emptyLevel: 0)) : (nil, nil)
        }
        if e.repetition == .repeated { return ("list of structs", nil) }
        switch groupKind(e) {
        case "maps": return ("map", nil)
        case "structs": return ("nested struct", nil)
        default: break
        }
        guard children[index].count == 1, let repeated = children[index].first, elements[repeated].repetition == .repeated else {
            return ("list", nil)
        }
        // The repeated node adds one definition level; one less is a present, empty list.
        let layout = ParquetListLayout(emptyLevel: optional)
        guard isGroupElement(repeated) else { return (nil, layout) }
        let r = elements[repeated]
        let inner = children[repeated]
        guard inner.count == 1, r.name != "array", r.name != e.name + "_tuple", let item = inner.first else {
            return ("list of structs", nil)
        }
        if isGroupElement(item) { return ("list of \(groupKind(elements[item]))", nil) }
        if elements[item].repetition == .repeated { return ("list of lists", nil) }
        return (nil, layout)
    }
}
