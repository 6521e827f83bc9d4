import MeridianModel

/// The range-vector functions by PromQL name, so the engine can dispatch on
/// ``PromQLFunction/name`` and pass scalar arguments uniformly.
///
/// `absent_over_time` is not here: its answer depends on all series of the
/// selector together, which is the engine's business (see ``AbsentLabels``).
public enum RangeFunction: String, CaseIterable, Sendable {
    /// Functions of the range vector alone; see ``RangeFunctions`` for each.
    case rate, increase, delta, irate, idelta, deriv, changes, resets
    /// `predict_linear(v, seconds)`.
    case predictLinear = "predict_linear"
    /// `holt_winters(v, sf, tf)`.
    case holtWinters = "holt_winters"
    /// The `*_over_time` family; `quantile_over_time(q, v)` takes q first in PromQL.
    case avgOverTime = "avg_over_time"
    case minOverTime = "min_over_time"
    case maxOverTime = "max_over_time"
    case sumOverTime = "sum_over_time"
    case countOverTime = "count_over_time"
    case lastOverTime = "last_over_time"
    case presentOverTime = "present_over_time"
    case stddevOverTime = "stddev_over_time"
    case stdvarOverTime = "stdvar_over_time"
    case quantileOverTime = "quantile_over_time"

    /// The function called `name` in PromQL, nil for anything else.
    public init?(name: String) { self.init(rawValue: name) }

    /// Evaluates the function over one series' window.
    ///
    /// - Parameter scalars: the scalar arguments in call order, without the
    ///   range vector: `[q]` for `quantile_over_time`, `[seconds]` for
    ///   `predict_linear`, `[sf, tf]` for `holt_winters`, `[]` otherwise.
    /// - Returns: nil when the series yields no element (see ``RangeFunctions``).
    /// - Throws: ``FunctionError`` for invalid `holt_winters` factors.
    /// - Precondition: `scalars` has the count the signature requires (the parser checked it).
    public func evaluate(
        _ samples: ArraySlice<Sample>, window: RangeWindow, scalars: [Double] = []
    ) throws(FunctionError) -> Double? {
        switch self {
        case .rate: return RangeFunctions.rate(samples, rangeStart: window.rangeStart, rangeEnd: window.rangeEnd)
        case .increase:
            return RangeFunctions.increase(samples, rangeStart: window.rangeStart, rangeEnd: window.rangeEnd)
        case .delta: return RangeFunctions.delta(samples, rangeStart: window.rangeStart, rangeEnd: window.rangeEnd)
        case .irate: return RangeFunctions.irate(samples)
        case .idelta: return RangeFunctions.idelta(samples)
        case .deriv: return RangeFunctions.deriv(samples)
        case .changes: return RangeFunctions.changes(samples)
        case .resets: return RangeFunctions.resets(samples)
        case .predictLinear:
            return RangeFunctions.predictLinear(samples, evaluationTime: window.evaluationTime, seconds: scalars[0])
        case .holtWinters:
            return try RangeFunctions.holtWinters(samples, smoothingFactor: scalars[0], trendFactor: scalars[1])
        case .avgOverTime: return RangeFunctions.avgOverTime(samples)
        case .minOverTime: return RangeFunctions.minOverTime(samples)
        case .maxOverTime: return RangeFunctions.maxOverTime(samples)
        case .sumOverTime: return RangeFunctions.sumOverTime(samples)
        case .countOverTime: return RangeFunctions.countOverTime(samples)
        case .lastOverTime: return RangeFunctions.lastOverTime(samples)
        case .presentOverTime: return RangeFunctions.presentOverTime(samples)
        case .stddevOverTime: return RangeFunctions.stddevOverTime(samples)
        case .stdvarOverTime: return RangeFunctions.stdvarOverTime(samples)
        case .quantileOverTime: return RangeFunctions.quantileOverTime(scalars[0], samples)
        }
    }
}
