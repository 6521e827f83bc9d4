import MeridianModel

extension RangeFunctions {
    /// `deriv(v[r])`: the per-second slope of the least-squares line through
    /// the samples; unlike `rate` it suits gauges and ignores resets.
    ///
    /// Time is measured from the first sample, as Prometheus does, so that
    /// squaring Unix-epoch seconds does not eat the precision (prometheus#2674).
    /// - Returns: nil with fewer than two samples; NaN when all values are the
    ///   same infinity; 0 when all values are equal.
    @inlinable
    public static func deriv(_ samples: ArraySlice<Sample>) -> Double? {
        guard samples.count >= 2, let first = samples.first else { return nil }
        return linearRegression(samples, interceptTime: first.t).slope
    }

    /// `predict_linear(v[r], seconds)`: the value the least-squares line
    /// reaches `seconds` after `evaluationTime`.
    ///
    /// The intercept is taken at the step's evaluation time — not at the
    /// window's end — so with `offset` or `@` the prediction still counts from
    /// "now", as in Prometheus 2.42.
    /// - Returns: nil with fewer than two samples.
    @inlinable
    public static func predictLinear(
        _ samples: ArraySlice<Sample>, evaluationTime: Timestamp, seconds: Double
    ) -> Double? {
        guard samples.count >= 2 else { return nil }
        let (slope, intercept) = linearRegression(samples, interceptTime: evaluationTime)
        return slope * seconds + intercept
    }

    /// Least-squares fit of value against time, with x in seconds relative to
    /// `interceptTime` and Neumaier-compensated sums (Prometheus 2.42's
    /// `linearRegression`).
    ///
    /// A constant series short-circuits to slope 0 (the general formula
    /// would give 0/0 rounding noise), and to NaN/NaN when that constant is
    /// infinite. `samples` must not be empty.
    /// - Complexity: O(n).
    @inlinable
    public static func linearRegression(
        _ samples: ArraySlice<Sample>, interceptTime: Timestamp
    ) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = KahanSum()
        var sumY = KahanSum()
        var sumXY = KahanSum()
        var sumX2 = KahanSum()
        let initY = samples[samples.startIndex].v
        var constY = true
        for sample in samples {
            if constY && sample.v != initY { constY = false }
            n += 1
            let x = Double(sample.t - interceptTime) / 1e3
            sumX.add(x)
            sumY.add(sample.v)
            sumXY.add(x * sample.v)
            sumX2.add(x * x)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        let x = sumX.total
        let y = sumY.total
        let xy = sumXY.total
        let x2 = sumX2.total
        let covXY = xy - x * y / n
        let varX = x2 - x * x / n
        let slope = covXY / varX
        let intercept = y / n - slope * x / n
        return (slope, intercept)
    }

    /// Checks `holt_winters`' factors: both must lie strictly inside (0, 1).
    ///
    /// Separate from ``holtWinters(_:smoothingFactor:trendFactor:)`` because
    /// Prometheus only fails when a series is actually evaluated; the engine
    /// decides when to call it. NaN passes, as in Prometheus (both comparisons are false).
    public static func validateHoltWinters(smoothingFactor sf: Double, trendFactor tf: Double) throws(FunctionError) {
        if sf <= 0 || sf >= 1 {
            throw FunctionError(
                .invalidSmoothingFactor, "invalid smoothing factor. Expected: 0 < sf < 1, got: \(goPercentF(sf))")
        }
        if tf <= 0 || tf >= 1 {
            throw FunctionError(
                .invalidTrendFactor, "invalid trend factor. Expected: 0 < tf < 1, got: \(goPercentF(tf))")
        }
    }

    /// `holt_winters(v[r], sf, tf)`: double exponential smoothing, the last
    /// smoothed value. A low `sf` weights history more; a high `tf` follows trends more.
    ///
    /// - Throws: ``FunctionError`` with `.invalidSmoothingFactor` or
    ///   `.invalidTrendFactor` before looking at the samples.
    /// - Returns: nil with fewer than two samples.
    public static func holtWinters(
        _ samples: ArraySlice<Sample>, smoothingFactor sf: Double, trendFactor tf: Double
    ) throws(FunctionError) -> Double? {
        try validateHoltWinters(smoothingFactor: sf, trendFactor: tf)
        guard samples.count >= 2 else { return nil }
        let start = samples.startIndex
        var s0 = 0.0
        var s1 = samples[start].v
        var trend = samples[start + 1].v - samples[start].v
        for i in 1..<samples.count {
            let x = sf * samples[start + i].v
            // The first step keeps the initial trend; later ones blend the
            // last change of the smoothed value with the previous trend.
            if i > 1 { trend = tf * (s1 - s0) + (1 - tf) * trend }
            let y = (1 - sf) * (s1 + trend)
            s0 = s1
            s1 = x + y
        }
        return s1
    }
}
