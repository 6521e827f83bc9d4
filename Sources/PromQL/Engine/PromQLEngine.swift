import MeridianModel

/// Evaluates parsed PromQL over a ``Querier``, as Prometheus 2.42 does.
///
/// Thread-safe and stateless between queries: each query gets its own
/// evaluator and budget (``EngineOptions``).
public struct PromQLEngine: Sendable {
    public let querier: any Querier
    public let options: EngineOptions

    public init(querier: any Querier, options: EngineOptions = EngineOptions()) {
        self.querier = querier
        self.options = options
    }

    /// The value of `expr` at `time` (ms): a scalar, a string, a vector, or
    /// a matrix for a range selector or subquery.
    public func instant(_ expr: Expr, at time: Int64) throws(QueryError) -> QueryValue {
        let evaluator = Evaluator(
            querier: querier, start: time, end: time, interval: 1, queryStart: time, queryEnd: time,
            options: options, budget: QueryBudget(options: options))
        switch try evaluator.eval(expr) {
        case .scalar(let values):
            return .scalar(Sample(t: time, v: values[0]))
        case .string(let s):
            return .string(s, time)
        case .vector(let vector):
            return .vector(vector.series.map { VectorElement(labels: $0.labels, t: time, v: $0.points[0].v) })
        case .matrix(let series):
            return .matrix(series)
        }
    }

    /// The value of `expr` at every `step` from `start` to `end` (ms), as a
    /// matrix sorted by labels (a scalar becomes one series without labels).
    /// - Throws: `.badData` when `expr` is not a scalar or instant vector.
    public func range(_ expr: Expr, start: Int64, end: Int64, step: Int64) throws(QueryError) -> QueryValue {
        guard expr.type == .scalar || expr.type == .vector else {
            throw QueryError(
                .badData,
                "invalid expression type \"\(expr.type.rawValue)\" for range query, must be Scalar or instant Vector")
        }
        let evaluator = Evaluator(
            querier: querier, start: start, end: end, interval: step, queryStart: start, queryEnd: end,
            options: options, budget: QueryBudget(options: options))
        switch try evaluator.eval(expr) {
        case .scalar(let values):
            return .matrix([
                SeriesPoints(labels: .empty, samples: values.indices.map { Sample(t: evaluator.time($0), v: values[$0]) })
            ])
        case .vector(let vector):
            var series = vector.series.map { s in
                SeriesPoints(labels: s.labels, samples: s.points.map { Sample(t: evaluator.time(Int($0.step)), v: $0.v) })
            }
            series.sort { $0.labels < $1.labels }
            return .matrix(series)
        default:
            throw QueryError(.badData, "range query of a \(expr.type.rawValue)")
        }
    }
}
