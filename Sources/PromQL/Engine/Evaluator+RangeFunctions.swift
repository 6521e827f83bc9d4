import MeridianModel

extension Evaluator {
    /// The range input of a call's matrix argument: a range selector or a subquery.
    func rangeInput(_ expr: Expr) throws(QueryError) -> RangeInput {
        switch expr {
        case .matrixSelector(let m): return try selectRange(m.selector, range: m.range)
        case .subquery(let sq): return try evalSubquery(sq)
        case .paren(let inner, _): return try rangeInput(inner)
        default: throw QueryError(.execution, "expected a range vector, got \(expr.type.rawValue)")
        }
    }

    /// Applies `function` to the window `[ref - range, ref]` of every series
    /// at every step, sliding two indices along each series' samples (windows
    /// only move forward), so each sample is visited about twice per series.
    /// `function` gets the samples in the window (never empty), the window's
    /// bounds and the step, and returns nil for no output. `eachSeries` sees
    /// each series' samples before its windows, for work done once a series.
    ///
    /// Output series with equal labels (after `__name__` is dropped) are
    /// Prometheus' "same labelset" error, as in 2.42, whether or not their
    /// steps overlap.
    func slideWindows(
        _ input: RangeInput, keepName: Bool, eachSeries: ([Sample]) -> Void = { _ in },
        _ function: (ArraySlice<Sample>, _ windowStart: Int64, _ windowEnd: Int64, _ step: Int) throws(QueryError) -> Double?
    ) throws(QueryError) -> StepVector {
        var out: [StepSeries] = []
        var distinct = DistinctOutputLabels()
        try input.forEachSeries(self) { (seriesLabels, samples) throws(QueryError) in
            eachSeries(samples)
            // At most one point a step, charged before the array grows; what
            // the series does not use is given back below.
            try take(stepCount)
            var low = 0
            var high = 0
            var points: [StepPoint] = []
            for step in 0..<stepCount {
                let end = input.reference[step]
                let start = end.saturatingSubtract(input.range)
                while high < samples.count && samples[high].t <= end { high += 1 }
                while low < high && samples[low].t < start { low += 1 }
                try progress(1 + high - low)
                guard low < high, let v = try function(samples[low..<high], start, end, step) else { continue }
                points.append(StepPoint(step: Int32(step), v: v))
            }
            release(stepCount - points.count)
            guard !points.isEmpty else { return }
            let labels = keepName ? seriesLabels : seriesLabels.droppingMetricName()
            let dropped = keepName ? nil : seriesLabels.metricName
            guard distinct.insert(labels, dropped: dropped, earlier: { out.map(\.labels) }) else {
                throw QueryError(.execution, "vector cannot contain metrics with the same labelset")
            }
            out.append(StepSeries(labels: labels, points: points))
        }
        return StepVector(out)
    }

    /// `absent_over_time`: 1 at the steps where no series has a sample in
    /// the window, labelled from the selector's equality matchers.
    func absentOverTime(_ argument: Expr) throws(QueryError) -> StepVector {
        // Series keep their (distinct) labels here, so the windows cannot collide.
        let windows = try slideWindows(try rangeInput(argument), keepName: true) { _, _, _, _ in 1 }
        try take(stepCount)
        return try absentVector(windows.stepsPresent(count: stepCount), argument)
    }

    /// 1 at each step not marked present, with the labels `absent` gives.
    func absentVector(_ present: [Bool], _ argument: Expr) throws(QueryError) -> StepVector {
        try take(stepCount)
        let points = present.indices.filter { !present[$0] }.map { StepPoint(step: Int32($0), v: 1) }
        guard !points.isEmpty else { return StepVector() }
        return StepVector([StepSeries(labels: Self.absentLabels(argument), points: points)])
    }

    /// The labels of `absent(…)`'s output: from the selector's matchers
    /// (``AbsentLabels``); none for any other expression.
    static func absentLabels(_ expr: Expr) -> Labels {
        switch expr {
        case .vectorSelector(let s): return AbsentLabels.labels(for: s.matchers)
        case .matrixSelector(let m): return AbsentLabels.labels(for: m.selector.matchers)
        case .paren(let inner, _): return absentLabels(inner)
        default: return .empty
        }
    }
}
