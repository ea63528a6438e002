import SluiceCore

/// The human-readable companion of the dead-letter file (`dead-letter.log` beside it), like the
/// reference system's text log: one line per rejected row with time, place, rule and reason.
/// The JSONL file stays the one to replay from.
enum DeadLetterLog {
    static func path(forDeadLetter jsonl: String) -> String {
        (jsonl.hasSuffix(".jsonl") ? String(jsonl.dropLast(6)) : jsonl) + ".log"
    }

    /// `2024-03-01T12:00:00.123Z WARN incoming/e1.csv:17 validate/uuid event_id: 'abc' is not a UUID`
    static func line(_ r: RejectedRow) -> String {
        let place = r.line.map { "\(r.file):\($0)" } ?? r.file
        let column = r.column.map { " \($0):" } ?? ""
        return "\(WallClock.iso(WallClock.nanos())) WARN \(place) \(r.stage)/\(r.rule)\(column) \(r.reason)\n"
    }
}
