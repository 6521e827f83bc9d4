import MeridianModel

/// The samples a range function reads: series with their raw samples, and the
/// window `[ref - range, ref]` each step reads (both ends included, as in
/// Prometheus 2.42).
struct RangeInput {
    var series: [SeriesPoints]
    var range: Int64
    /// The window's end for each step.
    var reference: [Int64]
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
        for series in stored {
            var iterator = series.makeIterator()
            var more = iterator.next()
            var previous: Sample?
            var points: [StepPoint] = []
            for step in 0..<stepCount {
                let ref = reference[step]
                while more, iterator.at().t <= ref {
                    previous = iterator.at()
                    more = iterator.next()
                }
                guard let sample = previous, sample.t >= ref - lookback, !StaleMarker.isStale(sample.v) else { continue }
                points.append(StepPoint(step: Int32(step), v: sampleTimes ? Double(sample.t) / 1000 : sample.v))
            }
            try budget.take(points.count)
            if !points.isEmpty { out.append(StepSeries(labels: series.labels, points: points)) }
        }
        return StepVector(out)
    }

    /// The raw samples a range selector covers over all steps, stale markers dropped.
    func selectRange(_ selector: VectorSelector, range: Int64) throws(QueryError) -> RangeInput {
        let reference = referenceTimes(at: selector.at, offset: selector.offset)
        let stored = try select(selector.matchers, mint: reference.min()! - range, maxt: reference.max()!)
        var out: [SeriesPoints] = []
        out.reserveCapacity(stored.count)
        for series in stored {
            var iterator = series.makeIterator()
            var samples: [Sample] = []
            while iterator.next() {
                let sample = iterator.at()
                if !StaleMarker.isStale(sample.v) { samples.append(sample) }
            }
            try budget.take(samples.count)
            if !samples.isEmpty { out.append(SeriesPoints(labels: series.labels, samples: samples)) }
        }
        return RangeInput(series: out, range: range, reference: reference)
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
        guard innerStart <= innerEnd else { return RangeInput(series: [], range: sq.range, reference: reference) }
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
        return RangeInput(series: series, range: sq.range, reference: reference)
    }
}
