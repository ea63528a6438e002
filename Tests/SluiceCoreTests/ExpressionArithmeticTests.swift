import Testing

import SluiceCore

@Suite("Expression arithmetic")
struct ExpressionArithmeticTests {
    @Test func integerArithmetic() throws {
        // i: 1, 2, null, -4, 5   j (int32): 10, 0, 3, null, -2
        let sum = try evaluate("i + j")
        #expect(sum.type == .int64)
        #expect(sum.values == [.int(11), .int(2), .null, .null, .int(3)])
        #expect(try values("i - j") == [.int(-9), .int(2), .null, .null, .int(7)])
        #expect(try values("i * j") == [.int(10), .int(0), .null, .null, .int(-10)])
        #expect(try values("j * 2") == [.int(20), .int(0), .int(6), .null, .int(-4)])
        #expect(try evaluate("j + j").type == .int64)
        #expect(try values("100 - i") == [.int(99), .int(98), .null, .int(104), .int(95)])
    }

    @Test func remainder() throws {
        #expect(try values("i % j") == [.int(1), .null, .null, .null, .int(1)])
        #expect(try evaluate("i % j").type == .int64)
        // The sign follows the dividend, as in SQL and C.
        #expect(try BoundExpression(parsing: "-7 % 3", schema: sample.schema).constantValue == .int(-1))
        #expect(try BoundExpression(parsing: "7 % -3", schema: sample.schema).constantValue == .int(1))
        #expect(try BoundExpression(parsing: "-9223372036854775808 % -1", schema: sample.schema).constantValue == .int(0))
        #expect(try BoundExpression(parsing: "5.5 % 2", schema: sample.schema).constantValue == .double(1.5))
        #expect(try values("f % 0") == [.null, .null, .null, .null, .null])
        #expect(try values("j % 4") == [.int(2), .int(0), .int(3), .null, .int(-2)])
    }

    @Test func division() throws {
        let q = try evaluate("i / j")
        #expect(q.type == .float64)
        #expect(q.values == [.double(0.1), .null, .null, .null, .double(-2.5)])
        #expect(try values("j / 4") == [.double(2.5), .double(0), .double(0.75), .null, .double(-0.5)])
        // Division by zero is null, for floats too.
        #expect(try values("f / f") == [.double(1), .double(1), .null, .double(1), .null])
        #expect(try values("1 / 0", makeBatch([("x", .int64, [.int(1)])])) == [.null])
        #expect(try BoundExpression(parsing: "1 / 0", schema: sample.schema).constantValue == .null)
    }

    @Test func floatPromotion() throws {
        let r = try evaluate("f + i")
        #expect(r.type == .float64)
        #expect(r.values == [.double(2.5), .double(1.5), .null, .double(-2), .double(5)])
        // float32 computes in Float64.
        let g = try evaluate("g * 2")
        #expect(g.type == .float64)
        #expect(g.values == [.double(0.5), .double(2), .double(4), .null, .double(-16)])
        #expect(try values("g + j") == [.double(10.25), .double(1), .double(5), .null, .double(-10)])
        #expect(try values("f - 0.5") == [.double(1), .double(-1), .null, .double(1.5), .double(-0.5)])
    }

    @Test func power() throws {
        let bound = try BoundExpression(parsing: "2^30", schema: sample.schema)
        #expect(bound.type == .float64)
        #expect(bound.constantValue == .double(1_073_741_824))
        #expect(try BoundExpression(parsing: "2 ^ 3 ^ 2", schema: sample.schema).constantValue == .double(512))
        #expect(try BoundExpression(parsing: "-2 ^ 2", schema: sample.schema).constantValue == .double(-4))
        #expect(try BoundExpression(parsing: "(-2) ^ 2", schema: sample.schema).constantValue == .double(4))
        #expect(try BoundExpression(parsing: "2 ^ -1", schema: sample.schema).constantValue == .double(0.5))
        #expect(try values("j ^ 2") == [.double(100), .double(0), .double(9), .null, .double(4)])
        // The design's unit conversion.
        let gib = makeBatch([("bytes", .int64, [.int(3_865_470_566_400), .int(0)])])
        #expect(try values("bytes / 3600 / 2^30", gib) == [.double(1), .double(0)])
    }

