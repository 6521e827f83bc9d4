import MeridianModel

/// Evaluates one query over its steps. Short-lived: one per query (and one
/// per subquery, sharing the query's ``QueryContext``).
///
/// Every allocation in proportion to the steps, series or points of the
/// query is charged to the context *before* it is made (``take(_:)``), so a
/// query too large for `max_samples` or for the memory all queries may hold
/// fails at once rather than after allocating; loops that can run long poll
/// the context, so a timed-out or cancelled query stops promptly.
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
    let context: QueryContext
    /// Work done since the last ``check()`` (see ``progress(_:)``).
    private var workSinceCheck = 0

    /// An evaluator over the steps `start, start + interval, …, end`; the
    /// step grid is charged to `context` first.
    /// - Throws: `.execution` ("too many samples") for a grid larger than the
    ///   query may hold, `.badData` for an empty or reversed one.
    init(
        querier: any Querier, start: Int64, end: Int64, interval: Int64, queryStart: Int64, queryEnd: Int64,
        options: EngineOptions, context: QueryContext
    ) throws(QueryError) {
        self.querier = querier
        self.start = start
        self.end = end
        self.interval = max(1, interval)
        self.queryStart = queryStart
        self.queryEnd = queryEnd
        self.options = options
        self.context = context
        self.stepCount = try Self.stepCount(from: start, to: end, interval: self.interval, context: context)
        try take(stepCount)
    }

    /// How many steps lie in `[start, end]`, without overflowing, and no
    /// more than a query may hold (steps are numbered with 32 bits).
    private static func stepCount(
        from start: Int64, to end: Int64, interval: Int64, context: QueryContext
    ) throws(QueryError) -> Int {
        let (span, overflow) = end.subtractingReportingOverflow(start)
        guard !overflow, span >= 0 else { throw QueryError(.badData, "the end of a query's range is before its start") }
        let steps = span / interval
        guard steps < Int64(Int32.max), steps < Int64(context.maxSamples) else {
            throw QueryError(abort: QueryAbort(code: .tooManySamples))
        }
        return Int(steps) + 1
    }

    /// The time of step `i`.
    @inline(__always) func time(_ step: Int) -> Int64 { start + Int64(step) * interval }

    /// Counts `count` more samples or points about to be held.
    /// - Throws: `.execution` past `max_samples`, `.unavailable` when the
    ///   memory all queries may hold is used up.
    func take(_ count: Int) throws(QueryError) {
        try aborting { () throws(QueryAbort) in try context.takeSamples(count) }
    }

    /// Reserves `count` bytes of the memory all queries may hold, for a
    /// buffer that holds no samples or points of the result.
    /// - Throws: `.unavailable` when that memory is used up.
    func reserve(bytes count: Int) throws(QueryError) {
        try aborting { () throws(QueryAbort) in try context.reserve(bytes: count) }
    }

    /// Gives back bytes taken by ``reserve(bytes:)``.
    func release(bytes count: Int) {
        context.release(bytes: count)
    }

    /// Counts `count` samples or points no longer held.
    func release(_ count: Int) {
        context.releaseSamples(count)
    }

    /// Builds a step vector of at most `bound` points with `bound` charged
    /// first, then gives back what the result does not use: for operations
    /// whose output is bounded by their input (arithmetic, matching,
    /// `topk`, aggregation).
    func charging(atMost bound: Int, _ build: () throws(QueryError) -> StepVector) throws(QueryError) -> StepVector {
        try take(bound)
        let result = try build()
        release(bound - result.pointCount)
        return result
    }

    /// ``StepVector/mapping(dropName:_:)`` with its output charged first.
    func map(_ vector: StepVector, dropName: Bool, _ transform: (Double, Int) -> Double?) throws(QueryError) -> StepVector {
        try charging(atMost: vector.pointCount) { () throws(QueryError) in try vector.mapping(dropName: dropName, transform) }
    }

    /// Throws when the query is past its deadline or cancelled.
    func check() throws(QueryError) {
        try aborting { () throws(QueryAbort) in try context.check() }
    }

    /// Runs `body`, its ``QueryAbort`` (the context's refusal or stop)
    /// thrown as the query's error.
    private func aborting(_ body: () throws(QueryAbort) -> Void) throws(QueryError) {
        do throws(QueryAbort) {
            try body()
        } catch {
            throw QueryError(abort: error)
        }
    }

    /// Counts `work` units done (samples visited, elements compared) and
    /// calls ``check()`` once every 65,536 units: loops pace their polling by
    /// the work they do, not by their iterations, since one step of a wide
    /// window or of a vector of many series can itself be long.
    @inline(__always) func progress(_ work: Int) throws(QueryError) {
        workSinceCheck &+= work
        if workSinceCheck >= 65_536 {
            workSinceCheck = 0
            try check()
        }
    }

    /// Evaluates `expr` at every step.
    func eval(_ expr: Expr) throws(QueryError) -> StepValue {
        try check()
        switch expr {
        case .number(let v, _):
            try take(stepCount)
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
            return .matrix(try selectRange(m.selector, range: m.range).allSeries(self))
        case .subquery(let sq):
            return .matrix(try evalSubquery(sq).allSeries(self))
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
            try take(stepCount)
            return .scalar(values.map { -$0 })
        case .vector(let vector):
            return .vector(try map(vector, dropName: true) { v, _ in -v })
        default:
            throw QueryError(.execution, "unary minus on a \(value)")
        }
    }
}
