import MeridianModel

/// Evaluates parsed PromQL over a ``Querier``, as Prometheus 2.42 does.
///
/// Thread-safe and stateless between queries: each query gets its own
/// evaluator and ``QueryContext`` (its deadline, sample and memory budget).
public struct PromQLEngine: Sendable {
    public let querier: any Querier
    public let options: EngineOptions

    public init(querier: any Querier, options: EngineOptions = EngineOptions()) {
        self.querier = querier
        self.options = options
    }

    /// A context with this engine's timeout and sample limit, its memory
    /// drawn from `pool`.
    public func makeContext(
        pool: QueryMemoryPool = .unlimited, clientGone: (@Sendable () -> Bool)? = nil
    ) -> QueryContext {
        QueryContext(timeout: options.timeout, maxSamples: options.maxSamples, pool: pool, clientGone: clientGone)
    }

    /// The value of `expr` at `time` (ms): a scalar, a string, a vector, or
    /// a matrix for a range selector or subquery. What the result holds stays
    /// charged to `context` until the caller finishes it.
    public func instant(_ expr: Expr, at time: Int64, context: QueryContext? = nil) throws(QueryError) -> QueryValue {
        let evaluator = try Evaluator(
            querier: querier, start: time, end: time, interval: 1, queryStart: time, queryEnd: time,
            options: options, context: context ?? makeContext())
        switch try evaluator.eval(expr) {
        case .scalar(let values):
            return .scalar(Sample(t: time, v: values[0]))
        case .string(let s):
            return .string(s, time)
        case .vector(let vector):
            try evaluator.take(vector.series.count)
            return .vector(vector.series.map { VectorElement(labels: $0.labels, t: time, v: $0.points[0].v) })
        case .matrix(let series):
            return .matrix(series)
        }
    }

    /// The value of `expr` at every `step` from `start` to `end` (ms), as a
    /// matrix sorted by labels (a scalar becomes one series without labels).
    /// What the result holds stays charged to `context` until the caller finishes it.
    /// - Throws: `.badData` when `expr` is not a scalar or instant vector.
    public func range(
        _ expr: Expr, start: Int64, end: Int64, step: Int64, context: QueryContext? = nil
    ) throws(QueryError) -> QueryValue {
        guard expr.type == .scalar || expr.type == .vector else {
            throw QueryError(
                .badData,
                "invalid expression type \"\(expr.type.rawValue)\" for range query, must be Scalar or instant Vector")
        }
        let evaluator = try Evaluator(
            querier: querier, start: start, end: end, interval: step, queryStart: start, queryEnd: end,
            options: options, context: context ?? makeContext())
        switch try evaluator.eval(expr) {
        case .scalar(let values):
            try evaluator.take(values.count)
            return .matrix([
                SeriesPoints(labels: .empty, samples: values.indices.map { Sample(t: evaluator.time($0), v: values[$0]) })
            ])
        case .vector(let vector):
            var series = try evaluator.samples(of: vector)
            // The sort's scratch space: at most the series themselves.
            try evaluator.take(series.count)
            series.sort { $0.labels < $1.labels }
            return .matrix(series)
        default:
            throw QueryError(.badData, "range query of a \(expr.type.rawValue)")
        }
    }
}
