import MeridianModel

/// Evaluates one query over its steps. Short-lived: one per query (and one
/// per subquery, sharing the query's ``QueryBudget``).
final class Evaluator {
    let querier: any Querier
    /// The first step's time, ms.
    let start: Int64
    /// The last step's time, ms (`start` for an instant query).
    let end: Int64
    /// The distance between steps, ms (> 0).
    let interval: Int64
    let stepCount: Int
    /// `@ start()` and `@ end()` refer to the outermost query's range, even inside subqueries.
    let queryStart: Int64
    let queryEnd: Int64
    let options: EngineOptions
    let budget: QueryBudget

    init(
        querier: any Querier, start: Int64, end: Int64, interval: Int64, queryStart: Int64, queryEnd: Int64,
        options: EngineOptions, budget: QueryBudget
    ) {
        self.querier = querier
        self.start = start
        self.end = end
        self.interval = max(1, interval)
        self.stepCount = Int((end - start) / max(1, interval)) + 1
        self.queryStart = queryStart
        self.queryEnd = queryEnd
        self.options = options
        self.budget = budget
    }

    /// The time of step `i`.
    @inline(__always) func time(_ step: Int) -> Int64 { start + Int64(step) * interval }

    /// Evaluates `expr` at every step.
    func eval(_ expr: Expr) throws(QueryError) -> StepValue {
        try budget.checkDeadline()
        switch expr {
        case .number(let v, _):
            return .scalar(Array(repeating: v, count: stepCount))
        case .string(let s, _):
            return .string(s)
        case .paren(let inner, _):
            return try eval(inner)
        case .unary(let op, let inner, _):
            return try negate(op, try eval(inner))
        case .vectorSelector(let selector):
            return .vector(try selectVector(selector))
        case .matrixSelector(let m):
            return .matrix(try selectRange(m.selector, range: m.range).allSeries(budget: budget))
        case .subquery(let sq):
            return .matrix(try evalSubquery(sq).allSeries(budget: budget))
        case .binary(let b):
            return try evalBinary(b)
        case .aggregate(let a):
            return try evalAggregate(a)
        case .call(let c):
            return try evalCall(c)
        }
    }

    /// Evaluates an expression the parser typed as an instant vector.
    func evalVector(_ expr: Expr) throws(QueryError) -> StepVector {
        guard case .vector(let v) = try eval(expr) else {
            throw QueryError(.execution, "expected an instant vector: \(expr.type.rawValue) found")
        }
        return v
    }

    /// Evaluates an expression the parser typed as a scalar.
    func evalScalar(_ expr: Expr) throws(QueryError) -> [Double] {
        guard case .scalar(let v) = try eval(expr) else {
            throw QueryError(.execution, "expected a scalar: \(expr.type.rawValue) found")
        }
        return v
    }

    private func negate(_ op: UnaryOp, _ value: StepValue) throws(QueryError) -> StepValue {
        guard op == .minus else { return value }
        switch value {
        case .scalar(let values):
            return .scalar(values.map { -$0 })
        case .vector(let vector):
            return .vector(try vector.mapping(dropName: true) { v, _ in -v })
        default:
            throw QueryError(.execution, "unary minus on a \(value)")
        }
    }
}
