/// A small CSV reader for API bodies held in memory (CAISO's CSV members): RFC 4180 quoting,
/// CRLF or LF line ends. Bodies are a few MB at most, so this favours simplicity over the
/// file reader's kernels.
public enum CSVText {
    /// Records of `bytes` with the 1-based line each starts on; blank lines are skipped.
    public static func records(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) -> [(line: Int, fields: [String])] {
        var out: [(Int, [String])] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var i = 0
        let n = bytes.count
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        while i < n {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < n, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inQuotes = true
            case delimiter:
                endField()
            case 0x0D:
                break
            case 0x0A:
                if !(fields.isEmpty && field.isEmpty) {
                    endField()
                    out.append((recordLine, fields))
                    fields.removeAll(keepingCapacity: true)
                }
                line += 1
                recordLine = line
            default:
                field.append(b)
            }
            i += 1
        }
        if !(fields.isEmpty && field.isEmpty) {
            endField()
            out.append((recordLine, fields))
        }
        return out
    }
}
