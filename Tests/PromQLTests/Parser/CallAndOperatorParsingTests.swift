import Testing

@testable import PromQL

/// Function calls, aggregations and binary-operator modifiers: the stored
/// values, including what the type check settles (vector matching).
@Suite struct CallAndOperatorParsingTests {
    private func binary(_ query: String) throws -> BinaryExpr {
        guard case .binary(let b) = try PromQLParser.parse(query) else { throw ParserTestFailure("not binary: \(query)") }
        return b
    }

    private func aggregate(_ query: String) throws -> AggregateExpr {
        guard case .aggregate(let a) = try PromQLParser.parse(query) else { throw ParserTestFailure("not aggregate: \(query)") }
        return a
    }

    @Test func calls() throws {
        guard case .call(let call) = try PromQLParser.parse("label_join(foo, \"dst\", \",\", \"a\", \"b\")") else {
            throw ParserTestFailure("not a call")
        }
        #expect(call.function.name == "label_join")
        #expect(call.args.count == 5)
        #expect(call.position == PositionRange(start: 0, end: 37))
        guard case .call(let noArgs) = try PromQLParser.parse("time()") else { throw ParserTestFailure("not a call") }
        #expect(noArgs.args.isEmpty && noArgs.function.returnType == .scalar)
    }

    @Test(arguments: ["hour()", "hour(foo)", "round(foo)", "round(foo, 5)", "label_join(foo, \"a\", \",\")"])
    func optionalArguments(query: String) throws {
        _ = try PromQLParser.parse(query)
    }

    @Test func aggregationGroupingBeforeOrAfter() throws {
        let before = try aggregate("sum by (job, instance) (foo)")
        let after = try aggregate("sum(foo) by (job, instance)")
        #expect(before.grouping == ["job", "instance"] && after.grouping == before.grouping)
        #expect(!before.without && !after.without)
        let without = try aggregate("avg without (job) (foo)")
        #expect(without.without && without.grouping == ["job"])
        let emptyWithout = try aggregate("sum without () (foo)")
        #expect(emptyWithout.without && emptyWithout.grouping.isEmpty)
        #expect(try aggregate("SUM BY (job) (foo)").op == .sum)
    }

    @Test func aggregationParameters() throws {
        let topk = try aggregate("topk(5, foo)")
        guard case .number(5, _)? = topk.param else { throw ParserTestFailure("topk parameter") }
        let countValues = try aggregate(#"count_values("value", foo)"#)
        guard case .string("value", _)? = countValues.param else { throw ParserTestFailure("count_values parameter") }
        #expect(try aggregate("quantile(0.9, foo)").param?.type == .scalar)
        #expect(try aggregate("sum(foo)").param == nil)
    }

    @Test func vectorMatchingDefaults() throws {
        #expect(try binary("foo + bar").matching == VectorMatching(cardinality: .oneToOne))
        #expect(try binary("foo and bar").matching == VectorMatching(cardinality: .manyToMany))
        #expect(try binary("foo + 1").matching == nil, "no matching with a scalar side")
        #expect(try binary("1 + 1").matching == nil)
        #expect(try binary("foo + on() 1").matching == nil, "empty on() with a scalar is accepted and dropped")
    }

    @Test func vectorMatchingModifiers() throws {
        let on = try binary("foo * on(a, b) group_left(c) bar")
        #expect(
            on.matching
                == VectorMatching(cardinality: .manyToOne, matchingLabels: ["a", "b"], on: true, include: ["c"]))
        let ignoring = try binary("foo / ignoring(a) group_right bar")
        #expect(ignoring.matching == VectorMatching(cardinality: .oneToMany, matchingLabels: ["a"], on: false))
        let set = try binary("foo or on(a) bar")
        #expect(set.matching == VectorMatching(cardinality: .manyToMany, matchingLabels: ["a"], on: true))
    }

    @Test func boolModifier() throws {
        #expect(try binary("foo > bool 1").returnBool)
        #expect(try binary("1 == bool 2").returnBool)
        #expect(try !binary("foo > 1").returnBool)
        #expect(try binary("1 == bool 2").lhs.type == .scalar)
        #expect(try PromQLParser.parse("1 == bool 2").type == .scalar)
    }

    @Test func keywordsAsGroupingLabels() throws {
        let a = try aggregate("sum by (on, by, offset, bool, sum, and, start, end, atan2, group_left) (foo)")
        #expect(a.grouping == ["on", "by", "offset", "bool", "sum", "and", "start", "end", "atan2", "group_left"])
    }

    @Test func positionsCoverTheText() throws {
        let query = "sum by (job) (rate(foo[5m])) / 2"
        let b = try binary(query)
        #expect(b.position == PositionRange(start: 0, end: query.utf8.count))
        #expect(b.lhs.position == PositionRange(start: 0, end: 28))
        #expect(b.rhs.position == PositionRange(start: 31, end: 32))
    }

    @Test func resultTypes() throws {
        #expect(try PromQLParser.parse("foo").type == .vector)
        #expect(try PromQLParser.parse("foo[5m]").type == .matrix)
        #expect(try PromQLParser.parse("foo[5m:]").type == .matrix)
        #expect(try PromQLParser.parse("1 + 2").type == .scalar)
        #expect(try PromQLParser.parse("\"a\"").type == .string)
        #expect(try PromQLParser.parse("scalar(foo) * 2").type == .scalar)
        #expect(try PromQLParser.parse("foo * 2").type == .vector)
    }
}
