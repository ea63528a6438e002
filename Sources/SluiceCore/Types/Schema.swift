/// A named, typed column slot.
public struct Field: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var type: DataType

    public init(_ name: String, _ type: DataType) {
        self.name = name
        self.type = type
    }

    public var description: String { "\(name): \(type)" }
}

/// An ordered list of fields with unique names.
public struct Schema: Sendable, Hashable, CustomStringConvertible {
    public private(set) var fields: [Field]

    public init(_ fields: [Field]) {
        self.fields = fields
    }

    public var count: Int { fields.count }
    public var names: [String] { fields.map(\.name) }

    /// The position of the field called `name`, if any.
    public func index(of name: String) -> Int? {
        fields.firstIndex { $0.name == name }
    }

    public subscript(_ i: Int) -> Field { fields[i] }

    public mutating func append(_ field: Field) { fields.append(field) }

    public mutating func replace(at i: Int, with field: Field) { fields[i] = field }

    public var description: String { fields.map(\.description).joined(separator: ", ") }

    /// Parses `name:type,name:type` as taken by `--schema`.
    public init(parsing spec: String) throws(SluiceError) {
        var fields: [Field] = []
        for part in spec.split(separator: ",") {
            let pieces = part.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2 else {
                throw SluiceError.invalidArgument("schema entry '\(part)' is not name:type")
            }
            let name = String(pieces[0]).trimmingSpaces()
            guard let type = DataType(parsing: String(pieces[1])) else {
                throw SluiceError.invalidArgument(
                    "unknown type '\(pieces[1])' for '\(name)' (expected one of: \(DataType.spellings.joined(separator: ", ")))")
            }
            fields.append(Field(name, type))
        }
        self.init(fields)
    }
}
