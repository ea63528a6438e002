/// JSON string literals from UTF-8 bytes, for every writer of JSON text (the JSONL sink, label
/// maps, Parquet lists): quote, backslash and control characters escaped, other bytes copied.
extension JSON {
    /// The most bytes `writeQuoted` writes for `count` input bytes (each may become `\u00XX`).
    @inlinable public static func maxQuotedLength(_ count: Int) -> Int { count * 6 + 2 }

    /// Writes `bytes` as a JSON string literal at `p`, which has room for `maxQuotedLength`
    /// bytes; returns how many it wrote.
    public static func writeQuoted(_ bytes: UnsafeRawBufferPointer, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let digits: StaticString = "0123456789abcdef"
        let hex = digits.utf8Start
        var k = 0
        p[k] = UInt8(ascii: "\"")
        k += 1
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                p[k] = UInt8(ascii: "\\"); p[k + 1] = b; k += 2
            case 0x0A: p[k] = UInt8(ascii: "\\"); p[k + 1] = UInt8(ascii: "n"); k += 2
            case 0x0D: p[k] = UInt8(ascii: "\\"); p[k + 1] = UInt8(ascii: "r"); k += 2
            case 0x09: p[k] = UInt8(ascii: "\\"); p[k + 1] = UInt8(ascii: "t"); k += 2
            case 0..<0x20:
                p[k] = UInt8(ascii: "\\"); p[k + 1] = UInt8(ascii: "u"); p[k + 2] = UInt8(ascii: "0"); p[k + 3] = UInt8(ascii: "0")
                p[k + 4] = hex[Int(b >> 4)]; p[k + 5] = hex[Int(b & 15)]; k += 6
            default:
                p[k] = b; k += 1
            }
        }
        p[k] = UInt8(ascii: "\"")
        return k + 1
    }

    /// Appends `bytes` as a JSON string literal; text with nothing to escape is copied whole.
    public static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        if !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return
        }
        let start = out.count
        let room = maxQuotedLength(bytes.count)
        out.append(contentsOf: repeatElement(0, count: room))
        let n = out.withUnsafeMutableBufferPointer { b -> Int in
            guard let base = b.baseAddress else { return 0 }
            return writeQuoted(bytes, to: base + start)
        }
        out.removeLast(room - n)
    }
}
