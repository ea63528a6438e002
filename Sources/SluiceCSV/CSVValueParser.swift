/// Typed parsing of one field's bytes, straight from the read buffer: no `String`, no allocation.
///
/// Every parser takes the field's text (quotes already removed) as a pointer and a length and
/// returns nil when the text is not a valid value of its type. Callers trim spaces first.
enum CSVValueParser {
    /// Drops leading and trailing spaces and tabs, which are tolerated around non-string values.
    @inline(__always)
    static func trim(_ p: inout UnsafePointer<UInt8>, _ n: inout Int) {
        while n > 0, p[0] == 0x20 || p[0] == 0x09 {
            p += 1
            n -= 1
        }
        while n > 0, p[n - 1] == 0x20 || p[n - 1] == 0x09 { n -= 1 }
    }

    /// `true/false/t/f/1/0/yes/no`, ASCII case-insensitive.
    @inline(__always)
    static func bool(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool? {
        @inline(__always) func lower(_ i: Int) -> UInt8 { p[i] | 0x20 }
        switch n {
        case 1:
            switch p[0] {
            case UInt8(ascii: "1"): return true
            case UInt8(ascii: "0"): return false
            default:
                switch lower(0) {
                case UInt8(ascii: "t"): return true
                case UInt8(ascii: "f"): return false
                default: return nil
                }
            }
        case 2:
            return lower(0) == UInt8(ascii: "n") && lower(1) == UInt8(ascii: "o") ? false : nil
        case 3:
            return lower(0) == UInt8(ascii: "y") && lower(1) == UInt8(ascii: "e") && lower(2) == UInt8(ascii: "s")
                ? true : nil
        case 4:
            return lower(0) == UInt8(ascii: "t") && lower(1) == UInt8(ascii: "r") && lower(2) == UInt8(ascii: "u")
                && lower(3) == UInt8(ascii: "e") ? true : nil
        case 5:
            return lower(0) == UInt8(ascii: "f") && lower(1) == UInt8(ascii: "a") && lower(2) == UInt8(ascii: "l")
                && lower(3) == UInt8(ascii: "s") && lower(4) == UInt8(ascii: "e") ? false : nil
        default:
            return nil
        }
    }

    /// Whether `[p, p + n)` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
    @inline(__always)
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        // Most text is ASCII: test eight bytes at a time for a high bit.
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < n, p[i] < 0x80 { i += 1 }
        return i == n || validateMultibyte(p, from: i, n)
    }

    static func validateMultibyte(_ p: UnsafePointer<UInt8>, from start: Int, _ n: Int) -> Bool {
        var i = start
        @inline(__always) func cont(_ k: Int) -> Bool { k < n && p[k] & 0xC0 == 0x80 }
        while i < n {
            let b = p[i]
            if b < 0x80 {
                i += 1
            } else if b >= 0xC2 && b <= 0xDF {
                guard cont(i + 1) else { return false }
                i += 2
            } else if b >= 0xE0 && b <= 0xEF {
                guard cont(i + 1), cont(i + 2) else { return false }
                let b1 = p[i + 1]
                if b == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b == 0xED && b1 >= 0xA0 { return false }  // surrogate
                i += 3
            } else if b >= 0xF0 && b <= 0xF4 {
                guard cont(i + 1), cont(i + 2), cont(i + 3) else { return false }
                let b1 = p[i + 1]
                if b == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b == 0xF4 && b1 >= 0x90 { return false }  // past U+10FFFF
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}

/// Decides whether an unquoted field is one of the configured null spellings, by length first.
struct CSVNullMatcher {
    let matchesEmpty: Bool
    private let others: [[UInt8]]

    init(_ nullValues: [String]) {
        matchesEmpty = nullValues.contains("")
        others = nullValues.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    @inline(__always)
    func matches(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if n == 0 { return matchesEmpty }
        if others.isEmpty { return false }
        return matchesOther(p, n)
    }

    private func matchesOther(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for o in others where o.count == n {
            let same = o.withUnsafeBufferPointer { b in
                for i in 0..<n where b[i] != p[i] { return false }
                return true
            }
            if same { return true }
        }
        return false
    }
}
