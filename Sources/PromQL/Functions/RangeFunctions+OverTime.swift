import MeridianModel

extension RangeFunctions {
    /// `avg_over_time`: the incremental mean of 2.42 (`mean += v/n - mean/n`,
    /// compensated), which stays finite where `sum/count` would overflow
    /// (two values of 1e308 average to 1e308, not +Inf).
    ///
    /// Once the mean is infinite it stays so through finite values and
    /// infinities of the same sign; an infinity of the other sign or a NaN
    /// makes it NaN.
    /// - Returns: nil for an empty window.
    @inlinable
    public static func avgOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        guard !samples.isEmpty else { return nil }
        var mean = KahanSum()
        var count = 0.0
        for sample in samples {
            let v = sample.v
            count += 1
            if mean.sum.isInfinite {
                // Inf - Inf would turn a correct infinite mean into NaN.
                if v.isInfinite && (mean.sum > 0) == (v > 0) { continue }
                if !v.isInfinite && !v.isNaN { continue }
            }
            mean.add(v / count - mean.sum / count)
        }
        return mean.sum.isInfinite ? mean.sum : mean.total
    }

    /// `sum_over_time`, with Neumaier compensation as in 2.42.
    /// - Returns: nil for an empty window.
    @inlinable
    public static func sumOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        guard !samples.isEmpty else { return nil }
        var sum = KahanSum()
        for sample in samples { sum.add(sample.v) }
        return sum.sum.isInfinite ? sum.sum : sum.total
    }

    /// `count_over_time`: the number of samples.
    /// - Returns: nil for an empty window. - Complexity: O(1).
    @inlinable
    public static func countOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        samples.isEmpty ? nil : Double(samples.count)
    }

    /// `last_over_time`: the newest value (Prometheus keeps the metric name for this one).
    /// - Returns: nil for an empty window. - Complexity: O(1).
    @inlinable
    public static func lastOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        samples.last?.v
    }

    /// `present_over_time`: 1 for any series with a sample in the window.
    /// - Returns: nil for an empty window. - Complexity: O(1).
    @inlinable
    public static func presentOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        samples.isEmpty ? nil : 1
    }

    /// `max_over_time`: NaN values lose to any number; only an all-NaN window gives NaN.
    /// - Returns: nil for an empty window.
    @inlinable
    public static func maxOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        guard var result = samples.first?.v else { return nil }
        for sample in samples where sample.v > result || result.isNaN { result = sample.v }
        return result
    }

    /// `min_over_time`: NaN values lose to any number; only an all-NaN window gives NaN.
    /// - Returns: nil for an empty window.
    @inlinable
    public static func minOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        guard var result = samples.first?.v else { return nil }
        for sample in samples where sample.v < result || result.isNaN { result = sample.v }
        return result
    }

    /// `stdvar_over_time`: population variance by Welford's method with
    /// compensated sums (2.42), so that identical values give exactly 0.
    /// - Returns: nil for an empty window.
    @inlinable
    public static func stdvarOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        guard !samples.isEmpty else { return nil }
        var count = 0.0
        var mean = KahanSum()
        var aux = KahanSum()
        for sample in samples {
            count += 1
            let delta = sample.v - mean.total
            mean.add(delta / count)
            aux.add(delta * (sample.v - mean.total))
        }
        return aux.total / count
    }

    /// `stddev_over_time`: the square root of ``stdvarOverTime(_:)``.
    /// - Returns: nil for an empty window.
    @inlinable
    public static func stddevOverTime(_ samples: ArraySlice<Sample>) -> Double? {
        stdvarOverTime(samples).map { $0.squareRoot() }
    }

    /// `quantile_over_time(q, v[r])`; see ``Quantile/quantile(_:sorting:)`` for the rules.
    ///
    /// `scratch` is a caller-owned buffer the values are copied into and
    /// sorted, so an engine evaluating many steps allocates once.
    /// - Returns: nil for an empty window.
    /// - Complexity: O(n log n).
    public static func quantileOverTime(
        _ q: Double, _ samples: ArraySlice<Sample>, scratch: inout [Double]
    ) -> Double? {
        guard !samples.isEmpty else { return nil }
        scratch.removeAll(keepingCapacity: true)
        for sample in samples { scratch.append(sample.v) }
        return Quantile.quantile(q, sorting: &scratch)
    }

    /// `quantile_over_time(q, v[r])` with a temporary buffer.
    /// - Returns: nil for an empty window.
    public static func quantileOverTime(_ q: Double, _ samples: ArraySlice<Sample>) -> Double? {
        var scratch: [Double] = []
        scratch.reserveCapacity(samples.count)
        return quantileOverTime(q, samples, scratch: &scratch)
    }

    /// `changes(v[r])`: how often the value changed; NaN to NaN is no change.
    /// - Returns: nil for an empty window.
    @inlinable
    public static func changes(_ samples: ArraySlice<Sample>) -> Double? {
        guard var previous = samples.first?.v else { return nil }
        var changes = 0
        for sample in samples.dropFirst() {
            let current = sample.v
            if current != previous && !(current.isNaN && previous.isNaN) { changes += 1 }
            previous = current
        }
        return Double(changes)
    }

    /// `resets(v[r])`: how often the value decreased (counter resets).
    /// - Returns: nil for an empty window.
    @inlinable
    public static func resets(_ samples: ArraySlice<Sample>) -> Double? {
        guard var previous = samples.first?.v else { return nil }
        var resets = 0
        for sample in samples.dropFirst() {
            if sample.v < previous { resets += 1 }
            previous = sample.v
        }
        return Double(resets)
    }
}