    @Test func unaryMinus() throws {
        let r = try evaluate("-j")
        #expect(r.type == .int64)
        #expect(r.values == [.int(-10), .int(0), .int(-3), .null, .int(2)])
        #expect(try values("-f") == [.double(-1.5), .double(0.5), .null, .double(-2), .double(-0.0)])
        #expect(try values("-(i + 1)") == [.int(-2), .int(-3), .null, .int(3), .int(-6)])
        let min = makeBatch([("m", .int64, [.int(.min)])])
        #expect(errorMessage("-m", min) == "expression: integer overflow in operator '-' (-(-9223372036854775808)) in '-m'")
    }

    @Test func overflowIsAnError() throws {
        let big = makeBatch([("x", .int64, [.int(1), .int(.max), .int(3)])])
        #expect(
            errorMessage("x + 1", big)
                == "expression: integer overflow in operator '+' (9223372036854775807 + 1) in 'x + 1'")
        #expect(errorMessage("x * 2", big)?.contains("integer overflow in operator '*'") == true)
        #expect(errorMessage("0 - x - 2", big)?.contains("integer overflow in operator '-'") == true)
        // Folding a constant that overflows fails at bind time.
        #expect(errorMessage("9223372036854775807 + 1")?.contains("integer overflow in operator '+'") == true)
        // Float arithmetic does not overflow into an error.
        #expect(try values("x * 1.0e308 * 10", big)[1] == .double(.infinity))
        // int32 values never overflow: they compute in Int64.
        let int32s = makeBatch([("y", .int32, [.int(Int64(Int32.max))])])
        #expect(try values("y * y + y", int32s) == [.int(Int64(Int32.max) * Int64(Int32.max) + Int64(Int32.max))])
    }

    @Test func valuesBehindNullsNeverOverflow() throws {
        let x = rawInt64Column([1, .max, 3], valid: [true, false, true])
        let batch = RecordBatch(schema: Schema([Field("x", .int64)]), columns: [x])
        #expect(try values("x + 1", batch) == [.int(2), .null, .int(4)])
        #expect(try values("x * x", batch) == [.int(1), .null, .int(9)])
        #expect(try values("-x + 0", batch) == [.int(-1), .null, .int(-3)])
    }

    @Test func nullsPropagate() throws {
        let r = try evaluate("i + null")
        #expect(r.type == .int64)
        #expect(r.values == Array(repeating: .null, count: 5))
        #expect(try evaluate("f * null").type == .float64)
        #expect(try evaluate("null / 2").type == .float64)
        let bare = try BoundExpression(parsing: "null", schema: sample.schema)
        #expect(bare.type == .string)
        #expect(try bare.evaluate(sample).nullCount == 5)
    }

    @Test func constantsFold() throws {
        let e = try BoundExpression(parsing: "1 + 2 * 3", schema: sample.schema)
        #expect(e.constantValue == .int(7))
        #expect(e.type == .int64)
        let c = try e.evaluate(sample)
        #expect((0..<5).map { c.scalar(at: $0) } == Array(repeating: .int(7), count: 5))
        #expect(try BoundExpression(parsing: "i + 1", schema: sample.schema).constantValue == nil)
        // Folded sub-expressions act as constants for the kernel around them.
        #expect(try values("i * (2 + 3)") == [.int(5), .int(10), .null, .int(-20), .int(25)])
    }

    @Test func slicedColumns() throws {
        let slice = sample.slice(1, 4)
        #expect(try values("i + j", slice) == [.int(2), .null, .null, .int(3)])
        #expect(try values("i / j", slice) == [.null, .null, .null, .double(-2.5)])
        #expect(try values("-f", slice) == [.double(0.5), .null, .double(-2), .double(-0.0)])
        // Offsets that are not a multiple of 8 nor of 64, over more than a word of rows.
        let n = 200
        let big = makeBatch([
            ("x", .int64, (0..<n).map { $0 % 7 == 0 ? .null : .int(Int64($0)) }),
            ("y", .int32, (0..<n).map { $0 % 5 == 0 ? .null : .int(Int64($0 % 11)) }),
        ])
        for start in [0, 3, 13, 64, 67] {
            let part = big.slice(start, n - start - 5)
            let got = try values("x + y", part)
            let want: [Scalar] = (start..<(n - 5)).map { (i: Int) -> Scalar in
                let isNull = i % 7 == 0 || i % 5 == 0
                return isNull ? Scalar.null : Scalar.int(Int64(i + i % 11))
            }
            #expect(got == want, "slice at \(start)")
            let mod = try values("x % y", part)
            let wantMod: [Scalar] = (start..<(n - 5)).map { (i: Int) -> Scalar in
                let isNull = i % 7 == 0 || i % 5 == 0 || i % 11 == 0
                return isNull ? Scalar.null : Scalar.int(Int64(i % (i % 11 == 0 ? 1 : i % 11)))
            }
            #expect(mod == wantMod, "slice at \(start)")
        }
    }

    @Test func typeErrors() {
        #expect(
            errorMessage("s + 1") == "expression: operator '+' expects numbers, got string and int64 in 's + 1'")
        #expect(errorMessage("b * 2") == "expression: operator '*' expects numbers, got bool and int64 in 'b * 2'")
        #expect(errorMessage("-s") == "expression: operator '-' expects a number, got string in '-s'")
        #expect(errorMessage("dt - 1")?.contains("expects numbers, got date and int64") == true)
    }
}

