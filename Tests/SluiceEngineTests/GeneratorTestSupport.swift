import Foundation
import SluiceCore

/// Files and CSV text for the generator tests: a scratch directory per test, whole-file reads, and
/// a field splitter that understands double quotes (independent of the code under test).
enum GeneratorTestSupport {
    /// A new empty directory under the system temporary directory.
    static func scratchDirectory(_ label: String) throws -> String {
        let base = NSTemporaryDirectory() + "sluice-gen-\(label)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        return base
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func listing(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// The lines of a file, without their newlines; the file must end with a newline.
    static func lines(_ path: String) throws -> [String] {
        let text = String(decoding: try bytes(path), as: UTF8.self)
        guard text.hasSuffix("\n") else { return text.isEmpty ? [] : [text] + ["<missing final newline>"] }
        return text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Splits one CSV line into fields, removing quotes and undoubling `""` inside quoted fields.
    static func fields(_ line: String, delimiter: UInt8 = UInt8(ascii: ",")) -> [String] {
        var out: [String] = []
        var field: [UInt8] = []
        var quoted = false
        let bytes = Array(line.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(b)
                }
            } else if b == UInt8(ascii: "\"") && field.isEmpty {
                quoted = true
            } else if b == delimiter {
                out.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
            } else {
                field.append(b)
            }
            i += 1
        }
        out.append(String(decoding: field, as: UTF8.self))
        return out
    }

    /// C's `%.15g`, the reference for the generator's number formatting.
    static func printfG15(_ v: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = withVaList([v]) { vsnprintf(&buffer, 64, "%.15g", $0) }
        return String(decoding: buffer.prefix(Int(max(0, n))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
