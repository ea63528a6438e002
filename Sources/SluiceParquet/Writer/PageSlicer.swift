import SluiceCore

/// The rows of one data page: consecutive ranges of the column pieces buffered for a row group.
struct PageRows {
    var parts: [(column: Column, start: Int, count: Int)] = []
    var rows = 0
}

enum PageSlicer {
    /// Cuts the row group's pieces of one column into pages of at most `rowsPerPage` rows.
    static func pages(_ pieces: [Column], rowsPerPage: Int) -> [PageRows] {
        var out: [PageRows] = []
        var page = PageRows()
        for piece in pieces {
            var start = 0
            while start < piece.count {
                let n = Swift.min(piece.count - start, rowsPerPage - page.rows)
                page.parts.append((piece, start, n))
                page.rows += n
                start += n
                if page.rows == rowsPerPage {
                    out.append(page)
                    page = PageRows()
                }
            }
        }
        if page.rows > 0 || out.isEmpty { out.append(page) }
        return out
    }
}
