import CZlib

/// A zip archive in memory, as CAISO OASIS sends them: members found through the central
/// directory, stored or deflated, each checked against its CRC-32. A body cut short or
/// corrupted in transit fails here with a retryable problem rather than giving partial rows.
public struct ZipArchive {
    /// One member: its name and where its data is.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var method: UInt16
        public var crc32: UInt32
        public var compressedSize: Int
        public var size: Int
        var localHeaderOffset: Int
    }

    public let bytes: [UInt8]
    public let entries: [Entry]

    /// Reads the central directory. Throws when the archive is not a zip or is incomplete.
    public init(_ bytes: [UInt8]) throws(BodyProblem) {
        self.bytes = bytes
        guard bytes.count >= 22 else { throw BodyProblem("zip body is \(bytes.count) bytes, too short for an archive", retryable: true) }
        // The end-of-central-directory record is in the last 22 + 65535 bytes (it may be followed by a comment).
        var eocd = -1
        var i = bytes.count - 22
        let floor = max(0, bytes.count - 22 - 65_535)
        while i >= floor {
            if Self.u32(bytes, i) == 0x0605_4B50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            let looksZip = bytes.count >= 4 && Self.u32(bytes, 0) == 0x0403_4B50
            throw BodyProblem(
                looksZip ? "zip body is cut short (no end-of-central-directory record)" : "body is not a zip archive (starts with \(Self.preview(bytes)))",
                retryable: true)
        }
        let count = Int(Self.u16(bytes, eocd + 10))
        let cdSize = Int(Self.u32(bytes, eocd + 12))
        let cdOffset = Int(Self.u32(bytes, eocd + 16))
        guard cdOffset + cdSize <= eocd else { throw BodyProblem("zip central directory points past its end", retryable: true) }
        var entries: [Entry] = []
        var p = cdOffset
        for _ in 0..<count {
            guard p + 46 <= eocd, Self.u32(bytes, p) == 0x0201_4B50 else {
                throw BodyProblem("zip central directory is corrupt at byte \(p)", retryable: true)
            }
            let nameLength = Int(Self.u16(bytes, p + 28))
            let extraLength = Int(Self.u16(bytes, p + 30))
            let commentLength = Int(Self.u16(bytes, p + 32))
            guard p + 46 + nameLength <= eocd else { throw BodyProblem("zip central directory is corrupt at byte \(p)", retryable: true) }
            entries.append(
                Entry(
                    name: String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self), method: Self.u16(bytes, p + 10),
                    crc32: Self.u32(bytes, p + 16), compressedSize: Int(Self.u32(bytes, p + 20)), size: Int(Self.u32(bytes, p + 24)),
                    localHeaderOffset: Int(Self.u32(bytes, p + 42))))
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The uncompressed bytes of `entry`, CRC-checked.
    public func data(_ entry: Entry) throws(BodyProblem) -> [UInt8] {
        let h = entry.localHeaderOffset
        guard h + 30 <= bytes.count, Self.u32(bytes, h) == 0x0403_4B50 else {
            throw BodyProblem("zip member \(entry.name) has no local header", retryable: true)
        }
        let start = h + 30 + Int(Self.u16(bytes, h + 26)) + Int(Self.u16(bytes, h + 28))
        guard start + entry.compressedSize <= bytes.count else {
            throw BodyProblem("zip member \(entry.name) is cut short", retryable: true)
        }
        let out: [UInt8]
        switch entry.method {
        case 0:
            out = Array(bytes[start..<(start + entry.compressedSize)])
        case 8:
            out = try Self.inflateRaw(bytes, start, entry.compressedSize, size: entry.size, name: entry.name)
        default:
            throw BodyProblem("zip member \(entry.name) uses compression method \(entry.method) (only stored and deflate are read)", retryable: false)
        }
        guard out.count == entry.size, Self.crc32(out) == entry.crc32 else {
            throw BodyProblem("zip member \(entry.name) fails its CRC check", retryable: true)
        }
        return out
    }

    static func inflateRaw(_ src: [UInt8], _ start: Int, _ length: Int, size: Int, name: String) throws(BodyProblem) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        if size == 0 { return out }
        var stream = z_stream()
        // Negative window bits: raw deflate, which is what zip members hold (no zlib header).
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw BodyProblem("zlib could not be initialised", retryable: false)
        }
        defer { inflateEnd(&stream) }
        let rc: Int32 = src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                guard let sb = s.baseAddress, let db = d.baseAddress else { return Z_DATA_ERROR }
                stream.next_in = UnsafeMutablePointer(mutating: sb + start)
                stream.avail_in = UInt32(clamping: length)
                stream.next_out = db
                stream.avail_out = UInt32(clamping: size)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END, stream.avail_out == 0 else {
            throw BodyProblem("zip member \(name) does not inflate (zlib \(rc))", retryable: true)
        }
        return out
    }

    static func crc32(_ b: [UInt8]) -> UInt32 {
        b.withUnsafeBufferPointer { p in UInt32(CZlib.crc32(0, p.baseAddress, UInt32(clamping: p.count))) }
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }

    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func preview(_ b: [UInt8]) -> String {
        let s = String(decoding: b.prefix(24), as: UTF8.self).map { $0.isASCII && !$0.isNewline ? $0 : "." }
        return "'" + String(s) + "'"
    }
}

