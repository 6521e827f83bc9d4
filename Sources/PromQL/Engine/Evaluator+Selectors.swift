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
    /// in order. Stored samples count against the query while `body` runs, as
    /// Prometheus counts a series' points while a function reads them.
    func forEachSeries(
        _ evaluator: Evaluator, _ body: (_ labels: Labels, _ samples: [Sample]) throws(QueryError) -> Void
    ) throws(QueryError) {
        switch source {
        case .evaluated(let series):
            for s in series {
                try evaluator.check()
                try body(s.labels, s.samples)
            }
        case .stored(let stored):
            var reader = RawSampleReader(evaluator, countingSamples: true)
            defer { reader.finish() }
            for series in stored {
                try evaluator.check()
                let samples = try reader.read(series)
                guard !samples.isEmpty else { continue }
                try body(series.labels, samples)
            }
        }
    }

    /// Every series with its samples (a matrix selector's result).
    func allSeries(_ evaluator: Evaluator) throws(QueryError) -> [SeriesPoints] {
        if case .evaluated(let series) = source { return series }
        var out: [SeriesPoints] = []
        try forEachSeries(evaluator) { labels, samples throws(QueryError) in
            // Kept in the result, so held past this series.
            try evaluator.take(samples.count)
            out.append(SeriesPoints(labels: labels, samples: samples))
        }
        return out
    }
}

/// Reads stored series' raw samples one series at a time into one reused
/// buffer. The buffer's bytes are reserved before it grows, by the series'
/// sample bound from storage when it has one (so a huge series is refused
/// before it is decoded). Its samples count toward `max_samples` only for
/// range reads, as in Prometheus, which counts the points of each window
/// it loads but not the raw samples behind an instant selector.
struct RawSampleReader {
    private let evaluator: Evaluator
    private let countsSamples: Bool
    private var buffer: [Sample] = []
    /// The samples whose bytes are reserved for `buffer`: the most read so far.
    private var reserved = 0
    /// The samples counted toward `max_samples`: the most read so far.
    private var counted = 0

    init(_ evaluator: Evaluator, countingSamples: Bool) {
        self.evaluator = evaluator
        self.countsSamples = countingSamples
    }

    /// The series' samples, stale markers dropped unless kept (an instant
    /// selector needs them to end a series); valid until the next read.
    mutating func read(_ series: StoredSeries, keepingStaleMarkers: Bool = false) throws(QueryError) -> [Sample] {
        if let bound = series.sampleBound { try reserve(bound) }
        buffer.removeAll(keepingCapacity: true)
        var iterator = series.makeIterator()
        iterator.readAll(into: &buffer)
        try reserve(buffer.count)
        if countsSamples && buffer.count > counted {
            try evaluator.take(buffer.count - counted)
            counted = buffer.count
        }
        if !keepingStaleMarkers { buffer.removeAll { StaleMarker.isStale($0.v) } }
        return buffer
    }

    /// Grows the buffer's reservation to `count` samples when it is below.
    private mutating func reserve(_ count: Int) throws(QueryError) {
        guard count > reserved else { return }
        try evaluator.reserve(bytes: (count - reserved) * QueryContext.bytesPerSample)
        reserved = count
    }

