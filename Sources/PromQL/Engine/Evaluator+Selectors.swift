import MeridianModel

/// The samples a range function reads: series with their raw samples, and the
/// window `[ref - range, ref]` each step reads (both ends included, as in
/// Prometheus 2.42).
struct RangeInput {
    /// Where the series come from.
    enum Source {
        /// Series of a range selector, read from storage one at a time, so a
        /// query holds one series' raw samples at once, not all of them.
        case stored([StoredSeries])
        /// Series already evaluated (a subquery's).
        case evaluated([SeriesPoints])
    }

    var source: Source
    var range: Int64
    /// The window's end for each step.
    var reference: [Int64]

    /// Calls `body` with each series that has samples, stale markers dropped,
    /// in order. Stored samples count against `budget` while `body` runs, as
    /// Prometheus counts a series' points while a function reads them.
    func forEachSeries(
        budget: QueryBudget, _ body: (_ labels: Labels, _ samples: [Sample]) throws(QueryError) -> Void
    ) throws(QueryError) {
        switch source {
        case .evaluated(let series):
            for s in series { try body(s.labels, s.samples) }
        case .stored(let stored):
            var samples: [Sample] = []
            for series in stored {
                samples.removeAll(keepingCapacity: true)
                var iterator = series.makeIterator()
                iterator.readAll(into: &samples)
                samples.removeAll { StaleMarker.isStale($0.v) }
                guard !samples.isEmpty else { continue }
                try budget.take(samples.count)
                try body(series.labels, samples)
                budget.release(samples.count)
            }
        }
    }

    /// Every series with its samples (a matrix selector's result).
    func allSeries(budget: QueryBudget) throws(QueryError) -> [SeriesPoints] {
        if case .evaluated(let series) = source { return series }
        var out: [SeriesPoints] = []
        try forEachSeries(budget: budget) { labels, samples throws(QueryError) in
            // Kept in the result, so held past the release that follows this body.
            try budget.take(samples.count)
            out.append(SeriesPoints(labels: labels, samples: samples))
        }
        return out
    }
}

extension Evaluator {
    /// The time `@` pins a selector or subquery to.
    func time(of at: AtModifier) -> Int64 {
        switch at {
        case .timestamp(let t): return t
        case .start: return queryStart
        case .end: return queryEnd
        }
    }

    /// The time read at each step: the step's time (or the `@` time) minus the offset.
    func referenceTimes(at: AtModifier?, offset: Int64) -> [Int64] {
        if let at { return Array(repeating: time(of: at) - offset, count: stepCount) }
        return (0..<stepCount).map { time($0) - offset }
    }

    func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) throws(QueryError) -> [StoredSeries] {
        do {
            return try querier.select(matchers, mint: mint, maxt: maxt)
        } catch {
            throw QueryError(.execution, "\(error)")
        }
    }

    /// An instant-vector selector at every step: each series' newest sample
    /// at or before the reference time and at most the lookback delta older
    /// (both ends included, as in Prometheus 2.42), unless it is a stale marker.
    /// With `sampleTimes`, the value is that sample's time in seconds (`timestamp()`).
    /// - Complexity: O(samples + steps) per series.
    func selectVector(_ selector: VectorSelector, sampleTimes: Bool = false) throws(QueryError) -> StepVector {
        let reference = referenceTimes(at: selector.at, offset: selector.offset)
        let lookback = options.lookbackDelta
        let stored = try select(selector.matchers, mint: reference.min()! - lookback, maxt: reference.max()!)
        var out: [StepSeries] = []
        out.reserveCapacity(stored.count)
        var samples: [Sample] = []
        for series in stored {
            samples.removeAll(keepingCapacity: true)
            var iterator = series.makeIterator()
            iterator.readAll(into: &samples)
            var next = 0
            var points: [StepPoint] = []
            for step in 0..<stepCount {
                let ref = reference[step]
                while next < samples.count && samples[next].t <= ref { next += 1 }
                guard next > 0 else { continue }
                let sample = samples[next - 1]
                guard sample.t >= ref - lookback, !StaleMarker.isStale(sample.v) else { continue }
                points.append(StepPoint(step: Int32(step), v: sampleTimes ? Double(sample.t) / 1000 : sample.v))
            }
            try budget.take(points.count)
            if !points.isEmpty { out.append(StepSeries(labels: series.labels, points: points)) }
        }
        return StepVector(out)
    }

    /// The series a range selector covers over all steps, to be read one at a time.
    func selectRange(_ selector: VectorSelector, range: Int64) throws(QueryError) -> RangeInput {
        let reference = referenceTimes(at: selector.at, offset: selector.offset)
        let stored = try select(selector.matchers, mint: reference.min()! - range, maxt: reference.max()!)
        return RangeInput(source: .stored(stored), range: range, reference: reference)
    }

    /// A subquery's inner expression evaluated at its own steps: those aligned
    /// to its step (the default evaluation interval when omitted) that fall
    /// in `[first reference - range, last reference]`.
    func evalSubquery(_ sq: SubqueryExpr) throws(QueryError) -> RangeInput {
        let reference = referenceTimes(at: sq.at, offset: sq.offset)
        let interval = sq.step > 0 ? sq.step : options.defaultEvaluationInterval
        let innerEnd = reference.max()!
        let earliest = reference.min()! - sq.range
        // Go's division truncates toward zero; so does Swift's.
        var innerStart = interval * (earliest / interval)
        if innerStart < earliest { innerStart += interval }
        guard innerStart <= innerEnd else {
            return RangeInput(source: .evaluated([]), range: sq.range, reference: reference)
        }
        let inner = Evaluator(
            querier: querier, start: innerStart, end: innerEnd, interval: interval, queryStart: queryStart,
            queryEnd: queryEnd, options: options, budget: budget)
        let series: [SeriesPoints]
        switch try inner.eval(sq.expr) {
        case .vector(let vector):
            series = vector.series.map { s in
                SeriesPoints(labels: s.labels, samples: s.points.map { Sample(t: inner.time(Int($0.step)), v: $0.v) })
            }
        case .scalar(let values):
            // Only reachable through a scalar subquery, which the parser refuses.
            series = [SeriesPoints(labels: .empty, samples: values.indices.map { Sample(t: inner.time($0), v: values[$0]) })]
        default:
            throw QueryError(.execution, "subquery of a \(sq.expr.type.rawValue)")
        }
        return RangeInput(source: .evaluated(series), range: sq.range, reference: reference)
    }
}
