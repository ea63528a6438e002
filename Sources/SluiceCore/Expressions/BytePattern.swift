/// A regular expression from the simple part of POSIX ERE, matched over bytes without `regexec`:
/// literals, `.`, bracket expressions, the quantifiers `* + ? {n} {n,} {n,m}` on one atom, and
/// `^`/`$` at the ends. That covers validation patterns such as `^user_[0-9]+$` or a UUID's shape.
///
/// Why not `regexec`: it copies each value to a C string and glibc locks the compiled pattern on
/// every call, so workers take turns on it; a UUID check cost about 1 µs a value that way. Here a
/// pattern is a chain of at most 63 elements, and matching keeps the set of chain positions
/// reached in one machine word (shift-and), a few instructions per byte.
///
/// Matching follows POSIX in the C locale, as `POSIXRegex` does: a byte is a character and a
/// NUL byte ends the value. `init` returns nil for anything outside the subset (groups,
/// alternation, back-references, GNU escapes, anchors inside); those go to `POSIXRegex`.
struct BytePattern: Sendable {
    /// For each byte, the chain elements whose class holds it.
    private let classes: [UInt64]
    /// Elements that move on to the next position after matching a byte (`x`, `x?`).
    private let advances: UInt64
    /// Elements that stay after matching a byte (`x*`).
    private let repeats: UInt64
    /// Elements that may be skipped (`x?`, `x*`).
    private let skips: UInt64
    /// The positions reachable before any byte: position 0 and what skipping leads to.
    private let start: UInt64
    private let accept: UInt64
    private let anchoredStart: Bool
    private let anchoredEnd: Bool

    private enum Kind { case one, optional, star }

    /// Parses `pattern`; nil when it uses anything outside the subset. Call it on a pattern
    /// that `regcomp` accepted, so that errors are reported by the regex library's rules.
    init?(_ pattern: String) {
        let p = Array(pattern.utf8)
        var i = 0
        var end = p.count
        let anchoredStart = p.first == UInt8(ascii: "^")
        if anchoredStart { i = 1 }
        var anchoredEnd = false
        if end > i, p[end - 1] == UInt8(ascii: "$"), !Self.escaped(p, at: end - 1) {
            anchoredEnd = true
            end -= 1
        }
        var elements: [(set: [Bool], kind: Kind)] = []
        while i < end {
            var set = [Bool](repeating: false, count: 256)
            let c = p[i]
            switch c {
            case UInt8(ascii: "\\"):
                guard i + 1 < end, Self.special.contains(p[i + 1]) else { return nil }
                set[Int(p[i + 1])] = true
                i += 2
            case UInt8(ascii: "."):
                for b in 1..<256 { set[b] = true }
                i += 1
            case UInt8(ascii: "["):
                guard let next = Self.bracket(p, from: i + 1, end: end, into: &set) else { return nil }
                i = next
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "$"),
                UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "]"):
                return nil
            default:
                set[Int(c)] = true
                i += 1
            }
            // The atom's quantifier, if any, expands into required and optional copies.
            var least = 1
            var most: Int? = 1
            if i < end {
                switch p[i] {
                case UInt8(ascii: "*"): (least, most) = (0, nil); i += 1
                case UInt8(ascii: "+"): (least, most) = (1, nil); i += 1
                case UInt8(ascii: "?"): (least, most) = (0, 1); i += 1
                case UInt8(ascii: "{"):
                    guard let (l, m, next) = Self.interval(p, from: i + 1, end: end) else { return nil }
                    (least, most, i) = (l, m, next)
                default: break
                }
                if i < end, [UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{")].contains(p[i]) { return nil }
            }
            let copies = least + (most.map { $0 - least } ?? 1)
            guard elements.count + copies <= 63 else { return nil }
            for _ in 0..<least { elements.append((set, .one)) }
            if let m = most {
                for _ in least..<m { elements.append((set, .optional)) }
            } else {
                elements.append((set, .star))
            }
        }

        var classes = [UInt64](repeating: 0, count: 256)
        var advances: UInt64 = 0
        var repeats: UInt64 = 0
        var skips: UInt64 = 0
        for (k, e) in elements.enumerated() {
            let bit = UInt64(1) << UInt64(k)
            for b in 0..<256 where e.set[b] { classes[b] |= bit }
            switch e.kind {
            case .one: advances |= bit
            case .optional: advances |= bit; skips |= bit
            case .star: repeats |= bit; skips |= bit
            }
        }
        self.classes = classes
        self.advances = advances
        self.repeats = repeats
        self.skips = skips
        self.accept = UInt64(1) << UInt64(elements.count)
        self.anchoredStart = anchoredStart
        self.anchoredEnd = anchoredEnd
        self.start = Self.closure(1, skips: skips)
    }

    /// The characters a backslash makes literal in an ERE.
    private static let special = Set(".[]()*+?{}|^$\\".utf8)

    /// Whether the byte at `at` follows an odd run of backslashes.
    private static func escaped(_ p: [UInt8], at: Int) -> Bool {
        var n = 0
        var k = at - 1
        while k >= 0, p[k] == UInt8(ascii: "\\") { n += 1; k -= 1 }
        return n % 2 == 1
    }

