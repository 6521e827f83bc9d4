import MeridianModel

extension HistogramQuantile {
    /// The name of the label that holds a bucket's upper bound.
    public static let bucketLabel = "le"

    /// A bucket's upper bound from its `le` label, parsed as Go's
    /// `strconv.ParseFloat` would (`"+Inf"`, `"1e3"`, `".5"`, `"0x1p-3"`, `"1_000"`).
    /// - Returns: nil when the label is missing or malformed (Prometheus then
    ///   ignores the series), including a value out of Double's range.
    public static func upperBound(of labels: Labels) -> Double? {
        guard let le = labels[bucketLabel] else { return nil }
        return GoFloat.parse(le)
    }

    /// `histogram_quantile(q, vector)` over a whole instant vector.
    ///
    /// Elements are grouped by their labels without `le` (the metric name
    /// stays in the key, so `a_bucket` and `b_bucket` with equal labels are
    /// two histograms); elements without a parsable `le` are skipped. Each
    /// group yields one element labelled like its first bucket minus
    /// `__name__` and `le`. Two groups that differ only by metric name
    /// therefore produce equal label sets: the engine must reject those as
    /// Prometheus does ("vector cannot contain metrics with the same labelset").
    ///
    /// - Returns: one element per group, in order of each group's first element.
    /// - Complexity: O(n log n); one dictionary entry per group.
    public static func evaluate(_ q: Double, _ vector: some Sequence<LabeledValue>) -> [LabeledValue] {
        var groupIndex: [Labels: Int] = [:]
        var groups: [(labels: Labels, buckets: [Bucket])] = []
        for element in vector {
            guard let bound = upperBound(of: element.labels) else { continue }
            let key = Labels(sortedUnchecked: element.labels.labels.filter { $0.name != bucketLabel })
            if let index = groupIndex[key] {
                groups[index].buckets.append(Bucket(upperBound: bound, count: element.value))
            } else {
                let output = Labels(
                    sortedUnchecked: key.labels.filter { $0.name != metricNameLabel })
                groupIndex[key] = groups.count
                groups.append((output, [Bucket(upperBound: bound, count: element.value)]))
            }
        }
        return groups.indices.map { i in
            LabeledValue(labels: groups[i].labels, value: quantile(q, buckets: &groups[i].buckets))
        }
    }
}
