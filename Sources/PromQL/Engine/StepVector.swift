import MeridianModel

/// An instant vector evaluated at every step of a query, series by series:
/// the engine's working form. Evaluating a whole series across all steps at
/// once (rather than all series one step at a time, as Prometheus does) lets
/// a range function slide one window along a series' samples, and lets an
/// aggregation find each series' group once instead of once per step.
struct StepVector {
    var series: [StepSeries]

    init(_ series: [StepSeries] = []) { self.series = series }

    /// The points of every series.
    /// - Complexity: O(series).
    var pointCount: Int { series.reduce(0) { $0 + $1.points.count } }
}

/// One series of a ``StepVector``: its labels and its values at the steps
/// where it has one, in step order.
struct StepSeries {
    var labels: Labels
    var points: [StepPoint]
}

/// A value at one step (an index into the query's steps).
struct StepPoint {
    var step: Int32
    var v: Double
}

/// The value of an expression over the steps of a query.
enum StepValue {
    /// One number per step.
    case scalar([Double])
    case vector(StepVector)
    /// A range vector: series with their raw samples (only as a query's
    /// result or a function's argument).
    case matrix([SeriesPoints])
    case string(String)
}

extension StepVector {
    /// Merges series that ended up with the same labels (after a function or
    /// an operator dropped some), as long as they never have a value at the
    /// same step; Prometheus' error otherwise.
    /// - Complexity: O(n log n) for n points.
    func mergingSameLabels() throws(QueryError) -> StepVector {
        var index: [Labels: Int] = [:]
        var out: [StepSeries] = []
        out.reserveCapacity(series.count)
        var merged = false
        for s in series {
            if let i = index[s.labels] {
                out[i].points += s.points
                merged = true
            } else {
                index[s.labels] = out.count
                out.append(s)
            }
        }
        guard merged else { return self }
        for i in out.indices {
            out[i].points.sort { $0.step < $1.step }
            for (a, b) in zip(out[i].points, out[i].points.dropFirst()) where a.step == b.step {
                throw QueryError(.execution, "vector cannot contain metrics with the same labelset")
            }
        }
        return StepVector(out)
    }
}

extension StepVector {
    /// For each of `count` steps, whether any series has a value there.
    func stepsPresent(count: Int) -> [Bool] {
        var present = Array(repeating: false, count: count)
        for s in series { for p in s.points { present[Int(p.step)] = true } }
        return present
    }

    /// Applies `transform` (value, step) to every point, nil dropping the
    /// point, and with `dropName` removes `__name__`; series that lose every
    /// point go, and series left with equal labels merge (or fail as Prometheus').
    func mapping(dropName: Bool, _ transform: (Double, Int) -> Double?) throws(QueryError) -> StepVector {
        var out: [StepSeries] = []
        out.reserveCapacity(series.count)
        for s in series {
            var points: [StepPoint] = []
            points.reserveCapacity(s.points.count)
            for p in s.points {
                if let v = transform(p.v, Int(p.step)) { points.append(StepPoint(step: p.step, v: v)) }
            }
            if !points.isEmpty {
                out.append(StepSeries(labels: dropName ? s.labels.droppingMetricName() : s.labels, points: points))
            }
        }
        return try StepVector(out).mergingSameLabels()
    }
}

extension Labels {
    /// The labels without `__name__`: what functions and arithmetic return.
    func droppingMetricName() -> Labels {
        guard self[metricNameLabel] != nil else { return self }
        return Labels(sortedUnchecked: filter { $0.name != metricNameLabel })
    }
}

/// Whether the output series of a function stay distinct once each input's
/// `__name__` is dropped. Distinct inputs that share one metric name stay
/// distinct without it, so labels are hashed only once a second name turns
/// up (the common case, one metric, hashes nothing).
struct DistinctOutputLabels {
    private var firstName: String??
    private var seen: Set<Labels>?

    /// Whether `labels`, which had `dropped` as its metric name, is new;
    /// `earlier` gives the labels inserted so far, read once if names differ.
    mutating func insert(_ labels: Labels, dropped: String?, earlier: () -> [Labels]) -> Bool {
        if seen == nil {
            guard let first = firstName else {
                firstName = .some(dropped)
                return true
            }
            if first == dropped { return true }
            seen = Set(earlier())
        }
        return seen!.insert(labels).inserted
    }
}
