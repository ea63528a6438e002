/// One token of expression source, with the byte offset where it starts (for error positions).
struct ExprToken: Equatable {
    enum Kind: Equatable {
        /// A numeric literal as written; `isInteger` when it has no fraction or exponent.
        case number(String, isInteger: Bool)
        /// A single-quoted string literal, unescaped.
        case string(String)
        /// A bare word: a column name, a function name or a keyword.
        case identifier(String)
        /// A double-quoted column name, unescaped; never a keyword.
        case quotedIdentifier(String)
        /// Punctuation and operators: `( ) , + - * / % ^ = == != <> < <= > >=`.
        case symbol(String)
        case end
    }

    let kind: Kind
    let offset: Int

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .number(let text, _): return "'\(text)'"
        case .string(let s): return "string \(quoteString(s))"
        case .identifier(let s): return "'\(s)'"
        case .quotedIdentifier(let s): return "\"\(s)\""
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of expression"
        }
    }

    /// Whether this is the keyword `word` (case-insensitive); quoted names never are.
    func isKeyword(_ word: String) -> Bool {
        if case .identifier(let s) = kind { return s.lowercased() == word }
        return false
    }

    func isSymbol(_ s: String) -> Bool { kind == .symbol(s) }
}

/// Splits expression source into tokens. Works on UTF-8 bytes; only string literals and quoted
/// names may hold non-ASCII text.
struct ExpressionLexer {
    let text: String
    private let bytes: [UInt8]
    private var i = 0

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    /// All tokens, ending with `.end`.
    static func tokenize(_ text: String) throws(SluiceError) -> [ExprToken] {
        var lexer = ExpressionLexer(text)
        var tokens: [ExprToken] = []
        while true {
            let t = try lexer.next()
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    /// An error at byte `offset`, with a 1-based character column and the whole source.
    static func error(_ message: String, at offset: Int, in text: String, hint: String? = nil) -> SluiceError {
        let prefix = text.utf8.prefix(offset)
        let column = String(decoding: prefix, as: UTF8.self).count + 1
        return .expression("\(message) at column \(column) in \"\(text)\"" + (hint.map { "; \($0)" } ?? ""))
    }

    private mutating func next() throws(SluiceError) -> ExprToken {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        let start = i
        guard i < bytes.count else { return ExprToken(kind: .end, offset: start) }
        let c = bytes[i]
        if isIdentifierStart(c) {
            while i < bytes.count, isIdentifierContinue(bytes[i]) { i += 1 }
            return ExprToken(kind: .identifier(slice(start, i)), offset: start)
        }
        if isDigit(c) || (c == 0x2E && i + 1 < bytes.count && isDigit(bytes[i + 1])) {
            return try number(start)
        }
        if c == 0x27 {  // '
            return ExprToken(kind: .string(try quoted(0x27, start, what: "string")), offset: start)
        }
        if c == 0x22 {  // "
            let name = try quoted(0x22, start, what: "quoted name")
            if name.isEmpty { throw Self.error("empty quoted name", at: start, in: text) }
            return ExprToken(kind: .quotedIdentifier(name), offset: start)
        }
        let two = i + 1 < bytes.count ? slice(i, i + 2) : ""
        if ["==", "!=", "<>", "<=", ">="].contains(two) {
            i += 2
            return ExprToken(kind: .symbol(two), offset: start)
        }
        if "(),+-*/%^=<>".utf8.contains(c) {
            i += 1
            return ExprToken(kind: .symbol(String(UnicodeScalar(c))), offset: start)
        }
        throw Self.error("unexpected character '\(characterAt(start))'", at: start, in: text)
    }

    private mutating func number(_ start: Int) throws(SluiceError) -> ExprToken {
        var isInteger = true
        while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        if i < bytes.count, bytes[i] == 0x2E {
            isInteger = false
            i += 1
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, bytes[i] == 0x65 || bytes[i] == 0x45 {  // e E
            var j = i + 1
            if j < bytes.count, bytes[j] == 0x2B || bytes[j] == 0x2D { j += 1 }
            guard j < bytes.count, isDigit(bytes[j]) else {
                throw Self.error("malformed number '\(slice(start, j))'", at: start, in: text)
            }
            isInteger = false
            i = j
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        }
        if i < bytes.count, isIdentifierStart(bytes[i]) {
            throw Self.error("malformed number '\(slice(start, i + 1))'", at: start, in: text)
        }
        return ExprToken(kind: .number(slice(start, i), isInteger: isInteger), offset: start)
    }

    /// Reads a literal between `quote` characters, where a doubled quote stands for one.
    private mutating func quoted(_ quote: UInt8, _ start: Int, what: String) throws(SluiceError) -> String {
        var out: [UInt8] = []
        i += 1
        while i < bytes.count {
            if bytes[i] == quote {
                if i + 1 < bytes.count, bytes[i + 1] == quote {
                    out.append(quote)
                    i += 2
                    continue
                }
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            out.append(bytes[i])
            i += 1
        }
        throw Self.error("unterminated \(what)", at: start, in: text)
    }

    private func slice(_ from: Int, _ to: Int) -> String {
        String(decoding: bytes[from..<min(to, bytes.count)], as: UTF8.self)
    }

    private func characterAt(_ offset: Int) -> String {
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return slice(offset, end)
    }

    @inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}
