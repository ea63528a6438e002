import SluiceCore

/// Cuts CSV files into splits at record boundaries.
public enum CSVSplitPlanner {
    /// Block size for the planning scan.
    static let blockSize = 4 << 20

    /// Cuts a file into splits at record boundaries (quote-aware: a newline inside a quoted field is
    /// never a cut). Gzip files, and files not much larger than `splitBytes`, are one split. The
    /// result depends only on the file's bytes and the options, so an unchanged file always gets
    /// the same split ids.
    public static func plan(path: String, options: CSVOptions) throws(SluiceError) -> [CSVSplit] {
        try options.validate()
        let file = try CSVFile(path: path)
        func split(_ index: Int, _ start: Int64, _ end: Int64, _ line: Int) -> CSVSplit {
            CSVSplit(
                path: path, start: start, end: end, firstLine: line, index: index, fileSize: file.size,
                modified: file.modified)
        }
        if try file.isGzip(options.compression) {
            return [split(0, 0, file.size, 1)]
        }
        let (dataStart, firstLine) = try locateData(file: file, options: options)
        let cuts = try findCuts(file: file, from: dataStart, firstLine: firstLine, options: options)
        var splits: [CSVSplit] = []
        splits.reserveCapacity(cuts.count)
        for (k, cut) in cuts.enumerated() {
            let end = k + 1 < cuts.count ? cuts[k + 1].offset : file.size
            splits.append(split(k, cut.offset, end, cut.line))
        }
        return splits
    }

    /// Where the first data record starts: past a BOM and, with a header, past the header record
    /// (which may itself span lines or follow empty lines).
    static func locateData(file: CSVFile, options: CSVOptions) throws(SluiceError) -> (offset: Int64, line: Int) {
        let cursor = CSVRecordCursor(
            source: CSVByteSource(file: file, start: 0, end: file.size), path: file.path,
            scanner: CSVRecordScanner(delimiter: options.delimiter, quote: options.quote),
            firstLine: 1, blockSize: 64 << 10, skipBOM: true)
        try cursor.start()
        if options.header { _ = try cursor.next() }
        return (cursor.consumedOffset, cursor.line)
    }

    /// One pass over `[dataStart, size)`: a cut at the first record boundary at or past every
    /// `splitBytes`, each with the line number it starts on. A last piece smaller than an eighth of
    /// `splitBytes` stays with the split before it rather than becoming a split of its own.
    static func findCuts(
        file: CSVFile, from dataStart: Int64, firstLine: Int, options: CSVOptions
    ) throws(SluiceError) -> [(offset: Int64, line: Int)] {
        let size = file.size
        let splitBytes = Int64(options.splitBytes)
        let minTail = max(splitBytes / 8, 1)
        var cuts: [(offset: Int64, line: Int)] = [(dataStart, firstLine)]
        var target = dataStart + splitBytes
        guard size - target >= minTail else { return cuts }

        let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { block.deallocate() }
        let bytes = UnsafePointer(block.assumingMemoryBound(to: UInt8.self))
        let stretch = CSVBoundaryKernel.stretch
        var kernel = CSVBoundaryKernel(delimiter: options.delimiter, quote: options.quote)
        var offset = dataStart
        scanning: while offset < size {
            let n = try file.read(into: block, count: Int(min(Int64(blockSize), size - offset)), at: offset)
            guard n > 0 else { throw .io(path: file.path, message: "file shrank while it was being planned") }
            var i = 0
            while i < n {
                // An LF at a block index ≥ cutFrom ends the current split.
                let cutFrom = Int(max(0, min(Int64(n), target - 1 - offset)))
                let stretchEnd = min(n, i + stretch)
                if stretchEnd - i == stretch, stretchEnd <= cutFrom, kernel.state != .afterQuote {
                    let counts = CSVBoundaryKernel.countBytes(block + i, count: stretch, quote: options.quote)
                    if !counts.hasQuote {
                        kernel.skipQuoteFree(lastByte: bytes[stretchEnd - 1], newlines: counts.newlines)
                        i = stretchEnd
                        continue
                    }
                }
                guard let after = kernel.scan(bytes, from: i, to: stretchEnd, cutFrom: cutFrom) else {
                    i = stretchEnd
                    continue
                }
                let cut = offset + Int64(after)
                if size - cut < minTail { break scanning }
                cuts.append((cut, firstLine + kernel.newlines))
                target = cut + splitBytes
                if size - target < minTail { break scanning }
                i = after
            }
            offset += Int64(n)
        }
        return cuts
    }
}