    /// Gives back the buffer's charges once the series are read.
    mutating func finish() {
        evaluator.release(bytes: reserved * QueryContext.bytesPerSample)
        evaluator.release(counted)
        reserved = 0
        counted = 0
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

    /// The time read at each step: the step's time (or the `@` time) minus
    /// the offset, saturating at the ends of Int64 (a client's `@` and
    /// `offset` can be anything the parser accepts).
    func referenceTimes(at: AtModifier?, offset: Int64) throws(QueryError) -> [Int64] {
        try take(stepCount)
        if let at { return Array(repeating: time(of: at).saturatingSubtract(offset), count: stepCount) }
        return (0..<stepCount).map { time($0).saturatingSubtract(offset) }
    }

    func select(_ matchers: [LabelMatcher], mint: Int64, maxt: Int64) throws(QueryError) -> [StoredSeries] {
        do {
            return try querier.select(matchers, mint: mint, maxt: maxt, context: context)
        } catch let abort as QueryAbort {
            throw QueryError(abort: abort)
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
        let reference = try referenceTimes(at: selector.at, offset: selector.offset)
        let lookback = options.lookbackDelta
        let stored = try select(
            selector.matchers, mint: reference.min()!.saturatingSubtract(lookback), maxt: reference.max()!)
        var out: [StepSeries] = []
        out.reserveCapacity(stored.count)
        var reader = RawSampleReader(self, countingSamples: false)
        defer { reader.finish() }
        for series in stored {
            try check()
            let samples = try reader.read(series, keepingStaleMarkers: true)
            // At most one point a step, charged before the array grows; what
            // the series does not use is given back below.
            try take(stepCount)
            var next = 0
            var points: [StepPoint] = []
            for step in 0..<stepCount {
                try progress(1)
                let ref = reference[step]
                while next < samples.count && samples[next].t <= ref { next += 1 }
                guard next > 0 else { continue }
                let sample = samples[next - 1]
                guard sample.t >= ref.saturatingSubtract(lookback), !StaleMarker.isStale(sample.v) else { continue }
                points.append(StepPoint(step: Int32(step), v: sampleTimes ? Double(sample.t) / 1000 : sample.v))
            }
            release(stepCount - points.count)
            if !points.isEmpty { out.append(StepSeries(labels: series.labels, points: points)) }
        }
        return StepVector(out)
    }

    /// The series a range selector covers over all steps, to be read one at a time.
    func selectRange(_ selector: VectorSelector, range: Int64) throws(QueryError) -> RangeInput {
        let reference = try referenceTimes(at: selector.at, offset: selector.offset)
        let stored = try select(selector.matchers, mint: reference.min()!.saturatingSubtract(range), maxt: reference.max()!)
        return RangeInput(source: .stored(stored), range: range, reference: reference)
    }

    /// A subquery's inner expression evaluated at its own steps: those aligned
    /// to its step (the default evaluation interval when omitted) that fall
    /// in `[first reference - range, last reference]`.
    func evalSubquery(_ sq: SubqueryExpr) throws(QueryError) -> RangeInput {
        let reference = try referenceTimes(at: sq.at, offset: sq.offset)
        let interval = sq.step > 0 ? sq.step : options.defaultEvaluationInterval
        let innerEnd = reference.max()!
        let earliest = reference.min()!.saturatingSubtract(sq.range)
        // Go's division truncates toward zero; so does Swift's.
        var innerStart = interval * (earliest / interval)
        if innerStart < earliest { innerStart = innerStart.saturatingAdd(interval) }
        guard innerStart <= innerEnd else {
            return RangeInput(source: .evaluated([]), range: sq.range, reference: reference)
        }
        // The inner grid is charged (and refused when too large) before anything is evaluated.
        let inner = try Evaluator(
            querier: querier, start: innerStart, end: innerEnd, interval: interval, queryStart: queryStart,
            queryEnd: queryEnd, options: options, context: context)
        defer { release(inner.stepCount) }
        let series: [SeriesPoints]
        switch try inner.eval(sq.expr) {
        case .vector(let vector):
            series = try inner.samples(of: vector)
        case .scalar(let values):
            // Only reachable through a scalar subquery, which the parser refuses.
            try take(values.count)
            series = [SeriesPoints(labels: .empty, samples: values.indices.map { Sample(t: inner.time($0), v: values[$0]) })]
        default:
            throw QueryError(.execution, "subquery of a \(sq.expr.type.rawValue)")
        }
        return RangeInput(source: .evaluated(series), range: sq.range, reference: reference)
    }

    /// A step vector as series of timestamped samples. The samples are
    /// charged before they are made; the step points they replace are
    /// given back once converted.
    func samples(of vector: StepVector) throws(QueryError) -> [SeriesPoints] {
        let count = vector.pointCount
        try take(count)
        defer { release(count) }
        var out: [SeriesPoints] = []
        out.reserveCapacity(vector.series.count)
        for s in vector.series {
            try check()
            out.append(SeriesPoints(labels: s.labels, samples: s.points.map { Sample(t: time(Int($0.step)), v: $0.v) }))
        }
        return out
    }
}