    /// A bracket expression after its `[`: fills `set`, returns the index after its `]`.
    private static func bracket(_ p: [UInt8], from: Int, end: Int, into set: inout [Bool]) -> Int? {
        var i = from
        var negated = false
        if i < end, p[i] == UInt8(ascii: "^") { negated = true; i += 1 }
        var members = [Bool](repeating: false, count: 256)
        var first = true
        while true {
            guard i < end else { return nil }
            let c = p[i]
            if c == UInt8(ascii: "]"), !first { i += 1; break }
            first = false
            if c == UInt8(ascii: "[") {
                // [:class:] and the collating forms [.x.] [=x=].
                guard i + 1 < end, p[i + 1] == UInt8(ascii: ":") else {
                    if i + 1 < end, p[i + 1] == UInt8(ascii: ".") || p[i + 1] == UInt8(ascii: "=") { return nil }
                    members[Int(c)] = true
                    i += 1
                    continue
                }
                guard let close = (i + 2..<end).first(where: { p[$0] == UInt8(ascii: ":") && $0 + 1 < end && p[$0 + 1] == UInt8(ascii: "]") }),
                    let test = namedClass(String(decoding: p[(i + 2)..<close], as: UTF8.self))
                else { return nil }
                for b in 0..<128 where test(UInt8(b)) { members[b] = true }
                i = close + 2
                continue
            }
            if i + 2 < end, p[i + 1] == UInt8(ascii: "-"), p[i + 2] != UInt8(ascii: "]") {
                let hi = p[i + 2]
                guard hi != UInt8(ascii: "["), c <= hi else { return nil }
                for b in c...hi { members[Int(b)] = true }
                i += 3
                continue
            }
            members[Int(c)] = true
            i += 1
        }
        for b in 1..<256 { set[b] = members[b] != negated }
        return i
    }

    /// The C locale's character classes.
    private static func namedClass(_ name: String) -> ((UInt8) -> Bool)? {
        func within(_ r: ClosedRange<Character>) -> (UInt8) -> Bool {
            let lo = r.lowerBound.asciiValue ?? 0
            let hi = r.upperBound.asciiValue ?? 0
            return { $0 >= lo && $0 <= hi }
        }
        let digit = within("0"..."9"), upper = within("A"..."Z"), lower = within("a"..."z")
        switch name {
        case "digit": return digit
        case "upper": return upper
        case "lower": return lower
        case "alpha": return { upper($0) || lower($0) }
        case "alnum": return { upper($0) || lower($0) || digit($0) }
        case "xdigit": return { digit($0) || within("a"..."f")($0) || within("A"..."F")($0) }
        case "space": return { $0 == 32 || ($0 >= 9 && $0 <= 13) }
        case "blank": return { $0 == 32 || $0 == 9 }
        case "punct": return { ($0 >= 33 && $0 <= 47) || ($0 >= 58 && $0 <= 64) || ($0 >= 91 && $0 <= 96) || ($0 >= 123 && $0 <= 126) }
        case "print": return { $0 >= 32 && $0 <= 126 }
        case "graph": return { $0 >= 33 && $0 <= 126 }
        case "cntrl": return { $0 < 32 || $0 == 127 }
        default: return nil
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` after its `{`: the bounds and the index after `}`.
    private static func interval(_ p: [UInt8], from: Int, end: Int) -> (Int, Int?, Int)? {
        var i = from
        func number() -> Int? {
            var v: Int?
            while i < end, p[i] >= UInt8(ascii: "0"), p[i] <= UInt8(ascii: "9") {
                v = (v ?? 0) * 10 + Int(p[i] - UInt8(ascii: "0"))
                if v ?? 0 > 255 { return nil }
                i += 1
            }
            return v
        }
        guard let least = number() else { return nil }
        var most: Int? = least
        if i < end, p[i] == UInt8(ascii: ",") {
            i += 1
            most = number()
            if let m = most, m < least { return nil }
        }
        guard i < end, p[i] == UInt8(ascii: "}") else { return nil }
        return (least, most, i + 1)
    }

    @inline(__always) private static func closure(_ s: UInt64, skips: UInt64) -> UInt64 {
        var s = s
        while true {
            let t = s | ((s & skips) << 1)
            if t == s { return s }
            s = t
        }
    }

    /// Whether the pattern matches anywhere in `bytes` (anchors aside), up to a NUL byte.
    @inline(__always) func matches(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var s = start
        let n = bytes.count
        return classes.withUnsafeBufferPointer { table in
            var k = 0
            while k < n {
                let b = bytes[k]
                if b == 0 { break }
                if !anchoredEnd, s & accept != 0 { return true }
                if !anchoredStart { s |= start }
                let m = s & table[Int(b)]
                s = Self.closure(((m & advances) << 1) | (m & repeats), skips: skips)
                if s == 0, anchoredStart { return false }
                k += 1
            }
            if !anchoredStart { s |= start }
            return s & accept != 0
        }
    }
}
