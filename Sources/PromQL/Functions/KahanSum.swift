/// Neumaier's compensated sum, as Prometheus 2.42's `kahanSumInc`.
///
/// `sum_over_time`, `avg_over_time`, `stddev_over_time`, `deriv` and
/// `predict_linear` accumulate through it, so a port that adds plainly drifts
/// from Prometheus in the last digits on long windows. The order of the
/// operations below is the order Go evaluates them in; keep it.
@usableFromInline
struct KahanSum {
    /// The running (uncompensated) sum.
    @usableFromInline var sum: Double
    /// The running compensation: the low-order bits the sum lost.
    @usableFromInline var compensation: Double

    @inlinable
    init(sum: Double = 0, compensation: Double = 0) {
        self.sum = sum
        self.compensation = compensation
    }

    /// Adds `increment`, swapping roles when it is larger than the sum (Neumaier).
    @inlinable
    mutating func add(_ increment: Double) {
        let t = sum + increment
        if Swift.abs(sum) >= Swift.abs(increment) {
            compensation += (sum - t) + increment
        } else {
            compensation += (increment - t) + sum
        }
        sum = t
    }

    /// The compensated total, `sum + compensation`.
    @inlinable
    var total: Double { sum + compensation }
}
