/// Calendar arithmetic on raw date (Int32 days) and timestamp (Int64 units) values, UTC.
/// Division always floors (`CivilTime.floorDiv`), so instants before 1970 land on the right day.
enum TimeKernels {
    @inline(__always) static func days(_ v: Int64, perDay: Int64) -> Int64 { CivilTime.floorDiv(v, perDay) }

    /// Seconds since midnight of the instant `v`.
    @inline(__always) static func secondOfDay(_ v: Int64, perSecond: Int64) -> Int64 {
        let perDay = 86_400 * perSecond
        // Midnight itself may lie below Int64.min (early nanosecond timestamps); the difference
        // is in [0, perDay) all the same, and wrapping arithmetic computes it exactly.
        return (v &- CivilTime.floorDiv(v, perDay) &* perDay) / perSecond
    }

    enum CalendarField { case year, month, day }

    /// `year`, `month` or `day` of every value of a date (`perDay` 1) or timestamp column.
    @inline(__always) static func calendarField<S: KernelNumeric>(
        _ c: Column, _: S.Type, perDay: Int64, _ field: CalendarField
    ) -> Column {
        var memo = IntervalMemo()
        return mapValues(c, S.self, to: .int32, Int32.self) { v in
            let civil = memo.civil(v.asInt64, perDay: perDay)
            switch field {
            case .year: return Int32(truncatingIfNeeded: civil.year)
            case .month: return Int32(truncatingIfNeeded: civil.month)
            case .day: return Int32(truncatingIfNeeded: civil.day)
            }
        }
    }

    @inline(__always) static func startOfYear(days: Int64) -> Int64 {
        Int64(CivilTime.daysFromCivil(CivilTime.civilFromDays(Int(days)).year, 1, 1))
    }

    @inline(__always) static func startOfMonth(days: Int64) -> Int64 {
        let c = CivilTime.civilFromDays(Int(days))
        return Int64(CivilTime.daysFromCivil(c.year, c.month, 1))
    }

    /// `v` floored to a multiple of `step`; nil when that falls below Int64's range.
    @inline(__always) static func floor(_ v: Int64, to step: Int64) -> Int64? {
        let (r, o) = CivilTime.floorDiv(v, step).multipliedReportingOverflow(by: step)
        return o ? nil : r
    }

    /// Midnight of day `days`, in a unit with `perDay` per day; nil when out of range.
    @inline(__always) static func instant(days: Int64, perDay: Int64) -> Int64? {
        let (r, o) = days.multipliedReportingOverflow(by: perDay)
        return o ? nil : r
    }
}

/// The last step-long interval seen (a day, an hour, …). Rows in time order mostly fall in the
/// interval of the row before, and then cost two compares instead of a division and, for
/// calendar fields, the calendar arithmetic.
struct IntervalMemo {
    private var start: Int64 = 1
    private var end: Int64 = 0
    private var index: Int64 = 0
    private var civilIndex: Int64 = .min
    private var civilDate = (year: 1970, month: 1, day: 1)

    /// `floor(v / step)`.
    @inline(__always) mutating func interval(_ v: Int64, step: Int64) -> Int64 {
        if v >= start && v < end { return index }
        index = CivilTime.floorDiv(v, step)
        let (first, o1) = index.multipliedReportingOverflow(by: step)
        let (next, o2) = first.addingReportingOverflow(step)
        // An interval cut off by Int64's range is simply not remembered.
        (start, end) = o1 || o2 ? (1, 0) : (first, next)
        return index
    }

    /// The start of the interval holding `v`; nil when it lies below Int64's range.
    @inline(__always) mutating func floor(_ v: Int64, step: Int64) -> Int64? {
        if v >= start && v < end { return start }
        _ = interval(v, step: step)
        return start <= v && v < end ? start : TimeKernels.floor(v, to: step)
    }