/// Writes zip archives (deflated members), for the OASIS emulator and tests.
public enum ZipWriter {
    /// An archive of `members` (name, contents), deflated.
    public static func archive(_ members: [(name: String, data: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for m in members {
            let deflated = deflateRaw(m.data)
            let stored = deflated.count >= m.data.count
            let body = stored ? m.data : deflated
            let crc = ZipArchive.crc32(m.data)
            let name = Array(m.name.utf8)
            let offset = out.count
            // Local header: version 2.0, no flags, method, a fixed 1980-01-01 timestamp.
            put32(&out, 0x0403_4B50); put16(&out, 20); put16(&out, 0); put16(&out, stored ? 0 : 8)
            put16(&out, 0); put16(&out, 0x21); put32(&out, crc); put32(&out, UInt32(body.count)); put32(&out, UInt32(m.data.count))
            put16(&out, UInt16(name.count)); put16(&out, 0)
            out += name
            out += body
            put32(&central, 0x0201_4B50); put16(&central, 20); put16(&central, 20); put16(&central, 0); put16(&central, stored ? 0 : 8)
            put16(&central, 0); put16(&central, 0x21); put32(&central, crc); put32(&central, UInt32(body.count))
            put32(&central, UInt32(m.data.count)); put16(&central, UInt16(name.count)); put16(&central, 0); put16(&central, 0)
            put16(&central, 0); put16(&central, 0); put32(&central, 0); put32(&central, UInt32(offset))
            central += name
        }
        let cdOffset = out.count
        out += central
        put32(&out, 0x0605_4B50); put16(&out, 0); put16(&out, 0); put16(&out, UInt16(members.count)); put16(&out, UInt16(members.count))
        put32(&out, UInt32(central.count)); put32(&out, UInt32(cdOffset)); put16(&out, 0)
        return out
    }

    static func deflateRaw(_ src: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return src
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(src.count)))
        var out = [UInt8](repeating: 0, count: bound + 16)
        let produced: Int = src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                guard let db = d.baseAddress else { return -1 }
                stream.next_in = UnsafeMutablePointer(mutating: s.baseAddress)
                stream.avail_in = UInt32(clamping: s.count)
                stream.next_out = db
                stream.avail_out = UInt32(clamping: d.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { return -1 }
                return d.count - Int(stream.avail_out)
            }
        }
        // Returning the input makes the writer store the member instead.
        guard produced >= 0 else { return src }
        return Array(out[0..<produced])
    }

    static func put16(_ b: inout [UInt8], _ v: UInt16) { b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8)) }

    static func put32(_ b: inout [UInt8], _ v: UInt32) {
        for k in 0..<4 { b.append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) }
    }
}