@Suite("Expression kernels against a row-by-row reference")
struct ExpressionReferenceTests {
    /// A small deterministic generator, so failures reproduce.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
            range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
    }

    @Test func randomColumns() throws {
        var g = Generator(state: 42)
        let n = 1_000
        var x: [Scalar] = []
        var y: [Scalar] = []
        var z: [Scalar] = []
        for _ in 0..<n {
            x.append(g.next() % 6 == 0 ? .null : .int(g.int(-1_000...1_000)))
            y.append(g.next() % 5 == 0 ? .null : .int(g.int(-20...20)))
            z.append(g.next() % 7 == 0 ? .null : .double(Double(g.int(-400...400)) / 8))
        }
        let batch = makeBatch([("x", .int64, x), ("y", .int32, y), ("z", .float64, z)])
        func ints(_ a: Scalar, _ b: Scalar, _ f: (Int64, Int64) -> Scalar) -> Scalar {
            guard case .int(let u) = a, case .int(let v) = b else { return .null }
            return f(u, v)
        }
        func doubles(_ a: Scalar, _ b: Scalar, _ f: (Double, Double) -> Scalar) -> Scalar {
            guard let u = a.doubleValue, let v = b.doubleValue else { return .null }
            return f(u, v)
        }
        for (start, length) in [(0, n), (1, n - 1), (77, 500), (128, 64), (999, 1)] {
            let part = batch.slice(start, length)
            let rows = start..<(start + length)
            #expect(try values("x * y - x", part) == rows.map { ints(x[$0], y[$0]) { .int($0 * $1 - $0) } })
            #expect(try values("x % y", part) == rows.map { ints(x[$0], y[$0]) { $1 == 0 ? .null : .int($0 % $1) } })
            #expect(try values("x / y", part) == rows.map { ints(x[$0], y[$0]) { $1 == 0 ? .null : .double(Double($0) / Double($1)) } })
            #expect(try values("z + y", part) == rows.map { doubles(z[$0], y[$0]) { .double($0 + $1) } })
            #expect(try values("x <= y", part) == rows.map { ints(x[$0], y[$0]) { .bool($0 <= $1) } })
            #expect(try values("z > x", part) == rows.map { doubles(z[$0], x[$0]) { .bool($0 > $1) } })
            #expect(try values("greatest(x, y)", part) == rows.map { r -> Scalar in
                switch (x[r], y[r]) {
                case (.int(let u), .int(let v)): return .int(max(u, v))
                case (.int(let u), .null), (.null, .int(let u)): return .int(u)
                default: return .null
                }
            })
            #expect(try values("x < 0 or y < 0", part) == rows.map { r -> Scalar in
                let p: Bool? = if case .int(let u) = x[r] { u < 0 } else { nil }
                let q: Bool? = if case .int(let v) = y[r] { v < 0 } else { nil }
                if p == true || q == true { return .bool(true) }
                if p == nil || q == nil { return .null }
                return .bool(false)
            })
        }
    }
}
