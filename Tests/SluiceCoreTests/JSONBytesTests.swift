import SluiceCore
import Testing

@Suite("JSON string literals from bytes")
struct JSONBytesTests {
    func quoted(_ s: String) -> String {
        var out: [UInt8] = Array("x".utf8)
        Array(s.utf8).withUnsafeBytes { JSON.appendQuoted($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesWhatJSONRequiresAndCopiesTheRest() {
        #expect(quoted("plain é ✓") == "x\"plain é ✓\"")
        #expect(quoted("a\"b\\c") == "x\"a\\\"b\\\\c\"")
        #expect(quoted("l1\nl2\r\tend") == "x\"l1\\nl2\\r\\tend\"")
        #expect(quoted("\u{01}\u{1f}") == "x\"\\u0001\\u001f\"")
        #expect(quoted("") == "x\"\"")
        // The same text as the String-based quote used for reports.
        for s in ["a\"b", "tab\there", "\u{07}bell", "ünï"] { #expect(quoted(s) == "x" + JSON.quote(s)) }
    }

    @Test func writeQuotedStaysWithinItsBound() {
        let worst = [UInt8](repeating: 0x01, count: 10)
        var room = [UInt8](repeating: 0xAA, count: JSON.maxQuotedLength(worst.count) + 1)
        let n = worst.withUnsafeBytes { b in room.withUnsafeMutableBufferPointer { JSON.writeQuoted(b, to: $0.baseAddress.unsafelyUnwrapped) } }
        #expect(n == JSON.maxQuotedLength(worst.count))
        #expect(room.last == 0xAA)
    }
}