    /// The civil date of `v`, counted in units of which `perDay` make a day (1 for dates).
    @inline(__always) mutating func civil(_ v: Int64, perDay: Int64) -> (year: Int, month: Int, day: Int) {
        let days = interval(v, step: perDay)
        if days != civilIndex {
            civilIndex = days
            civilDate = CivilTime.civilFromDays(Int(days))
        }
        return civilDate
    }
}

extension ExpressionBinder {
    /// `date(x)`: timestamp → its UTC date; string → parsed (null if it does not parse); date → itself.
    func bindDate(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("date", args, 1...1, e)
        let x = args[0]
        guard let type = x.type else { return constant(.null, .date, e) }
        guard type.isTemporal || type.isStringLike else {
            throw argumentError("date", expects: "a timestamp, date or string", got: x, e)
        }
        return try converted(x, to: .date, e)
    }

    /// `to_timestamp(x[, unit])`: integers are epoch values in `unit` (default seconds) and become
    /// timestamp(unit) without copying; floats are floored to whole units; strings are parsed as
    /// ISO-8601 into timestamp(us) (or `unit`); dates and timestamps are converted.
    func bindToTimestamp(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("to_timestamp", args, 1...2, e)
        var unit: TimeUnit? = nil
        if args.count == 2 {
            let text = try literalString(args[1], "the unit", of: "to_timestamp", e)
            guard let u = TimeUnit(rawValue: text.trimmingSpaces().lowercased()) else {
                throw .expression("function 'to_timestamp' expects a unit 's', 'ms', 'us' or 'ns', got '\(text)' in '\(e)'")
            }
            unit = u
        }
        let x = args[0]
        guard let type = x.type else { return constant(.null, .timestamp(unit ?? .s), e) }
        switch type {
        case .int32, .int64:
            let target = DataType.timestamp(unit ?? .s)
            if let null = nullIfAnyNull(target, e, [x]) { return null }
            let inner = x.evaluator
            if type == .int64 {
                // Same buffers, read as a timestamp: no copy.
                return try node(target, e, inputs: [x]) { batch throws(SluiceError) in
                    CastKernels.reinterpret(try inner(batch), as: target)
                }
            }
            return try node(target, e, inputs: [x]) { batch throws(SluiceError) in
                mapValues(try inner(batch), Int32.self, to: target, Int64.self) { Int64($0) }
            }
        case .float32, .float64:
            return try converted(x, to: .timestamp(unit ?? .s), e)
        case .string, .dictionary:
            return try converted(x, to: .timestamp(unit ?? .us), e)
        case .date:
            return try converted(x, to: .timestamp(unit ?? .us), e)
        case .timestamp(let u):
            return try converted(x, to: .timestamp(unit ?? u), e)
        case .bool:
            throw argumentError("to_timestamp", expects: "a number, string, date or timestamp", got: x, e)
        }
    }

    /// `year`, `month`, `day`, `hour`, `minute` of a date or timestamp, as int32 (a date's hour
    /// and minute are 0).
    func bindDatePart(_ name: String, _ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity(name, args, 1...1, e)
        let x = args[0]
        guard let type = x.type else { return constant(.null, .int32, e) }
        if let null = nullIfAnyNull(.int32, e, [x]) { return null }
        let inner = x.evaluator
        let evaluate: Evaluator
        switch (type, name) {
        case (.date, "hour"), (.date, "minute"):
            evaluate = { batch throws(SluiceError) in mapValues(try inner(batch), Int32.self, to: .int32, Int32.self) { _ in 0 } }
        case (.date, _):
            let field = Self.calendarField(name)
            evaluate = { batch throws(SluiceError) in
                TimeKernels.calendarField(try inner(batch), Int32.self, perDay: 1, field)
            }
        case (.timestamp(let unit), "hour"):
            let perSecond = unit.perSecond
            evaluate = { batch throws(SluiceError) in
                mapValues(try inner(batch), Int64.self, to: .int32, Int32.self) {
                    Int32(TimeKernels.secondOfDay($0, perSecond: perSecond) / 3600)
                }
            }
        case (.timestamp(let unit), "minute"):
            let perSecond = unit.perSecond
            evaluate = { batch throws(SluiceError) in
                mapValues(try inner(batch), Int64.self, to: .int32, Int32.self) {
                    Int32(TimeKernels.secondOfDay($0, perSecond: perSecond) / 60 % 60)
                }
            }
        case (.timestamp(let unit), _):
            let perDay = 86_400 * unit.perSecond
            let field = Self.calendarField(name)
            evaluate = { batch throws(SluiceError) in
                TimeKernels.calendarField(try inner(batch), Int64.self, perDay: perDay, field)
            }
        default:
            throw argumentError(name, expects: "a date or timestamp", got: x, e)
        }
        return try node(.int32, e, inputs: [x], evaluate)
    }

