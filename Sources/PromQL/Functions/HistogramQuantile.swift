/// `histogram_quantile` over classic (`le`-labelled) histogram buckets:
/// Prometheus 2.42's `bucketQuantile`.
///
/// Buckets are cumulative counts of observations `<= upperBound`. The
/// quantile is found by locating the bucket that holds rank `q·total` and
/// interpolating linearly inside it, assuming observations spread evenly
/// across each bucket — the accepted estimate, since the histogram kept
/// nothing finer.
public enum HistogramQuantile {
    /// One cumulative bucket: `count` observations were `<= upperBound`.
    public struct Bucket: Sendable, Equatable {
        /// The bucket's `le`.
        public var upperBound: Double
        /// The cumulative count (any non-negative number after `rate`).
        public var count: Double

        /// Creates a bucket.
        public init(upperBound: Double, count: Double) {
            self.upperBound = upperBound
            self.count = count
        }
    }

    /// The `q`-quantile of one histogram's buckets, in any order.
    ///
    /// The edge rules, all Prometheus 2.42's:
    /// - NaN `q` gives NaN; `q < 0` gives -Inf; `q > 1` gives +Inf (checked first).
    /// - Without a `+Inf` bucket there is no total, so the result is NaN.
    /// - Buckets with equal bounds (`le="0.2"` and `le="2e-1"`) are merged by
    ///   adding their counts; counts that decrease with the bound (scrape
    ///   races in recording rules) are raised to the running maximum.
    /// - Fewer than two buckets after merging, or a total of 0, gives NaN.
    /// - A rank in the `+Inf` bucket returns the highest finite bound, the
    ///   only honest answer.
    /// - The lowest bucket interpolates from 0 when its bound is positive;
    ///   a bound `<= 0` is returned as is (the histogram says nothing about
    ///   how far below it observations went).
    ///
    /// `buckets` is the caller's scratch buffer: it is sorted and merged in
    /// place, so evaluating many series and steps allocates nothing.
    /// - Complexity: O(n log n).
    public static func quantile(_ q: Double, buckets: inout [Bucket]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        guard !buckets.isEmpty else { return .nan }
        buckets.sort { $0.upperBound < $1.upperBound }
        guard let last = buckets.last, last.upperBound == .infinity else { return .nan }

        coalesce(&buckets)
        ensureMonotonic(&buckets)

        let n = buckets.count
        if n < 2 { return .nan }
        let observations = buckets[n - 1].count
        if observations == 0 { return .nan }
        var rank = q * observations

        // Go's sort.Search over all but the +Inf bucket, step for step, so
        // that NaN counts land on the same bucket as in Prometheus.
        var low = 0
        var high = n - 1
        while low < high {
            let mid = Int(UInt(low + high) >> 1)
            if !(buckets[mid].count >= rank) { low = mid + 1 } else { high = mid }
        }
        let b = low

        if b == n - 1 { return buckets[n - 2].upperBound }
        if b == 0 && buckets[0].upperBound <= 0 { return buckets[0].upperBound }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upperBound
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upperBound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count)
    }

    /// The `q`-quantile of buckets given by value (copies them first).
    public static func quantile(_ q: Double, of buckets: [Bucket]) -> Double {
        var copy = buckets
        return quantile(q, buckets: &copy)
    }

    /// Merges neighbours with equal bounds (the array is sorted).
    static func coalesce(_ buckets: inout [Bucket]) {
        var last = buckets[0]
        var i = 0
        for b in buckets.dropFirst() {
            if b.upperBound == last.upperBound {
                last.count += b.count
            } else {
                buckets[i] = last
                last = b
                i += 1
            }
        }
        buckets[i] = last
        buckets.removeSubrange((i + 1)...)
    }

    /// Raises each count to the largest count below it, so cumulative counts never decrease.
    static func ensureMonotonic(_ buckets: inout [Bucket]) {
        var max = buckets[0].count
        for i in 1..<buckets.count {
            if buckets[i].count > max {
                max = buckets[i].count
            } else if buckets[i].count < max {
                buckets[i].count = max
            }
        }
    }
}
