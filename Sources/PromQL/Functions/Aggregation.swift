import MeridianModel
/// The arithmetic of the aggregation operators where Prometheus 2.42 has
/// behaviour worth getting exactly right: the engine owns grouping and
/// labels, and feeds each group's values through these accumulators in
/// input order.
///
/// `sum` is a plain `+=` in 2.42's aggregation (no compensation, unlike
/// `sum_over_time`); `count` counts; `group` is 1. They need no helper.
public enum Aggregation {
    /// `max` as 2.42 folds it: a NaN accumulator is replaced by anything, so
    /// NaN elements only win when every element is NaN.
    @inlinable
    public static func max(_ accumulated: Double, _ v: Double) -> Double {
        accumulated < v || accumulated.isNaN ? v : accumulated
    }

    /// `min` as 2.42 folds it; see ``max(_:_:)``.
    @inlinable
    public static func min(_ accumulated: Double, _ v: Double) -> Double {
        accumulated > v || accumulated.isNaN ? v : accumulated
    }

    /// `count_values`' label value for `v`: Go's `FormatFloat(v, 'f', -1, 64)`.
    public static func countValuesLabel(_ v: Double) -> String { FloatFormat.prometheus(v) }

    /// `quantile(q, …)` over a group's values (sorted in place); see ``Quantile``.
    public static func quantile(_ q: Double, sorting values: inout [Double]) -> Double {
        Quantile.quantile(q, sorting: &values)
    }

    /// `sort(v)`'s order: ascending, NaN last. A strict weak order for `sort(by:)`.
    @inlinable
    public static func ascendingNaNLast(_ a: Double, _ b: Double) -> Bool {
        if b.isNaN { return !a.isNaN }
        return a < b
    }

    /// `sort_desc(v)`'s order: descending, NaN last.
    @inlinable
    public static func descendingNaNLast(_ a: Double, _ b: Double) -> Bool {
        if b.isNaN { return !a.isNaN }
        return a > b
    }
}

/// The `avg` aggregation's running mean: 2.42's incremental
/// `mean += v/n - mean/n`, which never forms the sum and so does not
/// overflow on large values (four times 1e308 average to 1e308).
///
/// An infinite mean is kept through finite values and same-signed
/// infinities (`Inf - Inf` would turn it to NaN); the other infinity or a
/// NaN makes it NaN.
public struct MeanAccumulator: Sendable {
    /// The mean of the values so far.
    public private(set) var mean: Double
    /// How many values were added.
    public private(set) var count: Double

    /// Starts a group with its first value.
    public init(first v: Double) {
        mean = v
        count = 1
    }

    /// Adds one more value of the group.
    public mutating func add(_ v: Double) {
        count += 1
        if mean.isInfinite {
            if v.isInfinite && (mean > 0) == (v > 0) { return }
            if !v.isInfinite && !v.isNaN { return }
        }
        mean += v / count - mean / count
    }
}

/// The `stddev`/`stdvar` aggregations' running variance: Welford's method
/// without compensation, exactly as 2.42's aggregation (the `_over_time`
/// functions compensate; the operators do not).
///
/// The first value only seeds the mean, so a group of one gives 0 even
/// for an infinite value.
public struct VarianceAccumulator: Sendable {
    /// The running mean.
    public private(set) var mean: Double
    /// The running sum of squared deviations (M2).
    public private(set) var sumOfSquares: Double
    /// How many values were added.
    public private(set) var count: Double

    /// Starts a group with its first value.
    public init(first v: Double) {
        mean = v
        sumOfSquares = 0
        count = 1
    }

    /// Adds one more value of the group.
    public mutating func add(_ v: Double) {
        count += 1
        let delta = v - mean
        mean += delta / count
        sumOfSquares += delta * (v - mean)
    }

    /// `stdvar`: the population variance.
    public var variance: Double { sumOfSquares / count }

    /// `stddev`: the population standard deviation.
    public var standardDeviation: Double { variance.squareRoot() }
}