    private static func calendarField(_ name: String) -> TimeKernels.CalendarField {
        name == "year" ? .year : name == "month" ? .month : .day
    }

    /// `date_trunc(unit, x)`: the start of the year, month, day, hour, minute or second holding
    /// `x`, in `x`'s type (a date truncated below a day is itself).
    func bindDateTrunc(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("date_trunc", args, 2...2, e)
        let units = ["year", "month", "day", "hour", "minute", "second"]
        let unitText = try literalString(args[0], "the unit", of: "date_trunc", e)
        let unit = unitText.trimmingSpaces().lowercased()
        guard units.contains(unit) else {
            throw .expression(
                "function 'date_trunc' expects a unit \(units.map { "'\($0)'" }.joined(separator: ", ")), got '\(unitText)' in '\(e)'")
        }
        let x = args[1]
        guard let type = x.type else { return constant(.null, nil, e) }
        guard type.isTemporal else { throw argumentError("date_trunc", expects: "a date or timestamp", got: x, e) }
        if let null = nullIfAnyNull(type, e, [x]) { return null }
        let inner = x.evaluator
        let evaluate: Evaluator
        switch (type, unit) {
        case (.date, "year"):
            evaluate = { batch throws(SluiceError) in
                mapValues(try inner(batch), Int32.self, to: .date, Int32.self) {
                    Int32(truncatingIfNeeded: TimeKernels.startOfYear(days: Int64($0)))
                }
            }
        case (.date, "month"):
            evaluate = { batch throws(SluiceError) in
                mapValues(try inner(batch), Int32.self, to: .date, Int32.self) {
                    Int32(truncatingIfNeeded: TimeKernels.startOfMonth(days: Int64($0)))
                }
            }
        case (.date, _):
            return BoundNode(type: type, form: x.form, expr: e)
        case (.timestamp(let u), "year"), (.timestamp(let u), "month"):
            let perDay = 86_400 * u.perSecond
            let year = unit == "year"
            evaluate = { batch throws(SluiceError) in
                mapValuesOrNull(try inner(batch), Int64.self, to: type, Int64.self) { v in
                    let d = TimeKernels.days(v, perDay: perDay)
                    let first = year ? TimeKernels.startOfYear(days: d) : TimeKernels.startOfMonth(days: d)
                    return TimeKernels.instant(days: first, perDay: perDay)
                }
            }
        case (.timestamp(let u), _):
            let seconds: Int64 = unit == "day" ? 86_400 : unit == "hour" ? 3_600 : unit == "minute" ? 60 : 1
            let step = seconds * u.perSecond
            if step == 1 { return BoundNode(type: type, form: x.form, expr: e) }
            evaluate = { batch throws(SluiceError) in
                var memo = IntervalMemo()
                return mapValuesOrNull(try inner(batch), Int64.self, to: type, Int64.self) { memo.floor($0, step: step) }
            }
        default:
            throw argumentError("date_trunc", expects: "a date or timestamp", got: x, e)
        }
        return try node(type, e, inputs: [x], evaluate)
    }
}
