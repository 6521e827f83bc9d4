/// The φ-quantile of plain values, shared by the `quantile` aggregation and
/// `quantile_over_time` (Prometheus' `quantile` in promql/quantile.go).
public enum Quantile {
    /// The `q`-quantile of `values` by linear interpolation between the two
    /// closest ranks (`rank = q·(n−1)`), the estimator Prometheus uses.
    ///
    /// Out-of-range `q` is answered rather than rejected, because a query
    /// over many steps should not fail for one bad scalar: `q < 0` gives
    /// -Inf, `q > 1` gives +Inf, NaN `q` or no values gives NaN. NaN values
    /// sort below every number, as Prometheus' sort puts them.
    ///
    /// `values` is sorted in place (it is the caller's scratch buffer).
    /// - Complexity: O(n log n).
    public static func quantile(_ q: Double, sorting values: inout [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        values.sort(by: nanFirstAscending)

        let n = Double(values.count)
        let rank = q * (n - 1)
        let lowerIndex = Swift.max(0, rank.rounded(.down))
        let upperIndex = Swift.min(n - 1, lowerIndex + 1)
        let weight = rank - rank.rounded(.down)
        return values[Int(lowerIndex)] * (1 - weight) + values[Int(upperIndex)] * weight
    }

    /// The `q`-quantile of any sequence of values (copies them first).
    public static func quantile(_ q: Double, of values: some Sequence<Double>) -> Double {
        var copy = Array(values)
        return quantile(q, sorting: &copy)
    }

    /// Ascending order with NaN below everything: a strict weak order, unlike `<` on NaN.
    @inlinable
    static func nanFirstAscending(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN { return !b.isNaN }
        return a < b
    }
}
