#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX extended regular expression compiled once (`regcomp`) and matched with `regexec`.
///
/// Implementation note: glibc's `regexec` locks the compiled pattern internally, so one instance
/// may be shared by concurrent workers (they take turns on it); nothing here mutates it after
/// `init`. Strings are matched as bytes in the C locale; a NUL byte inside a value ends it.
final class POSIXRegex: @unchecked Sendable {
    let pattern: String
    private let compiled: UnsafeMutablePointer<regex_t>

    init(_ pattern: String) throws(SluiceError) {
        let regex = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        let status = regcomp(regex, pattern, REG_EXTENDED | REG_NOSUB)
        guard status == 0 else {
            var message = [CChar](repeating: 0, count: 256)
            regerror(status, regex, &message, message.count)
            // A failed regcomp keeps nothing to free; `deinit` does not run for a failed init.
            regex.deallocate()
            let text = message.withUnsafeBufferPointer { p in
                String(decoding: UnsafeRawBufferPointer(p).prefix { $0 != 0 }, as: UTF8.self)
            }
            throw .expression("invalid regular expression '\(pattern)': \(text)")
        }
        self.pattern = pattern
        self.compiled = regex
    }

    deinit {
        regfree(compiled)
        compiled.deallocate()
    }

    /// Whether the pattern matches anywhere in `s`; `scratch` holds the NUL-terminated copy.
    @inline(__always) func matches(_ s: UnsafeRawBufferPointer, _ scratch: inout CStringScratch) -> Bool {
        regexec(compiled, scratch.terminated(s), 0, nil, 0) == 0
    }
}

/// A reusable buffer for NUL-terminated copies of values, grown as needed: one allocation per
/// batch rather than one per value.
struct CStringScratch: ~Copyable {
    private var base: UnsafeMutablePointer<CChar>
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    mutating func terminated(_ s: UnsafeRawBufferPointer) -> UnsafePointer<CChar> {
        if s.count + 1 > capacity {
            base.deallocate()
            capacity = Swift.max(capacity * 2, s.count + 1)
            base = .allocate(capacity: capacity)
        }
        if let src = s.baseAddress, s.count > 0 { UnsafeMutableRawPointer(base).copyMemory(from: src, byteCount: s.count) }
        base[s.count] = 0
        return UnsafePointer(base)
    }
}

extension ExpressionBinder {
    /// `matches(s, 'regex')`: whether the POSIX extended regex matches anywhere in `s`. The
    /// pattern must be a literal; it is compiled here, once, and matched by `BytePattern` when
    /// it is simple enough (`regcomp` still checks it, so errors read the same either way).
    func bindMatches(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("matches", args, 2...2, e)
        let x = args[0]
        let pattern = try literalString(args[1], "the pattern", of: "matches", e)
        let regex = try POSIXRegex(pattern)
        guard let type = x.type else { return constant(.null, .bool, e) }
        guard type.isStringLike else { throw argumentError("matches", expects: "a string", got: x, e) }
        if let null = nullIfAnyNull(.bool, e, [x]) { return null }
        let inner = x.evaluator
        let evaluate: Evaluator
        if let fast = BytePattern(pattern) {
            evaluate = { batch throws(SluiceError) in
                let c = try inner(batch)
                if type == .dictionary { return dictionaryPredicate(c) { fast.matches($0) } }
                let strings = StringColumnInput(c)
                let bits = Bits.fromPredicate(count: c.count) { fast.matches(strings.bytes($0)) }
                withExtendedLifetime(c) {}
                return makeBoolColumn(bits, Validity(of: c), count: c.count)
            }
        } else if type == .dictionary {
            evaluate = { batch throws(SluiceError) in
                var scratch = CStringScratch()
                return dictionaryPredicate(try inner(batch)) { regex.matches($0, &scratch) }
            }
        } else {
            evaluate = { batch throws(SluiceError) in
                let c = try inner(batch)
                let strings = StringColumnInput(c)
                var scratch = CStringScratch()
                let bits = Bits.fromPredicate(count: c.count) { regex.matches(strings.bytes($0), &scratch) }
                withExtendedLifetime(c) {}
                return makeBoolColumn(bits, Validity(of: c), count: c.count)
            }
        }
        return try node(.bool, e, inputs: [x], evaluate)
    }
}
