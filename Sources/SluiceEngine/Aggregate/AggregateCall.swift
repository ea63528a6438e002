import SluiceCore

/// One aggregate of a group-by: a function over an input column (none for `count(*)`), and the
/// output column's name.
public struct AggregateCall: Sendable, Equatable {
    public enum Function: String, Sendable, CaseIterable {
        case count, sum, min, max, avg
        case countDistinct = "count_distinct"
        /// A value of the group; the smallest, so that results never depend on worker timing.
        case any
    }

    public var function: Function
    /// Index of the input among the aggregator's value columns; nil for `count(*)`.
    public var input: Int?
    public var name: String

    public init(_ function: Function, input: Int?, name: String) {
        self.function = function
        self.input = input
        self.name = name
    }

    /// The output type for an input of `type`, or a message saying why the function does not apply.
    public func outputType(input type: DataType?) -> Result<DataType, AggregateTypeError> {
        switch function {
        case .count, .countDistinct: return .success(.int64)
        case .sum:
            guard let type, type.isNumeric else { return .failure(AggregateTypeError(call: self, type: type)) }
            return .success(type.isInteger ? .int64 : .float64)
        case .avg:
            guard let type, type.isNumeric else { return .failure(AggregateTypeError(call: self, type: type)) }
            return .success(.float64)
        case .min, .max, .any:
            guard let type else { return .failure(AggregateTypeError(call: self, type: nil)) }
            return .success(type.isStringLike ? .dictionary : type)
        }
    }
}

/// An aggregate applied to a column type it does not take.
public struct AggregateTypeError: Error, CustomStringConvertible {
    public let call: AggregateCall
    public let type: DataType?
    public var description: String {
        guard let type else { return "\(call.function.rawValue)(*) is not defined; give it a column" }
        return "\(call.function.rawValue) does not apply to a \(type) column"
    }
}
