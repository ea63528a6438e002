/// Errors that stop an operation. Each case carries enough context to print one readable line.
public enum SluiceError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A command-line or API argument is wrong.
    case invalidArgument(String)
    /// A pipeline file is wrong: where, which key, and what was expected.
    case config(file: String, line: Int, column: Int, key: String, message: String)
    /// A file could not be read or written.
    case io(path: String, message: String)
    /// Input data could not be decoded and the policy is to fail.
    case data(file: String, line: Int, column: String?, message: String)
    /// An expression does not parse or does not type-check.
    case expression(String)
    /// A sink or state store refused an operation.
    case sink(String)
    /// The run was cancelled (SIGINT/SIGTERM).
    case cancelled

    public var description: String {
        switch self {
        case .invalidArgument(let m): return m
        case let .config(file, line, column, key, message):
            let k = key.isEmpty ? "" : " \(key):"
            return "\(file):\(line):\(column):\(k) \(message)"
        case let .io(path, message): return "\(path): \(message)"
        case let .data(file, line, column, message):
            return "\(file):\(line):" + (column.map { " column '\($0)':" } ?? "") + " \(message)"
        case .expression(let m): return "expression: \(m)"
        case .sink(let m): return m
        case .cancelled: return "cancelled"
        }
    }
}
